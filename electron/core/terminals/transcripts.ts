/**
 * Transcripts: each command sent from a runbook step, and what its terminal printed back, kept in
 * SQLite for the incident journal. Only redacted text is stored. The recorder reads every
 * terminal's output (TerminalService.onOutput) through a ShellOutputParser, which also tells
 * whether the shell has bracketed paste on and when its prompt is up, for steps.run.
 *
 * A recording ends when shell integration reports the command's end (OSC 133;D, with its exit
 * code), or, with no exit code, when another command is sent to the same terminal, the terminal
 * exits or is closed, or it has printed nothing for IDLE_END_MS.
 */
import { randomUUID } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { TRANSCRIPT_OUTPUT_CAP, type Transcript } from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { StreamRedactor, type Redactor } from '../secrets';
import { DRAIN_LIMIT_MS, type TerminalService } from './service';
import { ShellOutputParser, type ShellOutputPart } from './shell-integration';

/** A recording that has seen no output this long ends (exit code unknown). */
export const IDLE_END_MS = 10 * 60_000;
/** Output is written to the database at most this often while a command runs, and at its end. */
export const FLUSH_INTERVAL_MS = 500;
const PLAIN_TEXT: ShellOutputPart = { kind: 'text', text: '' };
/** Echo kept while waiting for the shell to start the command (dropped once it does). */
const ECHO_CAP = 16 * 1024;

export type TranscriptStart = Pick<
  Transcript,
  'runbookId' | 'runbookTitle' | 'line' | 'environmentId' | 'environmentName' | 'terminalId' | 'terminalTitle' | 'command'
> & {
  /** Redacts what this command alone knows as secret (prefilled values, as quoted into the text). */
  extraRedactor?: Redactor;
};

interface TranscriptRow {
  id: string;
  runbook_id: string;
  runbook_title: string;
  line: number;
  environment_id: string;
  environment_name: string;
  terminal_id: string;
  terminal_title: string;
  command: string;
  sent_at: string;
  finished_at: string | null;
  exit_code: number | null;
  output: string;
  truncated: number;
}

/** The transcripts table. */
export class TranscriptStore {
  constructor(private readonly db: Db) {}

  insert(t: Transcript): void {
    this.db
      .prepare(
        `INSERT INTO transcripts (id, runbook_id, runbook_title, line, environment_id, environment_name, terminal_id, terminal_title,
           command, sent_at, finished_at, exit_code, output, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(t.id, t.runbookId, t.runbookTitle, t.line, t.environmentId, t.environmentName, t.terminalId, t.terminalTitle, t.command, t.sentAt, t.finishedAt, t.exitCode, t.output, t.truncated ? 1 : 0);
  }

  update(id: string, fields: Pick<Transcript, 'output' | 'truncated' | 'exitCode' | 'finishedAt'>): void {
    this.db
      .prepare('UPDATE transcripts SET output = ?, truncated = ?, exit_code = ?, finished_at = ? WHERE id = ?')
      .run(fields.output, fields.truncated ? 1 : 0, fields.exitCode, fields.finishedAt, id);
  }

  get(id: string): Transcript | null {
    const row = this.db.prepare('SELECT * FROM transcripts WHERE id = ?').get(id) as TranscriptRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** Newest first. */
  list(filter: { environmentId: string | null; terminalId: string | null; limit: number }): Transcript[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.environmentId !== null) {
      where.push('environment_id = ?');
      params.push(filter.environmentId);
    }
    if (filter.terminalId !== null) {
      where.push('terminal_id = ?');
      params.push(filter.terminalId);
    }
    const sql = `SELECT * FROM transcripts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY sent_at DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit) as TranscriptRow[]).map(fromRow);
  }
}

function fromRow(r: TranscriptRow): Transcript {
  return {
    id: r.id,
    runbookId: r.runbook_id,
    runbookTitle: r.runbook_title,
    line: r.line,
    environmentId: r.environment_id,
    environmentName: r.environment_name,
    terminalId: r.terminal_id,
    terminalTitle: r.terminal_title,
    command: r.command,
    sentAt: r.sent_at,
    finishedAt: r.finished_at,
    exitCode: r.exit_code,
    output: r.output,
    truncated: r.truncated === 1,
  };
}

/** One command's output being recorded. */
interface Recording {
  id: string;
  /** With shell integration, text before the shell starts the command is its echo: held, then dropped. */
  started: boolean;
  echo: string;
  output: string;
  outputBytes: number;
  truncated: boolean;
  redactors: StreamRedactor[];
  decoder: TextDecoder;
  dirty: boolean;
  flushTimer: ReturnType<typeof setTimeout> | null;
  idleTimer: ReturnType<typeof setTimeout> | null;
  extra: Redactor | null;
}

/** What the recorder knows of one terminal: its parser, whether its prompt is up, its recording. */
interface Watched {
  parser: ShellOutputParser;
  /** Output seen at all, and when last. */
  lastOutputAt: number | null;
  prompted: boolean;
  /** Text seen since the last prompt mark: the prompt itself, drawn by readline once it reads. */
  promptShown: boolean;
  recording: Recording | null;
  exitTimer: ReturnType<typeof setTimeout> | null;
  waiters: Set<() => void>;
}

export interface TranscriptRecorderOptions {
  idleEndMs?: number;
  flushIntervalMs?: number;
}

export class TranscriptRecorder {
  private readonly watched = new Map<string, Watched>();
  private readonly listeners = new Set<(ids: string[]) => void>();
  private readonly stops: (() => void)[] = [];
  private readonly idleEndMs: number;
  private readonly flushIntervalMs: number;

  constructor(
    private readonly store: TranscriptStore,
    private readonly terminals: TerminalService,
    /** The vault's redactor: knows every secret value while the vault is unlocked. */
    private readonly redactor: Redactor,
    private readonly clock: Clock,
    options: TranscriptRecorderOptions = {},
  ) {
    this.idleEndMs = options.idleEndMs ?? IDLE_END_MS;
    this.flushIntervalMs = options.flushIntervalMs ?? FLUSH_INTERVAL_MS;
    this.stops.push(
      terminals.onOutput((id, data) => this.output(id, data)),
      terminals.onChange((ids) => {
        for (const id of ids) this.terminalChanged(id);
      }),
    );
  }

  /** Called with the ids of transcripts that started, got output, or finished. */
  onChange(listener: (ids: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the program reading `terminalId` has bracketed paste on (as its output last said). */
  bracketedPaste(terminalId: string): boolean {
    return this.watch(terminalId).parser.bracketedPaste;
  }

  /**
   * Resolves once a new terminal is ready to take a command. With shell integration: its first
   * prompt mark has come and readline has drawn the prompt after it (it turns bracketed paste on
   * before drawing, and its first start can take a while, reading inputrc); text sent earlier
   * would be read as keystrokes, not a paste (an empty prompt with bracketed paste off: once the
   * mark is `quietMs` old). Without: once it has printed something and gone quiet for `quietMs`.
   * Bounded by `timeoutMs`: a shell that prints nothing still gets it.
   */
  async ready(terminalId: string, shellIntegration: boolean, timeoutMs = 5_000, quietMs = 1_000): Promise<void> {
    const w = this.watch(terminalId);
    const deadline = Date.now() + timeoutMs;
    const quiet = () => w.lastOutputAt !== null && Date.now() - w.lastOutputAt >= quietMs;
    const settled = () => (shellIntegration ? w.prompted && (w.parser.bracketedPaste || w.promptShown || quiet()) : quiet());
    while (!settled() && Date.now() < deadline && this.isRunning(terminalId)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(10, quietMs / 2));
        function done() {
          clearTimeout(timer);
          w.waiters.delete(done);
          resolve();
        }
        w.waiters.add(done);
      });
    }
  }

  /** Start recording `terminalId`'s output from now on, as a new transcript; ends the one before. */
  start(meta: TranscriptStart): string {
    const w = this.watch(meta.terminalId);
    if (w.recording) this.end(meta.terminalId, null);
    const id = randomUUID();
    this.store.insert({
      id,
      runbookId: meta.runbookId,
      runbookTitle: meta.runbookTitle,
      line: meta.line,
      environmentId: meta.environmentId,
      environmentName: meta.environmentName,
      terminalId: meta.terminalId,
      terminalTitle: meta.terminalTitle,
      command: this.redact(meta.extraRedactor ?? null, meta.command),
      sentAt: this.clock.now().toISOString(),
      finishedAt: null,
      exitCode: null,
      output: '',
      truncated: false,
    });
    const extra = meta.extraRedactor ?? null;
    const info = this.terminalInfo(meta.terminalId);
    w.recording = {
      id,
      started: !info?.shellIntegration,
      echo: '',
      output: '',
      outputBytes: 0,
      truncated: false,
      redactors: this.streamRedactors(extra),
      decoder: new TextDecoder('utf-8'),
      dirty: false,
      flushTimer: null,
      idleTimer: null,
      extra,
    };
    this.resetIdle(meta.terminalId, w.recording);
    this.changed([id]);
    return id;
  }

  list(filter: { environmentId: string | null; terminalId: string | null; limit: number }): Transcript[] {
    return this.store.list(filter);
  }

  /** End every recording (their exit codes unknown) and stop listening. */
  close(): void {
    for (const id of [...this.watched.keys()]) this.end(id, null);
    for (const stop of this.stops.splice(0)) stop();
    for (const w of this.watched.values()) if (w.exitTimer) clearTimeout(w.exitTimer);
    this.watched.clear();
  }

  private output(terminalId: string, data: Uint8Array): void {
    const w = this.watch(terminalId);
    w.lastOutputAt = Date.now();
    // Nothing recorded here: plain text only matters as "text came" (the prompt was drawn).
    const parts = !w.recording && w.parser.skipIfPlain(data) ? [PLAIN_TEXT] : w.parser.push(data);
    for (const part of parts) this.apply(terminalId, w, part);
    for (const wake of [...w.waiters]) wake();
  }

  private apply(terminalId: string, w: Watched, part: ShellOutputPart): void {
    if (part.kind === 'prompt') w.prompted = true;
    w.promptShown = part.kind === 'text' ? w.prompted : part.kind === 'prompt' ? false : w.promptShown;
    const r = w.recording;
    if (!r) return;
    this.resetIdle(terminalId, r);
    switch (part.kind) {
      case 'text':
        if (r.started) this.append(r, part.text);
        else if (r.echo.length < ECHO_CAP) r.echo += part.text;
        break;
      case 'executed':
        if (!r.started) {
          // What came before was the shell echoing the command line: the transcript has the command.
          r.started = true;
          r.echo = '';
        }
        break;
      case 'finished':
        if (r.started) this.end(terminalId, part.exitCode);
        break;
      case 'prompt':
        break;
    }
  }

  /** Stripped text → redacted (stream redactors hold back what could begin a secret) → capped. */
  private append(r: Recording, text: string): void {
    if (r.truncated) return;
    let bytes: Uint8Array = Buffer.from(text, 'utf8');
    for (const sr of r.redactors) bytes = sr.push(bytes);
    this.keep(r, r.decoder.decode(bytes, { stream: true }));
  }

  private keep(r: Recording, text: string): void {
    if (r.truncated || !text) return;
    const redacted = this.redact(r.extra, text);
    const size = Buffer.byteLength(redacted, 'utf8');
    if (r.outputBytes + size > TRANSCRIPT_OUTPUT_CAP) {
      const room = TRANSCRIPT_OUTPUT_CAP - r.outputBytes;
      // Cut on a character boundary: decoding a cut UTF-8 sequence drops the partial character.
      const cut = new TextDecoder('utf-8').decode(Buffer.from(redacted, 'utf8').subarray(0, room)).replace(/\uFFFD$/, '');
      r.output += cut;
      r.outputBytes += Buffer.byteLength(cut, 'utf8');
      r.truncated = true;
    } else {
      r.output += redacted;
      r.outputBytes += size;
    }
    this.markDirty(r);
  }

  private markDirty(r: Recording): void {
    r.dirty = true;
    if (r.flushTimer) return;
    r.flushTimer = setTimeout(() => {
      r.flushTimer = null;
      this.flush(r, null, null);
    }, this.flushIntervalMs);
  }

  private flush(r: Recording, exitCode: number | null, finishedAt: string | null): void {
    if (!r.dirty && finishedAt === null) return;
    r.dirty = false;
    this.store.update(r.id, { output: r.output, truncated: r.truncated, exitCode, finishedAt });
    this.changed([r.id]);
  }

  private end(terminalId: string, exitCode: number | null): void {
    const w = this.watched.get(terminalId);
    const r = w?.recording;
    if (!w || !r) return;
    w.recording = null;
    if (r.flushTimer) clearTimeout(r.flushTimer);
    if (r.idleTimer) clearTimeout(r.idleTimer);
    if (!r.started && r.echo) {
      // The shell never said the command started (no integration reached it): keep what came back.
      const echo = r.echo;
      r.echo = '';
      r.started = true;
      this.append(r, echo);
    }
    // Flush the stream redactors: each one's held-back tail goes through the ones after it.
    let tail = new Uint8Array(0);
    for (const sr of r.redactors) {
      const pushed = tail.byteLength ? sr.push(tail) : new Uint8Array(0);
      tail = Buffer.concat([pushed, sr.end()]);
    }
    this.keep(r, r.decoder.decode(tail));
    this.flush(r, exitCode, this.clock.now().toISOString());
  }

  private resetIdle(terminalId: string, r: Recording): void {
    if (r.idleTimer) clearTimeout(r.idleTimer);
    r.idleTimer = setTimeout(() => {
      if (this.watched.get(terminalId)?.recording === r) this.end(terminalId, null);
    }, this.idleEndMs);
    r.idleTimer.unref?.();
  }

  /**
   * A terminal closed: its recording ends now. One that exited: after the service's drain period,
   * so the last of its output is kept.
   */
  private terminalChanged(terminalId: string): void {
    const w = this.watched.get(terminalId);
    if (!w) return;
    const info = this.terminalInfo(terminalId);
    if (!info) {
      this.end(terminalId, null);
      if (w.exitTimer) clearTimeout(w.exitTimer);
      this.watched.delete(terminalId);
      return;
    }
    if (info.status === 'exited' && w.recording && !w.exitTimer) {
      w.exitTimer = setTimeout(() => {
        w.exitTimer = null;
        this.end(terminalId, null);
      }, DRAIN_LIMIT_MS + 100);
    }
  }

  private watch(terminalId: string): Watched {
    let w = this.watched.get(terminalId);
    if (!w) {
      w = { parser: new ShellOutputParser(), lastOutputAt: null, prompted: false, promptShown: false, recording: null, exitTimer: null, waiters: new Set() };
      this.watched.set(terminalId, w);
    }
    return w;
  }

  private terminalInfo(terminalId: string) {
    try {
      return this.terminals.info(terminalId);
    } catch {
      return null;
    }
  }

  private isRunning(terminalId: string): boolean {
    return this.terminalInfo(terminalId)?.status === 'running';
  }

  private streamRedactors(extra: Redactor | null): StreamRedactor[] {
    return [...(extra ? [new StreamRedactor(extra)] : []), new StreamRedactor(this.redactor)];
  }

  private redact(extra: Redactor | null, text: string): string {
    return this.redactor.redact(extra ? extra.redact(text) : text);
  }

  private changed(ids: string[]): void {
    for (const listener of this.listeners) listener(ids);
  }
}
