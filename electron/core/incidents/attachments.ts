/**
 * Attachments: screenshots and files an operator adds to an incident, stored by content hash in the
 * data dir (`attachments/<sha[0:2]>/<sha>`) and named in the journal by an `attachment` event.
 *
 * The bytes are on disk (written to a temporary file, fsynced, renamed, the folder fsynced) before
 * the event is appended, so a journal never names a file that a crash lost. The same bytes twice are
 * one file. A file is hashed again when read: one that changed on disk is refused, not served.
 *
 * The media type is what the operator's file said. It is recorded and given back, and the UI only
 * inlines images from it; nothing here trusts it for anything else.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, ATTACHMENT_MAX_BYTES, type CallOutput, type CallParsedInput, type JournalEvent } from '../../../shared/contract';
import type { Db } from '../db';
import type { Journal } from './journal';

const SHA256 = /^[0-9a-f]{64}$/;
/** Standard base64's letters and padding (no nested quantifier: files are tens of MB of it). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Files by content hash under `<dataDir>/attachments`. */
export class AttachmentStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'attachments');
  }

  /** Where the file of `sha256` lives (whether or not it is there). */
  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new ApiError({ code: 'invalid_arguments', message: `"${sha256}" is not a SHA-256 in hex; nothing was read.` });
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Store `bytes` durably; an existing file with the same hash is reused. */
  put(bytes: Buffer): { sha256: string; size: number } {
    if (bytes.byteLength > ATTACHMENT_MAX_BYTES) throw tooBig(bytes.byteLength);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    const dir = join(this.root, sha256.slice(0, 2));
    if (this.intact(path, sha256, bytes.byteLength)) return { sha256, size: bytes.byteLength };
    mkdirSync(dir, { recursive: true });
    const temp = join(dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = openSync(temp, 'wx', 0o600);
      try {
        let written = 0;
        while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    // The rename is durable once the folder's entry is: fsync the folder too.
    syncDir(dir);
    syncDir(this.root);
    return { sha256, size: bytes.byteLength };
  }

  /** The bytes of `sha256`, hashed again: a file changed on disk since it was stored is refused. */
  get(sha256: string): Buffer {
    const path = this.pathOf(sha256);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ApiError({ code: 'not_found', message: `The attachment ${sha256.slice(0, 12)}… is missing from ${this.root}. The journal still names it; restore the file from a backup to see it again.` });
      }
      throw error;
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) {
      throw new ApiError({
        code: 'conflict',
        message: `The attachment file ${path} was changed on disk since it was stored (its content no longer matches its hash). It was not shown; the journal entry is kept. Restore the file from a backup.`,
      });
    }
    return bytes;
  }

  /** A stored file that still holds what its name says (so a damaged one is written again). */
  private intact(path: string, sha256: string, size: number): boolean {
    try {
      if (statSync(path).size !== size) return false;
      return createHash('sha256').update(readFileSync(path)).digest('hex') === sha256;
    } catch {
      return false;
    }
  }
}

function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some filesystems refuse fsync on a folder (EISDIR, EINVAL); the file itself is synced.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw error;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function tooBig(size: number): ApiError {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return new ApiError({ code: 'invalid_arguments', message: `That file is ${mb(size)}; attachments can be at most ${mb(ATTACHMENT_MAX_BYTES)}. Nothing was saved; attach a smaller file (crop the screenshot, or the relevant part of the log).` });
}

/**
 * Decode base64 strictly: whitespace, URL-safe letters, bad padding or stray bits are refused, not
 * guessed at (Buffer.from skips what it does not understand). What FileReader and Buffer write,
 * standard base64 with its padding, is the one form that encodes back to itself.
 */
export function decodeBase64(text: string): Buffer {
  const bytes = text.length % 4 === 0 && BASE64.test(text) ? Buffer.from(text, 'base64') : null;
  if (!bytes || bytes.toString('base64') !== text) {
    throw new ApiError({ code: 'invalid_arguments', message: 'The file did not arrive as valid base64, so it was not saved. Attach it again.', issues: [{ path: 'base64', message: 'not valid base64' }] });
  }
  return bytes;
}

export interface IncidentAttachmentsOptions {
  db: Db;
  journal: Journal;
  store: AttachmentStore;
  /** Known secret values out of what the operator writes (the vault's redactor). */
  redact(text: string): string;
  /** Tell the UI the incident's journal grew (incidents.changed). */
  changed(ids: string[]): void;
}

interface AttachmentData {
  sha256: string;
  name: string;
  mediaType: string;
  size: number;
}

/** incidents.attach and incidents.attachment. */
export class IncidentAttachments {
  private readonly exists;
  private readonly named;

  constructor(private readonly options: IncidentAttachmentsOptions) {
    this.exists = options.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM incidents WHERE id = ?');
    // Damaged rows (data that is not JSON) are skipped, not an error.
    this.named = options.db.prepare<[string, string], { data: string }>(
      `SELECT data FROM journal WHERE incident_id = ? AND kind = 'attachment'
         AND CASE WHEN json_valid(data) THEN json_extract(data, '$.sha256') END = ? ORDER BY seq DESC LIMIT 1`,
    );
  }

  /** Store the file, then journal it: when this returns, both are on disk. */
  attach({ id, name, mediaType, base64, caption }: CallParsedInput<'incidents.attach'>): JournalEvent {
    this.incident(id, 'nothing was attached');
    const bytes = decodeBase64(base64);
    const { sha256, size } = this.options.store.put(bytes);
    const { redact } = this.options;
    let event: JournalEvent;
    try {
      event = this.options.journal.append(id, 'attachment', { sha256, name: redact(name), mediaType, size, ...(caption ? { caption: redact(caption) } : {}) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError({ code: 'internal', message: `The attachment could not be written to the journal (${reason}). The file is stored; everything already in the journal is kept; attach it again.` });
    }
    this.options.changed([id]);
    return event;
  }

  /** An attachment this incident's journal names, checked against its hash. */
  attachment({ id, sha256 }: CallParsedInput<'incidents.attachment'>): CallOutput<'incidents.attachment'> {
    this.incident(id, 'nothing was read');
    const row = this.named.get(id, sha256);
    if (!row) throw new ApiError({ code: 'not_found', message: `This incident's journal names no attachment ${sha256.slice(0, 12)}…; nothing was read. Reload the incident.` });
    const data = JSON.parse(row.data) as AttachmentData;
    const bytes = this.options.store.get(sha256);
    return { name: data.name, mediaType: data.mediaType, size: bytes.byteLength, base64: bytes.toString('base64') };
  }

  private incident(id: string, kept: string): void {
    if (!this.exists.get(id)) throw new ApiError({ code: 'not_found', message: `No incident with id ${id}; ${kept}. Reload the incidents.` });
  }
}
