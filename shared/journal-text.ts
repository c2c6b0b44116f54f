/**
 * A journal event in one line of plain text: the incident page's timeline and the reports say it
 * the same way. Fields an event does not have are left out, never guessed.
 */
import type { JournalEvent } from './contract';

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : null);
const STATUS: Record<string, string> = { investigating: 'Investigating', identified: 'Identified', mitigating: 'Mitigating', monitoring: 'Monitoring', resolved: 'Resolved' };
const status = (v: unknown): string => {
  const s = text(v);
  return s ? (STATUS[s] ?? s) : '?';
};
const withNote = (line: string, note: unknown) => (text(note) ? `${line}: ${text(note)}` : line);
const step = (d: Record<string, unknown>) => `“${text(d.title) ?? text(d.key) ?? 'a step'}”`;
const shown = (v: unknown): string => (v === null || v === undefined || v === '' ? 'none' : Array.isArray(v) ? v.join(', ') || 'none' : (text(v) ?? JSON.stringify(v)));
const minutes = (from: unknown, to: unknown) => `${text(from) ?? '?'}${text(to) ? `-${text(to)}` : '+'} min`;

/** "12 KB", "3.4 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What a journal event says, in a line. */
export function describeEvent(event: Pick<JournalEvent, 'kind' | 'data'>): string {
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
