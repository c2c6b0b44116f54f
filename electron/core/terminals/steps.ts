/**
 * Running a runbook step: fill its command for an environment (the operator's values, then the
 * environment's variables, then its vault secrets), check the production guard, send it to a
 * terminal as one paste, and record what comes back as a transcript.
 *
 * Secret values are used only here and in the bytes written to the pty: what leaves the core
 * (steps.prepare's `text`), the transcript and the log carry them redacted. The log gets ids only.
 */
import { quote } from 'shell-quote';
import { ApiError, type CallOutput, type CallParsedInput, type Environment, type RunbookDetail, type TerminalInfo } from '../../../shared/contract';
import type { Command } from '../../../shared/runbook';
import type { Log } from '../log';
import { Redactor, type KnownSecret, type SecretVault } from '../secrets';
import { findCommand, prepareCommand, sanitizeForBracketedPaste, wrapBracketedPaste, type PreparedCommand } from './command';
import type { TerminalService } from './service';
import type { TranscriptRecorder } from './transcripts';

/** A step's command, filled: what the operator sees, and what is sent. */
export interface PreparedStep {
  /** For the operator: `text` with secret values redacted. */
  shown: PreparedCommand;
  /** The real text; it never leaves the core. */
  text: string;
  command: Command;
  /** Redacts the secrets this command was filled with, in every form they were quoted in. */
  redactor: Redactor;
}

/**
 * Fill the command that starts on `line` of `detail`: values the operator left empty come from
 * the environment's variable of the same name, then from its vault secret of that name (only while
 * the vault is unlocked).
 */
export function prepareWithPrefill(detail: RunbookDetail, line: number, environment: Environment, given: Record<string, string>, vault: SecretVault): PreparedStep {
  const command = findCommand(detail.runbook, line);
  if (!command) {
    throw new ApiError({
      code: 'not_found',
      message: `"${detail.summary.title}" has no command starting on line ${line}; it may have been edited since. Reload the runbook.`,
    });
  }
  const values: Record<string, string> = { ...given };
  const prefilled: PreparedCommand['prefilled'] = [];
  const secrets: KnownSecret[] = [];
  const unlocked = vault.status().state === 'unlocked';
  const secretNames = unlocked ? new Set(vault.list(environment.id).map((s) => s.name)) : new Set<string>();
  for (const name of new Set(command.placeholders.map((p) => p.name))) {
    if (Object.hasOwn(values, name) && values[name] !== '') continue;
    const variable = environment.variables.find((v) => v.key === name && v.value !== '');
    if (variable) {
      values[name] = variable.value;
      prefilled.push({ name, from: 'variable' });
    } else if (secretNames.has(name)) {
      const value = vault.reveal(environment.id, name);
      values[name] = value;
      prefilled.push({ name, from: 'secret' });
      secrets.push({ name, value });
    }
  }
  const prepared = prepareCommand(command, values, environment);
  // The value as it went into the text: shell-quoted, or escaped once more inside backticks.
  const redactor = new Redactor();
  redactor.update(secrets.flatMap(({ name, value }) => [value, quote([value]), quote([value]).replace(/[\\`$]/g, '\\$&')].map((v) => ({ name, value: v }))));
  const shownText = vault.redactor.redact(redactor.redact(prepared.text));
  return { shown: { ...prepared, text: shownText, prefilled }, text: prepared.text, command, redactor };
}

export interface StepRunnerDeps {
  runbook(id: string): RunbookDetail;
  environment(id: string): Environment;
  vault: SecretVault;
  terminals: TerminalService;
  recorder: TranscriptRecorder;
  log: Log;
}

export class StepRunner {
  constructor(private readonly deps: StepRunnerDeps) {}

  prepare({ runbookId, line, environmentId, values }: CallParsedInput<'steps.prepare'>): CallOutput<'steps.prepare'> {
    return prepareWithPrefill(this.deps.runbook(runbookId), line, this.deps.environment(environmentId), values, this.deps.vault).shown;
  }

  /**
   * Everything is checked before anything is opened or sent: unfilled placeholders, the production
   * guard, the terminal. A new terminal gets the command once its prompt is up.
   */
  async run(input: CallParsedInput<'steps.run'>): Promise<CallOutput<'steps.run'>> {
    const { runbookId, line, environmentId } = input;
    const detail = this.deps.runbook(runbookId);
    const environment = this.deps.environment(environmentId);
    const step = prepareWithPrefill(detail, line, environment, input.values, this.deps.vault);
    const { shown } = step;

    // A `$VAR` left unfilled is the shell's to expand; any other placeholder would be sent as written.
    const unfilled = shown.missing.filter((name) => step.command.placeholders.some((p) => p.name === name && p.syntax !== 'dollar' && p.syntax !== 'dollar-brace'));
    if (unfilled.length) {
      throw new ApiError({
        code: 'invalid_arguments',
        message: `This command still needs ${unfilled.join(', ')}. Nothing was sent; fill ${unfilled.length === 1 ? 'it' : 'them'} in and run it again.`,
        issues: unfilled.map((name) => ({ path: `values.${name}`, message: 'a value is needed' })),
      });
    }
    if (shown.confirmation && (input.confirmation ?? '').trim() !== shown.confirmation.expected.trim()) {
      throw new ApiError({
        code: 'confirmation_required',
        message:
          `This command is destructive in the production environment "${environment.name}": ${shown.reasons.join('; ')}. ` +
          `Nothing was sent; type the environment's name, ${shown.confirmation.expected}, to run it.`,
      });
    }

    const terminal = await this.terminalFor(input, environment);
    const transcriptId = this.deps.recorder.start({
      runbookId,
      runbookTitle: detail.summary.title,
      line,
      environmentId,
      environmentName: environment.name,
      terminalId: terminal.id,
      terminalTitle: terminal.title,
      command: shown.text,
      extraRedactor: step.redactor,
    });
    // As one paste when the shell reads pastes (a multi-line command runs whole, and nothing in it
    // can end the paste early); else as typed, without the controls a value could smuggle in.
    const data = this.deps.recorder.bracketedPaste(terminal.id) ? wrapBracketedPaste(step.text) : sanitizeForBracketedPaste(step.text);
    this.deps.terminals.write(terminal.id, `${data}\r`);
    this.deps.log.info('step sent', { runbookId, line, environmentId, terminalId: terminal.id, transcriptId });
    return { terminal: this.deps.terminals.info(terminal.id), transcriptId };
  }

  private async terminalFor(input: CallParsedInput<'steps.run'>, environment: Environment): Promise<TerminalInfo> {
    const { terminals, recorder } = this.deps;
    if (input.terminalId !== null) {
      const terminal = terminals.info(input.terminalId);
      if (terminal.environmentId !== environment.id) {
        throw new ApiError({
          code: 'conflict',
          message: `The terminal "${terminal.title}" is not a terminal of "${environment.name}". Nothing was sent; run the step in one of its terminals, or open a new one.`,
        });
      }
      if (terminal.status !== 'running') {
        throw new ApiError({
          code: 'conflict',
          message: `The terminal "${terminal.title}" is ${terminal.status === 'exited' ? 'closed (its shell exited)' : 'reconnecting'}. Nothing was sent; run the step again once it is back, or in a new terminal.`,
        });
      }
      return terminal;
    }
    if (input.open === null) {
      throw new ApiError({ code: 'invalid_arguments', message: 'Say where to run the step: a terminal of this environment, or a new one to open. Nothing was sent.' });
    }
    const terminal = await terminals.open({ ...input.open, environmentId: environment.id });
    await recorder.ready(terminal.id, terminal.shellIntegration);
    return terminals.info(terminal.id);
  }
}
