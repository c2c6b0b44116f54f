/**
 * Local processes in a pty (node-pty), made safe to read to the last byte, and the launcher of
 * local shells. The TerminalService (../service.ts) runs whatever a launcher starts.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { spawn as spawnNodePty } from 'node-pty';
import { ApiError } from '../../../../shared/contract';
import { DRAIN_PAUSED_LIMIT_MS, DRAIN_QUIET_MS, DRAIN_TICK_MS, type Launcher, type LaunchRequest, type Launched, type PtyProcess } from '../service';
import { shellIntegrationFor } from '../shell-integration';

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

export interface LocalShellOptions {
  spawn?: PtySpawner;
  /** The shell a local terminal runs; default $SHELL, else /bin/bash. */
  shell?: string;
  /** The environment the shell inherits; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Where the shell starts; default the operator's home. */
  cwd?: string;
  /**
   * The data dir, where the shell-integration scripts are written: with it, bash and zsh report
   * each command's end and exit code (OSC 133). Without it, shells run unchanged.
   */
  dataDir?: string;
}

/** What a local-shell launch adds: variables on top of the inherited ones, a program instead of the shell. */
export interface LocalShellExtras {
  env?: Record<string, string>;
  command?: { file: string; args: string[] };
  title?: string;
  target?: string | null;
  targetId?: string | null;
  dispose?: () => void | Promise<void>;
}

/**
 * Start an interactive shell (not a login shell) in a pty: the operator's environment, TERM set
 * for xterm.js, the environment's variables, and `extras` (kubectl and wrangler sessions add
 * theirs). Also the launcher of `local` terminals.
 */
export function spawnLocalShell(options: LocalShellOptions, request: LaunchRequest, extras: LocalShellExtras = {}): Launched {
  const spawn = options.spawn ?? nodePtySpawner;
  const inherited = options.env ?? process.env;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(inherited)) if (value !== undefined) env[key] = value;
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  for (const v of request.environment?.variables ?? []) env[v.key] = v.value;
  Object.assign(env, extras.env ?? {});
  const file = extras.command?.file ?? options.shell ?? (inherited.SHELL || '/bin/bash');
  const args = extras.command?.args ?? [];
  // Only for the shell itself: a program run in its place is left as it is.
  const integration = !extras.command && options.dataDir ? shellIntegrationOrNull(options.dataDir, file, env) : null;
  if (integration) {
    args.push(...integration.args);
    Object.assign(env, integration.env);
  }
  let pty: PtyProcess;
  try {
    pty = spawn(file, args, { name: 'xterm-256color', cols: request.cols, rows: request.rows, cwd: options.cwd ?? homedir(), env });
  } catch (error) {
    void extras.dispose?.();
    throw new ApiError({
      code: 'internal',
      message: `Could not start ${file} in a terminal: ${error instanceof Error ? error.message : String(error)}. Nothing was started; check the shell ($SHELL) exists.`,
    });
  }
  const environment = request.environment;
  return {
    process: pty,
    title: extras.title ?? (environment ? `${environment.name} · local` : 'Local shell'),
    targetId: extras.targetId ?? null,
    target: extras.target ?? null,
    shellIntegration: integration !== null,
    program: file,
    ...(extras.dispose ? { dispose: extras.dispose } : {}),
  };
}

/** A data dir that cannot take the scripts costs the exit codes, not the terminal. */
function shellIntegrationOrNull(dataDir: string, shell: string, env: Record<string, string>) {
  try {
    return shellIntegrationFor(dataDir, shell, env);
  } catch {
    return null;
  }
}

export function localShellLauncher(options: LocalShellOptions = {}): Launcher {
  return (request) => spawnLocalShell(options, request);
}
