/**
 * Webhook receivers: a local HTTP endpoint that Alertmanager (or anything that can post JSON) pushes
 * alerts to, as the alternative to being polled. It listens on 127.0.0.1 unless the operator chose
 * `listenAll`, and answers only a POST to its path with the source's bearer token.
 *
 * Everything that arrives is untrusted: a browser page on the same laptop can post to loopback, a
 * client can send 1 GB or nothing at all, a script can post the wrong shape. Each of those gets its
 * 4xx and the receiver carries on; nothing here throws into the core, and no alert already stored
 * is touched by a request that was refused (the feed only sees what passed every check).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from '../log';
import { severityOf, type ObservedAlert, type WebhookConfig } from './source';

/** Bodies over this are refused with 413 while they arrive, never buffered whole. */
export const WEBHOOK_BODY_LIMIT = 10 * 1024 * 1024;
export const WEBHOOK_PATH = '/webhook';
const REPORT_EVERY_MS = 1_000;

export interface WebhookReceiverOptions {
  config: WebhookConfig;
  /** The source's bearer token (made by the core, shown to the operator once)... */
  token?: string;
  /** ...or, as the feed keeps it, only its SHA-256 in hex: the token itself need never be held. */
  tokenSha256?: string;
  /** Alerts that passed every check, in the order posted. A throw answers 500 (the sender retries). */
  onAlerts(alerts: ObservedAlert[]): void;
  log: Pick<Log, 'info' | 'warn' | 'error'>;
  /** Each refused or failed request, in the operator's words, for the source's health (last error). */
  onError?(message: string): void;
  /** Stamps `startsAt` on mapped JSON alerts that carry no time of their own; default: the system clock. */
  now?: () => Date;
  /** A client that has not sent its whole request by then is answered 408 and dropped (default 10 s). */
  requestTimeoutMs?: number;
}

export interface WebhookReceiver {
  /** Where to post, e.g. `http://127.0.0.1:43121/webhook`. With `listenAll`, other machines use this
   * machine's address at the same port. */
  endpoint: string;
  /** Stops listening and drops open connections. Never rejects. */
  stop(): Promise<void>;
}

/** A request that is refused: its status and the reason the sender reads. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The payload parsed, but is not what this receiver accepts: 422, with what was wrong. */
export class WebhookShapeError extends Error {}

/**
 * Listens at `config.port` (0: any free port) and resolves once it does. Rejects, with a message the
 * operator reads, only when it cannot listen at all (the port is taken); the caller records that as
 * the source's error and nothing else changes.
 */
export function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const { config, log } = options;
  const now = options.now ?? (() => new Date());
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const expected = options.tokenSha256 !== undefined ? Buffer.from(options.tokenSha256, 'hex') : options.token !== undefined ? digest(options.token) : null;
  if (!expected || expected.length !== 32) {
    return Promise.reject(new Error('the webhook receiver was started without a token (or with a malformed SHA-256 of one); it refuses to listen unauthenticated. Save the source again to make a new token.'));
  }
  const expectedToken: Buffer = expected;
  const toAlerts = config.kind === 'alertmanager-webhook' ? alertsFromAlertmanagerWebhook : (body: unknown) => alertsFromMappedJson(body, config.mapping, now());

  // A script or a page hammering the endpoint must not turn into a log line (and a health write)
  // per request: each kind of failure is reported at most once a second, with a count of the rest.
  const reported = new Map<string, { at: number; suppressed: number }>();
  const report = (level: 'warn' | 'error', message: string, fields: Record<string, unknown> = {}, kind = message) => {
    try {
      const at = Date.now();
      const last = reported.get(kind);
      if (last && at - last.at < REPORT_EVERY_MS) {
        last.suppressed++;
        return;
      }
      reported.set(kind, { at, suppressed: 0 });
      const more = last?.suppressed ? ` (and ${last.suppressed} more like it in the last ${Math.ceil((at - last.at) / 1000)} s)` : '';
      log[level](`webhook receiver: ${message}${more}`, { kind: config.kind, ...fields });
      options.onError?.(message + more);
    } catch {
      // Reporting must not be what takes the receiver down.
    }
  };

  const server = createServer(
    {
      // Node answers 408 itself to a client that dawdles over its headers or its whole request; it
      // checks every `connectionsCheckingInterval`, which is 30 s by default.
      headersTimeout: Math.min(requestTimeoutMs, 5_000),
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, requestTimeoutMs / 4)),
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        report('error', `a request failed inside the receiver: ${messageOf(error)}`);
        answer(res, 500, 'the receiver failed on this request; nothing stored was lost; retry it');
      });
    },
  );
  server.maxConnections = 256;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined); // a client that hangs up mid-body is handled where the body is read
    try {
      check(req);
      const body = await readBody(req, requestTimeoutMs);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (error) {
        throw new Refusal(400, `the body is not valid JSON (${messageOf(error).slice(0, 120)}); nothing was stored`);
      }
      let alerts: ObservedAlert[];
      try {
        alerts = toAlerts(parsed);
      } catch (error) {
        if (error instanceof WebhookShapeError) throw new Refusal(422, `${error.message}; nothing was stored`);
        throw error;
      }
      try {
        options.onAlerts(alerts);
      } catch (error) {
        report('error', `${alerts.length} posted alert(s) could not be stored: ${messageOf(error)}`, {}, 'store');
        answer(res, 500, 'the alerts could not be stored; the alerts stored before are kept; the sender should retry');
        return;
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: alerts.length }));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      report('warn', `refused a request (${error.status}): ${error.message}`, { status: error.status, from: req.socket.remoteAddress ?? null }, String(error.status));
      if (error.status === 413) discardRest(req);
      answer(res, error.status, error.message, error.status === 408);
    }
  }

  /** Everything that can be decided from the request line and headers, before reading a byte of body. */
  function check(req: IncomingMessage): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WEBHOOK_PATH) throw new Refusal(404, `nothing here; post alerts to ${WEBHOOK_PATH}`);
    if (req.method !== 'POST') throw new Refusal(405, `${WEBHOOK_PATH} takes POST only`);
    // A browser page (any site the operator has open) can post to loopback; a real sender sends no Origin.
    if (req.headers.origin !== undefined) throw new Refusal(403, 'requests from a web page (with an Origin header) are refused');
    const auth = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match || !timingSafeEqual(digest(match[1]!), expectedToken)) {
      throw new Refusal(401, auth ? 'the bearer token is wrong; the sender must use the token shown when this source was added' : 'a bearer token is required (Authorization: Bearer <token>)');
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new Refusal(415, `the body must be application/json, not ${type || 'untyped'}`);
    const length = Number(req.headers['content-length'] ?? NaN);
    if (length > WEBHOOK_BODY_LIMIT) throw new Refusal(413, tooLarge());
  }

  function answer(res: ServerResponse, status: number, message: string, close = false): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 401) headers['www-authenticate'] = 'Bearer';
    // A stalled client is not waited for again: close once the answer is out.
    if (close) headers.connection = 'close';
    res.writeHead(status, headers).end(JSON.stringify({ error: message }));
    if (close) res.once('finish', () => setTimeout(() => res.socket?.destroy(), 50).unref());
  }

  return new Promise((resolve, reject) => {
    const host = config.listenAll ? '0.0.0.0' : '127.0.0.1';
    const failed = (error: Error) => {
      const message = `could not listen on ${host}:${config.port} (${messageOf(error)}); choose another port or 0 for any free one`;
      report('error', message);
      reject(new Error(message));
    };
    server.once('error', failed);
    server.listen(config.port, host, () => {
      server.off('error', failed);
      // Errors after listening (a socket torn down mid-write) must never become an uncaught exception.
      server.on('error', (error) => report('error', `server error: ${messageOf(error)}`));
      const { port } = server.address() as AddressInfo;
      const endpoint = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
      log.info('webhook receiver listening', { kind: config.kind, endpoint, listenAll: config.listenAll });
      let stopped: Promise<void> | null = null;
      resolve({
        endpoint,
        stop: () =>
          (stopped ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          })),
      });
    });
  });
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const tooLarge = () => `the body is over ${WEBHOOK_BODY_LIMIT / 1024 / 1024} MB; send fewer alerts per request (Alertmanager: max_alerts); nothing was stored`;

/**
 * After a 413: the rest of the body is read and thrown away (never kept) for a moment, so the sender
 * reads the answer instead of a connection reset mid-write, then the connection is dropped if the
 * body is still coming.
 */
function discardRest(req: IncomingMessage, graceMs = 2_000): void {
  const timer = setTimeout(() => req.socket.destroy(), graceMs);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.socket.once('close', () => clearTimeout(timer));
  req.resume();
}

/** The body, up to the limit; refuses (413) as soon as it passes it, and (408) when it stalls. */
function readBody(req: IncomingMessage, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT) return finish(new Refusal(413, tooLarge()));
      chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = (error: Error) => finish(new Refusal(400, `the request broke off while its body was read (${error.message})`));
    const onAborted = () => finish(new Refusal(400, 'the sender hung up before the body was complete'));
    const timer = setTimeout(() => finish(new Refusal(408, `the body did not arrive within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

// ---- payloads -----------------------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Alertmanager's "no end yet" (Go's zero time) and anything unparseable: null. */
const timeOrNull = (v: unknown): string | null => {
  if (typeof v !== 'string' || !v || v.startsWith('0001-')) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};
const stringRecord = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, value] of Object.entries(v)) {
    if (value === null || value === undefined) continue;
    out[k] = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
};

/**
 * Alertmanager's webhook payload (version 4) → alerts. The fingerprint is Alertmanager's own, the
 * one its API v2 shows, so an alert seen both polled and pushed is one alert in the feed.
 */
export function alertsFromAlertmanagerWebhook(body: unknown): ObservedAlert[] {
  if (!isRecord(body) || !Array.isArray(body.alerts)) throw new WebhookShapeError('expected Alertmanager\'s webhook payload: an object with an "alerts" list');
  const externalURL = typeof body.externalURL === 'string' && body.externalURL ? body.externalURL : null;
  return body.alerts.map((a: unknown, i): ObservedAlert => {
    if (!isRecord(a) || !isRecord(a.labels)) throw new WebhookShapeError(`alert ${i + 1} has no "labels" object`);
    const labels = stringRecord(a.labels);
    const name = labels.alertname;
    if (!name) throw new WebhookShapeError(`alert ${i + 1} has no "alertname" label`);
    if (a.status !== 'firing' && a.status !== 'resolved') throw new WebhookShapeError(`alert ${i + 1} has status ${JSON.stringify(a.status)}; expected "firing" or "resolved"`);
    const annotations = stringRecord(a.annotations);
    const fingerprint = typeof a.fingerprint === 'string' && a.fingerprint ? a.fingerprint : labelFingerprint(name, labels);
    return {
      fingerprint,
      name,
      summary: annotations.summary ?? annotations.description ?? annotations.message ?? '',
      labels,
      severity: severityOf(labels.severity),
      status: a.status,
      silencedBy: null,
      startsAt: timeOrNull(a.startsAt) ?? new Date().toISOString(),
      endsAt: a.status === 'resolved' ? timeOrNull(a.endsAt) : null,
      url: (typeof a.generatorURL === 'string' && a.generatorURL) || externalURL,
    };
  });
}

type JsonMapping = Extract<WebhookConfig, { kind: 'json-webhook' }>['mapping'];

/** Words a mapped `status` field uses for "over" (anything else is firing). */
const RESOLVED_WORDS = new Set(['resolved', 'resolve', 'ok', 'okay', 'closed', 'close', 'recovered', 'recovery', 'up', 'normal', 'inactive', 'cleared', 'clear', 'fixed', 'false', 'success', 'green', 'healthy']);

/** `a.b.0.c` in a parsed body; `''` is the body itself. */
function at(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (Array.isArray(here) && /^\d+$/.test(key)) here = here[Number(key)];
    else if (isRecord(here)) here = here[key];
    else return undefined;
  }
  return here;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);

/**
 * Any JSON → alerts, by the source's mapping: `alerts` is the dot path to the list (or `''`: the body
 * is one alert, or a list of them); every other field is a dot path inside one alert. Without a
 * fingerprint field, an alert is identified by its name and labels.
 */
export function alertsFromMappedJson(body: unknown, mapping: JsonMapping, received: Date = new Date()): ObservedAlert[] {
  const listPath = mapping.alerts.replace(/\[\]$/, '');
  const found = at(body, listPath);
  const items = Array.isArray(found) ? found : isRecord(found) ? [found] : null;
  if (!items) throw new WebhookShapeError(listPath ? `nothing at "${listPath}": expected the list of alerts there` : 'expected a JSON object or a list of them');
  return items.map((item: unknown, i): ObservedAlert => {
    if (!isRecord(item)) throw new WebhookShapeError(`alert ${i + 1} is not an object`);
    const name = text(at(item, mapping.name))?.trim();
    if (!name) throw new WebhookShapeError(`alert ${i + 1} has no name at "${mapping.name}"`);
    const labels = mapping.labels ? stringRecord(at(item, mapping.labels)) : {};
    const given = mapping.fingerprint ? text(at(item, mapping.fingerprint)) : null;
    const status = mapping.status ? text(at(item, mapping.status))?.trim().toLowerCase() : null;
    return {
      fingerprint: given || labelFingerprint(name, labels),
      name,
      summary: (mapping.summary && text(at(item, mapping.summary))) || '',
      labels,
      severity: severityOf(mapping.severity ? text(at(item, mapping.severity)) : null),
      status: status && RESOLVED_WORDS.has(status) ? 'resolved' : 'firing',
      silencedBy: null,
      startsAt: received.toISOString(),
      endsAt: status && RESOLVED_WORDS.has(status) ? received.toISOString() : null,
      url: (mapping.url && text(at(item, mapping.url))) || null,
    };
  });
}

/** sha256 of the name and the labels in key order: the same alert posted twice is one alert. */
export function labelFingerprint(name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify([name, sorted])).digest('hex');
}
