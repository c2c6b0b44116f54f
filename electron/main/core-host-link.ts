/**
 * The core host's side of one window's connection: Electron's two MessagePortMains (control:
 * structured ClientMessages in, HostMessages out; bytes: Uint8Array stream frames out) adapted to
 * the HostLink that `serveConnection` speaks, plus the messages the main process and the core
 * host exchange over `process.parentPort`. Nothing here imports electron.
 */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { ApiError } from '../../shared/contract';
import type { Core } from '../core';
import { serveConnection } from '../core/api/connection';

/** main → core host. `connect` carries the ports [control, bytes]. */
export type CoreHostRequest =
  /** Sent first, once: the vault key from the OS keychain (hex), or why there is none. */
  | { type: 'vault-key'; key: string | null; reason: string | null }
  | { type: 'connect'; id: number }
  | { type: 'disconnect'; id: number }
  | { type: 'shutdown' }
  /** The answer to the core host's `print-pdf` with the same id: the PDF (base64), or why not. */
  | { type: 'print-pdf-result'; id: number; base64: string }
  | { type: 'print-pdf-result'; id: number; error: string };

/** core host → main. `fatal`: the core cannot start (restarting will not help); then it exits.
 * `print-pdf`: print this report HTML (only the main process has Chromium's printToPDF). */
export type CoreHostReport = { type: 'ready' } | { type: 'fatal'; message: string } | { type: 'print-pdf'; id: number; html: string };

/** The part of Electron's MessagePortMain used here. */
export interface MainPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

export interface PortConnection {
  close(): void;
}

/** Serves `core` to one window over its two ports until either port closes or `close()`. */
export function servePorts(core: Core, control: MainPort, bytes: MainPort, onClosed: () => void = () => {}): PortConnection {
  let closed = false;
  const connection = serveConnection(core, {
    send: (message) => {
      if (!closed) control.postMessage(message);
    },
    sendBytes: (frame) => {
      if (!closed) bytes.postMessage(frame);
    },
  });
  const close = () => {
    if (closed) return;
    closed = true;
    connection.close();
    control.close();
    bytes.close();
    onClosed();
  };
  control.on('message', (event) => connection.receive(event.data));
  control.on('close', close);
  bytes.on('close', close);
  control.start();
  bytes.start();
  return { close };
}

/**
 * Native addons come in two builds: npm's, for Node's ABI (the CLI, the headless host and the tests
 * run on Node), and one for Electron's ABI that scripts/postinstall.mjs builds into a separate tree
 * so that npm's stays intact. The core host loads an addon from that tree when it has one:
 * `<nativeDir>/node_modules/<package>/<same path>`.
 */
export function electronAbiCounterpart(addonPath: string, nativeDir: string, exists: (path: string) => boolean = existsSync): string | null {
  const marker = `${sep}node_modules${sep}`;
  const at = addonPath.lastIndexOf(marker);
  if (at < 0) return null;
  const candidate = join(nativeDir, 'node_modules', addonPath.slice(at + marker.length));
  return candidate !== addonPath && exists(candidate) ? candidate : null;
}

/**
 * The core host's PdfPrinter: each print is a `print-pdf` request to the main process, answered
 * by a `print-pdf-result` with the same id that `settle` is given. A print unanswered after
 * `timeoutMs` (main busy or gone) fails instead of hanging an export forever.
 */
export function printPdfThroughMain(post: (report: CoreHostReport) => void, timeoutMs = 90_000): {
  printPdf: (html: string) => Promise<Buffer>;
  /** Feed every request from main here; true when it was a print result. */
  settle: (request: CoreHostRequest) => boolean;
} {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (pdf: Buffer) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  return {
    printPdf: (html) =>
      new Promise<Buffer>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new ApiError({ code: 'internal', message: `The desktop app did not print the PDF within ${Math.round(timeoutMs / 1000)} s. Nothing was exported; the incident is unchanged: try again, or export HTML.` }));
        }, timeoutMs);
        waiting.set(id, { resolve, reject, timer });
        post({ type: 'print-pdf', id, html });
      }),
    settle: (request) => {
      if (request.type !== 'print-pdf-result') return false;
      const pending = waiting.get(request.id);
      if (!pending) return true; // timed out already
      waiting.delete(request.id);
      clearTimeout(pending.timer);
      if ('base64' in request) pending.resolve(Buffer.from(request.base64, 'base64'));
      else pending.reject(new ApiError({ code: 'internal', message: request.error }));
      return true;
    },
  };
}
