/**
 * Commands in the journal: a runbook step run for an incident (steps.run with `incidentId`) is
 * journaled as `command-sent` once the terminal has it, and its output as `output-captured` once
 * the transcript finishes. Both carry text as the transcript has it: redacted by the vault.
 *
 * The incident is checked before anything is sent: a command for an unknown or resolved incident
 * never reaches a terminal. At start, a `command-sent` left without its output (the host died with
 * its terminal) gets an `output-captured` from whatever the transcript store kept, marked
 * interrupted. The journal is the memory: each command's output is journaled at most once.
 */
import { ApiError, type CallOutput, type CallParsedInput, type Transcript } from '../../../shared/contract';
import type { Db } from '../db';
import type { Log } from '../log';
import type { Journal } from './journal';

/** Output journaled whole up to HEAD + TAIL bytes; longer, its start and its end. */
export const OUTPUT_HEAD_BYTES = 2 * 1024;
export const OUTPUT_TAIL_BYTES = 6 * 1024;

export interface IncidentCommandsOptions {
  db: Db;
  journal: Journal;
  /** The step runner's run (StepRunner.run): checks, opens or picks the terminal, sends. */
  run(input: CallParsedInput<'steps.run'>): Promise<CallOutput<'steps.run'>>;
  /** A transcript as stored (TranscriptStore.get). */
  transcript(id: string): Transcript | null;
  /** Be told when transcripts change (TranscriptRecorder.onChange). */
  onTranscriptChange(listener: (ids: string[]) => void): () => void;
  redact(text: string): string;
  log: Log;
  /** Tell the UI these incidents' journals grew (incidents.changed). */
  changed(ids: string[]): void;
}

/** A command sent for an incident whose output is not journaled yet. */
interface Awaiting {
  incidentId: string;
  key: string | null;
}

/**
 * The first OUTPUT_HEAD_BYTES and the last OUTPUT_TAIL_BYTES of `output`, with a line saying how
 * much was left out between them; cut on character boundaries.
 */
export function trimOutput(output: string): { output: string; trimmed: boolean } {
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.byteLength <= OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES) return { output, trimmed: false };
  const head = bytes.subarray(0, OUTPUT_HEAD_BYTES).toString('utf8').replace(/\uFFFD$/, '');
  const tail = bytes.subarray(bytes.byteLength - OUTPUT_TAIL_BYTES).toString('utf8').replace(/^\uFFFD/, '');
  const left = bytes.byteLength - Buffer.byteLength(head, 'utf8') - Buffer.byteLength(tail, 'utf8');
  const newline = (s: string) => (s.endsWith('\n') ? '' : '\n');
  return { output: `${head}${newline(head)}… ${left} bytes trimmed …\n${tail}`, trimmed: true };
}

export class IncidentCommands {
  private readonly awaiting = new Map<string, Awaiting>();
  private readonly status;
  private readonly captured;
  private readonly stop: () => void;

  constructor(private readonly options: IncidentCommandsOptions) {
    this.status = options.db.prepare<[string], { status: string }>('SELECT status FROM incidents WHERE id = ?');
    this.captured = options.db.prepare<[string, string], { one: number }>(
      `SELECT 1 AS one FROM journal WHERE incident_id = ? AND kind = 'output-captured'
         AND CASE WHEN json_valid(data) THEN json_extract(data, '$.transcriptId') END = ? LIMIT 1`,
    );
    this.stop = options.onTranscriptChange((ids) => this.transcriptsChanged(ids));
  }

  /**
   * steps.run: with an incident, it is checked first (it must exist and not be resolved), then the
   * step runs, then `command-sent` is journaled. Without one, the step simply runs.
   */
  async run(input: CallParsedInput<'steps.run'>): Promise<CallOutput<'steps.run'>> {
    const { incidentId } = input;
    if (incidentId === null) return this.options.run(input);
    const row = this.status.get(incidentId);
    if (!row) throw new ApiError({ code: 'not_found', message: `No incident with id ${incidentId}. Nothing was sent; reload the incidents and run the step from one that is open.` });
    if (row.status === 'resolved') {
      throw new ApiError({ code: 'conflict', message: 'This incident is resolved. Nothing was sent; reopen it (set its status) to run steps for it, or run the step outside the incident.' });
    }
    const result = await this.options.run(input);
    const t = this.options.transcript(result.transcriptId);
    const key = input.stepKey;
    try {
      this.options.journal.append(incidentId, 'command-sent', {
        key,
        transcriptId: result.transcriptId,
        command: this.options.redact(t?.command ?? ''),
        terminalId: result.terminal.id,
        terminalTitle: t?.terminalTitle ?? result.terminal.title,
        environmentName: t?.environmentName ?? null,
      });
    } catch (error) {
      // The command is in the terminal already: say so, rather than pretend nothing happened.
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError({
        code: 'internal',
        message: `The command was sent to "${result.terminal.title}", but could not be written to the incident's journal (${reason}). Its transcript is kept; add a note to the incident saying you ran it.`,
      });
    }
    this.awaiting.set(result.transcriptId, { incidentId, key });
    this.options.changed([incidentId]);
    // It may have finished already (a fast command, a terminal that closed).
    this.transcriptsChanged([result.transcriptId]);
    return result;
  }

  /**
   * At start: every `command-sent` without its `output-captured` gets one from what the transcript
   * store kept. Its terminal died with the old host, so it is interrupted, unless the transcript
   * has the command's exit code (it finished before the host went, and only the journal write was
   * lost: it is told as it was).
   */
  recover(): string[] {
    const orphans = this.options.db
      .prepare<[], { incident_id: string; data: string }>(
        `SELECT s.incident_id, s.data FROM journal s WHERE s.kind = 'command-sent' AND json_valid(s.data)
           AND NOT EXISTS (SELECT 1 FROM journal o WHERE o.incident_id = s.incident_id AND o.kind = 'output-captured'
             AND CASE WHEN json_valid(o.data) THEN json_extract(o.data, '$.transcriptId') END = json_extract(s.data, '$.transcriptId'))
         ORDER BY s.incident_id, s.seq`,
      )
      .all();
    const touched = new Set<string>();
    for (const o of orphans) {
      const { transcriptId, key } = JSON.parse(o.data) as { transcriptId?: unknown; key?: unknown };
      if (typeof transcriptId !== 'string' || this.awaiting.has(transcriptId)) continue;
      const t = this.options.transcript(transcriptId);
      const completed = t !== null && t.finishedAt !== null && t.exitCode !== null;
      if (this.capture(o.incident_id, transcriptId, typeof key === 'string' ? key : null, t, !completed)) touched.add(o.incident_id);
    }
    const ids = [...touched];
    if (ids.length) this.options.changed(ids);
    return ids;
  }

  close(): void {
    this.stop();
    this.awaiting.clear();
  }

  private transcriptsChanged(ids: string[]): void {
    const touched: string[] = [];
    for (const id of ids) {
      const waiting = this.awaiting.get(id);
      if (!waiting) continue;
      const t = this.options.transcript(id);
      if (!t?.finishedAt) continue;
      this.awaiting.delete(id);
      if (this.capture(waiting.incidentId, id, waiting.key, t, false)) touched.push(waiting.incidentId);
    }
    if (touched.length) this.options.changed([...new Set(touched)]);
  }

  /** Journal a command's output once; false when it already is (or could not be written). */
  private capture(incidentId: string, transcriptId: string, key: string | null, t: Transcript | null, interrupted: boolean): boolean {
    if (this.captured.get(incidentId, transcriptId)) return false;
    const { output, trimmed } = trimOutput(this.options.redact(t?.output ?? ''));
    try {
      this.options.journal.append(incidentId, 'output-captured', {
        transcriptId,
        key,
        exitCode: t?.exitCode ?? null,
        output,
        truncated: trimmed || (t?.truncated ?? false),
        interrupted,
      });
      return true;
    } catch (error) {
      // Kept in the transcript store; the next start journals it (recover).
      this.options.log.warn('a command output could not be written to the incident journal', { incidentId, transcriptId, error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }
}
