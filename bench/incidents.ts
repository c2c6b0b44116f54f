/**
 * Incident journal benchmarks (issue 7), each beside bare better-sqlite3 measured in the same run,
 * through the journal as the core wires it (IncidentService and Journal on a temp store opened with
 * openStore: WAL, synchronous=FULL):
 *   - append: `IncidentService.note` (what `incidents.note` calls: the incident row looked up, the
 *     last event read, the hash chained, one IMMEDIATE transaction committed with synchronous=FULL)
 *     one note at a time, beside a bare autocommit INSERT of a row of the same size into a plain
 *     table of the same columns on another store with the same pragmas; the two are interleaved,
 *     one of each in turn, so both see the same disk;
 *   - open a 50,000-event incident: `IncidentService.get` (what `incidents.get` answers: summary and
 *     the whole journal), beside a bare `SELECT * ... ORDER BY seq` with a JSON.parse of each data.
 * Every run checks what the journal holds afterwards (count and hash chain): a benchmark that lost
 * events fails instead of reporting a speed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ApiError } from '../shared/contract';
import { systemClock } from '../electron/core/clock';
import { openStore, type Db } from '../electron/core/db';
import { IncidentService, Journal, canonicalJson, verifyJournal } from '../electron/core/incidents';
import type { Measured } from './terminals';

const APPENDS = 2_000;
const WARMUP = 50;
const BIG = 50_000;
const OPENS = 5;

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
    const events = incidents.get(id).journal;
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

    const bareSelect = db.prepare<[string], { data: string }>('SELECT * FROM journal WHERE incident_id = ? ORDER BY seq');
    const ours: number[] = [];
    const raw: number[] = [];
    for (let round = 0; round < OPENS; round++) {
      let s = process.hrtime.bigint();
      const detail = incidents.get(id);
      ours.push(ms(s));
      if (detail.journal.length !== BIG || detail.incident.events !== BIG) throw new Error(`open bench: expected ${BIG} events, got ${detail.journal.length}`);
      s = process.hrtime.bigint();
      const rows = bareSelect.all(id).map((r) => ({ ...r, data: JSON.parse(r.data) as unknown }));
      raw.push(ms(s));
      if (rows.length !== BIG) throw new Error(`open bench: bare select found ${rows.length} rows`);
    }
    const check = verifyJournal(incidents.get(id).journal);
    if (!check.ok) throw new Error(`open bench: the chain does not verify (${check.reason})`);
    const v = median(ours);
    const b = median(raw);
    record({ name: `open a ${BIG.toLocaleString('en')}-event incident (incidents.get, median of ${OPENS})`, value: v, unit: 'ms', baseline: b, ratio: v / b, note: 'baseline: bare SELECT * ORDER BY seq + JSON.parse of each data; target < 300 ms' });
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
