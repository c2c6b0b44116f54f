/**
 * Incident clocks: elapsed time, the severity response target, the recovery-time target and the
 * escalation ladder. A pure function of the journal's timestamps, the runbook and an injected
 * `now`, so the answer is the same after a restart or a laptop sleep: nothing is counted in
 * memory, every time is derived from when things were written.
 *
 * Choices:
 * - The response target follows the incident's current severity (a change to P1 tightens the
 *   target, measured from when the incident opened), since that is what the operator is held to now.
 * - The response is met by the first operator action after `opened`: a note, a status change, a
 *   step settled or reopened, a path chosen, a command sent (OPERATOR_ACTION_KINDS). A step the
 *   walkthrough starts by itself is not one.
 * - Once met or resolved a clock stops: `remainingMs` is the margin it was met with (negative
 *   when met late) and `overdue` tells whether it was missed.
 * - Resolution is the first status change to 'resolved' after the last reopen; everything stops there.
 */
import type { IncidentClock, IncidentClocks, IncidentStatus, JournalEvent, Severity, Walkthrough } from '../../../shared/contract';
import type { ImportedRunbook } from '../../../shared/runbook';
import { findProcedure } from '../alerts/links';
import { OPERATOR_ACTION_KINDS } from './journal';

/** Response targets in minutes when the runbook has no severity table row for the severity. */
export const DEFAULT_RESPONSE_MINUTES: Record<Severity, number> = { P1: 15, P2: 30, P3: 240, P4: 1440 };

export interface IncidentClockInput {
  openedAt: string;
  /** In seq order; only `opened`, the `status` events and the first operator action are read (the service passes just those). */
  journal: JournalEvent[];
  severity: Severity;
  status: IncidentStatus;
  runbook: ImportedRunbook | null;
  procedureId: string | null;
  defaults?: Record<Severity, number>;
  /** The incident's walkthrough: the current step's own timer becomes `step`. */
  walkthrough?: Walkthrough | null;
}

const MINUTE = 60_000;
const ACTIONS = new Set(OPERATOR_ACTION_KINDS);
const WORD_SEVERITY: [RegExp, Severity][] = [
  [/\bcritical\b/i, 'P1'],
  [/\bhigh\b|\bmajor\b/i, 'P2'],
  [/\bmedium\b|\bmoderate\b/i, 'P3'],
  [/\blow\b|\bminor\b/i, 'P4'],
];

/** "P1", "SEV1", "Sev-2", "Critical (P1)", "Severity 3", "High" as P1-P4; null when it names none. */
export function severityOfLevel(level: string): Severity | null {
  const p = /\bP\s*-?\s*([1-4])\b/i.exec(level);
  if (p) return `P${p[1]}` as Severity;
  const sev = /\bSEV(?:ERITY)?\s*-?\s*([1-4])\b/i.exec(level);
  if (sev) return `P${sev[1]}` as Severity;
  return WORD_SEVERITY.find(([re]) => re.test(level))?.[1] ?? null;
}

/** When the incident was resolved: the first change to 'resolved' after the last reopen. */
export function resolvedAtOf(journal: JournalEvent[], status: IncidentStatus): string | null {
  if (status !== 'resolved') return null;
  let resolvedAt: string | null = null;
  for (const e of journal) {
    if (e.kind !== 'status') continue;
    if (e.data.to === 'resolved') resolvedAt ??= e.at;
    else resolvedAt = null;
  }
  return resolvedAt;
}

export function clockOf(id: string, label: string, startedAt: number, targetAt: number | null, metAt: number | null, end: number): IncidentClock {
  const remainingMs = targetAt === null ? null : targetAt - (metAt ?? end);
  return {
    id,
    label,
    startedAt: new Date(startedAt).toISOString(),
    targetAt: targetAt === null ? null : new Date(targetAt).toISOString(),
    metAt: metAt === null ? null : new Date(metAt).toISOString(),
    remainingMs,
    overdue: remainingMs !== null && remainingMs < 0,
  };
}

export function incidentClocks(input: IncidentClockInput, now: Date): IncidentClocks {
  const opened = Date.parse(input.openedAt);
  const resolvedAt = resolvedAtOf(input.journal, input.status);
  const resolved = resolvedAt === null ? null : Date.parse(resolvedAt);
  // Never before the incident opened (a clock set back) nor after it was resolved.
  const end = Math.max(opened, resolved ?? now.getTime());
  const elapsedMs = end - opened;

  // Response: the runbook's severity row for the current severity, else the defaults.
  const row = input.runbook?.severityLevels.find((l) => l.responseTargetMinutes !== null && severityOfLevel(l.level) === input.severity) ?? null;
  const responseMinutes = row?.responseTargetMinutes ?? (input.defaults ?? DEFAULT_RESPONSE_MINUTES)[input.severity];
  const openedSeq = input.journal.find((e) => e.kind === 'opened')?.seq ?? 0;
  const action = input.journal.find((e) => e.seq > openedSeq && ACTIONS.has(e.kind));
  const responded = action ? Date.parse(action.at) : null;

  // Recovery: the procedure's target, else the runbook's front matter default.
  const procedure = input.runbook && input.procedureId !== null ? findProcedure(input.runbook, input.procedureId) : null;
  const recoveryMinutes = procedure?.recoveryTargetMinutes ?? input.runbook?.meta?.recoveryTargetMinutes ?? null;

  const rungs = [...(input.runbook?.escalation ?? [])]
    .sort((a, b) => a.fromMinutes - b.fromMinutes)
    .map((r) => ({
      fromMinutes: r.fromMinutes,
      toMinutes: r.toMinutes,
      action: r.action,
      reachedAt: elapsedMs >= r.fromMinutes * MINUTE ? new Date(opened + r.fromMinutes * MINUTE).toISOString() : null,
    }));
  const reached = rungs.filter((r) => r.reachedAt !== null).length;

  return {
    computedAt: now.toISOString(),
    resolvedAt,
    elapsedMs,
    elapsed: clockOf('elapsed', 'Elapsed', opened, null, resolved, end),
    response: {
      ...clockOf('response', `Response target (${input.severity}, ${responseMinutes} min)`, opened, opened + responseMinutes * MINUTE, responded, end),
      minutes: responseMinutes,
      source: row ? 'runbook' : 'default',
    },
    recovery: {
      ...clockOf('recovery', recoveryMinutes === null ? 'Recovery target' : `Recovery target (${recoveryMinutes} min)`, opened, recoveryMinutes === null ? null : opened + recoveryMinutes * MINUTE, resolved, end),
      minutes: recoveryMinutes,
      source: procedure?.recoveryTargetMinutes != null ? 'procedure' : recoveryMinutes !== null ? 'runbook' : null,
    },
    step: stepOf(input.walkthrough ?? null),
    escalation: { rungs, current: reached === 0 ? null : reached - 1 },
  };
}

/** The current step's timer, when it has one. */
function stepOf(walk: Walkthrough | null): IncidentClocks['step'] {
  if (!walk || walk.current.kind !== 'step') return null;
  const key = walk.current.key;
  const clock = walk.items.find((i) => i.key === key)?.clock ?? null;
  return clock && { ...clock, key };
}
