/**
 * The one way adapters talk HTTP: Node's global fetch with the poll's AbortSignal, a cap on what
 * is read, and errors an operator can act on ("Alertmanager at … answered 503", "timed out after
 * 10 s", "not JSON"). fetch's own messages ("fetch failed", "This operation was aborted") say
 * neither what was asked nor what to check.
 */
import { createHash } from 'node:crypto';

/** Polled answers are read up to this much; a bigger one is refused rather than parsed. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface HttpAnswer {
  status: number;
  statusText: string;
  body: string;
  /** From sending the request to the last byte of the body. */
  latencyMs: number;
}

export interface HttpRequest {
  /** Names the far side in messages: "Alertmanager at http://…". */
  what: string;
  method?: 'GET' | 'POST' | 'DELETE';
  json?: unknown;
  signal: AbortSignal;
  /** Passed to fetch; health checks that expect a 3xx see the redirect itself. */
  redirect?: 'follow' | 'manual';
  maxBytes?: number;
}

/** Sends one request and reads the whole body; throws a readable Error when no answer came. */
export async function request(url: string, options: HttpRequest): Promise<HttpAnswer> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      signal: options.signal,
      redirect: options.redirect ?? 'follow',
      headers: options.json === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    });
    const body = await readCapped(response, options.maxBytes ?? MAX_BODY_BYTES, options.what);
    return { status: response.status, statusText: response.statusText, body, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    throw new Error(failureText(error, options, started));
  }
}

/** `request`, then a 2xx and a JSON body are required. */
export async function requestJson(url: string, options: HttpRequest): Promise<{ value: unknown; latencyMs: number }> {
  const answer = await request(url, options);
  if (answer.status < 200 || answer.status > 299) {
    const said = answer.body.trim().slice(0, 200);
    throw new Error(`${options.what} answered ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}${said ? `: ${said}` : ''}`);
  }
  if (!answer.body.trim()) return { value: null, latencyMs: answer.latencyMs };
  try {
    return { value: JSON.parse(answer.body) as unknown, latencyMs: answer.latencyMs };
  } catch {
    throw new Error(`${options.what} answered with something that is not JSON (${answer.body.trim().slice(0, 80) || 'an empty body'}); check that the URL points at its API`);
  }
}

/** What went wrong when no answer came: timeout, refused, unknown host, or fetch's own words. */
export function failureText(error: unknown, options: Pick<HttpRequest, 'what' | 'signal'>, started: number): string {
  if (error instanceof Error && error.message.startsWith(options.what)) return error.message;
  if (options.signal.aborted) {
    // The feed aborts at the source's timeout; its own clock may be fake, so say what really passed.
    const seconds = Math.max(1, Math.round((performance.now() - started) / 1000));
    return `${options.what} did not answer: timed out after ${seconds} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code ?? '';
  const why =
    code === 'ECONNREFUSED' ? 'connection refused (is it running, on that port?)'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'its host name does not resolve'
    : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'the connection was closed before it answered'
    : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'no route to it (no network?)'
    : cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `could not reach ${options.what}: ${why}`;
}

async function readCapped(response: Response, maxBytes: number, what: string): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`${what} answered with more than ${Math.round(maxBytes / 1024 / 1024)} MB; it was not read`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A stable id for an alert a source does not number itself. */
export function sha256(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** `labels` sorted by name, so the same set always hashes the same. */
export function sortedLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
}

/** `http://host/` + `path` without doubled slashes: URLs are entered with and without a trailing one. */
export function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Only string values: label maps from a source are JSON, and a stray number is kept as text. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, value] of Object.entries(v)) if (value !== null && value !== undefined) out[k] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}
