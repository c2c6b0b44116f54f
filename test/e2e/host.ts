import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { WatchfloorApi } from '../../shared/rpc';
import { repoRoot } from '../support/operator';
import { connectClient } from '../support/ws-client';

export interface Host {
  url: string;
  /**
   * The contract's client over the host's own WebSocket, for setting up what a test is not about
   * (an environment with an SSH host) the way the UI would, without clicking through it.
   */
  connect(): Promise<{ api: WatchfloorApi; close(): void }>;
  stop(): Promise<void>;
  /** SIGKILL, as a crash or a dead battery would: nothing gets to flush or close. */
  kill(): Promise<void>;
}

/** Starts the real `watchfloor serve` (the built CLI) on a free port and waits for its URL line. */
export function startHost(dataDir: string): Promise<Host> {
  const child: ChildProcess = spawn(process.execPath, [resolve(repoRoot, 'bin/watchfloor.js'), 'serve', '--data-dir', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += String(d)));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`watchfloor serve printed no URL in 20 s; stderr: ${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`watchfloor serve exited with ${code}: ${stderr}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = new URL(m[1]!);
      const token = url.hash.replace(/^#token=/, '');
      resolvePromise({
        url: m[1]!,
        connect: async () => {
          const { api, ws } = await connectClient(`ws://${url.host}/api?token=${token}`, { Origin: url.origin });
          return { api, close: () => ws.close() };
        },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
        kill: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}
