/**
 * Recovery on a real SQLite file: a journal is written by a real core, the core is closed, the file
 * is damaged with raw SQL the way a torn write or an editor would, and a new core is started on it.
 * A damaged tail is kept aside (journal_damaged), the journal says so with the last good event, and
 * the chain verifies again; a break in the middle is left where it is and reported.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { STORE_FILE } from '../../electron/core/db';
import { canonicalJson, damagedCount, eventHash, verifyJournal } from '../../electron/core/incidents';
import type { JournalRow } from '../../electron/core/incidents/journal';
import { dispatch } from '../../electron/core/api/dispatch';
import { DamagedEvent, IncidentDetail, JournalEvent, type JournalKind } from '../../shared/contract';
import { tempDir } from '../support/temp';

let dir: { path: string; cleanup: () => void };
let core: Core | null = null;
let logLines: string[] = [];

beforeEach(() => {
  dir = tempDir('watchfloor-recovery-');
  logLines = [];
});
afterEach(() => {
  core?.close();
  core = null;
  dir.cleanup();
});

function start(): Core {
  core?.close();
  core = createCore({ dataDir: dir.path, host: 'headless', bundledRunbooksDir: null, watchSources: false, echoLog: (line) => logLines.push(line) });
  return core;
}

function stop(): void {
  core?.close();
  core = null;
}

async function call<T>(method: string, params: unknown): Promise<T> {
  const r = await dispatch(core!, method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
  return r.value as T;
}

/** An incident with an opening event and `notes` notes: a good journal. */
async function incidentWithNotes(title: string, notes: number): Promise<string> {
  const id = IncidentDetail.parse(await call('incidents.start', { title })).incident.id;
  for (let i = 1; i <= notes; i++) await call('incidents.note', { id, text: `note ${i}` });
  return id;
}

/** Work on the closed store file with a plain connection, as someone with sqlite3 would. */
function raw<T>(work: (db: Database.Database) => T): T {
  const db = new Database(join(dir.path, STORE_FILE));
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** A stored journal row; the incident's id is given beside it. */
type Row = Omit<JournalRow, 'incident_id'>;

/** Insert a journal row (inserts are what the triggers allow), its fields given as written. */
function insertRow(db: Database.Database, incidentId: string, row: Row): void {
  db.prepare('INSERT INTO journal (incident_id, seq, id, kind, at, device_id, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    incidentId,
    row.seq,
    row.id,
    row.kind,
    row.at,
    row.device_id,
    row.data,
    row.prev_hash,
    row.hash,
  );
}

/** A well-formed event after `last`, as the journal would write it. */
function nextEvent(incidentId: string, last: Row, kind: JournalKind, data: Record<string, unknown>): Row {
  const content = { id: randomUUID(), incidentId, seq: last.seq + 1, kind, at: new Date(Date.parse(last.at) + 1000).toISOString(), deviceId: last.device_id, data };
  return { seq: content.seq, id: content.id, kind, at: content.at, device_id: content.deviceId, data: canonicalJson(data), prev_hash: last.hash, hash: eventHash(last.hash, content) };
}

const lastRow = (db: Database.Database, incidentId: string) => db.prepare('SELECT * FROM journal WHERE incident_id = ? ORDER BY seq DESC LIMIT 1').get(incidentId) as Row;
const kinds = (id: string) => (core!.db.prepare('SELECT kind FROM journal WHERE incident_id = ? ORDER BY seq').all(id) as { kind: string }[]).map((r) => r.kind);

/** Change journal rows with the guard dropped for a moment, as someone with the file and sqlite3 could. */
function editJournal(db: Database.Database, sql: string, ...params: string[]): void {
  const triggerSql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'journal_refuses_update'").get() as { sql: string }).sql;
  db.transaction(() => {
    db.exec('DROP TRIGGER journal_refuses_update');
    db.prepare(sql).run(...params);
    db.exec(triggerSql);
  })();
}

describe('recovery at start', () => {
  it('keeps a damaged tail aside, names the last good event, and the chain verifies again', async () => {
    start();
    const id = await incidentWithNotes('Disk full on db-1', 3); // seqs 1-4
    const untouched = await incidentWithNotes('Unrelated', 2);
    stop();

    // A torn write: event 5's data cut short. Then event 6, which does not follow event 5.
    const { torn, stray } = raw((db) => {
      const good = lastRow(db, id);
      const whole = nextEvent(id, good, 'note', { text: 'rotated the logs on db-1' });
      const torn = { ...whole, data: whole.data.slice(0, 12) };
      insertRow(db, id, torn);
      const stray = nextEvent(id, { ...whole, hash: 'f'.repeat(64) }, 'note', { text: 'disk at 71%' });
      insertRow(db, id, stray);
      return { good, torn, stray };
    });
    expect(torn.data).toBe('{"text":"rot');

    start();
    const changed: unknown[] = [];
    core!.events.subscribe((name, payload) => name === 'incidents.changed' && changed.push(payload));
    const detail = IncidentDetail.parse(await call('incidents.get', { id }));
    expect(detail.integrity).toEqual({ ok: true, lastSeq: 5 });
    expect(detail.damaged).toBe(2);
    expect(detail.recent.map((e) => [e.seq, e.kind])).toEqual([
      [1, 'opened'],
      [2, 'note'],
      [3, 'note'],
      [4, 'note'],
      [5, 'journal-damaged'],
    ]);
    const note4 = detail.recent[3]!;
    expect(detail.recent[4]!.data).toEqual({
      firstBrokenSeq: 5,
      lastGoodSeq: 4,
      lastGoodAt: note4.at,
      lastGoodKind: 'note',
      keptAside: 2,
      reason: 'event 5 was changed after it was written',
    });
    expect(verifyJournal(detail.recent).ok).toBe(true);
    expect(damagedCount(core!.db, id)).toBe(2);
    expect(damagedCount(core!.db, untouched)).toBe(0);

    const kept = (await call<unknown[]>('incidents.damaged', { id })).map((d) => DamagedEvent.parse(d));
    expect(kept.map((d) => [d.seq, d.reason])).toEqual([
      [5, 'event 5 was changed after it was written'],
      [6, 'follows damaged event 5'],
    ]);
    // The rows exactly as they were found, every column.
    expect(kept[0]!.raw).toEqual({ incident_id: id, ...torn });
    expect(kept[1]!.raw).toEqual({ incident_id: id, ...stray });
    expect(logLines.join('')).toMatch(/WARN .*a damaged journal tail was kept aside.*"keptAside":2/);

    // The journal goes on from the journal-damaged event.
    const note = JournalEvent.parse(await call('incidents.note', { id, text: 'typed again after the crash' }));
    expect(note).toMatchObject({ seq: 6, prevHash: detail.recent[4]!.hash });
    expect(changed).toEqual([{ ids: [id] }]);

    // A second start finds nothing to do: nothing moved twice, no second journal-damaged.
    stop();
    start();
    expect(kinds(id)).toEqual(['opened', 'note', 'note', 'note', 'journal-damaged', 'note']);
    expect((await call<unknown[]>('incidents.damaged', { id })).length).toBe(2);
    expect(IncidentDetail.parse(await call('incidents.get', { id })).integrity).toEqual({ ok: true, lastSeq: 6 });
    expect(IncidentDetail.parse(await call('incidents.get', { id: untouched })).integrity).toEqual({ ok: true, lastSeq: 3 });
  });

  it('still refuses to delete any other journal row, and never changes or drops a kept row', async () => {
    start();
    const id = await incidentWithNotes('Queue backlog', 1);
    stop();
    raw((db) => {
      const good = lastRow(db, id);
      insertRow(db, id, { ...nextEvent(id, good, 'note', { text: 'x' }), hash: '0'.repeat(64) });
    });
    start();
    expect(damagedCount(core!.db, id)).toBe(1);
    const db = core!.db;
    expect(() => db.prepare('DELETE FROM journal WHERE incident_id = ? AND seq = 1').run(id)).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM journal').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE journal_damaged SET reason = 'fine'").run()).toThrow(/kept as found/);
    expect(() => db.prepare('DELETE FROM journal_damaged').run()).toThrow(/kept as found/);
    // A row whose twin (same incident and seq, another id) was kept aside is not deletable either.
    expect(() => db.prepare('DELETE FROM journal WHERE incident_id = ? AND seq = 3').run(id)).toThrow(/append-only/);
  });

  it('keeps aside a journal damaged from its first event, and leaves resolved incidents alone', async () => {
    start();
    const id = await incidentWithNotes('Torn from the start', 0);
    const resolved = await incidentWithNotes('Over and done', 1);
    await call('incidents.setStatus', { id: resolved, status: 'resolved' });
    stop();
    raw((db) => editJournal(db, 'UPDATE journal SET data = substr(data, 1, 5) WHERE incident_id IN (?, ?) AND seq = 1', id, resolved));
    start();
    const detail = IncidentDetail.parse(await call('incidents.get', { id }));
    expect(detail.recent.map((e) => [e.seq, e.kind])).toEqual([[1, 'journal-damaged']]);
    expect(detail.recent[0]!.data).toMatchObject({ firstBrokenSeq: 1, lastGoodSeq: 0, lastGoodAt: null, lastGoodKind: null, keptAside: 1 });
    expect(detail.integrity.ok).toBe(true);
    // Resolved: not verified at start, not moved; its damage still shows when it is opened.
    expect(damagedCount(core!.db, resolved)).toBe(0);
    expect(IncidentDetail.parse(await call('incidents.get', { id: resolved })).integrity).toMatchObject({ ok: false, brokenSeq: 1 });
  });

  it('leaves a break in the middle where it is, logs it, and incidents.get reports it', async () => {
    start();
    const id = await incidentWithNotes('Edited journal', 4); // seqs 1-5
    stop();
    raw((db) => editJournal(db, "UPDATE journal SET data = replace(data, 'note 2', 'note Z') WHERE incident_id = ? AND seq = 3", id));
    start();
    const detail = IncidentDetail.parse(await call('incidents.get', { id }));
    expect(detail.recent.map((e) => e.kind)).toEqual(['opened', 'note', 'note', 'note', 'note']);
    expect(detail.recent[2]!.data).toEqual({ text: 'note Z' });
    expect(detail.integrity).toMatchObject({ ok: false, brokenSeq: 3, lastGood: { seq: 2, kind: 'note' } });
    expect(damagedCount(core!.db, id)).toBe(0);
    expect(await call('incidents.damaged', { id })).toEqual([]);
    expect(logLines.join('')).toMatch(/WARN .*broken in the middle.*"brokenSeq":3/);
  });

  it('answers not_found for the damaged events of an unknown incident', async () => {
    start();
    await expect(call('incidents.damaged', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
