/**
 * The incident journal: append-only events, each chained to the one before by SHA-256, so an
 * edit anywhere shows (`verifyJournal`), and each carrying a globally unique id and the id of the
 * device that wrote it, so journals kept on several laptops can be merged.
 *
 * Every append is its own transaction on a store opened with synchronous=FULL (electron/core/db):
 * when `append` returns, the event is on disk and the UI may show it as saved. Inside a larger
 * transaction (starting an incident) it is a savepoint, and lands with the rest or not at all.
 */
import { createHash, randomUUID } from 'node:crypto';
import { JournalKind, type JournalEvent } from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';

/** The previous hash of an incident's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** What `verifyJournal` found: the whole chain holds, or where it first breaks. */
export type JournalCheck =
  | { ok: true; lastSeq: number }
  | { ok: false; brokenSeq: number; lastGoodSeq: number; reason: string };

interface JournalRow {
  incident_id: string;
  seq: number;
  id: string;
  kind: string;
  at: string;
  device_id: string;
  data: string;
  prev_hash: string;
  hash: string;
}

/** This install's device id: made once, at random, and kept in the store. */
export function deviceId(db: Db, now: () => Date = () => new Date()): string {
  db.prepare('INSERT OR IGNORE INTO device (singleton, id, created_at) VALUES (1, ?, ?)').run(randomUUID(), now().toISOString());
  return (db.prepare('SELECT id FROM device WHERE singleton = 1').get() as { id: string }).id;
}

/** JSON with object keys sorted at every depth: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** An event's hash: over the previous event's hash and this event's content (not its own hash). */
export function eventHash(prevHash: string, event: Omit<JournalEvent, 'prevHash' | 'hash'>): string {
  const content = canonicalJson({ id: event.id, incidentId: event.incidentId, seq: event.seq, kind: event.kind, at: event.at, deviceId: event.deviceId, data: event.data });
  return createHash('sha256').update(`${prevHash}\n${content}`, 'utf8').digest('hex');
}

/**
 * Check one incident's events, in seq order: seqs run 1, 2, 3..., each event names the hash of the
 * one before, and each hash matches its content. Reports the first event that breaks the chain.
 */
export function verifyJournal(events: readonly JournalEvent[]): JournalCheck {
  let prevHash = GENESIS_HASH;
  let lastGoodSeq = 0;
  for (const [i, e] of events.entries()) {
    const broken = (reason: string): JournalCheck => ({ ok: false, brokenSeq: e.seq, lastGoodSeq, reason });
    if (e.seq !== i + 1) return broken(`expected event ${i + 1}, found ${e.seq}`);
    if (e.prevHash !== prevHash) return broken(`event ${e.seq} does not follow event ${lastGoodSeq}`);
    if (eventHash(prevHash, e) !== e.hash) return broken(`event ${e.seq} was changed after it was written`);
    prevHash = e.hash;
    lastGoodSeq = e.seq;
  }
  return { ok: true, lastSeq: lastGoodSeq };
}

export class Journal {
  readonly deviceId: string;
  private readonly insert;
  private readonly last;
  private readonly all;
  private readonly appendTransaction: (incidentId: string, kind: JournalKind, data: Record<string, unknown>) => JournalEvent;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.deviceId = deviceId(db, () => clock.now());
    this.insert = db.prepare<[string, number, string, string, string, string, string, string, string]>(
      'INSERT INTO journal (incident_id, seq, id, kind, at, device_id, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.last = db.prepare<[string], { seq: number; hash: string }>('SELECT seq, hash FROM journal WHERE incident_id = ? ORDER BY seq DESC LIMIT 1');
    this.all = db.prepare<[string], JournalRow>('SELECT * FROM journal WHERE incident_id = ? ORDER BY seq');
    const append = db.transaction((incidentId: string, kind: JournalKind, data: Record<string, unknown>): JournalEvent => {
      const last = this.last.get(incidentId);
      const content = {
        id: randomUUID(),
        incidentId,
        seq: (last?.seq ?? 0) + 1,
        kind: JournalKind.parse(kind),
        at: this.clock.now().toISOString(),
        deviceId: this.deviceId,
        data,
      };
      const prevHash = last?.hash ?? GENESIS_HASH;
      const event: JournalEvent = { ...content, prevHash, hash: eventHash(prevHash, content) };
      this.insert.run(incidentId, event.seq, event.id, event.kind, event.at, event.deviceId, canonicalJson(data), prevHash, event.hash);
      return event;
    });
    // IMMEDIATE: the write lock is taken before the last event is read, so two writers (two
    // processes on one data dir) can never both append the same seq.
    this.appendTransaction = (incidentId, kind, data) => append.immediate(incidentId, kind, data);
  }

  /** Write one event; when this returns it is on disk. */
  append(incidentId: string, kind: JournalKind, data: Record<string, unknown>): JournalEvent {
    return this.appendTransaction(incidentId, kind, data);
  }

  /** An incident's events in seq order. A row whose data no longer parses is kept, and fails verification. */
  events(incidentId: string): JournalEvent[] {
    return this.all.all(incidentId).map(toEvent);
  }
}

function toEvent(row: JournalRow): JournalEvent {
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(row.data);
    data = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { unreadable: row.data };
  } catch {
    data = { unreadable: row.data };
  }
  return {
    id: row.id,
    incidentId: row.incident_id,
    seq: row.seq,
    // As written, even a kind only a newer build knows: the hash covers it, and the chain must still verify.
    kind: row.kind as JournalKind,
    at: row.at,
    deviceId: row.device_id,
    data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
