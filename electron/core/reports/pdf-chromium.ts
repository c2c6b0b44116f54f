/**
 * The headless host's PDF printer: the report's self-contained HTML printed by a headless
 * Chromium (Debian's `chromium`), since the headless host has no Electron to call printToPDF.
 *
 * A report must never reach the network while it prints, even if a note smuggled a remote
 * reference past the HTML renderer: Chromium runs with every host name resolving to nothing, every request (loopback too) sent to a proxy that refuses, and no background
 * services. Each print gets a fresh private folder (0700) for the HTML, the profile and the PDF,
 * removed afterwards whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApiError } from '../../../shared/contract';
import type { Log } from '../log';
import type { PdfPrinter } from '.';

export interface ChromiumPdfOptions {
  /** The Chromium binary; default $WATCHFLOOR_CHROMIUM, else the first of CHROMIUM_NAMES on PATH. */
  executable?: string;
  log?: Pick<Log, 'info' | 'warn'> | null;
  /** Kill Chromium after this long (default: 60 s plus 60 s per MB of HTML, at most 15 min). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Looked for on PATH in this order when neither the option nor WATCHFLOOR_CHROMIUM names one. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'] as const;

/** An ApiError, so the operator sees the message itself, not a generic "export failed". */
export class PdfPrinterError extends ApiError {
  constructor(message: string) {
    super({ code: 'internal', message });
    this.name = 'PdfPrinterError';
  }
}

/**
 * The flags every print runs with. `--no-sandbox` only as root, where Chromium refuses to start
 * with its sandbox (as in a container or CI); everywhere else its sandbox stays on.
 */
/**
 * Above this much HTML the PDF is printed untagged: building the tagged (accessible) structure of a
 * long report is most of Chromium's print time (a 50,000-line list, 5 MB: 113 s tagged, 31 s not,
 * on this 2-core machine). Ordinary reports stay tagged.
 */
export const UNTAGGED_ABOVE_BYTES = 2_000_000;

export function chromiumPrintArgs(workDir: string, asRoot: boolean, options: { tagged?: boolean } = {}): string[] {
  return [
    '--headless',
    ...(asRoot ? ['--no-sandbox'] : []),
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--disable-default-apps',
    '--no-pdf-header-footer',
    ...(options.tagged === false ? ['--disable-pdf-tagging'] : []),
    // Not `--blink-settings=scriptEnabled=false`: headless Chromium then prints nothing at all.
    // The report's own CSP (script-src 'none') keeps scripts from running.
    // No network at all: names resolve to nothing, and every request, loopback included (`<-loopback>`
    // removes Chromium's implicit bypass), goes to a proxy on a port nothing listens on.
    '--host-resolver-rules=MAP * ~NOTFOUND',
    '--proxy-server=http://127.0.0.1:9',
    '--proxy-bypass-list=<-loopback>',
    `--user-data-dir=${join(workDir, 'profile')}`,
    `--print-to-pdf=${join(workDir, 'report.pdf')}`,
    pathToFileURL(join(workDir, 'report.html')).href,
  ];
}

/** The Chromium to print with, or an error naming everything that was tried. */
export function findChromium(options: { executable?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const env = options.env ?? process.env;
  const explicit = options.executable ?? env.WATCHFLOOR_CHROMIUM;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new PdfPrinterError(`PDF export needs Chromium, and ${explicit} (${options.executable ? 'the configured executable' : 'WATCHFLOOR_CHROMIUM'}) is not an executable file: fix the path, or install Chromium (Debian: apt install chromium). Nothing was exported; the incident is unchanged.`);
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d && isAbsolute(d));
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  throw new PdfPrinterError(`PDF export needs Chromium: install it (Debian: apt install chromium) or set WATCHFLOOR_CHROMIUM. Looked for ${CHROMIUM_NAMES.join(', ')} on PATH. Nothing was exported; the incident is unchanged; Markdown, HTML and JSON export work without it.`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A PdfPrinter that prints with headless Chromium. Chromium is looked for at each print, so
 * installing it while the host runs is enough. */
export function chromiumPdfPrinter(options: ChromiumPdfOptions = {}): PdfPrinter {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return async (html) => {
    const executable = findChromium(options);
    const workDir = await mkdtemp(join(tmpdir(), 'watchfloor-pdf-'), { encoding: 'utf8' });
    try {
      await writeFile(join(workDir, 'report.html'), html, { mode: 0o600 });
      const started = Date.now();
      // Chromium paginates a long report slowly (a 50,000-line timeline, 5 MB of HTML, took about
      // 2 min here), so the limit grows with the page instead of refusing big incidents outright.
      const timeoutMs = options.timeoutMs ?? Math.min(15 * 60_000, 60_000 + Math.ceil((Buffer.byteLength(html) / 1_000_000) * 60_000));
      await run(executable, chromiumPrintArgs(workDir, asRoot, { tagged: Buffer.byteLength(html) <= UNTAGGED_ABOVE_BYTES }), timeoutMs);
      const pdf = await readFile(join(workDir, 'report.pdf')).catch(() => {
        throw new PdfPrinterError(`Chromium (${executable}) exited without writing the PDF. Nothing was exported; the incident is unchanged: try again, or export HTML and print it from a browser.`);
      });
      options.log?.info('report printed to PDF', { bytes: pdf.length, ms: Date.now() - started });
      return pdf;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

/** Prints under way: a host that exits (serve stopped, the CLI done) takes them with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Runs Chromium to completion; its chatter (dbus, GPU) is kept only to explain a failure. */
function run(executable: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    // The browser process itself (Debian's wrapper execs it); its helpers end with it.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      running.delete(child);
      clearTimeout(timer);
      reject(new PdfPrinterError(`could not start Chromium (${executable}): ${error.message}. Nothing was exported; the incident is unchanged.`));
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      if (timedOut) return reject(new PdfPrinterError(`Chromium took longer than ${Math.round(timeoutMs / 1000)} s to print the report and was stopped. Nothing was exported; the incident is unchanged: try again, or export HTML.`));
      if (code === 0) return resolve();
      const last = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/dbus|Fontconfig/i.test(l)).slice(-1)[0] ?? '';
      reject(new PdfPrinterError(`Chromium (${executable}) failed to print the report (${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}. Nothing was exported; the incident is unchanged.`));
    });
  });
}
