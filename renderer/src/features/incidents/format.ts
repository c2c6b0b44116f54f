import type { IncidentStatus, JournalEvent, JournalKind } from '@shared/contract';
import { age } from '../alerts/format';

export const statuses: readonly IncidentStatus[] = ['investigating', 'identified', 'mitigating', 'monitoring', 'resolved'];

export const statusLabels: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  mitigating: 'Mitigating',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

export const kindLabels: Record<JournalKind, string> = {
  opened: 'opened',
  note: 'note',
  status: 'status',
  severity: 'severity',
  'alert-attached': 'alert',
  'runbook-attached': 'runbook',
};

/** "just now", "4 min ago", "3 h ago". */
export function ago(iso: string, now: number): string {
  const a = age(iso, now);
  return a === 'just now' || a === '' ? a : `${a} ago`;
}

export function exactTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : null);
const status = (v: unknown): string => {
  const s = text(v);
  return s && s in statusLabels ? statusLabels[s as IncidentStatus] : (s ?? '?');
};

/** What a journal event says, in a line; fields it does not know are left out, never guessed. */
export function describeEvent(event: JournalEvent): string {
  const d = event.data;
  switch (event.kind) {
    case 'opened': {
      const title = text(d.title);
      const severity = text(d.severity);
      return `Incident opened${severity ? ` at ${severity}` : ''}${title ? `: ${title}` : ''}`;
    }
    case 'note':
      return text(d.text) ?? '';
    case 'status':
      return `Status ${status(d.from)} → ${status(d.to)}`;
    case 'severity':
      return `Severity ${text(d.from) ?? '?'} → ${text(d.to) ?? '?'}`;
    case 'alert-attached':
      return `Alert attached: ${text(d.name) ?? text(d.alertId) ?? 'an alert'}${text(d.sourceName) ? ` (from ${text(d.sourceName)})` : ''}`;
    case 'runbook-attached': {
      const title = text(d.runbookTitle) ?? text(d.runbookId) ?? 'a runbook';
      const procedure = text(d.procedureId);
      if (!procedure) return `Runbook attached: ${title}`;
      return `Runbook attached: ${procedure} · ${text(d.procedureTitle) ?? title}${text(d.procedureTitle) ? ` in ${title}` : ''}`;
    }
  }
}
