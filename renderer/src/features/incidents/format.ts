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

/** "12 KB", "3.4 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : null);
const status = (v: unknown): string => {
  const s = text(v);
  return s && s in statusLabels ? statusLabels[s as IncidentStatus] : (s ?? '?');
};
const withNote = (line: string, note: unknown) => (text(note) ? `${line}: ${text(note)}` : line);
const step = (d: Record<string, unknown>) => `“${text(d.title) ?? text(d.key) ?? 'a step'}”`;
const shown = (v: unknown): string => (v === null || v === undefined || v === '' ? 'none' : Array.isArray(v) ? v.join(', ') || 'none' : (text(v) ?? JSON.stringify(v)));
const minutes = (from: unknown, to: unknown) => `${text(from) ?? '?'}${text(to) ? `-${text(to)}` : '+'} min`;

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
    case 'correction':
      return `Correction of #${text(d.ofSeq) ?? '?'}: ${text(d.text) ?? ''}`;
    case 'status':
      return `Status ${status(d.from)} → ${status(d.to)}`;
    case 'severity':
      return `Severity ${text(d.from) ?? '?'} → ${text(d.to) ?? '?'}`;
    case 'details': {
      const changes = d.changes && typeof d.changes === 'object' ? Object.entries(d.changes as Record<string, { from?: unknown; to?: unknown }>) : [];
      if (changes.length === 0) return 'Details changed';
      return `Details: ${changes.map(([field, c]) => `${field} ${shown(c?.from)} → ${shown(c?.to)}`).join('; ')}`;
    }
    case 'alert-attached':
      return `Alert attached: ${text(d.name) ?? text(d.alertId) ?? 'an alert'}${text(d.sourceName) ? ` (from ${text(d.sourceName)})` : ''}`;
    case 'alert-fired':
      return `Alert fired again: ${text(d.name) ?? text(d.alertId) ?? 'an alert'}`;
    case 'alert-resolved':
      return `Alert resolved: ${text(d.name) ?? text(d.alertId) ?? 'an alert'}`;
    case 'runbook-attached': {
      const title = text(d.runbookTitle) ?? text(d.runbookId) ?? 'a runbook';
      const procedure = text(d.procedureId);
      if (!procedure) return `Runbook attached: ${title}`;
      return `Runbook attached: ${procedure} · ${text(d.procedureTitle) ?? title}${text(d.procedureTitle) ? ` in ${title}` : ''}`;
    }
    case 'step-started':
      return `Started ${step(d)}`;
    case 'step-done':
      return withNote(`Done ${step(d)}`, d.note);
    case 'step-skipped':
      return withNote(`Skipped ${step(d)}`, d.note);
    case 'step-failed':
      return withNote(`Failed ${step(d)}`, d.note);
    case 'step-reopened':
      return withNote(`Reopened ${step(d)}`, d.note);
    case 'path-chosen':
      return withNote(`Path chosen: ${step(d)}`, d.note);
    case 'command-sent':
      return `Sent${text(d.terminalTitle) ? ` to ${text(d.terminalTitle)}` : ''}${text(d.environmentName) ? ` (${text(d.environmentName)})` : ''}: ${text(d.command) ?? ''}`;
    case 'output-captured': {
      const code = typeof d.exitCode === 'number' ? `exit ${d.exitCode}` : d.interrupted === true ? 'interrupted' : 'no exit code';
      return `Output captured (${code}${d.truncated === true ? ', trimmed' : ''})`;
    }
    case 'escalation-reached':
      return `Escalation ${minutes(d.fromMinutes, d.toMinutes)}: ${text(d.action) ?? 'escalate'}`;
    case 'clock-overdue':
      return `Overdue: ${text(d.label) ?? text(d.clockId) ?? 'a clock'}`;
    case 'attachment':
      return `Attached ${text(d.name) ?? 'a file'}${typeof d.size === 'number' ? ` (${fileSize(d.size)})` : ''}${text(d.caption) ? `: ${text(d.caption)}` : ''}`;
    case 'journal-damaged':
      return `${text(d.keptAside) ?? 'Some'} events after #${text(d.lastGoodSeq) ?? '?'} were damaged and kept aside${text(d.reason) ? ` (${text(d.reason)})` : ''}`;
  }
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

