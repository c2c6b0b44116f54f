/**
 * Running runbook steps for real: a real core, real bash in real ptys with shell integration, a
 * real SQLite file. What is checked is what reaches the shell, what the shell did, and what was
 * recorded (and what was not: secret values, escape sequences).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRANSCRIPT_OUTPUT_CAP, type TerminalInfo, type Transcript } from '../../shared/contract';
import { useTestCore } from '../support/core';
import { tempDir } from '../support/temp';

const t = useTestCore();

// The line of each command's fence is how a step names it.
const RUNBOOK = [
  '# Service checks', // 1
  '', // 2
  '## 1. Say hello', // 3
  '', // 4
  '```bash', // 5
  'echo "hello <name> from $REGION"', // 6
  '```', // 7
  '', // 8
  '## 2. Fail', // 9
  '', // 10
  '```bash', // 11
  "sh -c 'exit 3'", // 12
  '```', // 13
  '', // 14
  '## 3. Use the token', // 15
  '', // 16
  '```bash', // 17
  'echo "token=<API_TOKEN>"', // 18
  '```', // 19
  '', // 20
  '## 4. Two lines', // 21
  '', // 22
  '```bash', // 23
  'echo first <word>', // 24
  'echo second', // 25
  '```', // 26
  '', // 27
  '## 5. Clean up', // 28
  '', // 29
  '```bash', // 30
  'rm -rf <dir>', // 31
  '```', // 32
  '', // 33
  '## 6. Print a lot, in colour', // 34
  '', // 35
  '```bash', // 36
  "for i in $(seq 1 2500); do printf '\\033[1;31mred line %05d\\033[0m \\033]0;title\\007padding padding padding\\n' \"$i\"; done", // 37
  '```', // 38
  '',
].join('\n');

const LINE = { hello: 5, fail: 11, token: 17, twoLines: 23, cleanUp: 30, colours: 36 } as const;
const SIZE = { cols: 120, rows: 30 };

let scratch: { path: string; cleanup: () => void };
beforeEach(() => {
  scratch = tempDir('watchfloor-steps-');
});
afterEach(() => scratch.cleanup());

async function setup(tier: 'staging' | 'production' = 'staging') {
  const imported = await t.call('runbooks.import', { files: [{ name: 'checks.md', text: RUNBOOK }] });
  const runbookId = (imported.imported as { id: string }[])[0]!.id;
  const env = await t.call('environments.create', { name: tier === 'production' ? 'Prod EU' : 'Staging EU', tier, color: '#d97706', variables: [{ key: 'REGION', value: 'eu-west-1' }] });
  return { runbookId, environmentId: env.id as string };
}

type RunInput = { runbookId: string; environmentId: string; line: number; values?: Record<string, string>; terminalId?: string; confirmation?: string };

async function run(input: RunInput): Promise<{ terminal: TerminalInfo; transcriptId: string }> {
  const open = input.terminalId ? null : { kind: 'local', ...SIZE };
  return (await t.call('steps.run', { values: {}, terminalId: null, open, confirmation: null, ...input })) as unknown as { terminal: TerminalInfo; transcriptId: string };
}

async function transcripts(filter: { environmentId?: string; terminalId?: string } = {}): Promise<Transcript[]> {
  return (await t.call('transcripts.list', filter)) as unknown as Transcript[];
}

/** The transcript once its command has finished. */
async function finished(id: string): Promise<Transcript> {
  let found: Transcript | undefined;
  await expect.poll(async () => (found = (await transcripts()).find((x) => x.id === id))?.finishedAt ?? null, { timeout: 10_000, interval: 25 }).not.toBeNull();
  return found!;
}

/** A terminal's raw output as text, from its scrollback on. */
function rawOutput(id: string) {
  const decoder = new TextDecoder();
  const seen = { text: '' };
  const source = t.core.streams['terminal.output']({ id }, { data: (b) => (seen.text += decoder.decode(b, { stream: true })), end: () => {} });
  return Object.assign(seen, { close: () => source.close() });
}

const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code: string; message: string });

describe('steps.run', () => {
  it('sends a filled command to a new terminal and records its output and exit code', async () => {
    const { runbookId, environmentId } = await setup();
    const prepared = await t.call('steps.prepare', { runbookId, line: LINE.hello, environmentId, values: { name: 'Ada' } });
    expect(prepared).toMatchObject({ prefilled: [{ name: 'REGION', from: 'variable' }], missing: [], destructive: false, confirmation: null });
    const changed: string[][] = [];
    t.core.events.subscribe((name, payload) => {
      if (name === 'transcripts.changed') changed.push((payload as { ids: string[] }).ids);
    });
    const { terminal, transcriptId } = await run({ runbookId, environmentId, line: LINE.hello, values: { name: 'Ada' } });
    expect(terminal).toMatchObject({ kind: 'local', environmentId, status: 'running', shellIntegration: true });

    const done = await finished(transcriptId);
    expect(done).toMatchObject({
      runbookId,
      runbookTitle: 'Service checks',
      line: LINE.hello,
      environmentId,
      environmentName: 'Staging EU',
      terminalId: terminal.id,
      // $REGION is filled from the environment's variable of that name.
      command: 'echo "hello "Ada" from "eu-west-1""',
      exitCode: 0,
      truncated: false,
    });
    // The command's output only: the shell's echo of the command line is not part of it.
    expect(done.output).toBe('hello Ada from eu-west-1\n');
    expect(changed.flat()).toContain(transcriptId);

    // The same terminal again: a failing command, its exit code; newest first.
    const second = await run({ runbookId, environmentId, line: LINE.fail, terminalId: terminal.id });
    expect(second.terminal.id).toBe(terminal.id);
    expect((await finished(second.transcriptId)).exitCode).toBe(3);
    expect((await transcripts({ terminalId: terminal.id })).map((x) => x.id)).toEqual([second.transcriptId, transcriptId]);
    expect(await transcripts({ environmentId: 'elsewhere' })).toEqual([]);
  });

  it('sends hostile values quoted: nothing in them runs', async () => {
    const { runbookId, environmentId } = await setup();
    const pwned = join(scratch.path, 'pwned');
    const hostile = [`$(touch ${pwned})`, `\`touch ${pwned}\``, `; touch ${pwned}; rm -rf /`, `it's "quoted"`, `two\nlines && touch ${pwned}`];
    let terminalId: string | undefined;
    for (const value of hostile) {
      const r = await run({ runbookId, environmentId, line: LINE.hello, values: { name: value }, ...(terminalId ? { terminalId } : {}) });
      terminalId = r.terminal.id;
      const done = await finished(r.transcriptId);
      expect(done.exitCode).toBe(0);
      expect(done.output).toBe(`hello ${value} from eu-west-1\n`);
    }
    expect(existsSync(pwned)).toBe(false);
  });

  it('runs a multi-line command as one paste, which a value cannot end early', async () => {
    const { runbookId, environmentId } = await setup();
    const pwned = join(scratch.path, 'pwned');
    const value = `x\u001b[201~; touch ${pwned}`;
    const r = await run({ runbookId, environmentId, line: LINE.twoLines, values: { word: value } });
    const done = await finished(r.transcriptId);
    // Both lines ran before the shell reported an end: one paste, one prompt.
    expect(done.output).toBe(`first x[201~; touch ${pwned}\nsecond\n`);
    expect(done.exitCode).toBe(0);
    expect(existsSync(pwned)).toBe(false);
  });

  it('refuses a destructive production command without the environment name, and sends nothing', async () => {
    const { runbookId, environmentId } = await setup('production');
    const victim = join(scratch.path, 'victim');
    mkdirSync(victim);
    const opened = (await t.call('terminals.open', { kind: 'local', environmentId, ...SIZE })) as unknown as TerminalInfo;
    const raw = rawOutput(opened.id);
    await expect.poll(() => raw.text.includes('\u001b]133;A'), { timeout: 5_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 500)); // the prompt drawn after the mark
    const before = raw.text.length;

    for (const confirmation of [null, 'prod eu', 'Staging EU']) {
      const error = await errorOf(run({ runbookId, environmentId, line: LINE.cleanUp, values: { dir: victim }, terminalId: opened.id, ...(confirmation ? { confirmation } : {}) }));
      expect(error).toMatchObject({ code: 'confirmation_required' });
      expect(error!.message).toContain('Prod EU');
      expect(error!.message).toContain('`rm -r` / `rm -f`');
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(raw.text.slice(before)).toBe(''); // not a byte reached the shell
    expect(existsSync(victim)).toBe(true);
    expect(await transcripts()).toEqual([]);

    const r = await run({ runbookId, environmentId, line: LINE.cleanUp, values: { dir: victim }, terminalId: opened.id, confirmation: ' Prod EU ' });
    expect((await finished(r.transcriptId)).exitCode).toBe(0);
    expect(existsSync(victim)).toBe(false);
    raw.close();
  });

  it('refuses unfilled placeholders and terminals of another environment', async () => {
    const { runbookId, environmentId } = await setup();
    const other = await t.call('environments.create', { name: 'Lab', tier: 'development', color: '#2563eb' });
    expect(await errorOf(run({ runbookId, environmentId, line: LINE.hello }))).toMatchObject({ code: 'invalid_arguments', message: expect.stringContaining('name') as unknown });
    const labTerminal = (await t.call('terminals.open', { kind: 'local', environmentId: other.id, ...SIZE })) as unknown as TerminalInfo;
    const error = await errorOf(run({ runbookId, environmentId, line: LINE.fail, terminalId: labTerminal.id }));
    expect(error).toMatchObject({ code: 'conflict' });
    expect(await transcripts()).toEqual([]);
    expect(await t.call('terminals.list', {})).toHaveLength(1); // nothing new was opened
    // A `$VAR` the environment does not define is left for the shell to expand.
    const lab = await run({ runbookId, environmentId: other.id as string, line: LINE.hello, values: { name: 'Ada' }, terminalId: labTerminal.id });
    expect(await finished(lab.transcriptId)).toMatchObject({ command: 'echo "hello "Ada" from $REGION"', exitCode: 0 });
  });

  it('fills a placeholder from the vault and keeps the secret out of everything it records', async () => {
    const { runbookId, environmentId } = await setup();
    const secret = 'tok-5f3a9c1e7b2d4e60';
    await t.call('secrets.setup', { passphrase: 'correct horse battery' });
    await t.call('secrets.set', { environmentId, name: 'API_TOKEN', value: secret });

    const prepared = await t.call('steps.prepare', { runbookId, line: LINE.token, environmentId });
    expect(prepared.prefilled).toEqual([{ name: 'API_TOKEN', from: 'secret' }]);
    expect(prepared.missing).toEqual([]);
    expect(prepared.text).toBe('echo "token="[secret:API_TOKEN]""');

    const r = await run({ runbookId, environmentId, line: LINE.token });
    const raw = rawOutput(r.terminal.id);
    const done = await finished(r.transcriptId);
    // The shell did get the real value, and printed it...
    expect(raw.text).toContain(`token=${secret}`);
    raw.close();
    // ...but the transcript has it redacted.
    expect(done.output).toBe('token=[secret:API_TOKEN]\n');
    expect(done.command).not.toContain(secret);

    const bytes = Buffer.from(secret);
    const db = join(t.dataDir, 'watchfloor.db');
    const files = [db, `${db}-wal`, join(t.dataDir, 'logs', 'watchfloor.log')];
    for (const file of files) {
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file).includes(bytes), file).toBe(false);
    }
    expect(JSON.stringify(await transcripts())).not.toContain(secret);
  });

  it('strips escape sequences and caps the output', async () => {
    const { runbookId, environmentId } = await setup();
    const r = await run({ runbookId, environmentId, line: LINE.colours });
    const done = await finished(r.transcriptId);
    expect(done.exitCode).toBe(0);
    expect(done.truncated).toBe(true);
    expect(Buffer.byteLength(done.output)).toBeLessThanOrEqual(TRANSCRIPT_OUTPUT_CAP);
    expect(Buffer.byteLength(done.output)).toBeGreaterThan(TRANSCRIPT_OUTPUT_CAP - 100);
    expect(done.output.startsWith('red line 00001 padding padding padding\nred line 00002 ')).toBe(true);
    expect(done.output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(done.output).not.toContain('title');
  });

  it('ends a recording when the terminal is closed, with no exit code', async () => {
    const { environmentId } = await setup();
    const step = [
      '# Wait',
      '',
      '```bash',
      'sleep 30',
      '```',
      '',
    ].join('\n');
    const imported = await t.call('runbooks.import', { files: [{ name: 'wait.md', text: step }] });
    const waitId = (imported.imported as { id: string }[])[0]!.id;
    const r = await run({ runbookId: waitId, environmentId, line: 3 });
    await t.call('terminals.close', { id: r.terminal.id });
    const done = await finished(r.transcriptId);
    expect(done.exitCode).toBeNull();
  });
});
