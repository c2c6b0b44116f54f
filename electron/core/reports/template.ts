/**
 * The report template: Markdown with `{{placeholders}}`, filled from the report's model. The default
 * follows the "Incident Report Template" of the team's runbooks (Summary with Duration, Impact and
 * Severity; Timeline; Root Cause; Resolution; Lessons Learned; Action Items), filled in.
 *
 * Free text (titles, notes, step notes, alert names) is inserted Markdown-escaped: a note can not
 * open a heading, a link, an image or an HTML block; it shows as the text it is. Commands and their
 * output go in fenced blocks longer than any fence inside them.
 */
import { ApiError, type ReportTemplate } from '../../../shared/contract';
import type { IncidentReport, ReportDuration } from './model';

/** Every placeholder, with what it becomes (shown in the template editor). */
export const PLACEHOLDERS: readonly { name: string; description: string }[] = [
  { name: 'title', description: 'The incident title' },
  { name: 'date', description: 'The day the incident opened (YYYY-MM-DD, UTC)' },
  { name: 'severity', description: 'Its severity, P1 to P4' },
  { name: 'status', description: 'Its status (Investigating ... Resolved)' },
  { name: 'environment', description: 'The environment it happened in' },
  { name: 'commander', description: 'The incident commander' },
  { name: 'scribe', description: 'The scribe' },
  { name: 'tags', description: 'Its tags, comma-separated' },
  { name: 'incident_id', description: "The incident's id" },
  { name: 'impact_window', description: 'Opened → resolved (or "ongoing"), UTC' },
  { name: 'duration', description: 'How long it lasted (or has lasted so far)' },
  { name: 'impact', description: 'Notes starting "Impact:", else the impact window' },
  { name: 'durations', description: 'Time to acknowledge and to recover against their targets, and escalations reached (a list)' },
  { name: 'timeline', description: 'Every journal event: time, kind and one line (a list)' },
  { name: 'steps', description: 'Runbook steps done, skipped and failed, with their notes (a list)' },
  { name: 'commands', description: 'Commands sent, with their output as journaled (redacted, trimmed)' },
  { name: 'alerts', description: 'Alerts attached, and their last state (a list)' },
  { name: 'notes', description: 'Every note and correction, in order (a list)' },
  { name: 'root_cause', description: 'Notes starting "Root cause:"' },
  { name: 'lessons', description: 'Notes starting "Lesson:" or "Lessons learned:"' },
  { name: 'follow_ups', description: 'Notes starting "TODO:", "Follow-up:" or "Action:", "- [ ]" lines in notes, and failed steps (a checklist)' },
  { name: 'runbooks', description: 'The runbooks used, with their SHA-256 (a list)' },
  { name: 'redactions', description: 'What export redaction took out, by kind' },
];
const KNOWN = new Set(PLACEHOLDERS.map((p) => p.name));

export const DEFAULT_TEMPLATE = `# Incident Report - {{date}}: {{title}}

## Summary
- **Duration**: {{impact_window}} ({{duration}})
- **Impact**: {{impact}}
- **Severity**: {{severity}}
- **Status**: {{status}}
- **Environment**: {{environment}}
- **Commander**: {{commander}}; **Scribe**: {{scribe}}
- **Tags**: {{tags}}

### Against targets
{{durations}}

## Timeline
{{timeline}}

## Root Cause
{{root_cause}}

## Resolution
{{steps}}

### Commands
{{commands}}

## Alerts
{{alerts}}

## Notes
{{notes}}

## Lessons Learned
{{lessons}}

## Action Items
{{follow_ups}}

---
Runbooks used: {{runbooks}}

Redacted on export: {{redactions}}
`;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}/g;

/** The placeholders a template names that the renderer does not know. */
export function unknownPlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))].filter((n) => !KNOWN.has(n));
}

/** Refuses a template naming a placeholder the renderer does not fill, listing the ones it does. */
export function checkTemplate(template: string): void {
  const unknown = unknownPlaceholders(template);
  if (unknown.length === 0) return;
  throw new ApiError({
    code: 'invalid_arguments',
    message: `The template names ${unknown.map((n) => `{{${n}}}`).join(', ')}, which no report fills; the template was not saved. Known placeholders: ${PLACEHOLDERS.map((p) => p.name).join(', ')}.`,
    issues: unknown.map((n) => ({ path: 'template', message: `unknown placeholder {{${n}}}` })),
  });
}

export function templateOf(custom: string | null): ReportTemplate {
  return { template: custom ?? DEFAULT_TEMPLATE, isDefault: custom === null, placeholders: [...PLACEHOLDERS] };
}

/**
 * Free text as Markdown that renders as exactly that text: every character Markdown could read
 * as syntax is backslash-escaped, block markers at a line's start too, and lines are joined with
 * hard breaks so a multi-line note stays inside its list item and can not start a new block.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/[\\`*_{}[\]()<>#|!~&$]/g, '\\$&')
        .replace(/^([-+=])/, '\\$1')
        .replace(/^(\d+)([.)])/, '$1\\$2'),
    )
    .filter((line, i, all) => line !== '' || (i > 0 && i < all.length - 1))
    .join('\\\n');
}

/** A fenced block whose fence is longer than any run of backticks inside it. */
function fenced(text: string, indent = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const body = text.replace(/\n$/, '');
  return [`${indent}${fence}text`, ...body.split('\n').map((l) => `${indent}${l}`), `${indent}${fence}`].join('\n');
}

const utc = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
const NONE = '_None recorded._';

/** "1 h 04 min", "12 min 30 s", "45 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

function durationLine(d: ReportDuration): string {
  const value = d.ms === null ? 'not yet' : duration(d.ms);
  const target = d.targetMinutes === null ? (d.id === 'elapsed' ? '' : ', no target set') : `, target ${d.targetMinutes} min`;
  const verdict = d.met === true ? ' (met)' : d.met === false ? ' (missed)' : '';
  return `- **${d.label}**: ${value}${target}${verdict}`;
}

const list = (lines: string[]) => (lines.length ? lines.join('\n') : NONE);

/** Each placeholder's Markdown for this report. */
export function placeholderValues(report: IncidentReport): Record<string, string> {
  const i = report.incident;
  const e = escapeMarkdown;
  const notesStarting = /^\s*Impact\s*:\s*/i;
  const impactNotes = report.notes.filter((n) => notesStarting.test(n.text)).map((n) => e(n.text.replace(notesStarting, '')));
  const window = `${utc(report.impact.from)} → ${report.impact.to ? utc(report.impact.to) : 'ongoing'}`;
  const elapsed = report.durations.find((d) => d.id === 'elapsed');
  const { reached, rungs } = report.escalation;
  const escalation = rungs.length
    ? `- **Escalations reached**: ${reached} of ${rungs.length}${reached ? ` (last: ${e(rungs[reached - 1]!.action)})` : ''}`
    : '- **Escalations reached**: none (the runbook has no escalation ladder)';
  const byKind = Object.entries(report.redactions.byKind);
  return {
    title: e(i.title),
    date: i.openedAt.slice(0, 10),
    severity: i.severity,
    status: i.status[0]!.toUpperCase() + i.status.slice(1),
    environment: report.environment ? e(report.environment) : 'none',
    commander: i.commander ? e(i.commander) : 'not set',
    scribe: i.scribe ? e(i.scribe) : 'not set',
    tags: i.tags.length ? i.tags.map(e).join(', ') : 'none',
    incident_id: e(i.id),
    impact_window: window,
    duration: elapsed?.ms == null ? 'unknown' : duration(elapsed.ms),
    impact: impactNotes.length ? impactNotes.join('; ') : window,
    durations: [...report.durations.filter((d) => d.id !== 'elapsed').map(durationLine), escalation].join('\n'),
    timeline: list(report.timeline.map((t) => `- ${utc(t.at).slice(11)} · #${t.seq} · ${t.kind} · ${e(t.line)}`)),
    steps: list(report.steps.map((s) => `- **${s.state}** ${e(s.title)}${s.note ? ` (${e(s.note)})` : ''}`)),
    commands: report.commands.length
      ? report.commands
          .map((c) => {
            const where = [c.terminal, c.environment].filter(Boolean).map((x) => e(x!)).join(', ');
            const status = c.output === null ? 'no output journaled yet' : c.exitCode !== null ? `exit ${c.exitCode}` : c.interrupted ? 'interrupted' : 'no exit code';
            const head = `- ${utc(c.at).slice(11)}${c.step ? ` · step ${e(c.step)}` : ''}${where ? ` · ${where}` : ''} · ${status}${c.truncated ? ', output trimmed' : ''}`;
            const parts = [head, '', fenced(c.command, '  ')];
            if (c.output) parts.push('', fenced(c.output, '  '));
            return parts.join('\n');
          })
          .join('\n\n')
      : NONE,
    alerts: list(report.alerts.map((a) => `- ${e(a.name)}${a.severity ? ` (${e(a.severity)})` : ''}${a.source ? ` from ${e(a.source)}` : ''}: ${a.lastState}${a.summary ? ` · ${e(a.summary)}` : ''}`)),
    notes: list(report.notes.map((n) => `- ${utc(n.at).slice(11)} · #${n.seq}${n.corrects !== null ? ` (correction of #${n.corrects})` : ''} · ${e(n.text)}`)),
    root_cause: report.rootCause.length ? report.rootCause.map(e).join('\n\n') : '_Not recorded: add a note starting "Root cause:"._',
    lessons: list(report.lessons.map((l) => `- ${e(l)}`)),
    follow_ups: list(report.followUps.map((f) => `- [ ] ${e(f)}`)),
    runbooks: report.runbooks.length ? report.runbooks.map((r) => `${e(r.title)} (sha256 ${r.sha256.slice(0, 12)})`).join(', ') : 'none',
    redactions: report.redactions.total ? `${report.redactions.total} (${byKind.map(([k, n]) => `${e(k)}: ${n}`).join(', ')})` : 'nothing',
  };
}

/**
 * The template with every placeholder filled. Templates are checked when saved; a name no report
 * fills (a template saved by a newer version) is left as written rather than failing the export.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}
