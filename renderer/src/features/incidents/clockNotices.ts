import type { JournalEvent, JournalKind } from '@shared/contract';

/** The journal events the UI notifies about: a clock went overdue, an escalation rung was reached. */
export const noticeKinds: ReadonlySet<JournalKind> = new Set(['clock-overdue', 'escalation-reached']);

/**
 * The clock events to notify about when an incident's recent events go from `before` to `after`:
 * only events that arrived live (after what was held: nothing on the first load, when `before` is
 * null), and never one already in `notified` (ids kept across reloads), so each notifies once.
 */
export function liveClockEvents(before: readonly JournalEvent[] | null, after: readonly JournalEvent[], notified: ReadonlySet<string>): JournalEvent[] {
  if (before === null) return [];
  const known = new Set(before.map((e) => e.id));
  const last = before.reduce((max, e) => Math.max(max, e.seq), 0);
  return after.filter((e) => noticeKinds.has(e.kind) && !known.has(e.id) && e.seq > last && !notified.has(e.id));
}
