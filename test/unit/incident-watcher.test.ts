import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/core/db';
import { IncidentService, Journal } from '../../electron/core/incidents';
import { IncidentWatcher, MAX_SLEEP_MS } from '../../electron/core/incidents/watcher';
import type { Timers } from '../../electron/core/sources';
import { ApiError, type RunbookDetail } from '../../shared/contract';
import type { ImportedRunbook } from '../../shared/runbook';
import { tempDir } from '../support/temp';
import { T0, TestClock } from '../support/clock';

const MINUTE = 60_000;
const at = (minutes: number): string => new Date(T0 + minutes * MINUTE).toISOString();

/** Timers the test fires by hand: the watcher holds at most one. */
class FakeTimers implements Timers {
  pending = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  setInterval(): unknown {
    throw new Error('the watcher never polls on an interval');
  }
  clearInterval(): void {}
  /** The one timer set; fails when the watcher set none or several. */
  only(): { fn: () => void; ms: number; id: number } {
    expect(this.pending.size).toBe(1);
    const [id, t] = [...this.pending.entries()][0]!;
    return { ...t, id };
  }
}

/** A P1 response target of 10 minutes, a 0-15, 15-30, 30+ ladder, and a first step with a 5-minute timer. */
const RUNBOOK: ImportedRunbook = {
  title: 'Billing',
  source: { path: 'billing.md', sha256: '0'.repeat(64) },
  procedures: [
    {
      id: 'RB-01',
      title: 'Queue backlog',
      kind: 'procedure',
      level: 2,
      line: 3,
      endLine: 20,
      recoveryTargetMinutes: 60,
      triggers: [],
      text: '',
      steps: [
        { title: 'Drain the queue', line: 5, endLine: 6, text: 'Drain the queue', timerSeconds: 300, commands: [] },
        { title: 'Restart the consumer', line: 7, endLine: 8, text: 'Restart the consumer', timerSeconds: null, commands: [] },
      ],
    },
  ],
  alertRules: [],
  severityLevels: [{ level: 'P1', responseTargetMinutes: 10, description: 'Outage', line: 1 }],
  escalation: [
    { fromMinutes: 0, toMinutes: 15, action: 'Page the on-call engineer', line: 5 },
    { fromMinutes: 15, toMinutes: 30, action: 'Call the team lead', line: 6 },
    { fromMinutes: 30, toMinutes: null, action: 'Call the incident manager', line: 7 },
  ],
  escalationMatrix: [],
  contacts: [],
  looseCommands: [],
  warnings: [],
};

let dir: ReturnType<typeof tempDir>;
let clock: TestClock;
let timers: FakeTimers;
let closers: (() => void)[];

/** A service and its watcher over the store in `dir`, as the core wires them; a second pair is a restart. */
function host(): { incidents: IncidentService; watcher: IncidentWatcher } {
  const { db } = openStore(dir.path);
  const incidents = new IncidentService({
    db,
    clock,
    journal: new Journal(db, clock),
    alert: (id) => {
      throw new ApiError({ code: 'not_found', message: `No alert ${id}.` });
    },
    environment: (id) => {
      throw new ApiError({ code: 'not_found', message: `No environment ${id}.` });
    },
    runbook: (id) => ({ summary: { id, title: 'Billing' }, runbook: RUNBOOK, sourceText: '' }) as unknown as RunbookDetail,
    redact: (text) => text,
  });
  const watcher = new IncidentWatcher({ incidents, clock, timers });
  closers.push(() => {
    watcher.stop();
    db.close();
  });
  return { incidents, watcher };
}

const open = (incidents: IncidentService): string =>
  incidents.start({ title: 'Billing queue backlog', severity: 'P1', runbookId: 'rb-billing', procedureId: 'RB-01', alertIds: [], environmentId: null, commander: null }).incident.id;

/** What the watcher wrote, as `kind what dueAt`. */
const written = (incidents: IncidentService, id: string) =>
  incidents.eventsOfKinds(id, ['escalation-reached', 'clock-overdue']).map((e) => `${e.kind} ${String(e.data.fromMinutes ?? e.data.clockId)} ${String(e.data.dueAt ?? e.data.targetAt)} @${e.at}`);

/** Let time pass to `minutes`, firing the watcher's timer whenever it falls due, as a real one would. */
function advanceTo(minutes: number): void {
  const target = T0 + minutes * MINUTE;
  for (;;) {
    const t = timers.only();
    if (clock.t + t.ms > target) break;
    clock.t += t.ms;
    timers.pending.delete(t.id);
    t.fn();
  }
  clock.t = target;
}

beforeEach(() => {
  dir = tempDir();
  clock = new TestClock();
  timers = new FakeTimers();
  closers = [];
});
afterEach(() => {
  for (const close of closers.reverse()) close();
  dir.cleanup();
});

describe('the incident watcher', () => {
  it('writes each escalation rung, the response target and a step timer overdue once, at their times', () => {
    const { incidents, watcher } = host();
    const id = open(incidents);
    watcher.start();
    // It sleeps until the next thing falls due (the step timer at 5 minutes), at most a minute.
    expect(timers.only().ms).toBe(MAX_SLEEP_MS);
    advanceTo(4);
    expect(written(incidents, id)).toEqual([]);
    advanceTo(5);
    expect(written(incidents, id)).toEqual([`clock-overdue step:0.0 ${at(5)} @${at(5)}`]);
    advanceTo(14);
    expect(written(incidents, id)).toEqual([`clock-overdue step:0.0 ${at(5)} @${at(5)}`, `clock-overdue response ${at(10)} @${at(10)}`]);
    advanceTo(31);
    expect(written(incidents, id).slice(2)).toEqual([`escalation-reached 15 ${at(15)} @${at(15)}`, `escalation-reached 30 ${at(30)} @${at(30)}`]);
    const rung = incidents.eventsOfKinds(id, ['escalation-reached'])[0]!;
    expect(rung.data).toEqual({ rung: 1, fromMinutes: 15, toMinutes: 30, action: 'Call the team lead', dueAt: at(15) });
    // Looking again adds nothing.
    expect(watcher.check()).toEqual([]);
    expect(written(incidents, id)).toHaveLength(4);
    // Never a busy loop: one timer, a minute away, once nothing is due before then.
    expect(timers.only().ms).toBe(MAX_SLEEP_MS);
  });

  it('counts a step acted on as the response, and starts the next step timer afresh', () => {
    const { incidents, watcher } = host();
    const id = open(incidents);
    watcher.start();
    advanceTo(3);
    incidents.step(id, '0.0', 'done', null);
    advanceTo(40);
    expect(written(incidents, id).map((w) => w.split(' ').slice(0, 2).join(' '))).toEqual(['escalation-reached 15', 'escalation-reached 30']);
  });

  it('never repeats an event after a restart on the same data dir', () => {
    const first = host();
    const id = open(first.incidents);
    first.watcher.start();
    advanceTo(16);
    expect(written(first.incidents, id)).toHaveLength(3);
    closers.pop()!();
    timers.pending.clear();

    const second = host();
    second.watcher.start();
    expect(written(second.incidents, id)).toHaveLength(3);
    advanceTo(30);
    expect(written(second.incidents, id)).toEqual([
      `clock-overdue step:0.0 ${at(5)} @${at(5)}`,
      `clock-overdue response ${at(10)} @${at(10)}`,
      `escalation-reached 15 ${at(15)} @${at(15)}`,
      `escalation-reached 30 ${at(30)} @${at(30)}`,
    ]);
  });

  it('after an 8-hour sleep writes every passed rung and overdue clock once, each with its own due time', () => {
    const { incidents, watcher } = host();
    const id = open(incidents);
    watcher.start();
    // The laptop sleeps: the clock jumps, the pending timer fires late, once.
    clock.t = T0 + 8 * 60 * MINUTE;
    const t = timers.only();
    timers.pending.delete(t.id);
    t.fn();
    const late = `@${at(8 * 60)}`;
    expect(written(incidents, id)).toEqual([
      `escalation-reached 15 ${at(15)} ${late}`,
      `escalation-reached 30 ${at(30)} ${late}`,
      `clock-overdue response ${at(10)} ${late}`,
      `clock-overdue recovery ${at(60)} ${late}`,
      `clock-overdue step:0.0 ${at(5)} ${late}`,
    ]);
    watcher.check();
    expect(written(incidents, id)).toHaveLength(5);
  });

  it('leaves resolved incidents alone, and stops with the core', () => {
    const { incidents, watcher } = host();
    const id = open(incidents);
    incidents.setStatus(id, 'resolved');
    watcher.start();
    advanceTo(60);
    expect(written(incidents, id)).toEqual([]);
    watcher.stop();
    expect(timers.pending.size).toBe(0);
  });
});
