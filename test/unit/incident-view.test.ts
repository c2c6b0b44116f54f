import { describe, expect, it } from 'vitest';
import { JournalKind, type JournalEvent } from '@shared/contract';
import { liveClockEvents } from '../../renderer/src/features/incidents/clockNotices';
import { describeEvent, kindGroups, sinceOpened, withoutFences } from '../../renderer/src/features/incidents/format';

let seq = 0;
function event(kind: JournalEvent['kind'], data: Record<string, unknown> = {}): JournalEvent {
  seq++;
  return { id: `e${seq}`, incidentId: 'i1', seq, kind, at: new Date(Date.parse('2026-11-25T12:00:00Z') + seq * 1000).toISOString(), deviceId: 'd', data, prevHash: '', hash: '' };
}

describe('clock notices', () => {
  it('notify only for clock events that arrive live, each once', () => {
    const old = [event('opened'), event('escalation-reached', { action: 'Page the on-call lead' })];
    // First load: the old escalation is shown, not notified.
    expect(liveClockEvents(null, old, new Set())).toEqual([]);
    const overdue = event('clock-overdue', { clockId: 'response', label: 'Response' });
    const note = event('note', { text: 'x' });
    const after = [...old, overdue, note];
    expect(liveClockEvents(old, after, new Set()).map((e) => e.id)).toEqual([overdue.id]);
    // Already notified (a reload, a re-render, another window): never again.
    expect(liveClockEvents(old, after, new Set([overdue.id]))).toEqual([]);
    // Reloading the same events notifies nothing.
    expect(liveClockEvents(after, after, new Set())).toEqual([]);
  });
});

describe('the timeline’s words', () => {
  it('describe every kind of event, and put every kind in one filter group', () => {
    for (const kind of JournalKind.options) expect(typeof describeEvent(event(kind))).toBe('string');
    const grouped = kindGroups.flatMap((g) => g.kinds);
    expect([...grouped].sort()).toEqual([...JournalKind.options].sort());
    expect(new Set(grouped).size).toBe(grouped.length);
  });

  it('say what a step, a path, a command and an escalation were', () => {
    expect(describeEvent(event('step-skipped', { key: '0.1', title: 'Check the consumer', note: 'no token here' }))).toBe('Skipped “Check the consumer”: no token here');
    expect(describeEvent(event('path-chosen', { groupId: 'g', key: '0.4', title: 'If the consumer fails' }))).toBe('Path chosen: “If the consumer fails”');
    expect(describeEvent(event('escalation-reached', { rung: 1, fromMinutes: 15, toMinutes: 30, action: 'Page the platform lead' }))).toBe('Escalation 15-30 min: Page the platform lead');
    expect(describeEvent(event('output-captured', { exitCode: 6, truncated: true }))).toBe('Output captured (exit 6, trimmed)');
    expect(describeEvent(event('journal-damaged', { keptAside: 3, lastGoodSeq: 41 }))).toBe('3 events after #41 were damaged and kept aside');
  });

  it('time events from the incident’s opening', () => {
    const opened = '2026-11-25T12:00:00.000Z';
    expect(sinceOpened('2026-11-25T12:12:03.000Z', opened)).toBe('+12:03');
    expect(sinceOpened('2026-11-25T13:02:09.500Z', opened)).toBe('+1:02:09');
  });
});

describe('a step’s text', () => {
  it('leaves fenced code out (the commands are shown with their Run buttons)', () => {
    const text = 'Check the agents:\n   ```bash\n   curl https://agent.internal/health\n   ```\nThen **look** at the queue.';
    expect(withoutFences(text)).toBe('Check the agents:\nThen look at the queue.');
  });
});
