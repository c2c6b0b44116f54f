import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '@shared/contract';
import { FADE_MS, feedRows } from '../../renderer/src/features/alerts/feedRows';
import { createAlertNotifier, inQuietHours, type NotificationSettings } from '../../renderer/src/features/alerts/notifyPolicy';

const now = Date.parse('2026-11-25T12:00:00Z');
let n = 0;
function alert(over: Partial<Alert> = {}): Alert {
  n++;
  return {
    id: `a${n}`,
    sourceId: 's1',
    sourceName: 'Alertmanager',
    sourceKind: 'alertmanager',
    environmentId: null,
    fingerprint: `fp${n}`,
    name: `Alert${n}`,
    summary: '',
    labels: {},
    severity: 'P3',
    state: 'firing',
    startsAt: new Date(now - n * 60_000).toISOString(),
    endsAt: null,
    lastSeenAt: new Date(now).toISOString(),
    url: null,
    silenceId: null,
    acknowledgedAt: null,
    stale: false,
    runbook: null,
    ...over,
  };
}
const view = (alerts: Alert[], over: Partial<Parameters<typeof feedRows>[0]> = {}) =>
  feedRows({ alerts, history: [], environments: [], grouping: { by: 'severity' }, filter: '', now, historyOpen: false, ...over });
const shape = (rows: ReturnType<typeof feedRows>['rows']) => rows.map((r) => (r.type === 'group' ? `# ${r.label} (${r.count})` : r.alert.name));

describe('the alert feed view', () => {
  it('groups by severity, most urgent first, firing before handled inside a group', () => {
    const rows = view([
      alert({ name: 'disk', severity: 'P3' }),
      alert({ name: 'silenced-queue', severity: 'P1', state: 'silenced' }),
      alert({ name: 'queue', severity: 'P1' }),
    ]).rows;
    expect(shape(rows)).toEqual(['# P1 · critical (2)', 'queue', 'silenced-queue', '# P3 · warning (1)', 'disk']);
  });

  it('groups by a label, alerts without it last', () => {
    const rows = view([alert({ name: 'a', labels: { team: 'payments' } }), alert({ name: 'b' }), alert({ name: 'c', labels: { team: 'core' } })], {
      grouping: { by: 'label', label: 'team' },
    }).rows;
    expect(shape(rows)).toEqual(['# team=core (1)', 'c', '# team=payments (1)', 'a', '# No team label (1)', 'b']);
  });

  it('filters on every word, across name, summary and labels', () => {
    const alerts = [alert({ name: 'QueueBacklog', labels: { queue: 'billing' } }), alert({ name: 'QueueBacklog', labels: { queue: 'search' } }), alert({ name: 'Disk', summary: 'billing db' })];
    expect(view(alerts, { filter: 'queue=billing' }).shown).toBe(1);
    expect(view(alerts, { filter: 'billing' }).shown).toBe(2);
    expect(view(alerts, { filter: 'backlog search' }).shown).toBe(1);
  });

  it('keeps a just-resolved alert in place, faded, then moves it to History', () => {
    const fresh = alert({ name: 'fresh', state: 'resolved', endsAt: new Date(now - 1_000).toISOString() });
    const old = alert({ name: 'old', state: 'resolved', endsAt: new Date(now - FADE_MS - 1_000).toISOString() });
    const { rows, historyCount } = view([alert({ name: 'live' })], { history: [fresh, old] });
    expect(shape(rows)).toEqual(['# P3 · warning (2)', 'live', 'fresh', '# History (1)']);
    expect(rows.find((r) => r.type === 'alert' && r.alert.name === 'fresh')).toMatchObject({ fading: true });
    expect(historyCount).toBe(1);
    expect(shape(view([], { history: [old], historyOpen: true }).rows)).toEqual(['# History (1)', 'old']);
  });

  it('builds 5,000 rows in well under a frame budget per keystroke', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => alert({ severity: (['P1', 'P2', 'P3', 'P4'] as const)[i % 4], labels: { shard: String(i % 50) } }));
    const started = performance.now();
    for (let i = 0; i < 10; i++) view(many, { filter: `shard=${i}` });
    expect((performance.now() - started) / 10).toBeLessThan(50);
  });
});

describe('alert notifications', () => {
  const settings = (quietFrom: string, quietTo: string): NotificationSettings => ({ enabled: true, minSeverity: 'P2', quietFrom, quietTo });
  const at = (hh: number, mm: number) => new Date(2026, 10, 25, hh, mm);

  it('knows quiet hours, across midnight too', () => {
    expect(inQuietHours(settings('22:00', '07:00'), at(23, 30))).toBe(true);
    expect(inQuietHours(settings('22:00', '07:00'), at(6, 59))).toBe(true);
    expect(inQuietHours(settings('22:00', '07:00'), at(7, 0))).toBe(false);
    expect(inQuietHours(settings('12:00', '13:00'), at(12, 30))).toBe(true);
    expect(inQuietHours(settings('', ''), at(12, 30))).toBe(false);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes one notification for a burst, only for alerts new since the first list, at or above the severity', () => {
    vi.useFakeTimers();
    const shown: { title: string; body: string; alertId: string }[] = [];
    const notifier = createAlertNotifier({ settings: () => settings('', ''), allowed: () => true, show: (notice) => shown.push(notice) });
    const already = alert({ name: 'Already', severity: 'P1' });
    notifier.observe([already]); // the baseline: nothing is announced
    vi.advanceTimersByTime(5_000);
    expect(shown).toEqual([]);
    const queue = alert({ name: 'Queue', severity: 'P1' });
    notifier.observe([already, queue]);
    notifier.observe([already, alert({ name: 'Worker', severity: 'P2' }), alert({ name: 'Info', severity: 'P4' })]);
    vi.advanceTimersByTime(5_000);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toBe('2 alerts firing');
    expect(shown[0]!.body).toBe('P1 Queue\nP2 Worker');
    expect(shown[0]!.alertId).toBe(queue.id); // a click opens the most urgent one
  });
});
