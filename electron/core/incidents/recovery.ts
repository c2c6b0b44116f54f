/**
 * Recovery at start: every incident left open has its journal verified. A damaged TAIL (the first
 * event that breaks the hash chain and every event after it are broken: a torn or truncated data
 * blob, a bad hash, an event that does not follow the one before) is kept aside in
 * `journal_damaged` (migration 0009), removed from `journal`, and a `journal-damaged` event naming
 * the last good event is appended, in one transaction: the chain verifies again, the operator is
 * told what was set aside, and nothing is silently dropped.
 *
 * A break in the MIDDLE (later events still chain) is not a torn write but an edit: nothing is
 * moved. It is logged, and incidents.get reports it (`integrity`) for the operator to judge.
 */
import { ApiError, type DamagedEvent, type JournalEvent } from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { Log } from '../log';
import { eventHash, type Journal, type JournalRow } from './journal';

/** What recovery did to one incident's journal. */
export type RecoveryOutcome =
  | { incidentId: string; kind: 'tail-kept-aside'; firstBrokenSeq: number; lastGoodSeq: number; keptAside: number; reason: string }
  | { incidentId: string; kind: 'middle-break' | 'tail-left-in-place'; brokenSeq: number; reason: string };

export interface RecoveryOptions {
  db: Db;
  journal: Journal;
  clock: Clock;
  log: Log;
}

/**
 * Verify the journal of every incident that is not resolved and keep a damaged tail aside.
 * Returns what was found, incident by incident (intact journals are not listed).
 */
export function recoverJournals({ db, journal, clock, log }: RecoveryOptions): RecoveryOutcome[] {
  const open = db.prepare<[], { id: string }>("SELECT id FROM incidents WHERE status <> 'resolved' ORDER BY opened_at").all();
  const outcomes: RecoveryOutcome[] = [];
  for (const { id } of open) {
    // The fast check (stored text, nothing parsed) for every journal; the whole one only when broken.
    const check = journal.verifyFrom(id, null);
    if (check.ok) continue;
    const events = journal.events(id);
    const first = events.findIndex((e) => e.seq === check.brokenSeq);
    if (!isDamagedTail(events, first)) {
      log.warn('an incident journal is broken in the middle: later events still chain, so nothing was moved; incidents.get reports it', {
        incidentId: id,
        brokenSeq: check.brokenSeq,
        reason: check.reason,
      });
      outcomes.push({ incidentId: id, kind: 'middle-break', brokenSeq: check.brokenSeq, reason: check.reason });
      continue;
    }
    const lastGood = first > 0 ? events[first - 1]! : null;
    const broken = events.slice(first);
    try {
      keepTailAside(db, journal, clock, id, broken, lastGood, check.reason);
    } catch (error) {
      // A store that refuses the write (full, read-only) must not stop the app: the tail stays where
      // it is, incidents.get reports the break, and the next start tries again.
      log.warn('a damaged journal tail could not be kept aside; it was left in place', { incidentId: id, firstBrokenSeq: check.brokenSeq, error: error instanceof Error ? error.message : String(error) });
      outcomes.push({ incidentId: id, kind: 'tail-left-in-place', brokenSeq: check.brokenSeq, reason: check.reason });
      continue;
    }
    log.warn('a damaged journal tail was kept aside', { incidentId: id, firstBrokenSeq: check.brokenSeq, lastGoodSeq: check.lastGoodSeq, keptAside: broken.length, reason: check.reason });
    outcomes.push({ incidentId: id, kind: 'tail-kept-aside', firstBrokenSeq: check.brokenSeq, lastGoodSeq: check.lastGoodSeq, keptAside: broken.length, reason: check.reason });
  }
  return outcomes;
}

/**
 * Whether the events from `first` (the first that breaks the chain) to the end are all broken: none
 * of them is whole (its hash matches its content) and follows the stored one before it. One that
 * does means the journal went on writing after the break, so it is not a torn tail.
 */
export function isDamagedTail(events: readonly JournalEvent[], first: number): boolean {
  if (first < 0) return false;
  for (let i = first + 1; i < events.length; i++) {
    const e = events[i]!;
    const before = events[i - 1]!;
    const follows = e.seq === before.seq + 1 && e.prevHash === before.hash;
    if (follows && eventHash(e.prevHash, e) === e.hash) return false;
  }
  return true;
}

function keepTailAside(db: Db, journal: Journal, clock: Clock, incidentId: string, broken: JournalEvent[], lastGood: JournalEvent | null, reason: string): void {
  const raw = db.prepare<[string, number, string], JournalRow>('SELECT * FROM journal WHERE incident_id = ? AND seq = ? AND id = ?');
  const keep = db.prepare<[string, number, string, string, string, string]>(
    'INSERT INTO journal_damaged (incident_id, seq, event_id, kept_at, reason, raw) VALUES (?, ?, ?, ?, ?, ?)',
  );
  // Allowed by the journal's delete trigger only because the row was copied just before.
  const remove = db.prepare<[string, number, string]>('DELETE FROM journal WHERE incident_id = ? AND seq = ? AND id = ?');
  db.transaction(() => {
    const keptAt = clock.now().toISOString();
    for (const e of broken) {
      const row = raw.get(incidentId, e.seq, e.id);
      if (!row) continue;
      keep.run(incidentId, row.seq, row.id, keptAt, e === broken[0] ? reason : `follows damaged event ${broken[0]!.seq}`, JSON.stringify(row));
      remove.run(incidentId, row.seq, row.id);
    }
    journal.append(incidentId, 'journal-damaged', {
      firstBrokenSeq: broken[0]!.seq,
      lastGoodSeq: lastGood?.seq ?? 0,
      lastGoodAt: lastGood?.at ?? null,
      lastGoodKind: lastGood?.kind ?? null,
      keptAside: broken.length,
      reason,
    });
  })();
}

/** How many events of this incident's journal were kept aside. */
export function damagedCount(db: Db, incidentId: string): number {
  return (db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM journal_damaged WHERE incident_id = ?').get(incidentId) ?? { n: 0 }).n;
}

interface DamagedRow {
  incident_id: string;
  seq: number;
  kept_at: string;
  reason: string;
  raw: string;
}

/** The events kept aside from an incident's journal, in the order they were kept. */
export function damagedEvents(db: Db, incidentId: string): DamagedEvent[] {
  if (!db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(incidentId)) {
    throw new ApiError({ code: 'not_found', message: `No incident with id ${incidentId}; nothing was read. Reload the incidents.` });
  }
  return db
    .prepare<[string], DamagedRow>('SELECT incident_id, seq, kept_at, reason, raw FROM journal_damaged WHERE incident_id = ? ORDER BY rowid')
    .all(incidentId)
    .map((r) => ({ incidentId: r.incident_id, seq: r.seq, keptAt: r.kept_at, reason: r.reason, raw: JSON.parse(r.raw) as Record<string, unknown> }));
}

/**
 * Verify the resolved incidents' chains (recovery checked only the open ones) in the background,
 * one incident per timer tick so no call waits long behind it: once done, opening an old
 * 50,000-event incident reads its page and its new events only, not its whole chain. A break is
 * logged here and reported by incidents.get's `integrity`; nothing is moved. Returns a stop.
 */
export function verifyResolvedInBackground({ db, journal, log }: Pick<RecoveryOptions, 'db' | 'journal' | 'log'>): () => void {
  const ids = db.prepare<[], { id: string }>("SELECT id FROM incidents WHERE status = 'resolved' ORDER BY resolved_at DESC").all().map((r) => r.id);
  let timer: NodeJS.Timeout | null = null;
  const next = (): void => {
    const id = ids.shift();
    if (id === undefined) return;
    try {
      const check = journal.verify(id);
      if (!check.ok) log.warn(`incident ${id}: its journal breaks at event ${check.brokenSeq} (${check.reason}); it is kept as it is and shown on the incident`);
    } catch (error) {
      // A closed store (the core stopping) or a read error: the check happens again on open.
      log.warn(`incident ${id}: its journal could not be checked in the background (${error instanceof Error ? error.message : String(error)})`);
    }
    timer = setTimeout(next, 0);
    timer.unref();
  };
  timer = setTimeout(next, 0);
  timer.unref();
  return () => {
    if (timer) clearTimeout(timer);
    ids.length = 0;
  };
}
