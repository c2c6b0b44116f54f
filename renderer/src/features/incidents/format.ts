import type { IncidentStatus, JournalKind } from '@shared/contract';
import { age } from '../alerts/format';

// One wording for the timeline and the reports.
export { describeEvent, fileSize } from '@shared/journal-text';

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
  correction: 'correction',
  status: 'status',
  severity: 'severity',
  details: 'details',
  'alert-attached': 'alert',
  'alert-fired': 'alert',
  'alert-resolved': 'alert',
  'runbook-attached': 'runbook',
  'step-started': 'step',
  'step-done': 'done',
  'step-skipped': 'skipped',
  'step-failed': 'failed',
  'step-reopened': 'reopened',
  'path-chosen': 'path',
  'command-sent': 'command',
  'output-captured': 'output',
  'escalation-reached': 'escalation',
  'clock-overdue': 'overdue',
  attachment: 'file',
  'journal-damaged': 'damaged',
};

/** The timeline's filter chips: each groups the kinds an operator thinks of together. */
export const kindGroups: readonly { id: string; label: string; kinds: readonly JournalKind[] }[] = [
  { id: 'notes', label: 'Notes', kinds: ['note', 'correction'] },
  { id: 'steps', label: 'Steps', kinds: ['step-started', 'step-done', 'step-skipped', 'step-failed', 'step-reopened', 'path-chosen', 'runbook-attached'] },
  { id: 'commands', label: 'Commands & output', kinds: ['command-sent', 'output-captured'] },
  { id: 'alerts', label: 'Alerts', kinds: ['alert-attached', 'alert-fired', 'alert-resolved'] },
  { id: 'clocks', label: 'Clocks', kinds: ['escalation-reached', 'clock-overdue'] },
  { id: 'changes', label: 'Status, severity, details', kinds: ['opened', 'status', 'severity', 'details', 'journal-damaged'] },
  { id: 'attachments', label: 'Attachments', kinds: ['attachment'] },
];

/** "just now", "4 min ago", "3 h ago". */
export function ago(iso: string, now: number): string {
  const a = age(iso, now);
  return a === 'just now' || a === '' ? a : `${a} ago`;
}

export function exactTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** Time since the incident opened, as the timeline shows it: "+0:42", "+12:03", "+1:02:09". */
export function sinceOpened(iso: string, openedAt: string): string {
  const ms = Date.parse(iso) - Date.parse(openedAt);
  if (!Number.isFinite(ms)) return '';
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `+${h}:${String(m).padStart(2, '0')}:${s}` : `+${m}:${s}`;
}

/** Drops fenced blocks (``` or ~~~), with their indentation, from Markdown. */
export function withoutFences(text: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1]!.startsWith(fence)) fence = null;
      continue;
    }
    if (m) {
      fence = m[1]!;
      continue;
    }
    out.push(line.replace(/\*\*([^*]+)\*\*/g, '$1').replace(/^\s*\d+\.\s+/, ''));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

