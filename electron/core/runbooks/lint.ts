/**
 * The runbook linter: an ImportedRunbook in, findings out (pure, like the importer). Used by
 * `watchfloor lint` (a team's CI) and the runbook page's lint panel. Rules, with their ids:
 *   step-without-command         warning  a step of an actionable section with nothing to run
 *   undefined-placeholder        warning  a parameter neither known to the caller nor in `variables:`
 *   missing-recovery-target      warning  a procedure with no recovery-time target
 *   destructive-without-confirm  error    a destructive command (importer's list) without `confirm`
 *   broken-alert-link            error    an alert rule naming a runbook id no heading defines
 *   empty-runbook                error    nothing to do: no steps and no commands
 */
import type { LintFinding } from '../../../shared/contract';
import type { Command, ImportedRunbook } from '../../../shared/runbook';
import { destructiveLine } from './importer';

export interface LintOptions {
  /** Variable and secret names the environment provides: placeholders with these names are defined. */
  knownVariables?: string[];
}

/** Sections that describe rather than instruct: their steps are observations, not actions. */
const PROSE_SECTIONS =
  /\b(symptoms?|signals?|signs?|impact|prevention|root\s+cause|background|overview|context|notes?|escalation|communication|contacts?|lessons|post-?incident|follow-?ups?|verification|verify|checks?|indicators?)\b/i;

export function lintRunbook(runbook: ImportedRunbook, options: LintOptions = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const known = new Set([...(options.knownVariables ?? []), ...(runbook.meta?.variables ?? [])]);
  const add = (f: Omit<LintFinding, 'procedureIndex' | 'stepIndex'> & Partial<Pick<LintFinding, 'procedureIndex' | 'stepIndex'>>) =>
    findings.push({ procedureIndex: null, stepIndex: null, ...f });

  const checkCommand = (c: Command, procedureIndex: number | null, stepIndex: number | null, reported: Set<string>) => {
    // runbooks imported before the importer marked commands are checked here
    const destructive = c.destructive ?? (c.runnable && destructiveLine(c.code, c.kind === 'sql') !== null);
    if (destructive && !c.confirm) {
      add({
        rule: 'destructive-without-confirm',
        severity: 'error',
        message: `\`${shorten(destructiveLine(c.code, c.kind === 'sql') ?? c.code)}\` is destructive; ${c.origin === 'fence' ? `add \`confirm\` to its fence line (\`\`\`${c.language} {confirm}\`)` : `put it in a fenced block marked \`{confirm}\``} so an operator confirms before it runs`,
        line: c.line,
        procedureIndex,
        stepIndex,
      });
    }
    for (const p of c.placeholders) {
      if (known.has(p.name) || reported.has(p.name)) continue;
      reported.add(p.name);
      add({
        rule: 'undefined-placeholder',
        severity: 'warning',
        message: `placeholder ${p.name} is not defined; list it under \`variables:\` in the front matter or define it in the environment`,
        line: c.line,
        procedureIndex,
        stepIndex,
      });
    }
  };

  // Each undefined name is reported once, where it is first used.
  const reported = new Set<string>();
  let stepCount = 0;
  runbook.procedures.forEach((p, pi) => {
    if (p.kind === 'procedure' && p.recoveryTargetMinutes === null) {
      add({
        rule: 'missing-recovery-target',
        severity: 'warning',
        message: `procedure "${p.title}" has no recovery target; add \`**Recovery time target:** < 15 min\` (or \`recovery_target\` in the front matter)`,
        line: p.line,
        procedureIndex: pi,
      });
    }
    const actionable = (p.kind === 'procedure' || p.kind === 'section') && !PROSE_SECTIONS.test(p.title);
    p.steps.forEach((s, si) => {
      stepCount++;
      if (actionable && s.commands.length === 0) {
        add({
          rule: 'step-without-command',
          severity: 'warning',
          message: `step "${s.title}" has no command; add a code block, or move it to a prose section if it is only advice`,
          line: s.line,
          procedureIndex: pi,
          stepIndex: si,
        });
      }
      for (const c of s.commands) checkCommand(c, pi, si, reported);
    });
  });
  for (const c of runbook.looseCommands) checkCommand(c, null, null, reported);

  const ids = new Set(runbook.procedures.map((p) => p.id).filter((id): id is string => id !== null));
  for (const r of runbook.alertRules) {
    if (r.runbookRef && !ids.has(r.runbookRef)) {
      add({
        rule: 'broken-alert-link',
        severity: 'error',
        message: `alert "${r.name}" points to ${r.runbookRef}, which no heading in this runbook defines; fix the id in the table or the heading`,
        line: r.line,
      });
    }
  }

  if (stepCount === 0 && runbook.looseCommands.length === 0) {
    add({ rule: 'empty-runbook', severity: 'error', message: 'the runbook has no steps and no commands; there is nothing for an operator to do', line: 0 });
  }
  return findings.sort((a, b) => a.line - b.line);
}

function shorten(line: string): string {
  const t = line.split('\n', 1)[0]!.trim();
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}
