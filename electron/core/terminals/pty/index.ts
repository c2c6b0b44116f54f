/**
 * Local shells in a pty (node-pty). Each terminal keeps its last SCROLLBACK_BYTES of output so a
 * window that opens its stream later sees what came before; output fans out to every open
 * stream, and the pty is paused while any of them is over the flow-control high-water mark.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { spawn as spawnNodePty } from 'node-pty';
import { ApiError, type CallParsedInput, type TerminalInfo, type Variable } from '../../../../shared/contract';
import type { Clock } from '../../clock';
import type { StreamSink, StreamSource } from '../..';
import type { Log } from '../../log';

/** Output kept per terminal for late viewers (bytes). */
export const SCROLLBACK_BYTES = 1_000_000;
/** After the process exits, the pty is read until it has been quiet this long... */
const DRAIN_QUIET_MS = 75;
/** ...or this much unpaused time has passed (node-pty can report exit before the last output). */
const DRAIN_LIMIT_MS = 1_000;
/** A viewer that never acknowledges cannot keep an exited terminal open for ever. */
const DRAIN_PAUSED_LIMIT_MS = 30_000;
const DRAIN_TICK_MS = 25;

/** The part of a node-pty process the service uses; tests may pass another spawner. */
export interface PtyProcess {
  readonly pid: number;
  onData(listener: (data: Uint8Array) => void): void;
  onExit(listener: (exit: { exitCode: number; signal?: number }) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: string): void;
}

export type PtySpawner = (
  file: string,
  args: string[],
  options: { name: string; cols: number; rows: number; cwd: string; env: Record<string, string> },
) => PtyProcess;

/** node-pty with `encoding: null`: output arrives as Buffers, never decoded and re-encoded. */
export const nodePtySpawner: PtySpawner = (file, args, options) => {
  const pty = spawnNodePty(file, args, { ...options, encoding: null });
  let paused = false;
  const internals = pty as unknown as { _socket?: PtySocket; _pty?: string };
  const slave = holdSlave(internals._pty);
  holdSocketUntilRead(internals._socket, () => paused, () => slave.release());
  return {
    pid: pty.pid,
    // The typings say string; with `encoding: null` node-pty hands over Buffers.
    onData: (listener) => void pty.onData((data) => listener(data as unknown as Uint8Array)),
    onExit: (listener) => void pty.onExit(listener),
    write: (data) => pty.write(data),
    resize: (cols, rows) => pty.resize(cols, rows),
    pause: () => {
      paused = true;
      pty.pause();
    },
    resume: () => {
      paused = false;
      pty.resume();
    },
    kill: (signal) => pty.kill(signal),
  };
};

interface PtySocket {
  destroyed: boolean;
  destroy(): unknown;
  on(event: 'data' | 'close', listener: () => void): unknown;
}

/**
 * Keep the pty's slave side open in this process. On Linux, once the last slave descriptor
 * closes, reading the master fails with EIO, which libuv takes for the end: the output still in
 * the kernel's buffer is dropped (node-pty issue #72). Holding a slave open means the reader sees
 * every byte; the hold is released once the output has been read (holdSocketUntilRead).
 */
function holdSlave(path: string | undefined): { release(): void } {
  let fd: number | null = null;
  try {
    if (path) fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    fd = null; // the process is already gone; nothing left to protect
  }
  return {
    release() {
      if (fd === null) return;
      const held = fd;
      fd = null;
      try {
        closeSync(held);
      } catch {
        // already closed
      }
    },
  };
}

/**
 * node-pty 1.1 destroys the pty's socket 200 ms after the process exits if it has not closed by
 * then (a workaround for macOS), discarding whatever output is still unread: a fast command's
 * last KB, or everything a paused (flow-controlled) terminal holds. Hold that destroy until the
 * socket has been quiet and unpaused for a while (bounded, so a viewer that never acknowledges
 * cannot keep it for ever), then release the held slave and let it go.
 */
function holdSocketUntilRead(socket: PtySocket | undefined, isPaused: () => boolean, released: () => void): void {
  if (!socket || typeof socket.destroy !== 'function') return released();
  const destroy = () => {
    released();
    original();
  };
  const original = socket.destroy.bind(socket);
  let lastData = Date.now();
  socket.on('data', () => (lastData = Date.now()));
  socket.on('close', released);
  socket.destroy = () => {
    const since = Date.now();
    const attempt = () => {
      if (socket.destroyed) return;
      const waited = Date.now() - since;
      const quiet = !isPaused() && Date.now() - lastData >= DRAIN_QUIET_MS;
      if (quiet || waited >= DRAIN_PAUSED_LIMIT_MS) destroy();
      else setTimeout(attempt, DRAIN_TICK_MS);
    };
    attempt();
    return socket;
  };
}

export interface TerminalEnvironment {
  name: string;
  variables: Variable[];
}

export interface TerminalServiceOptions {
  spawn?: PtySpawner;
  /** The shell a local terminal runs; default $SHELL, else /bin/bash. */
  shell?: string;
  /** The environment the shell inherits; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Where the shell starts; default the operator's home. */
  cwd?: string;
  /** An environment's name and variables (environments.get); throws for an unknown id. */
  environment?: (id: string) => TerminalEnvironment;
}

export type OpenTerminal = CallParsedInput<'terminals.open'>;

interface Viewer {
  sink: StreamSink;
  paused: boolean;
}

interface Terminal {
  info: TerminalInfo;
  pty: PtyProcess;
  scrollback: Uint8Array[];
  scrollbackBytes: number;
  viewers: Set<Viewer>;
  ptyPaused: boolean;
  lastDataAt: number;
  /** Set once the process exited and its output was drained: streams end with it. */
  endReason: string | null;
  drain: ReturnType<typeof setInterval> | null;
}

export class TerminalService {
  private readonly terminals = new Map<string, Terminal>();
  private readonly listeners = new Set<(ids: string[]) => void>();
  private readonly spawn: PtySpawner;
  private readonly shell: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly cwd: string;

  constructor(
    private readonly log: Log,
    private readonly clock: Clock,
    private readonly options: TerminalServiceOptions = {},
  ) {
    this.spawn = options.spawn ?? nodePtySpawner;
    this.env = options.env ?? process.env;
    this.shell = options.shell ?? (this.env.SHELL || '/bin/bash');
    this.cwd = options.cwd ?? homedir();
  }

  /** Called with the ids of terminals that opened, exited or closed. */
  onChange(listener: (ids: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): TerminalInfo[] {
    return [...this.terminals.values()].map((t) => ({ ...t.info }));
  }

  /**
   * Start an interactive shell (not a login shell) in the operator's home. `command` runs that
   * program instead of the shell; it is for tests and internal use, not part of the contract.
   */
  open(request: OpenTerminal, internal: { command?: { file: string; args: string[] } } = {}): TerminalInfo {
    const environment = request.environmentId ? this.environmentOf(request.environmentId) : null;
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.env)) if (value !== undefined) env[key] = value;
    env.TERM = 'xterm-256color';
    env.COLORTERM = 'truecolor';
    for (const v of environment?.variables ?? []) env[v.key] = v.value;

    const file = internal.command?.file ?? this.shell;
    const args = internal.command?.args ?? [];
    let pty: PtyProcess;
    try {
      pty = this.spawn(file, args, { name: 'xterm-256color', cols: request.cols, rows: request.rows, cwd: this.cwd, env });
    } catch (error) {
      throw new ApiError({
        code: 'internal',
        message: `Could not start ${file} in a terminal: ${error instanceof Error ? error.message : String(error)}. Nothing was started; check the shell ($SHELL) exists.`,
      });
    }
    const id = randomUUID();
    const terminal: Terminal = {
      info: {
        id,
        kind: 'local',
        title: environment ? `${environment.name} · local` : 'Local shell',
        environmentId: request.environmentId ?? null,
        cols: request.cols,
        rows: request.rows,
        status: 'running',
        exitCode: null,
        createdAt: this.clock.now().toISOString(),
      },
      pty,
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
    this.log.info('terminal opened', { id, shell: file, pid: pty.pid, environmentId: terminal.info.environmentId });
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
    if (terminal.info.status === 'running') {
      try {
        terminal.pty.kill();
      } catch {
        // already gone
      }
    }
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
  }

  /** Pause the pty while any viewer is over the high-water mark; a closed viewer blocks nobody. */
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
   * until the pty has been quiet for DRAIN_QUIET_MS (not counting time paused by a slow viewer),
   * and only then end the streams.
   */
  private exited(terminal: Terminal, exitCode: number): void {
    terminal.info.status = 'exited';
    terminal.info.exitCode = exitCode;
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
      this.endViewers(terminal, terminal.endReason);
      if (this.terminals.has(terminal.info.id)) this.changed([terminal.info.id]);
    }, DRAIN_TICK_MS);
    this.changed([terminal.info.id]);
  }

  private endViewers(terminal: Terminal, reason: string): void {
    const viewers = [...terminal.viewers];
    terminal.viewers.clear();
    for (const viewer of viewers) viewer.sink.end(reason);
  }

  private environmentOf(id: string): TerminalEnvironment {
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
