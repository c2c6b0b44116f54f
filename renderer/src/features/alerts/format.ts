import type { Alert, AlertSourceKind, Severity } from '@shared/contract';

export const severities: readonly Severity[] = ['P1', 'P2', 'P3', 'P4'];

export const severityLabels: Record<Severity, string> = {
  P1: 'P1 · critical',
  P2: 'P2 · high',
  P3: 'P3 · warning',
  P4: 'P4 · info',
};

/** Lower is more urgent: P1 → 0. */
export const severityRank = (s: Severity): number => severities.indexOf(s);

export const sourceKindLabels: Record<AlertSourceKind, string> = {
  alertmanager: 'Alertmanager',
  'alertmanager-webhook': 'Alertmanager webhook',
  'prometheus-rule': 'Prometheus rule',
  'http-health': 'HTTP health check',
  statuspage: 'Status page',
  'json-webhook': 'JSON webhook',
};

/** "just now", "4 min", "3 h", "2 d": short enough for a row; the exact time goes in its title. */
export function age(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** In the future: "in 12 s", "in 3 min". */
export function until(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((t - now) / 1000);
  if (s <= 0) return 'due now';
  if (s < 90) return `in ${s} s`;
  return `in ${Math.round(s / 60)} min`;
}

export function exactTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** What the filter box matches: name, summary, labels (`key=value`), source and environment. */
export function matchesFilter(alert: Alert, words: readonly string[], environmentName: string): boolean {
  if (words.length === 0) return true;
  const hay = [
    alert.name,
    alert.summary,
    alert.sourceName,
    environmentName,
    alert.severity,
    alert.state,
    ...Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`),
  ]
    .join('\n')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

export const filterWords = (filter: string): string[] => filter.toLowerCase().split(/\s+/).filter(Boolean);

/** "17:04", for "since …" on today's events. */
export function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
