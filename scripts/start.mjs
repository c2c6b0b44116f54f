// `npm start`: the desktop app where Electron's binary is installed; elsewhere the headless host
// (`watchfloor serve`) in a Chromium app window, or just its URL when there is no display.
//   npm start [-- --data-dir=DIR] [-- --no-open]
// --no-open: start the headless host and print its URL, open nothing (handy for tests).
// Ctrl+C stops everything cleanly; errors are one line, never a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { findElectron, repoRoot } from './electron-binary.mjs';

const args = process.argv.slice(2);
const noOpen = args.includes('--no-open');
const dataDirArg = args.find((a) => a.startsWith('--data-dir='));

function fail(message) {
  process.stderr.write(`watchfloor: ${message}\n`);
  process.exit(1);
}

/** Builds with electron-vite when any of `outputs` is missing (a fresh clone, or `out/` deleted). */
function ensureBuilt(outputs) {
  if (outputs.every((f) => existsSync(join(repoRoot, f)))) return;
  console.log('Building Watchfloor first (npm run build)…');
  const cli = join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [cli, 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) fail('the build failed (see above); fix it and run npm start again');
}

const electron = findElectron();
if (electron.path && !noOpen) startDesktop(electron.path);
else startHeadless(electron.path ? null : `Electron's binary is not installed here (${electron.reason})`);

function startDesktop(electronPath) {
  ensureBuilt(['out/main/index.js', 'out/main/core-host.js', 'out/preload/index.cjs', 'out/renderer/index.html']);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would make the binary a plain Node
  const app = spawn(electronPath, [repoRoot, ...(dataDirArg ? [dataDirArg] : [])], { stdio: 'inherit', env });
  // Ctrl+C reaches Electron too (same process group); wait for it to quit rather than die first.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => app.kill('SIGTERM'));
  app.on('error', (error) => fail(`could not start Electron: ${error.message}`));
  app.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
}

function hasDisplay() {
  return process.platform === 'darwin' || process.platform === 'win32' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function findBrowser() {
  if (process.env.WATCHFLOOR_BROWSER) return process.env.WATCHFLOOR_BROWSER;
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) for (const ext of exts) if (existsSync(join(dir, name + ext))) return join(dir, name + ext);
  }
  const known = {
    darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
    win32: [
      join(process.env.PROGRAMFILES ?? 'C:\\Program Files', 'Google', 'Chrome', 'Application', 'chrome.exe'),
      join(process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)', 'Google', 'Chrome', 'Application', 'chrome.exe'),
    ],
  }[process.platform] ?? [];
  return known.find((p) => existsSync(p)) ?? null;
}

function startHeadless(whyNotElectron) {
  const display = hasDisplay();
  const browser = !noOpen && display ? findBrowser() : null;
  if (whyNotElectron) {
    const instead = browser
      ? "opening Watchfloor's headless host in Chromium instead."
      : "starting Watchfloor's headless host instead; open its URL in a browser.";
    console.log(`${whyNotElectron}; ${instead}`);
  }
  ensureBuilt(['out/main/cli.js', 'out/renderer/index.html']);

  const server = spawn(process.execPath, [join(repoRoot, 'bin', 'watchfloor.js'), 'serve', ...(dataDirArg ? [dataDirArg] : [])], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let browserProcess = null;
  let stopping = false;

  const stop = () => {
    if (stopping) return;
    stopping = true;
    browserProcess?.kill('SIGTERM');
    if (server.exitCode === null) server.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.on('error', (error) => fail(`could not start the headless host: ${error.message}`));
  server.on('exit', (code) => {
    if (stopping) {
      console.log('Watchfloor stopped.');
      process.exit(0);
    }
    fail(`the headless host stopped (exit code ${code}); see its message above`);
  });

  let opened = false;
  createInterface({ input: server.stdout }).on('line', (line) => {
    console.log(line);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(line)?.[1];
    if (!url || opened) return;
    opened = true;
    const dataDir = /serving (.+) at http/.exec(line)?.[1] ?? null;
    if (browser && dataDir) browserProcess = openAppWindow(browser, url, join(dataDir, 'headless-browser'), stop);
    else if (noOpen) console.log('Ctrl+C stops Watchfloor.');
    else if (!display) console.log(`No display here: open ${url} in a browser on this machine. Ctrl+C stops Watchfloor.`);
    else console.log(`No Chromium or Chrome found (set WATCHFLOOR_BROWSER to one): open ${url} in a Chromium-based browser. Ctrl+C stops Watchfloor.`);
  });
}

/** Chromium as an app window on a private profile; closing the window stops the host. */
function openAppWindow(browser, url, profileDir, stop) {
  mkdirSync(profileDir, { recursive: true });
  const flags = [`--app=${url}`, `--user-data-dir=${profileDir}`, '--window-size=1280,820', '--no-first-run', '--no-default-browser-check'];
  // Chromium refuses to start as root with its sandbox on; the page is our own, from 127.0.0.1.
  if (process.getuid?.() === 0) flags.push('--no-sandbox');
  const started = Date.now();
  const child = spawn(browser, flags, { stdio: 'ignore' });
  child.on('error', (error) => console.log(`Could not open ${browser} (${error.message}): open ${url} in a browser. Ctrl+C stops Watchfloor.`));
  child.on('exit', (code) => {
    if (Date.now() - started > 3_000) return stop(); // the operator closed the window
    // A browser already running on this profile takes the window and exits at once: keep serving.
    if (code === 0) console.log('The window opened in a browser that was already running. Ctrl+C stops Watchfloor.');
    else console.log(`${browser} could not open a window (exit code ${code}): open ${url} in a browser. Ctrl+C stops Watchfloor.`);
  });
  return child;
}
