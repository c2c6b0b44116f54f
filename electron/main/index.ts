/**
 * The Electron main process, kept thin: one instance per data folder, the core in a utility
 * process (out/main/core-host.js), windows that load only our own renderer, a pair of
 * MessagePorts from each window to the core host, the application menu, and the security
 * settings of docs/security.md. It never runs core services itself.
 */
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  Menu,
  MessageChannelMain,
  nativeTheme,
  safeStorage,
  session,
  shell,
  utilityProcess,
  type IpcMainEvent,
  type MenuItemConstructorOptions,
  type MessagePortMain,
  type OpenDialogOptions,
  type UtilityProcess,
  type WebContents,
} from 'electron';
import { ipcChannels } from '../../shared/bridge';
import { goMenu, menuAccelerators, runbookFileExtensions, type MenuCommand } from '../../shared/menu';
import { systemClock } from '../core/clock';
import { Log } from '../core/log';
import type { CoreHostReport, CoreHostRequest } from './core-host-link';
import { keychainVaultKey, PLAINTEXT_OPT_IN_FLAG, type KeychainKey } from './keychain';
import { printHtmlToPdf } from './print-pdf';
import {
  contentSecurityPolicy,
  devServerFrom,
  externalLink,
  isAllowedRequest,
  isAppPage,
  isPermissionAllowed,
  type AppPages,
} from './security-policy';

const here = dirname(fileURLToPath(import.meta.url));
const coreHostPath = join(here, 'core-host.js');
const preloadPath = join(here, '..', 'preload', 'index.cjs');
const pages: AppPages = {
  rendererIndex: join(here, '..', 'renderer', 'index.html'),
  devServer: devServerFrom(process.env.ELECTRON_RENDERER_URL, app.isPackaged),
};
const CORE_SERVICE = 'Watchfloor core';
const MAX_RUNBOOK_BYTES = 16 * 1024 * 1024; // the contract's limit for one file's text

// ---- data folder and single instance ------------------------------------------------------------

/** WATCHFLOOR_DATA_DIR, else --data-dir=DIR, else Electron's userData folder ("Watchfloor"). */
function dataDirOverride(): string | null {
  if (process.env.WATCHFLOOR_DATA_DIR) return resolve(process.env.WATCHFLOOR_DATA_DIR);
  const arg = process.argv.find((a) => a.startsWith('--data-dir='));
  return arg ? resolve(arg.slice('--data-dir='.length)) : null;
}

const override = dataDirOverride();
// userData is also where Electron keeps its single-instance lock, so one instance per data folder.
if (override) app.setPath('userData', override);
const dataDir = app.getPath('userData');
// Chromium's own files (cache, local storage) in a folder of their own, beside the store and logs.
app.setPath('sessionData', join(dataDir, 'chromium'));
app.enableSandbox();

/** The Electron-ABI builds of native addons (scripts/postinstall.mjs), where they exist. */
function electronAbiDir(): string | null {
  const dir = app.isPackaged ? join(process.resourcesPath, 'electron-abi') : join(here, '..', '..', 'node_modules', '.electron-abi');
  return existsSync(dir) ? dir : null;
}

// Lines go to <dataDir>/logs/watchfloor.log, beside the core's; in development also to the terminal.
const log = new Log(dataDir, systemClock, app.isPackaged ? null : (line) => process.stderr.write(line));

// ---- the core host ------------------------------------------------------------------------------

let coreHost: UtilityProcess | null = null;
let coreGone: string | null = null;
let quitting = false;
let crashTimes: number[] = [];
let nextConnectionId = 1;
/** Pages that asked for ports (and get fresh ones after a restart), by webContents id. */
const connectedPages = new Map<number, WebContents>();
/** Each page's connection id in the current core host. */
const connectionIds = new Map<number, number>();

function startCore(): void {
  if (quitting || coreGone !== null) return;
  const args = [`--data-dir=${dataDir}`];
  const nativeDir = electronAbiDir();
  if (nativeDir) args.push(`--native-dir=${nativeDir}`);
  const child = utilityProcess.fork(coreHostPath, args, { serviceName: CORE_SERVICE, stdio: 'inherit' });
  coreHost = child;
  const keychain = vaultKeyFromKeychain();
  postToCore({ type: 'vault-key', key: keychain.ok ? keychain.key.toString('hex') : null, reason: keychain.ok ? null : keychain.reason });
  connectionIds.clear();
  child.on('message', (message: CoreHostReport) => {
    if (message?.type === 'ready') {
      log.info('core host ready', { pid: child.pid ?? null, nativeDir });
    } else if (message?.type === 'fatal') {
      const hint = /NODE_MODULE_VERSION/.test(message.message)
        ? ' Its native addons are built for Node, not Electron: run `node scripts/postinstall.mjs --require` in the Watchfloor folder.'
        : '';
      giveUpOnCore(`Watchfloor's core could not start: ${message.message}.${hint}`);
      child.kill();
    } else if (message?.type === 'print-pdf') {
      // Answered to this core host only: a restarted one never asked (its export already failed).
      const { id } = message;
      const answer = (result: CoreHostRequest) => {
        if (coreHost === child) child.postMessage(result);
      };
      printHtmlToPdf(message.html).then(
        (pdf) => answer({ type: 'print-pdf-result', id, base64: pdf.toString('base64') }),
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          log.warn('could not print a report to PDF', { reason });
          answer({ type: 'print-pdf-result', id, error: `The report could not be printed to PDF: ${reason}. Nothing was exported; the incident is unchanged: try again, or export HTML.` });
        },
      );
    }
  });
  child.on('error', (type, location) => log.error(`the core host failed (${type}) at ${location}`));
  child.once('exit', (code) => onCoreExit(child, code));
  for (const contents of connectedPages.values()) connectPage(contents);
}

let keychainResult: KeychainKey | null = null;
/** Read once per run: a restarted core host gets the same answer. */
function vaultKeyFromKeychain(): KeychainKey {
  if (keychainResult) return keychainResult;
  const result = keychainVaultKey(safeStorage, {
    file: join(dataDir, 'vault-key.bin'),
    platform: process.platform,
    allowBasicText: process.argv.includes(PLAINTEXT_OPT_IN_FLAG),
  });
  if (result.ok) log.info(result.created ? 'vault key created in the operating system keychain' : 'vault key read from the operating system keychain', { backend: result.backend });
  else log.warn(result.reason);
  keychainResult = result;
  return result;
}

function onCoreExit(child: UtilityProcess, code: number): void {
  if (coreHost !== child) return;
  coreHost = null;
  connectionIds.clear();
  if (quitting || coreGone !== null) return;
  const now = Date.now();
  crashTimes = [...crashTimes.filter((t) => now - t < 60_000), now];
  if (crashTimes.length >= 3) {
    giveUpOnCore(`Watchfloor's core stopped ${crashTimes.length} times within a minute (last exit code ${code}).`);
    return;
  }
  log.warn(`the core host stopped unexpectedly (exit code ${code}); restarting it and reconnecting ${connectedPages.size} window(s)`);
  setTimeout(startCore, 500 * (crashTimes.length - 1));
}

function giveUpOnCore(reason: string): void {
  coreGone =
    `${reason} Everything already saved is on disk in ${dataDir}. ` +
    `Quit and start Watchfloor again; if this keeps happening, the log is in ${join(dataDir, 'logs')}.`;
  log.error(coreGone);
  for (const contents of connectedPages.values()) contents.send(ipcChannels.coreGone, coreGone);
}

function postToCore(request: CoreHostRequest, ports: MessagePortMain[] = []): void {
  coreHost?.postMessage(request, ports);
}

/** Gives a page a fresh pair of ports to the core host: one for calls and events, one for bytes. */
function connectPage(contents: WebContents): void {
  if (contents.isDestroyed()) return;
  if (coreGone !== null) return contents.send(ipcChannels.coreGone, coreGone);
  if (!coreHost) return; // restarting: startCore connects every page again
  const previous = connectionIds.get(contents.id);
  if (previous !== undefined) postToCore({ type: 'disconnect', id: previous });
  const id = nextConnectionId++;
  const control = new MessageChannelMain();
  const bytes = new MessageChannelMain();
  postToCore({ type: 'connect', id }, [control.port1, bytes.port1]);
  contents.postMessage(ipcChannels.ports, null, [control.port2, bytes.port2]);
  connectionIds.set(contents.id, id);
}

function disconnectPage(contentsId: number): void {
  const id = connectionIds.get(contentsId);
  connectionIds.delete(contentsId);
  if (id !== undefined) postToCore({ type: 'disconnect', id });
}

/** Ports go only to the main frame of our own window, showing our own renderer. */
function isTrustedHello(event: IpcMainEvent, contents: WebContents): boolean {
  const frame = event.senderFrame;
  return (
    event.sender === contents &&
    frame !== null &&
    frame.parent === null &&
    frame.processId === contents.mainFrame.processId &&
    frame.frameToken === contents.mainFrame.frameToken &&
    isAppPage(frame.url, pages)
  );
}

// ---- windows --------------------------------------------------------------------------------------

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Watchfloor',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#111318' : '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // A middle click would otherwise ask to open a window; the open handler denies it anyway.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
      safeDialogs: true,
      devTools: !app.isPackaged,
    },
  });
  const contents = win.webContents;
  const contentsId = contents.id;

  contents.ipc.on(ipcChannels.hello, (event) => {
    if (!isTrustedHello(event, contents)) {
      log.warn('refused to connect a page that is not our renderer', { url: event.senderFrame?.url ?? null });
      return;
    }
    connectedPages.set(contentsId, contents);
    connectPage(contents);
  });
  contents.on('render-process-gone', (_event, details) => {
    log.warn(`a window's renderer stopped (${details.reason}); it reconnects when reloaded`);
    disconnectPage(contentsId);
  });
  contents.once('destroyed', () => {
    connectedPages.delete(contentsId);
    disconnectPage(contentsId);
  });
  win.once('ready-to-show', () => win.show());

  const loading = pages.devServer ? win.loadURL(pages.devServer.href) : win.loadFile(pages.rendererIndex);
  loading.catch((error: Error) => {
    log.error(`could not load the renderer (${error.message}); is out/renderer built? (npm run build)`);
    win.show();
  });
  return win;
}

function targetWindow(): BrowserWindow | null {
  return BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? null;
}

function sendMenuCommand(command: MenuCommand): void {
  targetWindow()?.webContents.send(ipcChannels.menu, command);
}

// ---- security ---------------------------------------------------------------------------------------

function openExternally(url: string): void {
  const link = externalLink(url);
  if (link) void shell.openExternal(link);
  else log.warn('refused to open a link that is not http(s)', { url });
}

/** Every webContents, ours or any other, gets the same guards. */
function guardContents(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-navigate', (event) => {
    // The renderer is one page; in-page (hash) changes do not come here.
    event.preventDefault();
    openExternally(event.url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
}

function guardSession(): void {
  const ses = session.defaultSession;
  const csp = contentSecurityPolicy(pages);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, pages);
    if (!allowed) log.warn('blocked a request outside the app', { url: details.url });
    callback({ cancel: !allowed });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, pages));
  });
  ses.setPermissionCheckHandler((contents, permission, _origin, details) =>
    isPermissionAllowed(permission, details.requestingUrl ?? contents?.getURL(), pages),
  );
  ses.setDevicePermissionHandler(() => false);
}

// ---- menu -----------------------------------------------------------------------------------------------

async function importRunbooksFromMenu(): Promise<void> {
  const win = targetWindow();
  const options: OpenDialogOptions = {
    title: 'Import runbooks',
    buttonLabel: 'Import',
    properties: ['openFile', 'multiSelections'],
    filters: [{ name: 'Runbooks (Markdown)', extensions: [...runbookFileExtensions] }],
  };
  const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  if (picked.canceled || picked.filePaths.length === 0) return;
  const command: Extract<MenuCommand, { type: 'runbooks.import' }> = { type: 'runbooks.import', files: [], errors: [] };
  for (const path of picked.filePaths) {
    const name = basename(path);
    try {
      const { size } = await stat(path);
      if (size > MAX_RUNBOOK_BYTES) {
        command.errors.push({
          name,
          message: `This file is ${(size / 1024 / 1024).toFixed(1)} MB; a runbook file is at most 16 MB. Nothing was imported from it.`,
        });
        continue;
      }
      command.files.push({ name, text: await readFile(path, 'utf8') });
    } catch (error) {
      command.errors.push({
        name,
        message: `Could not read this file (${(error as Error).message}). Check it is a local text file and try again.`,
      });
    }
  }
  sendMenuCommand(command);
}

function buildMenu(): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Import Runbooks…', accelerator: menuAccelerators.importRunbooks, click: () => void importRunbooksFromMenu() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' } as const]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      // The renderer handles these keys itself (on both hosts), so the menu shows them without
      // registering them (Windows, Linux); on macOS the page gets the key first and consumes it.
      label: 'Go',
      submenu: [
        ...goMenu.map(
          (item): MenuItemConstructorOptions => ({
            label: item.label,
            accelerator: item.accelerator,
            registerAccelerator: false,
            click: () => sendMenuCommand({ type: 'navigate', section: item.section }),
          }),
        ),
        { type: 'separator' },
        {
          label: 'Command Palette…',
          accelerator: menuAccelerators.commandPalette,
          registerAccelerator: false,
          click: () => sendMenuCommand({ type: 'palette.open' }),
        },
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

// ---- lifecycle ----------------------------------------------------------------------------------------

if (!app.requestSingleInstanceLock()) {
  // Another Watchfloor already has this data folder open; it focuses its window (below).
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0] ?? createWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('child-process-gone', (_event, details) => {
    if (details.type === 'Utility' && (details.serviceName === CORE_SERVICE || details.name === CORE_SERVICE) && !quitting) {
      log.warn(`the core host's process is gone: ${details.reason} (exit code ${details.exitCode})`);
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    // Let the core close its database before the app goes (it is killed after 3 s regardless;
    // with synchronous=FULL nothing saved is lost either way).
    const child = coreHost;
    if (!child) return;
    event.preventDefault();
    quitting = true;
    coreHost = null;
    const timer = setTimeout(() => child.kill(), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      app.quit();
    });
    child.postMessage({ type: 'shutdown' } satisfies CoreHostRequest);
  });

  void app.whenReady().then(() => {
    log.info('desktop app started', { dataDir, packaged: app.isPackaged });
    guardSession();
    Menu.setApplicationMenu(buildMenu());
    startCore();
    createWindow();
  });
}
