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

/** A journal row as stored: every column, `data` the canonical JSON text the hash covers. */
export interface JournalRow {
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

/** Where a chain check may continue from: the last event known to verify. */
export interface ChainMark {
  seq: number;
  hash: string;
}

/** The first operator action after `opened` meets the response target (clocks.ts reads the same list). */
export const OPERATOR_ACTION_KINDS: readonly JournalKind[] = ['note', 'status', 'step-done', 'step-skipped', 'step-failed', 'step-reopened', 'path-chosen', 'command-sent'];

export class Journal {
  readonly deviceId: string;
  private readonly insert;
  private readonly last;
  private readonly all;
  private readonly chainRows;
  private readonly hashAt;
  private readonly tailRows;
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
    this.chainRows = db.prepare<[string, number], unknown[]>('SELECT seq, id, kind, at, device_id, data, prev_hash, hash FROM journal WHERE incident_id = ? AND seq > ? ORDER BY seq').raw();
    this.hashAt = db.prepare<[string, number], { hash: string }>('SELECT hash FROM journal WHERE incident_id = ? AND seq = ?');
    this.tailRows = db.prepare<[string, number], JournalRow>('SELECT * FROM (SELECT * FROM journal WHERE incident_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq');
    this.db = db;
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

  private readonly db: Db;
  private readonly byKinds = new Map<string, ReturnType<Db['prepare']>>();

  /** A statement per distinct query shape, prepared once. */
  private statement<R>(sql: string): { all(...args: unknown[]): R[]; get(...args: unknown[]): R | undefined } {
    let s = this.byKinds.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.byKinds.set(sql, s);
    }
    return s as unknown as { all(...args: unknown[]): R[]; get(...args: unknown[]): R | undefined };
  }

  /** An incident's events of these kinds, in seq order: what the walkthrough and clocks read, not the notes. */
  ofKinds(incidentId: string, kinds: readonly JournalKind[]): JournalEvent[] {
    if (kinds.length === 0) return [];
    const sql = `SELECT * FROM journal WHERE incident_id = ? AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY seq`;
    return this.statement<JournalRow>(sql).all(incidentId, ...kinds).map(toEvent);
  }

  /** The first event of these kinds after `afterSeq`, or null. */
  firstOfKinds(incidentId: string, kinds: readonly JournalKind[], afterSeq: number): JournalEvent | null {
    const sql = `SELECT * FROM journal WHERE incident_id = ? AND seq > ? AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY seq LIMIT 1`;
    const row = this.statement<JournalRow>(sql).get(incidentId, afterSeq, ...kinds);
    return row ? toEvent(row) : null;
  }

  /** The newest `count` events, in seq order. */
  tail(incidentId: string, count: number): JournalEvent[] {
    return this.tailRows.all(incidentId, count).map(toEvent);
  }

  /**
   * A page, newest first: events of the kinds given (empty: all) with seq < beforeSeq (null: from
   * the end); `total` counts every event of those kinds.
   */
  page(incidentId: string, query: { kinds: readonly JournalKind[]; beforeSeq: number | null; limit: number }): { events: JournalEvent[]; total: number; hasMore: boolean } {
    const kinds = [...new Set(query.kinds)];
    const kindSql = kinds.length ? ` AND kind IN (${kinds.map(() => '?').join(', ')})` : '';
    const total = this.statement<{ n: number }>(`SELECT count(*) AS n FROM journal WHERE incident_id = ?${kindSql}`).get(incidentId, ...kinds)?.n ?? 0;
    const rows = this.statement<JournalRow>(`SELECT * FROM journal WHERE incident_id = ? AND seq < ?${kindSql} ORDER BY seq DESC LIMIT ?`).all(
      incidentId,
      query.beforeSeq ?? Number.MAX_SAFE_INTEGER,
      ...kinds,
      query.limit + 1,
    );
    const hasMore = rows.length > query.limit;
    return { events: rows.slice(0, query.limit).map(toEvent), total, hasMore };
  }

  /** Per incident, the last event verified (by any caller: recovery at start, incidents.get). */
  private readonly marks = new Map<string, ChainMark>();

  /**
   * Verify an incident's chain, continuing from the last event this journal verified before (at
   * start, recovery verifies every open incident's): an incident with 50,000 events is read whole
   * once per process, then only its new events. The event at the mark is checked to be the one
   * verified, so a tail recovery set aside is noticed; an edit in the middle of what was already
   * verified, made by another program while this one runs, shows at the next start.
   */
  verify(incidentId: string): JournalCheck {
    const { mark: _mark, ...check } = this.verifyFrom(incidentId, this.marks.get(incidentId) ?? null);
    return check;
  }

  /**
   * Verify the chain from `from` (the last event known good; null: from the first event), reading
   * only the columns the hash covers and never parsing `data`: the stored text is the canonical
   * JSON the hash was made over, so any change to it, even one that parses the same, breaks it.
   * When `from` no longer holds (its row was set aside by recovery), starts again from the first.
   */
  verifyFrom(incidentId: string, from: ChainMark | null): JournalCheck & { mark: ChainMark | null } {
    if (from && this.hashAt.get(incidentId, from.seq)?.hash !== from.hash) from = null;
    let prevHash = from?.hash ?? GENESIS_HASH;
    let lastGoodSeq = from?.seq ?? 0;
    for (const row of this.chainRows.all(incidentId, lastGoodSeq)) {
      const [seq, id, kind, at, device, data, prev, hash] = row as [number, string, string, string, string, string, string, string];
      const broken = (reason: string) => ({ ok: false as const, brokenSeq: seq, lastGoodSeq, reason, mark: lastGoodSeq ? { seq: lastGoodSeq, hash: prevHash } : null });
      if (seq !== lastGoodSeq + 1) return this.remember(incidentId, broken(`expected event ${lastGoodSeq + 1}, found ${seq}`));
      if (prev !== prevHash) return this.remember(incidentId, broken(`event ${seq} does not follow event ${lastGoodSeq}`));
      // Keys in canonicalJson's order: at, data, deviceId, id, incidentId, kind, seq.
      const content = `{"at":${JSON.stringify(at)},"data":${data},"deviceId":${JSON.stringify(device)},"id":${JSON.stringify(id)},"incidentId":${JSON.stringify(incidentId)},"kind":${JSON.stringify(kind)},"seq":${seq}}`;
      if (createHash('sha256').update(`${prevHash}\n${content}`, 'utf8').digest('hex') !== hash) return this.remember(incidentId, broken(`event ${seq} was changed after it was written`));
      prevHash = hash;
      lastGoodSeq = seq;
    }
    return this.remember(incidentId, { ok: true, lastSeq: lastGoodSeq, mark: lastGoodSeq ? { seq: lastGoodSeq, hash: prevHash } : null });
  }

  private remember<T extends { mark: ChainMark | null }>(incidentId: string, check: T): T {
    if (check.mark) this.marks.set(incidentId, check.mark);
    else this.marks.delete(incidentId);
    return check;
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
