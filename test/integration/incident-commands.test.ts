/**
 * Steps run for an incident, for real: a real core, real bash in a real pty with shell integration,
 * a real SQLite file. The command and what it printed land in the incident's journal, redacted; a
 * step for an unknown or resolved incident never reaches a terminal; a command whose host died is
 * journaled once, from what its transcript kept, as interrupted.
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { dispatch } from '../../electron/core/api/dispatch';
import { OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES, trimOutput, verifyJournal } from '../../electron/core/incidents';
import { IncidentDetail, type JournalEvent, type TerminalInfo, type Transcript } from '../../shared/contract';
import { useTestCore } from '../support/core';

const t = useTestCore();

// Written like the seed runbooks: numbered steps, each with its command in a bash fence.
const RUNBOOK = [
  '# Billing queue', // 1
  '', // 2
  '## RB-01: Queue backlog', // 3
  '', // 4
  '1. Check the queue depth:', // 5
  '', // 6
  '   ```bash', // 7
  "   printf 'depth=%s\\n' 512", // 8
  '   ```', // 9
  '', // 10
  '2. Check the token works:', // 11
  '', // 12
  '   ```bash', // 13
  "   printf 'token=%s\\n' <API_TOKEN>", // 14
  '   ```', // 15
  '', // 16
  '3. Watch the consumer:', // 17
  '', // 18
  '   ```bash', // 19
  "   printf 'draining\\n'; sleep 30", // 20
  '   ```', // 21
  '',
].join('\n');
const LINE = { depth: 7, token: 13, watch: 19 } as const;
const TOKEN = 'tok-5f3a9c1e7b2d4e60';
const SIZE = { cols: 120, rows: 30 };

const call = async <T>(method: string, params: unknown): Promise<T> => (await t.call(method, params)) as T;
const failure = (method: string, params: unknown) => t.call(method, params).then(() => ({ code: 'none', message: '' }), (e: { code: string; message: string }) => e);

async function setup(): Promise<{ runbookId: string; environmentId: string; incidentId: string }> {
  const imported = await call<{ imported: { id: string }[] }>('runbooks.import', { files: [{ name: 'billing.md', text: RUNBOOK }] });
  const runbookId = imported.imported[0]!.id;
  const environmentId = (await call<{ id: string }>('environments.create', { name: 'Staging EU', tier: 'staging', color: '#d97706' })).id;
  const incidentId = IncidentDetail.parse(await call('incidents.start', { title: 'Billing queue backlog', environmentId })).incident.id;
  return { runbookId, environmentId, incidentId };
}

function run(input: { runbookId: string; environmentId: string; line: number; incidentId: string | null; stepKey?: string | null; terminalId?: string }) {
  const open = input.terminalId ? null : { kind: 'local', ...SIZE };
  return call<{ terminal: TerminalInfo; transcriptId: string }>('steps.run', { values: {}, terminalId: null, open, confirmation: null, stepKey: null, ...input });
}

/** The incident's whole journal (straight from the store: helper calls may page it). */
function journal(core: Core, incidentId: string): JournalEvent[] {
  return (core.db.prepare('SELECT seq, kind, data FROM journal WHERE incident_id = ? ORDER BY seq').all(incidentId) as { seq: number; kind: string; data: string }[]).map(
    (r) => ({ seq: r.seq, kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown> }) as JournalEvent,
  );
}

async function captured(core: Core, incidentId: string, transcriptId: string): Promise<JournalEvent> {
  let found: JournalEvent | undefined;
  await expect
    .poll(() => (found = journal(core, incidentId).find((e) => e.kind === 'output-captured' && e.data.transcriptId === transcriptId)), { timeout: 15_000, interval: 25 })
    .toBeDefined();
  return found!;
}

describe('steps run for an incident', () => {
  it('journals command-sent, then output-captured with the exit code, once', async () => {
    const { runbookId, environmentId, incidentId } = await setup();
    const changed: string[][] = [];
    t.core.events.subscribe((name, payload) => name === 'incidents.changed' && changed.push((payload as { ids: string[] }).ids));

    const { terminal, transcriptId } = await run({ runbookId, environmentId, line: LINE.depth, incidentId, stepKey: '0.0' });
    expect(terminal.shellIntegration).toBe(true);
    const sent = journal(t.core, incidentId).find((e) => e.kind === 'command-sent');
    expect(sent?.data).toEqual({ key: '0.0', transcriptId, command: "printf 'depth=%s\\n' 512", terminalId: terminal.id, terminalTitle: terminal.title, environmentName: 'Staging EU' });

    const output = await captured(t.core, incidentId, transcriptId);
    expect(output.data).toEqual({ transcriptId, key: '0.0', exitCode: 0, output: 'depth=512\n', truncated: false, interrupted: false });
    expect(output.seq).toBe(sent!.seq + 1);
    expect(changed.filter((ids) => ids.includes(incidentId)).length).toBeGreaterThanOrEqual(2);

    // A second command in the same terminal, without a step key; nothing is journaled twice.
    const again = await run({ runbookId, environmentId, line: LINE.depth, incidentId, terminalId: terminal.id });
    await captured(t.core, incidentId, again.transcriptId);
    await new Promise((r) => setTimeout(r, 600));
    const kinds = journal(t.core, incidentId).map((e) => e.kind);
    expect(kinds).toEqual(['opened', 'command-sent', 'output-captured', 'command-sent', 'output-captured']);
    expect(journal(t.core, incidentId).at(-2)!.data).toMatchObject({ key: null });
    const detail = IncidentDetail.parse(await call('incidents.get', { id: incidentId }));
    expect(verifyJournal(detail.recent).ok).toBe(true);
  });

  it('keeps a vault secret out of the journal: the command and its output are redacted', async () => {
    const { runbookId, environmentId, incidentId } = await setup();
    await call('secrets.setup', { passphrase: 'correct horse battery' });
    await call('secrets.set', { environmentId, name: 'API_TOKEN', value: TOKEN });
    const { transcriptId } = await run({ runbookId, environmentId, line: LINE.token, incidentId, stepKey: '0.1' });
    const output = await captured(t.core, incidentId, transcriptId);
    expect(output.data).toMatchObject({ exitCode: 0, output: 'token=[secret:API_TOKEN]\n' });
    const sent = journal(t.core, incidentId).find((e) => e.kind === 'command-sent')!;
    expect(sent.data.command).toBe("printf 'token=%s\\n' [secret:API_TOKEN]");
    expect(JSON.stringify(t.core.db.prepare('SELECT data FROM journal').all())).not.toContain(TOKEN);
  });

  it('sends nothing for an unknown or a resolved incident', async () => {
    const { runbookId, environmentId, incidentId } = await setup();
    expect(await failure('steps.run', { runbookId, environmentId, line: LINE.depth, values: {}, terminalId: null, open: { kind: 'local', ...SIZE }, incidentId: 'nope' })).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('Nothing was sent'),
    });
    await call('incidents.setStatus', { id: incidentId, status: 'resolved' });
    expect(await failure('steps.run', { runbookId, environmentId, line: LINE.depth, values: {}, terminalId: null, open: { kind: 'local', ...SIZE }, incidentId })).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('Nothing was sent'),
    });
    expect(await call<TerminalInfo[]>('terminals.list', {})).toEqual([]);
    expect(await call<Transcript[]>('transcripts.list', {})).toEqual([]);
    expect(journal(t.core, incidentId).map((e) => e.kind)).toEqual(['opened', 'status']);
  });

  it('still runs a step without an incident, and journals nothing', async () => {
    const { runbookId, environmentId, incidentId } = await setup();
    const { transcriptId } = await run({ runbookId, environmentId, line: LINE.depth, incidentId: null });
    await expect.poll(async () => (await call<Transcript[]>('transcripts.list', {})).find((x) => x.id === transcriptId)?.exitCode, { timeout: 15_000, interval: 25 }).toBe(0);
    expect(journal(t.core, incidentId).map((e) => e.kind)).toEqual(['opened']);
  });

  it('on start, journals a command whose host died from what its transcript kept, as interrupted, once', async () => {
    const { runbookId, environmentId, incidentId } = await setup();
    const { transcriptId } = await run({ runbookId, environmentId, line: LINE.watch, incidentId, stepKey: '0.2' });
    // The command printed something, and is still running when its host "dies".
    await expect.poll(async () => (await call<Transcript[]>('transcripts.list', {})).find((x) => x.id === transcriptId)?.output, { timeout: 15_000, interval: 25 }).toBe('draining\n');

    // A new host on the same data dir, as after a crash: the old one never saw the command end.
    const next = createCore({ dataDir: t.dataDir, host: 'headless', bundledRunbooksDir: null, watchSources: false });
    try {
      const output = journal(next, incidentId).find((e) => e.kind === 'output-captured');
      expect(output?.data).toEqual({ transcriptId, key: '0.2', exitCode: null, output: 'draining\n', truncated: false, interrupted: true });
      const r = await dispatch(next, 'incidents.get', { id: incidentId });
      expect(r.ok && verifyJournal(IncidentDetail.parse(r.value).recent).ok).toBe(true);
    } finally {
      next.close();
    }
    // The old host closing its terminal ends the transcript: the output is not journaled again.
    await call('terminals.close', { id: (await call<TerminalInfo[]>('terminals.list', {}))[0]!.id });
    await new Promise((r) => setTimeout(r, 600));
    expect(journal(t.core, incidentId).filter((e) => e.kind === 'output-captured')).toHaveLength(1);
    // And a third start finds nothing left to do.
    const third = createCore({ dataDir: t.dataDir, host: 'headless', bundledRunbooksDir: null, watchSources: false });
    third.close();
    expect(journal(t.core, incidentId).map((e) => e.kind)).toEqual(['opened', 'command-sent', 'output-captured']);
  });
});

describe('a host closed while a command runs', () => {
  it('leaves the output to the next start, which journals it as interrupted', async () => {
    const dataDir = t.dataDir + '-closed';
    const on = (core: Core) => async <T>(method: string, params: unknown): Promise<T> => {
      const r = await dispatch(core, method, params);
      if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
      return r.value as T;
    };
    const first = createCore({ dataDir, host: 'headless', bundledRunbooksDir: null, watchSources: false });
    let incidentId: string;
    let transcriptId: string;
    try {
      const call1 = on(first);
      const runbookId = (await call1<{ imported: { id: string }[] }>('runbooks.import', { files: [{ name: 'billing.md', text: RUNBOOK }] })).imported[0]!.id;
      const environmentId = (await call1<{ id: string }>('environments.create', { name: 'Staging EU', tier: 'staging', color: '#d97706' })).id;
      incidentId = IncidentDetail.parse(await call1('incidents.start', { title: 'Billing queue backlog', environmentId })).incident.id;
      ({ transcriptId } = await call1<{ transcriptId: string }>('steps.run', { runbookId, environmentId, line: LINE.watch, values: {}, terminalId: null, open: { kind: 'local', ...SIZE }, confirmation: null, incidentId, stepKey: '0.2' }));
      await expect.poll(async () => (await call1<Transcript[]>('transcripts.list', {})).find((x) => x.id === transcriptId)?.output, { timeout: 15_000, interval: 25 }).toBe('draining\n');
    } finally {
      first.close();
    }
    const next = createCore({ dataDir, host: 'headless', bundledRunbooksDir: null, watchSources: false });
    try {
      expect(journal(next, incidentId).map((e) => [e.kind, e.data.interrupted, e.data.exitCode, e.data.output])).toEqual([
        ['opened', undefined, undefined, undefined],
        ['command-sent', undefined, undefined, undefined],
        ['output-captured', true, null, 'draining\n'],
      ]);
    } finally {
      next.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('output as journaled', () => {
  it('keeps short output whole, and of long output its first 2 KB and last 6 KB with what was left out', () => {
    expect(trimOutput('depth=512\n')).toEqual({ output: 'depth=512\n', trimmed: false });
    const whole = 'x'.repeat(OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES);
    expect(trimOutput(whole)).toEqual({ output: whole, trimmed: false });

    const lines = Array.from({ length: 2000 }, (_, i) => `line ${String(i).padStart(4, '0')} é\n`).join('');
    const { output, trimmed } = trimOutput(lines);
    expect(trimmed).toBe(true);
    expect(output.startsWith('line 0000 é\n')).toBe(true);
    expect(output.endsWith('line 1999 é\n')).toBe(true);
    const [head, tail] = output.split(/… \d+ bytes trimmed …\n/);
    const left = Number(/… (\d+) bytes trimmed …/.exec(output)![1]);
    expect(Buffer.byteLength(head!) - 1 + Buffer.byteLength(tail!) + left).toBe(Buffer.byteLength(lines));
    expect(Buffer.byteLength(head!)).toBeLessThanOrEqual(OUTPUT_HEAD_BYTES + 1);
    expect(Buffer.byteLength(tail!)).toBeLessThanOrEqual(OUTPUT_TAIL_BYTES);
    // Cut on character boundaries: no replacement characters from a split é.
    expect(output).not.toContain('\uFFFD');
  });
});
