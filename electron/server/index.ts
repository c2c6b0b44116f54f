/**
 * The headless host: the same core as the desktop app, served on 127.0.0.1 to any Chromium.
 * It serves the built renderer over HTTP and the contract over one WebSocket (`/api`): JSON text
 * frames for calls and events, binary frames for stream bytes. A connection needs the token that
 * `watchfloor serve` printed, and a browser connection must come from this server's own origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { createCore, packageRoot, type Core } from '../core';
import { serveConnection } from '../core/api/connection';
import type { PdfPrinter } from '../core/reports';
import { chromiumPdfPrinter } from '../core/reports/pdf-chromium';

export interface ServeOptions {
  dataDir: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Built renderer folder; default `out/renderer` in the package. */
  rendererDir?: string;
  /** Fixed token for tests; default: 32 fresh random bytes. */
  token?: string;
  echoLog?: ((line: string) => void) | null;
  /** PDF export; default: headless Chromium (Debian's chromium, or $WATCHFLOOR_CHROMIUM). */
  printPdf?: PdfPrinter;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  core: Core;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const rendererDir = options.rendererDir ?? join(packageRoot(), 'out', 'renderer');
  // The printer logs into the core's log, which exists only once the core does.
  const printPdf = options.printPdf ?? chromiumPdfPrinter({ log: { info: (m, f) => core.log.info(m, f), warn: (m, f) => core.log.warn(m, f) } });
  const core: Core = createCore({ dataDir: options.dataDir, host: 'headless', echoLog: options.echoLog ?? null, printPdf });

  let port = 0;
  const allowedHosts = () => new Set([`${HOST}:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://${HOST}:${port}`, `http://localhost:${port}`]);

  const http = createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(res, 421, 'Unknown host');
    serveStatic(rendererDir, req, res, port);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const verdict = checkUpgrade(req, token, allowedHosts(), allowedOrigins());
    if (verdict) {
      core.log.warn(`refused a WebSocket connection: ${verdict.reason}`, { origin: req.headers.origin ?? null });
      socket.end(`HTTP/1.1 ${verdict.status} ${verdict.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(core, ws));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, HOST, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  const url = `http://${HOST}:${port}/#token=${token}`;
  core.log.info(`serving on http://${HOST}:${port}/`);

  return {
    url,
    port,
    token,
    core,
    async close() {
      for (const ws of wss.clients) ws.close(1001, 'Watchfloor is shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      core.close();
    },
  };
}

/** Null when the upgrade may proceed, else why not. */
export function checkUpgrade(
  req: IncomingMessage,
  token: string,
  hosts: Set<string>,
  origins: Set<string>,
): { status: number; reason: string } | null {
  const url = new URL(req.url ?? '/', `http://${HOST}`);
  if (url.pathname !== '/api') return { status: 404, reason: 'Not Found' };
  if (!hosts.has(req.headers.host ?? '')) return { status: 421, reason: 'Misdirected Request' };
  const origin = req.headers.origin;
  // Browsers always send Origin; a page from any other site is refused. Non-browser clients
  // (the CLI, tests) send none and are held to the token alone.
  if (origin !== undefined && !origins.has(origin)) return { status: 403, reason: 'Forbidden origin' };
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { status: 401, reason: 'Missing or wrong token' };
  }
  return null;
}

function attach(core: Core, ws: WebSocket): void {
  const connection = serveConnection(core, {
    send: (message) => ws.send(JSON.stringify(message)),
    sendBytes: (frame) => ws.send(frame, { binary: true }),
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return; // clients send no bytes yet (terminal input arrives with the terminals issue)
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      ws.close(1007, 'messages must be JSON');
      return;
    }
    connection.receive(message);
  });
  ws.on('close', () => connection.close());
  ws.on('error', () => connection.close());
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, port: number): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
  const pathname = decodeURIComponent(new URL(req.url ?? '/', `http://${HOST}:${port}`).pathname);
  const relative = normalize(pathname).replace(/^([/\\])+/, '');
  let file = join(root, relative);
  if (!file.startsWith(root + sep) && file !== root) return refuse(res, 403, 'Forbidden');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) {
    return refuse(res, 503, 'The renderer is not built: run `npm run build` and start `watchfloor serve` again.');
  }
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message + '\n');
}
