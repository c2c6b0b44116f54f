/**
 * The incident report's model: a pure function of what the core already has (the incident with
 * its clocks, the whole journal, the runbooks it used), already redacted (redact.ts), so every
 * format renders the same facts. Nothing here reads a store or the clock.
 *
 * Transcripts are not read: what a command sent and printed is in the journal (command-sent,
 * output-captured), trimmed and redacted as it was journaled. Alerts likewise come from the
 * journal's alert events, so a report still names an alert the feed has since dropped.
 */
import type { BundleEvent, IncidentClocks, IncidentSummary, JournalEvent, RedactionSummary, RunbookDetail, Walkthrough } from '../../../shared/contract';
import { canonicalJson } from '../incidents/journal';
import { describeEvent } from '../../../shared/journal-text';
import type { ExportRedactor } from './redact';

/** What a report is built from, as the core has it (not yet redacted). */
export interface ReportSource {
  incident: IncidentSummary;
  clocks: IncidentClocks;
  walkthrough: Walkthrough | null;
  /** The whole journal, in seq order. */
  journal: JournalEvent[];
  /** The runbooks the incident used (attached at any time), those the library still has. */
  runbooks: RunbookDetail[];
}

/** The same, after export redaction: events whose data it changed are marked `redacted`. */
export interface RedactedSource extends ReportSource {
  journal: BundleEvent[];
  redactions: RedactionSummary;
}

/**
 * Redacts everything a report or bundle can show, once, counting by kind. The walkthrough is
 * redacted without counting: its text comes from the runbooks and its notes from the journal,
 * which are counted already, so a secret is counted once where it was written.
 */
export function redactSource(source: ReportSource, redactor: ExportRedactor): RedactedSource {
  const incident = redactor.deep(source.incident);
  const journal = source.journal.map((e): BundleEvent => {
    const data = redactor.deep(e.data);
    return canonicalJson(data) === canonicalJson(e.data) ? e : { ...e, data, redacted: true };
  });
  const runbooks = source.runbooks.map((r) => ({ ...r, sourceText: redactor.text(r.sourceText), summary: redactor.deep(r.summary) }));
  const walkthrough = redactor.deep(source.walkthrough, false);
  return { incident, clocks: source.clocks, walkthrough, journal, runbooks, redactions: redactor.summary() };
}

export interface ReportDuration {
  id: 'acknowledge' | 'recover' | 'elapsed';
  label: string;
  /** Milliseconds; null while it has not happened. */
  ms: number | null;
  targetMinutes: number | null;
  /** Whether the target was met; null with no target, or while it is still running and not overdue. */
  met: boolean | null;
}

export interface ReportStep {
  key: string;
  title: string;
  state: 'done' | 'skipped' | 'failed';
  note: string | null;
  at: string;
}

export interface ReportCommand {
  at: string;
  step: string | null;
  command: string;
  terminal: string | null;
  environment: string | null;
  exitCode: number | null;
  output: string | null;
  truncated: boolean;
  interrupted: boolean;
}

export interface ReportAlert {
  name: string;
  severity: string | null;
  source: string | null;
  summary: string | null;
  attachedAt: string;
  /** The last thing the journal says of it: attached, fired again, resolved. */
  lastState: 'attached' | 'firing' | 'resolved';
}

export interface ReportNote {
  seq: number;
  at: string;
  text: string;
  /** A correction, and the event it corrects. */
  corrects: number | null;
}

export interface IncidentReport {
  incident: IncidentSummary;
  environment: string | null;
  impact: { from: string; to: string | null };
  durations: ReportDuration[];
  escalation: { reached: number; rungs: { fromMinutes: number; toMinutes: number | null; action: string; reachedAt: string | null }[] };
  timeline: { seq: number; at: string; kind: string; line: string }[];
  steps: ReportStep[];
  commands: ReportCommand[];
  alerts: ReportAlert[];
  notes: ReportNote[];
  followUps: string[];
  rootCause: string[];
  lessons: string[];
  runbooks: { title: string; sourcePath: string; sha256: string }[];
  redactions: RedactionSummary;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

/** Note prefixes that make the rest of the note a follow-up (case does not matter). */
export const FOLLOW_UP_PREFIXES = ['TODO:', 'Follow-up:', 'Followup:', 'Action:'] as const;
const FOLLOW_UP = /^\s*(?:TODO|Follow-?up|Action)\s*:\s*/i;
const CHECKBOX = /^\s*[-*] \[ \]\s+(.+)$/;
const ROOT_CAUSE = /^\s*Root cause\s*:\s*/i;
const LESSON = /^\s*Lessons?(?: learned)?\s*:\s*/i;

/**
 * Follow-ups, in journal order:
 * - a note (or correction) that starts with "TODO:", "Follow-up:" or "Action:": the rest of it;
 * - every line of a note that is an open checkbox ("- [ ] ..."): its text;
 * - every step whose last outcome is failed: "Failed step “title”", with its note.
 */
export function followUpsOf(notes: readonly ReportNote[], steps: readonly ReportStep[]): string[] {
  const out: string[] = [];
  for (const n of notes) {
    if (FOLLOW_UP.test(n.text)) out.push(n.text.replace(FOLLOW_UP, '').trim());
    for (const line of n.text.split('\n')) {
      const m = CHECKBOX.exec(line);
      if (m) out.push(m[1]!.trim());
    }
  }
  for (const s of steps) if (s.state === 'failed') out.push(`Failed step “${s.title}”${s.note ? `: ${s.note}` : ''}`);
  return out.filter(Boolean);
}

/** The report's model from a redacted source. */
export function buildReport(source: RedactedSource): IncidentReport {
  const { incident, clocks, journal } = source;
  const opened = journal.find((e) => e.kind === 'opened');
  const environment = str(opened?.data.environmentName) ?? null;

  const since = (iso: string | null) => (iso === null ? null : Date.parse(iso) - Date.parse(incident.openedAt));
  const metOf = (clock: { targetAt: string | null; metAt: string | null; overdue: boolean }) =>
    clock.targetAt === null ? null : clock.metAt !== null ? !clock.overdue : clock.overdue ? false : null;
  const durations: ReportDuration[] = [
    { id: 'acknowledge', label: 'Time to acknowledge', ms: since(clocks.response.metAt), targetMinutes: clocks.response.minutes, met: metOf(clocks.response) },
    { id: 'recover', label: 'Time to recover', ms: since(clocks.resolvedAt), targetMinutes: clocks.recovery.minutes, met: metOf(clocks.recovery) },
    { id: 'elapsed', label: incident.resolvedAt ? 'Duration' : 'Elapsed so far', ms: clocks.elapsedMs, targetMinutes: null, met: null },
  ];

  // Steps: the last outcome of each step (a reopen clears it), in the order they were last settled.
  const settled = new Map<string, ReportStep>();
  for (const e of journal) {
    const key = str(e.data.key);
    if (!key) continue;
    if (e.kind === 'step-reopened') settled.delete(key);
    else if (e.kind === 'step-done' || e.kind === 'step-skipped' || e.kind === 'step-failed') {
      const state = e.kind === 'step-done' ? 'done' : e.kind === 'step-skipped' ? 'skipped' : 'failed';
      settled.delete(key);
      settled.set(key, { key, title: str(e.data.title) ?? key, state, note: str(e.data.note), at: e.at });
    }
  }
  const steps = [...settled.values()];

  const outputs = new Map(journal.filter((e) => e.kind === 'output-captured').map((e) => [str(e.data.transcriptId) ?? '', e]));
  const stepTitle = (key: string | null) => (key ? (settled.get(key)?.title ?? key) : null);
  const commands: ReportCommand[] = journal
    .filter((e) => e.kind === 'command-sent')
    .map((e) => {
      const out = outputs.get(str(e.data.transcriptId) ?? '\0');
      return {
        at: e.at,
        step: stepTitle(str(e.data.key)),
        command: str(e.data.command) ?? '',
        terminal: str(e.data.terminalTitle),
        environment: str(e.data.environmentName),
        exitCode: typeof out?.data.exitCode === 'number' ? out.data.exitCode : null,
        output: out ? (typeof out.data.output === 'string' ? out.data.output : '') : null,
        truncated: out?.data.truncated === true,
        interrupted: out?.data.interrupted === true,
      };
    });

  const alerts = new Map<string, ReportAlert>();
  for (const e of journal) {
    const id = str(e.data.alertId);
    if (!id) continue;
    if (e.kind === 'alert-attached') {
      alerts.set(id, { name: str(e.data.name) ?? id, severity: str(e.data.severity), source: str(e.data.sourceName), summary: str(e.data.summary), attachedAt: e.at, lastState: 'attached' });
    } else if ((e.kind === 'alert-fired' || e.kind === 'alert-resolved') && alerts.has(id)) {
      alerts.get(id)!.lastState = e.kind === 'alert-fired' ? 'firing' : 'resolved';
    }
  }

  const notes: ReportNote[] = journal
    .filter((e) => e.kind === 'note' || e.kind === 'correction')
    .map((e) => ({ seq: e.seq, at: e.at, text: str(e.data.text) ?? '', corrects: e.kind === 'correction' && typeof e.data.ofSeq === 'number' ? e.data.ofSeq : null }));
  const prefixed = (re: RegExp) => notes.filter((n) => re.test(n.text)).map((n) => n.text.replace(re, '').trim());

  return {
    incident,
    environment,
    impact: { from: incident.openedAt, to: incident.resolvedAt },
    durations,
    escalation: { reached: clocks.escalation.current === null ? 0 : clocks.escalation.current + 1, rungs: clocks.escalation.rungs },
    timeline: journal.map((e) => ({ seq: e.seq, at: e.at, kind: e.kind, line: describeEvent(e) })),
    steps,
    commands,
    alerts: [...alerts.values()],
    notes,
    followUps: followUpsOf(notes, steps),
    rootCause: prefixed(ROOT_CAUSE),
    lessons: prefixed(LESSON),
    runbooks: source.runbooks.map((r) => ({ title: r.summary.title, sourcePath: r.summary.sourcePath, sha256: r.summary.sha256 })),
    redactions: source.redactions,
  };
}
