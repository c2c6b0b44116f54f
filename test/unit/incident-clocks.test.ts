import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/core/db';
import { IncidentService, Journal, incidentClocks, severityOfLevel, type StartIncident } from '../../electron/core/incidents';
import { ApiError, IncidentDetail, type RunbookDetail } from '../../shared/contract';
import type { ImportedRunbook, Procedure } from '../../shared/runbook';
import { tempDir } from '../support/temp';
import { T0, TestClock } from '../support/clock';

const MINUTE = 60_000;
const at = (minutes: number): string => new Date(T0 + minutes * MINUTE).toISOString();

const procedure = (id: string, recoveryTargetMinutes: number | null): Procedure => ({
  id,
  title: `Procedure ${id}`,
  kind: 'procedure',
  level: 2,
  line: 3,
  endLine: 10,
  recoveryTargetMinutes,
  triggers: [],
  text: '',
  steps: [],
});

/** RB-03: a procedure whose steps set their own timers (5 and 10 minutes; the last none). */
const timed: Procedure = {
  ...procedure('RB-03', null),
  steps: [
    { title: 'Drain the queue', line: 12, endLine: 13, text: 'Drain the queue', timerSeconds: 300, commands: [] },
    { title: 'Restart the consumer', line: 14, endLine: 15, text: 'Restart the consumer', timerSeconds: 600, commands: [] },
    { title: 'Tell the team', line: 16, endLine: 17, text: 'Tell the team', timerSeconds: null, commands: [] },
  ],
};

/** A runbook with a severity table, a 0-15, 15-30, 30+ escalation ladder and recovery targets. */
const RUNBOOK: ImportedRunbook = {
  title: 'Billing',
  source: { path: 'billing.md', sha256: '0'.repeat(64) },
  procedures: [procedure('RB-01', 60), procedure('RB-02', null), timed],
  alertRules: [],
  severityLevels: [
    { level: 'SEV1', responseTargetMinutes: 10, description: 'Outage', line: 1 },
    { level: 'High (P2)', responseTargetMinutes: 20, description: 'Degraded', line: 2 },
  ],
  escalation: [
    { fromMinutes: 15, toMinutes: 30, action: 'Call the team lead', line: 6 },
    { fromMinutes: 0, toMinutes: 15, action: 'Page the on-call engineer', line: 5 },
    { fromMinutes: 30, toMinutes: null, action: 'Call the incident manager', line: 7 },
  ],
  escalationMatrix: [],
  contacts: [],
  looseCommands: [],
  warnings: [],
  meta: { recoveryTargetMinutes: 120 },
};

let dir: ReturnType<typeof tempDir>;
let clock: TestClock;
let closers: (() => void)[];

/** A service over the store in `dir`, as the core builds it; a second one is a restart. */
function service(): IncidentService {
  const { db } = openStore(dir.path);
  closers.push(() => db.close());
  return new IncidentService({
    db,
    clock,
    journal: new Journal(db, clock),
    alert: (id) => {
      throw new ApiError({ code: 'not_found', message: `No alert ${id}.` });
    },
    environment: (id) => {
      throw new ApiError({ code: 'not_found', message: `No environment ${id}.` });
    },
    runbook: (id) => {
      if (id !== 'rb-billing') throw new ApiError({ code: 'not_found', message: `No runbook ${id}.` });
      return { summary: { id, title: 'Billing' }, runbook: RUNBOOK, sourceText: '' } as unknown as RunbookDetail;
    },
    redact: (text) => text,
  });
}

beforeEach(() => {
  dir = tempDir();
  clock = new TestClock();
  closers = [];
});
afterEach(() => {
  for (const close of closers.reverse()) close();
  dir.cleanup();
});

/** Opens a P1 incident on the billing runbook's RB-01 unless told otherwise; its id. */
const start = (s: IncidentService, input: Partial<StartIncident> = {}): string =>
  s.start({ title: 'Billing queue backlog', alertIds: [], severity: 'P1', runbookId: 'rb-billing', procedureId: 'RB-01', environmentId: null, commander: null, ...input }).incident.id;

describe('severity levels of a runbook table', () => {
  it('match P1-P4 loosely', () => {
    expect(['P1', 'SEV1', 'Sev-2', 'Critical (P1)', 'Severity 3', 'p4', 'High', 'Low', 'Whatever'].map(severityOfLevel)).toEqual(['P1', 'P1', 'P2', 'P1', 'P3', 'P4', 'P2', 'P4', null]);
  });
});

describe('the response target', () => {
  it('comes from the runbook severity table and is met by the first note', () => {
    const s = service();
    const id = start(s);
    expect(IncidentDetail.parse(s.get(id)).clocks.response).toMatchObject({ minutes: 10, source: 'runbook', targetAt: at(10), metAt: null, remainingMs: 10 * MINUTE, overdue: false });
    clock.set(4);
    expect(s.get(id).clocks.response.remainingMs).toBe(6 * MINUTE);
    clock.set(5);
    s.note(id, 'Looking at the queue');
    clock.set(45);
    expect(s.get(id).clocks.response).toMatchObject({ metAt: at(5), remainingMs: 5 * MINUTE, overdue: false });
  });

  it('is overdue when no operator action came in time, and a late status change still meets it', () => {
    const s = service();
    const id = start(s);
    clock.set(12);
    expect(s.get(id).clocks.response).toMatchObject({ metAt: null, remainingMs: -2 * MINUTE, overdue: true });
    s.setStatus(id, 'identified');
    clock.set(30);
    expect(s.get(id).clocks.response).toMatchObject({ metAt: at(12), remainingMs: -2 * MINUTE, overdue: true });
  });

  it('falls back to the defaults, and follows the current severity (a severity change is not a response)', () => {
    const s = service();
    const id = start(s, { severity: 'P3' });
    expect(s.get(id).clocks.response).toMatchObject({ minutes: 240, source: 'default', targetAt: at(240) });
    clock.set(3);
    s.setSeverity(id, 'P2');
    expect(s.get(id).clocks.response).toMatchObject({ minutes: 20, source: 'runbook', targetAt: at(20), metAt: null, remainingMs: 17 * MINUTE });
    const none = start(s, { severity: 'P1', runbookId: null, procedureId: null });
    expect(s.get(none).clocks.response).toMatchObject({ minutes: 15, source: 'default' });
  });
});

describe('the recovery target', () => {
  it("counts down from the procedure's target, then is overdue", () => {
    const s = service();
    const id = start(s);
    clock.set(20);
    expect(s.get(id).clocks.recovery).toMatchObject({ minutes: 60, source: 'procedure', targetAt: at(60), remainingMs: 40 * MINUTE, overdue: false });
    clock.set(61);
    expect(s.get(id).clocks.recovery).toMatchObject({ remainingMs: -1 * MINUTE, overdue: true, metAt: null });
  });

  it("falls back to the runbook's front matter, and is absent without a runbook", () => {
    const s = service();
    expect(s.get(start(s, { procedureId: 'RB-02' })).clocks.recovery).toMatchObject({ minutes: 120, source: 'runbook', targetAt: at(120) });
    expect(s.get(start(s, { runbookId: null, procedureId: null })).clocks.recovery).toMatchObject({ minutes: null, source: null, targetAt: null, remainingMs: null, overdue: false });
  });
});

describe('the escalation ladder', () => {
  it('prompts at 15 and 30 minutes for a 0-15, 15-30, 30+ ladder', () => {
    const s = service();
    const id = start(s);
    const ladder = () => s.get(id).clocks.escalation;
    expect(ladder().current).toBe(0);
    expect(ladder().rungs.map((r) => r.reachedAt)).toEqual([at(0), null, null]);
    clock.t = T0 + 15 * MINUTE - 1;
    expect(ladder().current).toBe(0);
    clock.set(15);
    expect(ladder()).toMatchObject({ current: 1, rungs: [{ reachedAt: at(0) }, { action: 'Call the team lead', reachedAt: at(15) }, { reachedAt: null }] });
    clock.set(30);
    expect(ladder()).toMatchObject({ current: 2, rungs: [{ reachedAt: at(0) }, { reachedAt: at(15) }, { action: 'Call the incident manager', fromMinutes: 30, toMinutes: null, reachedAt: at(30) }] });
  });
});

describe('after a restart and a sleep', () => {
  it('a new service over the same database answers the same clocks for the same now', () => {
    const first = service();
    const id = start(first);
    clock.set(7);
    first.note(id, 'Restarting the consumer');
    clock.set(22);
    const before = first.get(id).clocks;
    closers.pop()!();
    const second = service();
    expect(second.get(id).clocks).toEqual(before);
    expect(before).toMatchObject({ elapsedMs: 22 * MINUTE, escalation: { current: 1 }, response: { metAt: at(7) } });
  });

  it('after an 8-hour sleep everything is overdue and each rung was reached at its own time', () => {
    const s = service();
    const id = start(s);
    clock.set(8 * 60);
    const clocks = s.get(id).clocks;
    expect(clocks.elapsedMs).toBe(8 * 60 * MINUTE);
    expect(clocks.response).toMatchObject({ overdue: true, remainingMs: -(8 * 60 - 10) * MINUTE });
    expect(clocks.recovery).toMatchObject({ overdue: true, remainingMs: -(8 * 60 - 60) * MINUTE });
    expect(clocks.escalation.current).toBe(2);
    expect(clocks.escalation.rungs.map((r) => r.reachedAt)).toEqual([at(0), at(15), at(30)]);
  });
});

describe('resolving', () => {
  it('stops the clocks; a reopen starts them again until the next resolve', () => {
    const s = service();
    const id = start(s);
    clock.set(40);
    s.setStatus(id, 'resolved');
    clock.set(3 * 60);
    const clocks = s.get(id).clocks;
    expect(clocks).toMatchObject({ resolvedAt: at(40), elapsedMs: 40 * MINUTE, elapsed: { metAt: at(40) } });
    expect(clocks.recovery).toMatchObject({ metAt: at(40), remainingMs: 20 * MINUTE, overdue: false });
    expect(clocks.response).toMatchObject({ metAt: at(40), overdue: true });
    expect(clocks.escalation.current).toBe(2);

    s.setStatus(id, 'investigating');
    expect(s.get(id).clocks).toMatchObject({ resolvedAt: null, elapsedMs: 3 * 60 * MINUTE, recovery: { metAt: null, overdue: true } });
    clock.set(4 * 60);
    s.setStatus(id, 'resolved');
    clock.set(9 * 60);
    expect(s.get(id).clocks).toMatchObject({ resolvedAt: at(4 * 60), elapsedMs: 4 * 60 * MINUTE });
  });

  it('is a pure function of the journal and now', () => {
    const s = service();
    const id = start(s);
    const detail = s.get(id);
    const input = { openedAt: detail.incident.openedAt, journal: detail.recent, severity: detail.incident.severity, status: detail.incident.status, runbook: RUNBOOK, procedureId: 'RB-01' };
    const now = new Date(T0 + 17 * MINUTE);
    expect(incidentClocks(input, now)).toEqual(incidentClocks(input, now));
    expect(incidentClocks({ ...input, runbook: null, defaults: { P1: 5, P2: 30, P3: 240, P4: 1440 } }, now).response).toMatchObject({ minutes: 5, overdue: true });
  });
});

describe('step timers', () => {
  it("run from when the step started, go overdue, freeze when it ends; the next step's timer takes over", () => {
    const s = service();
    const id = start(s, { procedureId: 'RB-03' });
    expect(IncidentDetail.parse(s.get(id)).clocks.step).toMatchObject({ key: '2.0', id: 'step:2.0', startedAt: at(0), targetAt: at(5), remainingMs: 5 * MINUTE, overdue: false, metAt: null });
    clock.set(7);
    expect(s.get(id).clocks.step).toMatchObject({ key: '2.0', remainingMs: -2 * MINUTE, overdue: true });
    clock.set(8);
    const after = s.step(id, '2.0', 'done', null);
    expect(after.clocks.step).toMatchObject({ key: '2.1', startedAt: at(8), targetAt: at(18), remainingMs: 10 * MINUTE });
    expect(after.walkthrough!.items[0]!.clock).toMatchObject({ metAt: at(8), remainingMs: -3 * MINUTE, overdue: true });
    clock.set(30);
    expect(s.get(id).walkthrough!.items[0]!.clock).toMatchObject({ metAt: at(8), remainingMs: -3 * MINUTE });
    s.step(id, '2.1', 'skip', 'Consumer came back by itself');
    // A step without a timer: no step clock.
    expect(s.get(id).clocks.step).toBeNull();
  });

  it('are the same after a restart, and after an 8-hour sleep the running one is overdue by that much', () => {
    const first = service();
    const id = start(first, { procedureId: 'RB-03' });
    clock.set(2);
    first.step(id, '2.0', 'done', null);
    clock.set(6);
    const before = first.get(id).clocks.step;
    closers.pop()!();
    const second = service();
    expect(second.get(id).clocks.step).toEqual(before);
    clock.set(8 * 60);
    expect(second.get(id).clocks.step).toMatchObject({ key: '2.1', startedAt: at(2), overdue: true, remainingMs: -(8 * 60 - 12) * MINUTE });
  });

  it('stop when the incident is resolved', () => {
    const s = service();
    const id = start(s, { procedureId: 'RB-03' });
    clock.set(3);
    s.setStatus(id, 'resolved');
    clock.set(60);
    expect(s.get(id).clocks.step).toMatchObject({ key: '2.0', remainingMs: 2 * MINUTE, overdue: false });
  });
});
