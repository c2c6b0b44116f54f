/**
 * The shift hand-off: every open incident on one page, for the next operator. For each: title,
 * severity, status, environment, the step the walkthrough is on, the clocks (elapsed, response,
 * recovery, escalation rung) and the last three notes. Redacted like a report (redact.ts); the
 * JSON form is the list of these summaries, not bundles.
 */
import type { IncidentClocks, IncidentSummary, JournalEvent, Walkthrough } from '../../../shared/contract';
import type { ExportRedactor } from './redact';
import { duration, escapeMarkdown } from './template';

/** What the hand-off says of one open incident. */
export interface HandoffEntry {
  id: string;
  title: string;
  severity: string;
  status: string;
  environment: string | null;
  commander: string | null;
  openedAt: string;
  /** The step the walkthrough is on, "choose a path", "finished", or null with no runbook. */
  currentStep: string | null;
  clocks: {
    elapsedMs: number;
    response: { targetMinutes: number; metAt: string | null; remainingMs: number | null; overdue: boolean };
    recovery: { targetMinutes: number | null; remainingMs: number | null; overdue: boolean };
    escalation: { rung: number | null; of: number; action: string | null };
  };
  lastNotes: { at: string; text: string }[];
}

export interface HandoffSource {
  incident: IncidentSummary;
  clocks: IncidentClocks;
  walkthrough: Walkthrough | null;
  /** Its `opened` event (for the environment's name) and its notes, in seq order. */
  opened: JournalEvent | null;
  notes: JournalEvent[];
}

function currentStep(walk: Walkthrough | null): string | null {
  if (!walk) return null;
  const c = walk.current;
  if (c.kind === 'finished') return 'finished';
  if (c.kind === 'choose') return `choose a path: ${walk.groups.find((g) => g.id === c.groupId)?.title ?? c.groupId}`;
  return walk.items.find((i) => i.key === c.key)?.title ?? c.key;
}

/** One incident's hand-off entry, redacted (and counted) by `redactor`. */
export function handoffEntry(source: HandoffSource, redactor: ExportRedactor): HandoffEntry {
  const { incident, clocks } = source;
  const rung = clocks.escalation.current;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
  const entry: HandoffEntry = {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    environment: str(source.opened?.data.environmentName),
    commander: incident.commander,
    openedAt: incident.openedAt,
    currentStep: currentStep(source.walkthrough),
    clocks: {
      elapsedMs: clocks.elapsedMs,
      response: { targetMinutes: clocks.response.minutes, metAt: clocks.response.metAt, remainingMs: clocks.response.remainingMs, overdue: clocks.response.overdue },
      recovery: { targetMinutes: clocks.recovery.minutes, remainingMs: clocks.recovery.remainingMs, overdue: clocks.recovery.overdue },
      escalation: { rung: rung === null ? null : rung + 1, of: clocks.escalation.rungs.length, action: rung === null ? null : (clocks.escalation.rungs[rung]?.action ?? null) },
    },
    lastNotes: source.notes.slice(-3).map((n) => ({ at: n.at, text: str(n.data.text) ?? '' })),
  };
  return redactor.deep(entry);
}

const utc = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');

function remaining(ms: number | null, overdue: boolean): string {
  if (ms === null) return 'no target';
  return overdue ? `overdue by ${duration(-ms)}` : `${duration(ms)} left`;
}

/** The hand-off as Markdown (free text escaped like a report's). */
export function handoffMarkdown(entries: readonly HandoffEntry[], generatedAt: string): string {
  const e = escapeMarkdown;
  const out = [`# Shift hand-off - ${utc(generatedAt)}`, '', entries.length ? `${entries.length} open incident(s).` : '_No open incidents._'];
  for (const x of entries) {
    const c = x.clocks;
    out.push(
      '',
      `## ${x.severity} · ${e(x.title)}`,
      '',
      `- **Status**: ${x.status}`,
      `- **Environment**: ${x.environment ? e(x.environment) : 'none'}`,
      `- **Commander**: ${x.commander ? e(x.commander) : 'not set'}`,
      `- **Opened**: ${utc(x.openedAt)} (${duration(c.elapsedMs)} ago)`,
      `- **Current step**: ${x.currentStep ? e(x.currentStep) : 'no runbook attached'}`,
      `- **Response** (${c.response.targetMinutes} min): ${c.response.metAt ? `met at ${utc(c.response.metAt)}` : remaining(c.response.remainingMs, c.response.overdue)}`,
      `- **Recovery**${c.recovery.targetMinutes === null ? '' : ` (${c.recovery.targetMinutes} min)`}: ${remaining(c.recovery.remainingMs, c.recovery.overdue)}`,
      `- **Escalation**: ${c.escalation.rung === null ? (c.escalation.of ? `no rung reached (of ${c.escalation.of})` : 'no ladder') : `rung ${c.escalation.rung} of ${c.escalation.of}${c.escalation.action ? `: ${e(c.escalation.action)}` : ''}`}`,
      '',
      '### Last notes',
      '',
      ...(x.lastNotes.length ? x.lastNotes.map((n) => `- ${utc(n.at).slice(11)} · ${e(n.text)}`) : ['_None._']),
    );
  }
  return out.join('\n') + '\n';
}
