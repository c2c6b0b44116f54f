/**
 * Terminals: whatever a launcher starts (a local shell in a pty, a shell on an SSH host, a shell
 * pinned to a Kubernetes context or a Cloudflare account), run the same way. Each terminal keeps
 * its last SCROLLBACK_BYTES of output so a window that opens its stream later sees what came
 * before; output fans out to every open stream, and the process is paused while any of them is
 * over the flow-control high-water mark (VS Code's approach).
 */
import { randomUUID } from 'node:crypto';
import { ApiError, type CallParsedInput, type Environment, type TerminalInfo, type TerminalKind } from '../../../shared/contract';
import type { Clock } from '../clock';
import type { StreamSink, StreamSource } from '..';
import type { Log } from '../log';

/** Output kept per terminal for late viewers (bytes). */
export const SCROLLBACK_BYTES = 1_000_000;
/** After the process exits, its output is read until it has been quiet this long... */
export const DRAIN_QUIET_MS = 75;
/** ...or this much unpaused time has passed (node-pty can report exit before the last output). */
export const DRAIN_LIMIT_MS = 1_000;
/** A viewer that never acknowledges cannot keep an exited terminal open for ever. */
export const DRAIN_PAUSED_LIMIT_MS = 30_000;
export const DRAIN_TICK_MS = 25;

/** What the service drives: a node-pty process, or an adapter with the same shape (an SSH channel). */
export interface PtyProcess {
  readonly pid: number;
  onData(listener: (data: Uint8Array) => void): void;
  onExit(listener: (exit: { exitCode: number; signal?: number }) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: string): void;
  /** A connection that can drop and come back (SSH) reports it here; the scrollback is kept. */
  onStatus?(listener: (status: { status: 'running' | 'reconnecting'; notice: string | null }) => void): void;
}

export interface LaunchRequest {
  terminalId: string;
  kind: TerminalKind;
  /** Null only for a plain local shell. */
  environment: Environment | null;
  targetId: string | null;
  cols: number;
  rows: number;
}

export interface Launched {
  process: PtyProcess;
  title: string;
  targetId: string | null;
  target: string | null;
  /** Whether the shell reports command ends with OSC 133 sequences. */
  shellIntegration: boolean;
  /** The program started, for the log. */
  program: string;
  /** Called once the terminal is closed or has exited: remove private files, end connections. */
  dispose?(): void | Promise<void>;
}

export type Launcher = (request: LaunchRequest) => Launched | Promise<Launched>;

export interface TerminalServiceOptions {
  /** How each kind of terminal is started; a kind with no launcher is refused with a clear message. */
  launchers: Partial<Record<TerminalKind, Launcher>>;
  /** An environment by id (environments.get); throws not_found for an unknown id. */
  environment?: (id: string) => Environment;
}

export type OpenTerminal = CallParsedInput<'terminals.open'>;

interface Viewer {
  sink: StreamSink;
  paused: boolean;
}

interface Terminal {
  info: TerminalInfo;
  pty: PtyProcess;
  dispose: (() => void | Promise<void>) | null;
  scrollback: Uint8Array[];
  scrollbackBytes: number;
  viewers: Set<Viewer>;
  ptyPaused: boolean;
  lastDataAt: number;
  /** Set once the process exited and its output was drained: streams end with it. */
  endReason: string | null;
  drain: ReturnType<typeof setInterval> | null;
}

const KIND_NAMES: Record<TerminalKind, string> = { local: 'local shell', ssh: 'SSH', kubectl: 'kubectl', wrangler: 'wrangler' };

export class TerminalService {
  private readonly terminals = new Map<string, Terminal>();
  private readonly listeners = new Set<(ids: string[]) => void>();
  private readonly outputListeners = new Set<(id: string, data: Uint8Array) => void>();

  constructor(
    private readonly log: Log,
    private readonly clock: Clock,
    private readonly options: TerminalServiceOptions,
  ) {}

  /** Called with the ids of terminals that opened, exited, closed or changed status. */
  onChange(listener: (ids: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every byte of every terminal's output, as it arrives (transcripts tap it). */
  onOutput(listener: (id: string, data: Uint8Array) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  list(): TerminalInfo[] {
    return [...this.terminals.values()].map((t) => ({ ...t.info }));
  }

  info(id: string): TerminalInfo {
    return { ...this.get(id).info };
  }

  /** Start a terminal of `request.kind`; resolves once it runs (an SSH shell is up). */
  async open(request: OpenTerminal): Promise<TerminalInfo> {
    const environment = request.environmentId ? this.environmentOf(request.environmentId) : null;
    if (request.kind !== 'local' && !environment) {
      throw new ApiError({ code: 'invalid_arguments', message: `A ${KIND_NAMES[request.kind]} terminal belongs to an environment: pick one first.` });
    }
    const launcher = this.options.launchers[request.kind];
    if (!launcher) throw new ApiError({ code: 'invalid_arguments', message: `This host cannot open ${KIND_NAMES[request.kind]} terminals.` });
    const id = randomUUID();
    const launched = await launcher({ terminalId: id, kind: request.kind, environment, targetId: request.targetId, cols: request.cols, rows: request.rows });
    const pty = launched.process;
    const terminal: Terminal = {
      info: {
        id,
        kind: request.kind,
        title: launched.title,
        environmentId: environment?.id ?? null,
        targetId: launched.targetId,
        target: launched.target,
        cols: request.cols,
        rows: request.rows,
        status: 'running',
        exitCode: null,
        notice: null,
        shellIntegration: launched.shellIntegration,
        createdAt: this.clock.now().toISOString(),
      },
      pty,
      dispose: launched.dispose ? () => launched.dispose!() : null,
      scrollback: [],
      scrollbackBytes: 0,
      viewers: new Set(),
      ptyPaused: false,
      lastDataAt: Date.now(),
      endReason: null,
      drain: null,
    };
    this.terminals.set(id, terminal);
    pty.onData((data) => this.output(terminal, data));
    pty.onExit(({ exitCode }) => this.exited(terminal, exitCode));
    pty.onStatus?.(({ status, notice }) => {
      if (terminal.info.status === 'exited') return;
      terminal.info.status = status;
      terminal.info.notice = notice;
      this.changed([id]);
    });
    this.log.info('terminal opened', { id, kind: request.kind, program: launched.program, pid: pty.pid, environmentId: terminal.info.environmentId, target: launched.target });
    this.changed([id]);
    return { ...terminal.info };
  }

  write(id: string, data: string): void {
    const terminal = this.running(id);
    terminal.pty.write(data);
  }

  resize(id: string, cols: number, rows: number): void {
    const terminal = this.running(id);
    terminal.pty.resize(cols, rows);
    terminal.info.cols = cols;
    terminal.info.rows = rows;
  }

  /** Kill the process (if it still runs), end its streams and forget the terminal. */
  close(id: string): void {
    const terminal = this.get(id);
    this.terminals.delete(id);
    if (terminal.drain) clearInterval(terminal.drain);
    if (terminal.info.status !== 'exited') {
      try {
        terminal.pty.kill();
      } catch {
        // already gone
      }
    }
    this.disposeOf(terminal);
    this.endViewers(terminal, terminal.endReason ?? 'terminal closed');
    this.log.info('terminal closed', { id });
    this.changed([id]);
  }

  closeAll(): void {
    for (const id of [...this.terminals.keys()]) this.close(id);
  }

  /** A `terminal.output` stream: the kept scrollback first, then live output until the exit. */
  watch(id: string, sink: StreamSink): StreamSource {
    const terminal = this.terminals.get(id);
    if (!terminal) {
      sink.end(`There is no terminal ${id}; it was closed. Open a new one.`);
      return { pause() {}, resume() {}, close() {} };
    }
    if (terminal.scrollbackBytes > 0) sink.data(concat(terminal.scrollback, terminal.scrollbackBytes));
    if (terminal.endReason !== null) {
      sink.end(terminal.endReason);
      return { pause() {}, resume() {}, close() {} };
    }
    const viewer: Viewer = { sink, paused: false };
    terminal.viewers.add(viewer);
    return {
      pause: () => {
        viewer.paused = true;
        this.applyFlow(terminal);
      },
      resume: () => {
        viewer.paused = false;
        this.applyFlow(terminal);
      },
      close: () => {
        terminal.viewers.delete(viewer);
        this.applyFlow(terminal);
      },
    };
  }

  private output(terminal: Terminal, data: Uint8Array): void {
    terminal.lastDataAt = Date.now();
    terminal.scrollback.push(data);
    terminal.scrollbackBytes += data.byteLength;
    while (terminal.scrollbackBytes > SCROLLBACK_BYTES) {
      const first = terminal.scrollback[0]!;
      const excess = terminal.scrollbackBytes - SCROLLBACK_BYTES;
      if (first.byteLength <= excess) {
        terminal.scrollback.shift();
        terminal.scrollbackBytes -= first.byteLength;
      } else {
        terminal.scrollback[0] = first.subarray(excess);
        terminal.scrollbackBytes -= excess;
      }
    }
    for (const viewer of terminal.viewers) viewer.sink.data(data);
    for (const listener of this.outputListeners) listener(terminal.info.id, data);
  }

  /** Pause the process while any viewer is over the high-water mark; a closed viewer blocks nobody. */
  private applyFlow(terminal: Terminal): void {
    const anyPaused = [...terminal.viewers].some((v) => v.paused);
    if (anyPaused === terminal.ptyPaused) return;
    terminal.ptyPaused = anyPaused;
    if (anyPaused) terminal.pty.pause();
    else {
      terminal.lastDataAt = Date.now(); // the quiet period of a drain restarts with the reading
      terminal.pty.resume();
    }
  }

  /**
   * node-pty can report the exit before the last few KB of a fast command's output: keep reading
   * until the process has been quiet for DRAIN_QUIET_MS (not counting time paused by a slow
   * viewer), and only then end the streams.
   */
  private exited(terminal: Terminal, exitCode: number): void {
    terminal.info.status = 'exited';
    terminal.info.exitCode = exitCode;
    terminal.info.notice = null;
    this.log.info('terminal exited', { id: terminal.info.id, exitCode });
    let unpaused = 0;
    let paused = 0;
    terminal.drain = setInterval(() => {
      if (terminal.ptyPaused) {
        paused += DRAIN_TICK_MS;
        if (paused < DRAIN_PAUSED_LIMIT_MS) return;
      } else unpaused += DRAIN_TICK_MS;
      const quiet = Date.now() - terminal.lastDataAt >= DRAIN_QUIET_MS;
      if (!quiet && unpaused < DRAIN_LIMIT_MS && paused < DRAIN_PAUSED_LIMIT_MS) return;
      clearInterval(terminal.drain!);
      terminal.drain = null;
      terminal.endReason = `exited with code ${exitCode}`;
      this.disposeOf(terminal);
      this.endViewers(terminal, terminal.endReason);
      if (this.terminals.has(terminal.info.id)) this.changed([terminal.info.id]);
    }, DRAIN_TICK_MS);
    this.changed([terminal.info.id]);
  }

  private disposeOf(terminal: Terminal): void {
    const dispose = terminal.dispose;
    terminal.dispose = null;
    if (!dispose) return;
    Promise.resolve()
      .then(dispose)
      .catch((error: unknown) => this.log.warn(`could not clean up after terminal ${terminal.info.id}: ${error instanceof Error ? error.message : String(error)}`));
  }

  private endViewers(terminal: Terminal, reason: string): void {
    const viewers = [...terminal.viewers];
    terminal.viewers.clear();
    for (const viewer of viewers) viewer.sink.end(reason);
  }

  private environmentOf(id: string): Environment {
    if (!this.options.environment) {
      throw new ApiError({ code: 'invalid_arguments', message: 'Terminals here cannot be tied to an environment. Open a plain local shell.' });
    }
    return this.options.environment(id);
  }

  private get(id: string): Terminal {
    const terminal = this.terminals.get(id);
    if (!terminal) throw new ApiError({ code: 'not_found', message: `There is no terminal ${id}; it was closed. Open a new one.` });
    return terminal;
  }

  private running(id: string): Terminal {
    const terminal = this.get(id);
    if (terminal.info.status === 'reconnecting') {
      throw new ApiError({ code: 'conflict', message: `"${terminal.info.title}" is reconnecting (${terminal.info.notice ?? 'the connection dropped'}); nothing was sent. Type again once it is back.` });
    }
    if (terminal.info.status !== 'running') {
      throw new ApiError({ code: 'conflict', message: `The terminal "${terminal.info.title}" has exited (code ${terminal.info.exitCode}); its output is kept. Open a new one to type again.` });
    }
    return terminal;
  }

  private changed(ids: string[]): void {
    for (const listener of this.listeners) listener(ids);
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
