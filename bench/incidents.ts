/**
 * Incident journal benchmarks (issue 7), each beside bare better-sqlite3 measured in the same run,
 * through the journal as the core wires it (IncidentService and Journal on a temp store opened with
 * openStore: WAL, synchronous=FULL):
 *   - append: `IncidentService.note` (what `incidents.note` calls: the incident row looked up, the
 *     last event read, the hash chained, one IMMEDIATE transaction committed with synchronous=FULL)
 *     one note at a time, beside a bare autocommit INSERT of a row of the same size into a plain
 *     table of the same columns on another store with the same pragmas; the two are interleaved,
 *     one of each in turn, so both see the same disk;
 *   - open a 50,000-event incident: what the timeline asks for, `incidents.get` (summary, clocks,
 *     walkthrough, the newest events, the chain check) and the first `incidents.journal` page of 500,
 *     beside a bare SELECT of the same 500 rows with a JSON.parse of each data; as after a restart
 *     (recovery verified the open incident's chain at start, as createCore does) and cold (nothing
 *     verified yet: the open reads and hashes all 50,000 events).
 * Every run checks what the journal holds afterwards (count and hash chain): a benchmark that lost
 * events fails instead of reporting a speed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ApiError, RECENT_EVENTS } from '../shared/contract';
import { systemClock } from '../electron/core/clock';
import { openStore, type Db } from '../electron/core/db';
import { IncidentService, Journal, canonicalJson, verifyJournal } from '../electron/core/incidents';
import type { Measured } from './terminals';

const APPENDS = 2_000;
const WARMUP = 50;
const BIG = 50_000;
const OPENS = 5;
const PAGE = 500;

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const median = (xs: number[]) => quantile(xs, 0.5);

/** A note an operator might write, about 200 characters, different each time. */
const noteText = (i: number) =>
  `#${i} restarted ingest-worker-${i % 7} on host-${i % 13}.eu-west-1.internal; backlog on q${i % 97} down from 12,400 to ${9_000 - (i % 900)}, still watching the consumer lag before the next step.`;

function service(db: Db): { incidents: IncidentService; journal: Journal } {
  const journal = new Journal(db, systemClock);
  const missing = (what: string) => (): never => {
    throw new ApiError({ code: 'not_found', message: `no ${what} in the bench` });
  };
  const incidents = new IncidentService({ db, clock: systemClock, journal, alert: missing('alert'), environment: missing('environment'), runbook: missing('runbook'), redact: (t) => t });
  return { incidents, journal };
}

/** The bare side: a store with the same pragmas as openStore, one plain table of the journal's columns. */
function bareStore(dir: string): Db {
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE journal (incident_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, device_id TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)');
  return db;
}

function benchAppend(record: (r: Measured) => void): void {
  const work = mkdtempSync(join(tmpdir(), 'wf-bench-journal-'));
  const { db } = openStore(join(work, 'store'));
  const bare = bareStore(work);
  try {
    const { incidents } = service(db);
    const id = incidents.start({ title: 'bench: journal append', severity: 'P2', environmentId: null, runbookId: null, procedureId: null, alertIds: [], commander: null }).incident.id;
    const insert = bare.prepare('INSERT INTO journal (incident_id, seq, id, kind, at, device_id, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const device = randomUUID();
    const hash = 'f'.repeat(64);
    const ours: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < WARMUP + APPENDS; i++) {
      const text = noteText(i);
      let s = process.hrtime.bigint();
      incidents.note(id, text);
      const o = ms(s);
      // The same row the journal writes: same column sizes, the data as canonical JSON.
      s = process.hrtime.bigint();
      insert.run(id, i + 2, randomUUID(), 'note', new Date().toISOString(), device, canonicalJson({ text }), hash, hash);
      const r = ms(s);
      if (i >= WARMUP) {
        ours.push(o);
        raw.push(r);
      }
    }
    const events = incidents.events(id);
    const check = verifyJournal(events);
    if (events.length !== WARMUP + APPENDS + 1 || !check.ok) throw new Error(`journal append bench: expected ${WARMUP + APPENDS + 1} events with a whole chain, found ${events.length} (${check.ok ? 'chain ok' : check.reason})`);

    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const speed = APPENDS / (sum(ours) / 1000);
    const bareSpeed = APPENDS / (sum(raw) / 1000);
    const note = 'baseline: bare better-sqlite3 autocommit INSERT of a same-size row, WAL + synchronous=FULL, interleaved';
    record({ name: `journal append (incidents.note, synchronous=FULL), p50 of ${APPENDS}`, value: quantile(ours, 0.5), unit: 'ms', baseline: quantile(raw, 0.5), ratio: quantile(ours, 0.5) / quantile(raw, 0.5), note });
    record({ name: 'journal append (incidents.note, synchronous=FULL), p99', value: quantile(ours, 0.99), unit: 'ms', baseline: quantile(raw, 0.99), ratio: quantile(ours, 0.99) / quantile(raw, 0.99), note });
    record({ name: 'journal append (incidents.note, synchronous=FULL) throughput', value: speed, unit: 'events/s', baseline: bareSpeed, ratio: speed / bareSpeed, note: `${note}; ratio ours/bare, target >= 0.8` });
  } finally {
    db.close();
    bare.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function benchOpen(record: (r: Measured) => void): void {
  const work = mkdtempSync(join(tmpdir(), 'wf-bench-journal-'));
  const { db } = openStore(work);
  try {
    const { incidents, journal } = service(db);
    const id = incidents.start({ title: 'bench: 50,000 events', severity: 'P1', environmentId: null, runbookId: null, procedureId: null, alertIds: [], commander: null }).incident.id;
    // Setup through the journal's own append (chained, hashed), as savepoints of one transaction
    // so 50,000 events do not cost 50,000 fsyncs.
    db.transaction(() => {
      for (let i = 1; i < BIG; i++) journal.append(id, 'note', { text: noteText(i) });
    })();

    // The bare side: the same page (the newest 500 events) straight off the table, data parsed.
    const bareSelect = db.prepare<[string, number], { data: string }>('SELECT * FROM journal WHERE incident_id = ? ORDER BY seq DESC LIMIT ?');
    const cold: number[] = [];
    const started: number[] = [];
    const raw: number[] = [];
    const open = (incidents: IncidentService) => {
      const detail = incidents.get(id);
      const page = incidents.journalPage(id, { kinds: [], beforeSeq: null, limit: PAGE });
      if (detail.incident.events !== BIG || !detail.integrity.ok || page.events.length !== PAGE || page.total !== BIG || page.events[0]!.seq !== BIG) {
        throw new Error(`open bench: expected ${BIG} events and a whole chain, got ${detail.incident.events} (${JSON.stringify(detail.integrity)}), page of ${page.events.length}`);
      }
    };
    for (let round = 0; round < OPENS; round++) {
      // Cold: a fresh journal that has verified nothing (opened before the start-up check reached it:
      // recovery checks open incidents, a background pass the resolved ones), so this open reads and
      // hashes all 50,000 events.
      let s = process.hrtime.bigint();
      open(service(db).incidents);
      cold.push(ms(s));
      // After a restart, as createCore runs it: recovery verified every open incident's chain at
      // start (recoverJournals, not timed here), and the open continues from there.
      const restarted = service(db);
      if (!restarted.journal.verify(id).ok) throw new Error('open bench: the chain does not verify');
      s = process.hrtime.bigint();
      open(restarted.incidents);
      started.push(ms(s));
      s = process.hrtime.bigint();
      const rows = bareSelect.all(id, PAGE).map((r) => ({ ...r, data: JSON.parse(r.data) as unknown }));
      raw.push(ms(s));
      if (rows.length !== PAGE) throw new Error(`open bench: bare select found ${rows.length} rows`);
    }
    const check = verifyJournal(incidents.events(id));
    if (!check.ok) throw new Error(`open bench: the chain does not verify (${check.reason})`);
    const b = median(raw);
    const note = `incidents.get (summary, clocks, walkthrough, last ${RECENT_EVENTS} events, chain check) + the first incidents.journal page of ${PAGE}; baseline: bare SELECT of the same ${PAGE} rows + JSON.parse of each data; target < 300 ms`;
    record({ name: `open a ${BIG.toLocaleString('en')}-event incident (incidents.get + first journal page of ${PAGE}, median of ${OPENS})`, value: median(started), unit: 'ms', baseline: b, ratio: median(started) / b, note: `${note}; the chain verified at core start, as createCore does (recovery for open incidents, a background pass for resolved ones)` });
    record({ name: `open a ${BIG.toLocaleString('en')}-event incident cold (the same, whole chain read and hashed during the open, median of ${OPENS})`, value: median(cold), unit: 'ms', baseline: b, ratio: median(cold) / b, note: `${note}; nothing verified before (opened before the start-up checks reached it)` });
  } finally {
    db.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export async function benchIncidents(record: (r: Measured) => void): Promise<void> {
  benchAppend(record);
  benchOpen(record);
  return Promise.resolve();
}
