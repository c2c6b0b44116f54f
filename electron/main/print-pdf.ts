/**
 * The desktop app's PDF printer: Chromium's printToPDF in the main process, on a hidden window
 * that can do nothing but show the report. The core host asks for it over its parentPort
 * (`print-pdf` / `print-pdf-result`, core-host-link.ts), since only the main process can make
 * windows.
 *
 * The report HTML is self-contained already; this window makes sure of it anyway: sandboxed, no
 * preload, JavaScript off, and its own in-memory session in which every request but the report
 * file itself is cancelled, so a reference that slipped through cannot reach the network.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, session } from 'electron';
import { UNTAGGED_ABOVE_BYTES } from '../core/reports/pdf-chromium';

const PRINT_TIMEOUT_MS = 60_000;

export async function printHtmlToPdf(html: string): Promise<Buffer> {
  // A file, not a data: URL: a 50,000-event report is far past what a data: URL navigation takes.
  const workDir = await mkdtemp(join(tmpdir(), 'watchfloor-pdf-'));
  const file = join(workDir, 'report.html');
  const fileUrl = pathToFileURL(file).href;
  // No `persist:` prefix: in memory, gone with the window; a fresh one per print.
  const ses = session.fromPartition(`watchfloor-pdf-${randomUUID()}`);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: details.url !== fileUrl }));
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  const win = new BrowserWindow({
    show: false,
    width: 1024,
    height: 1400,
    webPreferences: {
      session: ses,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      images: true,
      // As the app's window: no middle-click opening a link (JavaScript is off too).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await writeFile(file, html, { mode: 0o600 });
    const print = (async () => {
      await win.loadURL(fileUrl);
      // As the headless host's printer: a very long report prints untagged, or it takes many minutes.
      return win.webContents.printToPDF({ printBackground: true, generateDocumentOutline: true, generateTaggedPDF: Buffer.byteLength(html) <= UNTAGGED_ABOVE_BYTES });
    })();
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`printing the report took longer than ${PRINT_TIMEOUT_MS / 1000} s and was stopped`)), PRINT_TIMEOUT_MS);
    });
    return await Promise.race([print, timeout]);
  } finally {
    clearTimeout(timer);
    if (!win.isDestroyed()) win.destroy();
    await rm(workDir, { recursive: true, force: true });
  }
}
