/**
 * The incident watcher: writes into the journal what time alone brings about, so the operator is
 * told once and the timeline shows when. For every open incident it appends, once each:
 * - `escalation-reached` for each rung of the runbook's ladder past 0 minutes, once reached, with
 *   the moment it was due (not when the watcher noticed: after an 8-hour sleep every rung passed is
 *   appended with its own time);
 * - `clock-overdue` for the response target, the recovery target and each step timer, once overdue
 *   while still running (a target met late while the laptop slept is not news any more).
 *
 * "Once" is read from the journal itself, in the same IMMEDIATE transaction as the append, so a
 * restart (or a second host on the same data dir) never repeats one. It sleeps until the next
 * moment something falls due, at most a minute (a clock jumped or a laptop that slept is caught up
 * within a minute of waking), and looks again whenever an incident changes. Never a busy loop.
 */
import type { IncidentClock, JournalEvent, JournalKind } from '../../../shared/contract';
import type { Clock } from '../clock';
import { systemTimers, type Timers } from '../sources';
import type { IncidentService, IncidentState } from './service';

/** The longest the watcher sleeps: a clock that jumped (sleep, NTP) is caught up within this. */
export const MAX_SLEEP_MS = 60_000;

export interface IncidentWatcherOptions {
  incidents: IncidentService;
  clock: Clock;
  timers?: Timers;
  /** Told when a pass failed (a disk that refused the write); the next pass tries again. */
  warn?: (message: string) => void;
}

type Due = { kind: JournalKind; data: Record<string, unknown> };

/** What should be in the journal for `state`, given what already is: the missing events, and when to look next. */
export function dueEvents(state: IncidentState, written: readonly JournalEvent[], now: Date): { events: Due[]; nextAt: number | null } {
  const events: Due[] = [];
  let nextAt: number | null = null;
  const later = (t: number) => {
    if (t > now.getTime() && (nextAt === null || t < nextAt)) nextAt = t;
  };
  if (state.incident.status === 'resolved') return { events, nextAt };
  const { clocks } = state;

  const rungsWritten = new Set(written.filter((e) => e.kind === 'escalation-reached').map((e) => e.data.fromMinutes));
  const openedAt = Date.parse(state.incident.openedAt);
  clocks.escalation.rungs.forEach((rung, index) => {
    if (rung.fromMinutes <= 0) return;
    if (rung.reachedAt === null) return later(openedAt + rung.fromMinutes * 60_000);
    if (rungsWritten.has(rung.fromMinutes)) return;
    events.push({ kind: 'escalation-reached', data: { rung: index, fromMinutes: rung.fromMinutes, toMinutes: rung.toMinutes, action: rung.action, dueAt: rung.reachedAt } });
  });

  const overdueWritten = written.filter((e) => e.kind === 'clock-overdue');
  const timers: { clock: IncidentClock; key?: string }[] = [{ clock: clocks.response }, { clock: clocks.recovery }];
  for (const item of state.walkthrough?.items ?? []) if (item.clock) timers.push({ clock: item.clock, key: item.key });
  for (const { clock, key } of timers) {
    if (clock.targetAt === null || clock.metAt !== null) continue;
    // Due the moment the target passes (the clock itself shows overdue a millisecond later).
    if (Date.parse(clock.targetAt) > now.getTime()) {
      later(Date.parse(clock.targetAt));
      continue;
    }
    // Once per clock; a step's timer once per run of it (reopened and started again is a new run).
    const seen = overdueWritten.some((e) => e.data.clockId === clock.id && (key === undefined || e.data.targetAt === clock.targetAt));
    if (!seen) events.push({ kind: 'clock-overdue', data: { clockId: clock.id, label: clock.label, targetAt: clock.targetAt, ...(key === undefined ? {} : { key }) } });
  }
  return { events, nextAt };
}

export class IncidentWatcher {
  private readonly timers: Timers;
  private handle: unknown = null;
  private unsubscribe: (() => void) | null = null;
  private running = false;
  private stopped = true;

  constructor(private readonly options: IncidentWatcherOptions) {
    this.timers = options.timers ?? systemTimers;
  }

  /** Look now, then whenever something falls due or an incident changes. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // A change may start a step with a timer or reopen an incident: look again, soon, not inside the caller's call.
    this.unsubscribe = this.options.incidents.onChange(() => {
      if (!this.running) this.schedule(0);
    });
    this.check();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  /** One pass over the open incidents; schedules the next. Returns the events it appended. */
  check(): JournalEvent[] {
    if (this.stopped || this.running) return [];
    this.running = true;
    const appended: JournalEvent[] = [];
    let nextAt: number | null = null;
    try {
      const { incidents, clock } = this.options;
      for (const id of incidents.openIds()) {
        try {
          let next: number | null = null;
          appended.push(
            ...incidents.appendMissing(id, () => {
              const due = dueEvents(incidents.state(id), incidents.eventsOfKinds(id, ['escalation-reached', 'clock-overdue']), clock.now());
              next = due.nextAt;
              return due.events;
            }),
          );
          if (next !== null && (nextAt === null || next < nextAt)) nextAt = next;
        } catch (error) {
          this.options.warn?.(`incident ${id}: escalation and overdue clocks not checked (${error instanceof Error ? error.message : String(error)}); trying again in a minute`);
        }
      }
    } finally {
      this.running = false;
    }
    const wait = nextAt === null ? MAX_SLEEP_MS : Math.max(0, nextAt - this.options.clock.now().getTime());
    this.schedule(Math.min(wait, MAX_SLEEP_MS));
    return appended;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      this.check();
    }, ms);
  }
}
