/**
 * The structure the runbook importer produces. This is the `watchfloor import --json` format
 * (documented in docs/import-json.md) and what the renderer displays. Pure types and schemas:
 * nothing here runs I/O.
 */
import { z } from 'zod';

export const CommandOrigin = z.enum(['fence', 'indented', 'inline', 'comment-step']);
export type CommandOrigin = z.infer<typeof CommandOrigin>;

export const Placeholder = z.object({
  /** Parameter name, e.g. `deployment-id`, `TOKEN`. */
  name: z.string(),
  /** How it was written: `<angle>`, `$dollar`, `${brace}`, `{curly}`, `[square]`, `YOUR_CAPS`. */
  syntax: z.enum(['angle', 'dollar', 'dollar-brace', 'curly', 'square', 'your-caps']),
});
export type Placeholder = z.infer<typeof Placeholder>;

export const Command = z.object({
  code: z.string(),
  /** Fence info language, or a guess for inline/indented code (`bash`, `sql`, `text`...). */
  language: z.string(),
  /** What the command drives: shell, sql, kubectl, wrangler, curl, ssh, psql, docker, ... */
  kind: z.string(),
  /** 1-based line in the source file where the command's code starts (a fence: its opening line). */
  line: z.number().int().positive(),
  endLine: z.number().int().positive(),
  origin: CommandOrigin,
  /** False for blocks that are only comments, output or a pointer to a dashboard. */
  runnable: z.boolean(),
  placeholders: z.array(Placeholder),
  /** Fence-line settings (docs/runbook-format.md): a display name for the command. */
  name: z.string().optional(),
  /** Fence-line `timeout=120`: seconds after which a run is stopped. */
  timeoutSeconds: z.number().int().positive().optional(),
  /** Fence-line `confirm`: the operator must confirm before it runs. */
  confirm: z.boolean().optional(),
  /** Fence-line `environment=production`: the kind of environment it is meant for. */
  environment: z.string().optional(),
  /** Output lines shown after `$ ` prompt lines in a transcript: what to expect, never run. */
  expectedOutput: z.string().optional(),
  /** True when it deletes or takes away something not undone by running it again (list: docs/runbook-format.md); absent otherwise. */
  destructive: z.boolean().optional(),
});
export type Command = z.infer<typeof Command>;

export const Step = z.object({
  title: z.string(),
  /** 1-based source line where the step starts. */
  line: z.number().int().positive(),
  endLine: z.number().int().positive(),
  /** Plain text of the step (Markdown stripped), used for display and search. */
  text: z.string(),
  timerSeconds: z.number().int().positive().nullable(),
  commands: z.array(Command),
});
export type Step = z.infer<typeof Step>;

export const ProcedureKind = z.enum([
  'procedure', 'section', 'alternatives', 'checklist', 'reference', 'notes',
]);
export type ProcedureKind = z.infer<typeof ProcedureKind>;

export const Procedure = z.object({
  /** Identifier written in the heading, e.g. `RB-01`, `Runbook 3`; null when there is none. */
  id: z.string().nullable(),
  title: z.string(),
  kind: ProcedureKind,
  /** Heading depth (1-6). */
  level: z.number().int().min(1).max(6),
  line: z.number().int().positive(),
  endLine: z.number().int().positive(),
  recoveryTargetMinutes: z.number().positive().nullable(),
  triggers: z.array(z.string()),
  /** Prose of the procedure that is not part of a step (Markdown stripped). */
  text: z.string(),
  steps: z.array(Step),
  /** The number written in a numbered heading (`## 1) Title`, `### 2. Title`); null when none. */
  number: z.number().int().nonnegative().nullable().optional(),
  /** Index in `procedures` of the heading this one sits under (a section's procedure); null at the top. */
  parent: z.number().int().nonnegative().nullable().optional(),
  /**
   * Whole fenced blocks whose numbered comments (`# 1. Stop everything`) became this procedure's
   * steps; each step holds its own part (origin 'comment-step'), this keeps the block as written.
   */
  commands: z.array(Command).optional(),
});
export type Procedure = z.infer<typeof Procedure>;

export const AlertRule = z.object({
  name: z.string(),
  condition: z.string(),
  window: z.string().nullable(),
  severity: z.string().nullable(),
  runbookRef: z.string().nullable(),
  line: z.number().int().positive(),
});
export type AlertRule = z.infer<typeof AlertRule>;

export const SeverityLevel = z.object({
  level: z.string(),
  responseTargetMinutes: z.number().nonnegative().nullable(),
  description: z.string(),
  line: z.number().int().positive(),
});
export type SeverityLevel = z.infer<typeof SeverityLevel>;

export const EscalationRung = z.object({
  fromMinutes: z.number().nonnegative(),
  toMinutes: z.number().nonnegative().nullable(),
  action: z.string(),
  line: z.number().int().positive(),
});
export type EscalationRung = z.infer<typeof EscalationRung>;

/** A row of an escalation matrix: for this kind of issue, who responds first and whom to escalate to when. */
export const EscalationPath = z.object({
  issue: z.string(),
  firstResponse: z.string().nullable(),
  escalateTo: z.string(),
  trigger: z.string().nullable(),
  line: z.number().int().positive(),
});
export type EscalationPath = z.infer<typeof EscalationPath>;

/** One entry of a contacts section: `**On-Call:** Check PagerDuty`, or a row of a contact table. */
export const Contact = z.object({
  label: z.string(),
  value: z.string(),
  line: z.number().int().positive(),
});
export type Contact = z.infer<typeof Contact>;

export const ImportWarning = z.object({ line: z.number().int().nonnegative(), message: z.string() });
export type ImportWarning = z.infer<typeof ImportWarning>;

/** YAML front matter of a Watchfloor-format runbook (docs/runbook-format.md); every key optional. */
export const RunbookMeta = z.object({
  id: z.string().optional(),
  title: z.string().optional(),
  services: z.array(z.string()).optional(),
  severity: z.string().optional(),
  /** `recovery_target`, in minutes: the default for procedures that state none. */
  recoveryTargetMinutes: z.number().positive().optional(),
  /** `alerts`: matchers, each an alert name or `label=value` pairs joined by `,`. */
  alerts: z.array(z.string()).optional(),
  /** `default_environment`: the environment kind commands run against unless a fence says otherwise. */
  defaultEnvironment: z.string().optional(),
  /** `variables`: placeholder names the runbook defines (filled from a form or an environment). */
  variables: z.array(z.string()).optional(),
});
export type RunbookMeta = z.infer<typeof RunbookMeta>;

export const ImportedRunbook = z.object({
  title: z.string(),
  source: z.object({ path: z.string(), sha256: z.string() }),
  /** Prose before the first procedure heading (Markdown stripped). */
  text: z.string().optional(),
  procedures: z.array(Procedure),
  alertRules: z.array(AlertRule),
  severityLevels: z.array(SeverityLevel),
  escalation: z.array(EscalationRung),
  escalationMatrix: z.array(EscalationPath),
  contacts: z.array(Contact),
  /** Commands outside any step (e.g. in a procedure's prose or before the first heading). */
  looseCommands: z.array(Command),
  warnings: z.array(ImportWarning),
  /** The parsed YAML front matter, when the file has any. */
  meta: RunbookMeta.optional(),
});
export type ImportedRunbook = z.infer<typeof ImportedRunbook>;
