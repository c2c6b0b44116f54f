/**
 * The journal survives its writer being killed: a child process appends events and prints each seq
 * once append has returned; it is killed with SIGKILL at a random point, 20 times over one data
 * dir. After each kill, every seq it reported is in the journal, in order, and the chain verifies.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../electron/core/clock';
import { openStore } from '../../electron/core/db';
import { Journal, verifyJournal } from '../../electron/core/incidents';
import { tempDir } from '../support/temp';

const ROUNDS = 20;
const INCIDENT = 'crash-test-incident';
const root = resolve(import.meta.dirname, '../..');

let dir: { path: string; cleanup: () => void };
let writer: string;

beforeAll(async () => {
  dir = tempDir();
  // One bundle, run by plain node: loading the sources through tsx takes about a second per
  // start on a small machine, twenty times over. better-sqlite3 stays outside (NODE_PATH finds it).
  writer = join(dir.path, 'journal-writer.cjs');
  await build({ entryPoints: [join(root, 'test/support/journal-writer.ts')], outfile: writer, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['better-sqlite3'], logLevel: 'error' });
});
afterAll(() => dir.cleanup());

/** Run the writer until a random moment after it is ready, kill it, and return the seqs it reported. */
async function writeUntilKilled(dataDir: string, killAfterMs: number): Promise<number[]> {
  const child = spawn(process.execPath, [writer, dataDir, INCIDENT], {
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const ready = new Promise<void>((r) => child.stdout.on('data', () => out.startsWith('ready\n') && r()));
  const outcome = await Promise.race([ready.then(() => null), exited]);
  if (outcome) throw new Error(`the writer exited before it was ready (${outcome.code ?? outcome.signal}): ${err}`);
  await new Promise((r) => setTimeout(r, killAfterMs));
  child.kill('SIGKILL');
  const { signal } = await exited;
  expect(signal, err).toBe('SIGKILL');
  // Only whole lines: a seq is reported once its newline is out.
  return out
    .split('\n')
    .slice(1, -1)
    .map((line) => Number(line));
}

it(`keeps every event the writer reported as saved, in order, through ${ROUNDS} SIGKILLs`, { timeout: 60_000 }, async () => {
  const dataDir = join(dir.path, 'data');
  let kept = 0;
  let reportedInAll = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const killAfterMs = Math.floor(Math.random() * 120);
    const reported = await writeUntilKilled(dataDir, killAfterMs);
    const context = `round ${round}, killed ${killAfterMs} ms after ready`;

    const { db } = openStore(dataDir);
    try {
      const events = new Journal(db, systemClock).events(INCIDENT);
      expect(verifyJournal(events), context).toEqual({ ok: true, lastSeq: events.length });
      // The writer went on from where the last one stopped, and nothing it said was saved is missing.
      if (reported.length) {
        expect(reported[0], context).toBe(kept + 1);
        expect(reported, context).toEqual(reported.map((_, i) => kept + 1 + i));
        expect(events.length, context).toBeGreaterThanOrEqual(reported.at(-1)!);
      }
      // At most the one event in flight when it died was saved but never reported.
      expect(events.length - (reported.at(-1) ?? kept), context).toBeLessThanOrEqual(1);
      reportedInAll += reported.length;
      kept = events.length;
    } finally {
      db.close();
    }
  }
  expect(reportedInAll).toBeGreaterThan(ROUNDS);
});
