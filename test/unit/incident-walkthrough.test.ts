import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findProcedure } from '../../electron/core/alerts/links';
import { verifyJournal } from '../../electron/core/incidents';
import { buildWalkthrough } from '../../electron/core/incidents/walkthrough';
import { importRunbook } from '../../electron/core/runbooks';
import { IncidentDetail, IncidentSummary, JournalEvent, type Walkthrough } from '../../shared/contract';
import { useTestCore } from '../support/core';
import { TestClock } from '../support/clock';

// The seed runbooks live beside the repository (../shared/seeds), never copied into it.
const seedsDir = path.resolve(__dirname, '../../../shared/seeds');
const seedFile = (prefix: string) => readdirSync(seedsDir).find((f) => f.startsWith(`${prefix}_`) && f.endsWith('.txt'))!;
const seedText = (prefix: string) => readFileSync(path.join(seedsDir, seedFile(prefix)), 'utf8');
const seed = (prefix: string) => importRunbook(seedText(prefix), `seeds/${prefix}.txt`);
const plan = (prefix: string, ref: string): Walkthrough => {
  const walk = buildWalkthrough('rb', seed(prefix), ref, [], new Date('2026-11-25T10:00:00Z'));
  if (!walk) throw new Error(`seed ${prefix} has no procedure ${ref}`);
  return walk;
};
const summary = (w: Walkthrough) => w.items.map((i) => `${i.key} ${i.kind}${i.groupId ? `@${i.groupId}` : ''} ${i.title}`);

describe('findProcedure', () => {
  it('finds a procedure by id first, else by title, so id-less procedures can be walked', () => {
    const rb000 = seed('000');
    expect(findProcedure(rb000, 'rb 01')?.title).toBe('Queue Backlog');
    expect(findProcedure(rb000, 'Queue Backlog')?.id).toBe('RB-01');
    const rb001 = seed('001');
    expect(findProcedure(rb001, 'High Error Rate Alert')).toMatchObject({ id: null, kind: 'procedure', title: 'High Error Rate Alert' });
    expect(findProcedure(rb001, 'high-error-rate alert')?.title).toBe('High Error Rate Alert');
    expect(findProcedure(rb001, 'No such thing')).toBeNull();
    expect(findProcedure(rb001, '')).toBeNull();
  });
});

describe('the plan of a seed procedure', () => {
  it("000 RB-01: three checks in order, then its three 'If ...' steps as one choice", () => {
    const w = plan('000', 'RB-01');
    expect(summary(w)).toEqual([
      '0.0 step Check all compute agents are online',
      '0.1 step Check Queue Consumer Worker is deployed and healthy',
      '0.2 step Check D1 for jobs stuck in wrong state',
      '0.3 alternative@g0.3 If agents healthy but queue still growing → scale agent cluster',
      '0.4 alternative@g0.3 If Queue Consumer is failing → check Worker error logs',
      '0.5 alternative@g0.3 If DLQ is non-empty, inspect and optionally replay',
    ]);
    expect(w.groups).toEqual([{ id: 'g0.3', title: 'Choose what applies', keys: ['0.3', '0.4', '0.5'], chosenKey: null, chosenAt: null }]);
    expect(w.context).toEqual([
      { title: 'Alert', text: '- queue.depth > 500 for > 2 min' },
      { title: 'Queue Backlog', text: expect.stringMatching(/^Symptoms: Jobs stuck in queued/) },
    ]);
    expect(w).toMatchObject({ procedureId: 'RB-01', procedureTitle: 'Queue Backlog', current: { kind: 'step', key: '0.0' } });
    const command = w.items[0]!.commands[0]!;
    expect(command).toMatchObject({ runnable: true, destructive: false, language: expect.any(String) });
    expect(command.line).toBeGreaterThan(1);
  });

  it('000 RB-02: plain steps, no choice', () => {
    const w = plan('000', 'RB-02');
    expect(w.items.map((i) => i.kind)).toEqual(['step', 'step', 'step', 'step']);
    expect(w.groups).toEqual([]);
  });

  it('003 Runbook 1: Symptoms and Prevention as context, Diagnosis Steps as steps, Resolution Paths as one choice', () => {
    const w = plan('003', 'Runbook 1');
    expect(w.context.map((c) => c.title)).toEqual(['Symptoms', 'Prevention']);
    expect(summary(w)).toEqual([
      '2.0 step Check Cloudflare Status',
      '2.1 step View Worker Logs',
      '2.2 step Check Recent Deployments',
      '2.3 step Test Worker Locally',
      '3.0 alternative@g3 Path A: Platform Issue',
      '3.1 alternative@g3 Path B: Code Error',
      '3.2 alternative@g3 Path C: Resource Limit',
      '3.3 alternative@g3 Path D: Binding Issue',
    ]);
    expect(w.groups).toMatchObject([{ id: 'g3', title: 'Resolution Paths' }]);
  });

  it('001 High Error Rate Alert (no id): Immediate Actions then Investigation Steps, Resolution as a choice', () => {
    const w = plan('001', 'High Error Rate Alert');
    expect(w.procedureId).toBe('High Error Rate Alert');
    expect(w.context.map((c) => c.title)).toEqual(['Alert', 'Symptoms', 'Prevention']);
    expect(w.items.filter((i) => i.kind === 'step').map((i) => i.section)).toEqual([...Array<string>(6).fill('Immediate Actions'), ...Array<string>(4).fill('Investigation Steps')]);
    expect(w.groups).toMatchObject([{ id: 'g5', title: 'Resolution', keys: ['5.0', '5.1', '5.2', '5.3', '5.4'] }]);
  });

  it("002's checklist: five checks, the first with its 15-minute timer", () => {
    const w = plan('002', 'Recovery Verification Checklist');
    expect(w.items.map((i) => i.kind)).toEqual(Array<string>(5).fill('check'));
    expect(w.items[0]).toMatchObject({ timerSeconds: 900, state: 'current' });
  });

  it('004 Worker Not Processing Jobs: Symptoms as context, Investigation and Resolution as steps with commands', () => {
    const w = plan('004', 'Worker Not Processing Jobs');
    expect(w.context).toEqual([{ title: 'Worker Not Processing Jobs', text: expect.stringMatching(/^Symptoms:/) }]);
    expect(w.items.map((i) => [i.title, i.commands.length > 0])).toEqual([
      ['Investigation', true],
      ['Resolution', true],
    ]);
  });
});

const clock = new TestClock();
const t = useTestCore({ clock });
const call = async <T>(method: string, params: unknown): Promise<T> => (await t.call(method, params)) as T;
const failure = (method: string, params: unknown) => t.call(method, params).then(() => ({ code: 'none', message: '' }), (e: { code: string; message: string }) => e);

async function importSeed(prefix: string): Promise<string> {
  const result = await call<{ imported: { id: string }[] }>('runbooks.import', { files: [{ name: seedFile(prefix).replace('.txt', '.md'), text: seedText(prefix) }] });
  return result.imported[0]!.id;
}
const detail = async (id: string) => IncidentDetail.parse(await call('incidents.get', { id }));
const step = async (id: string, key: string, action: string, note: string | null = null) => IncidentDetail.parse(await call('incidents.step', { id, key, action, note }));
const events = (id: string) => t.core.db.prepare('SELECT seq, kind, data FROM journal WHERE incident_id = ? ORDER BY seq').all(id) as { seq: number; kind: string; data: string }[];
const stepEvents = (id: string) =>
  events(id)
    .filter((e) => e.kind.startsWith('step-') || e.kind === 'path-chosen')
    .map((e) => `${e.kind} ${(JSON.parse(e.data) as { key: string }).key}`);

describe('walking an incident through a procedure', () => {
  it('000 RB-01: done, skip and fail with notes, a path chosen, each next step started in the same transaction', async () => {
    const runbookId = await importSeed('000');
    const started = IncidentDetail.parse(await call('incidents.start', { title: 'Queue backlog', severity: 'P1', runbookId, procedureId: 'RB-01' }));
    const id = started.incident.id;
    expect(started.walkthrough).toMatchObject({ runbookId, procedureId: 'RB-01', current: { kind: 'step', key: '0.0' } });
    expect(started.walkthrough!.items[0]).toMatchObject({ state: 'current', startedAt: started.incident.openedAt });
    expect(stepEvents(id)).toEqual(['step-started 0.0']);

    clock.t += 60_000;
    let d = await step(id, '0.0', 'done');
    expect(d.walkthrough!.current).toEqual({ kind: 'step', key: '0.1' });
    // The response target is met by the first step acted on.
    expect(d.clocks.response.metAt).toBe(new Date(clock.t).toISOString());

    const before = events(id).length;
    expect(await failure('incidents.step', { id, key: '0.1', action: 'skip', note: '  ' })).toMatchObject({ code: 'invalid_arguments', message: expect.stringContaining('say why in one line') });
    expect(events(id).length).toBe(before);
    d = await step(id, '0.1', 'skip', 'Consumer was redeployed 5 minutes ago');
    d = await step(id, '0.2', 'fail', 'D1 console times out');
    expect(d.walkthrough!.current).toEqual({ kind: 'choose', groupId: 'g0.3' });
    expect(d.walkthrough!.items.slice(0, 3).map((i) => [i.state, i.note])).toEqual([
      ['done', null],
      ['skipped', 'Consumer was redeployed 5 minutes ago'],
      ['failed', 'D1 console times out'],
    ]);

    expect(await failure('incidents.step', { id, key: '0.0', action: 'choose' })).toMatchObject({ code: 'invalid_arguments' });
    d = await step(id, '0.4', 'choose');
    expect(d.walkthrough!.groups[0]).toMatchObject({ chosenKey: '0.4' });
    expect(d.walkthrough!.items.slice(3).map((i) => i.state)).toEqual(['not-taken', 'current', 'not-taken']);
    d = await step(id, '0.4', 'done');
    expect(d.walkthrough!.current).toEqual({ kind: 'finished' });

    // Reopening is a correction: the step comes back, and is current again.
    d = await step(id, '0.1', 'reopen');
    expect(d.walkthrough!.items[1]).toMatchObject({ state: 'current', note: null });
    expect(stepEvents(id)).toEqual([
      'step-started 0.0',
      'step-done 0.0',
      'step-started 0.1',
      'step-skipped 0.1',
      'step-started 0.2',
      'step-failed 0.2',
      'path-chosen 0.4',
      'step-started 0.4',
      'step-done 0.4',
      'step-reopened 0.1',
      'step-started 0.1',
    ]);
    // Every step started by the walkthrough follows the action that led to it, at the same instant:
    // written in one transaction, so the journal never shows one without the other.
    const all = t.core.db.prepare('SELECT seq, kind, at FROM journal WHERE incident_id = ? ORDER BY seq').all(id) as { seq: number; kind: string; at: string }[];
    const startedAfter = all.filter((e, i) => e.kind === 'step-started' && i > 0 && all[i - 1]!.kind !== 'runbook-attached').map((e) => {
      const prev = all[all.indexOf(e) - 1]!;
      return [prev.kind, prev.at === e.at];
    });
    expect(startedAfter).toEqual([
      ['step-done', true],
      ['step-skipped', true],
      ['path-chosen', true],
      ['step-reopened', true],
    ]);
    const detailNow = await detail(id);
    expect(detailNow.integrity).toEqual({ ok: true, lastSeq: all.length });
    expect(verifyJournal(detailNow.recent)).toEqual({ ok: true, lastSeq: all.length });
  });

  it('done on an alternative not chosen chooses it; a later choice changes it, what was settled stays settled', async () => {
    const runbookId = await importSeed('003');
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Workers down', runbookId, procedureId: 'Runbook 1' }));
    for (const key of ['2.0', '2.1', '2.2', '2.3']) await step(incident.id, key, 'done');
    let d = await step(incident.id, '3.1', 'done');
    expect(d.walkthrough!.groups[0]).toMatchObject({ chosenKey: '3.1' });
    expect(d.walkthrough!.current).toEqual({ kind: 'finished' });
    d = await step(incident.id, '3.2', 'choose', 'Code fix did not hold: CPU limit');
    expect(d.walkthrough!.items.filter((i) => i.kind === 'alternative').map((i) => i.state)).toEqual(['not-taken', 'done', 'current', 'not-taken']);
    expect(stepEvents(incident.id).slice(-4)).toEqual(['path-chosen 3.1', 'step-done 3.1', 'path-chosen 3.2', 'step-started 3.2']);
  });

  it('start jumps to a step; once it is settled the walk comes back to the one left open', async () => {
    const runbookId = await importSeed('000');
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Agent offline', runbookId, procedureId: 'RB-02' }));
    const id = incident.id;
    clock.t += 60_000;
    let d = await step(id, '1.2', 'start');
    expect(d.walkthrough!.current).toEqual({ kind: 'step', key: '1.2' });
    expect(d.walkthrough!.items.map((i) => i.state)).toEqual(['pending', 'pending', 'current', 'pending']);
    const written = events(id).length;
    await step(id, '1.2', 'start');
    expect(events(id).length).toBe(written);
    d = await step(id, '1.2', 'done');
    expect(d.walkthrough!.current).toEqual({ kind: 'step', key: '1.0' });
    // Its timer runs from when it was first started.
    expect(d.walkthrough!.items[0]!.startedAt).toBe(incident.openedAt);
    expect(stepEvents(id)).toEqual(['step-started 1.0', 'step-started 1.2', 'step-done 1.2']);
  });

  it('works on a procedure without an id (seed 001), named by its title', async () => {
    const runbookId = await importSeed('001');
    const d = IncidentDetail.parse(await call('incidents.start', { title: 'Errors', runbookId, procedureId: 'High Error Rate Alert' }));
    expect(d.incident.procedureId).toBe('High Error Rate Alert');
    expect(d.walkthrough).toMatchObject({ procedureTitle: 'High Error Rate Alert', current: { kind: 'step', key: '3.0' } });
  });

  it('refuses an unknown step, a settled one acted on again, and any step of a resolved incident', async () => {
    const runbookId = await importSeed('000');
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Queue backlog', runbookId, procedureId: 'RB-02' }));
    expect(await failure('incidents.step', { id: incident.id, key: '9.9', action: 'done' })).toMatchObject({ code: 'not_found', message: expect.stringContaining('Step 9.9') });
    await step(incident.id, '1.0', 'done');
    expect(await failure('incidents.step', { id: incident.id, key: '1.0', action: 'done' })).toMatchObject({ code: 'conflict', message: expect.stringContaining('Reopen it') });
    await call('incidents.setStatus', { id: incident.id, status: 'resolved' });
    expect(await failure('incidents.step', { id: incident.id, key: '1.1', action: 'done' })).toMatchObject({ code: 'conflict', message: expect.stringContaining('resolved') });
    const none = IncidentDetail.parse(await call('incidents.start', { title: 'No runbook' }));
    expect(none.walkthrough).toBeNull();
    expect(await failure('incidents.step', { id: none.incident.id, key: '0.0', action: 'done' })).toMatchObject({ code: 'conflict' });
  });

  it('has no walkthrough once its runbook is deleted, and the clocks still answer', async () => {
    const runbookId = await importSeed('000');
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Queue backlog', runbookId, procedureId: 'RB-01' }));
    await call('runbooks.delete', { id: runbookId });
    const d = await detail(incident.id);
    expect(d.walkthrough).toBeNull();
    expect(d.clocks.response.source).toBe('default');
  });
});

describe('attaching a runbook, details, corrections and the journal pages', () => {
  it('attaches a runbook and starts its first step; the same one again adds nothing', async () => {
    const runbookId = await importSeed('004');
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Jobs stuck' }));
    const d = IncidentDetail.parse(await call('incidents.attachRunbook', { id: incident.id, runbookId, procedureId: 'Worker Not Processing Jobs' }));
    expect(d.incident).toMatchObject({ runbookId, procedureId: 'Worker Not Processing Jobs' });
    expect(d.walkthrough).toMatchObject({ current: { kind: 'step', key: '5.0' } });
    expect(events(incident.id).map((e) => e.kind)).toEqual(['opened', 'runbook-attached', 'step-started']);
    await call('incidents.attachRunbook', { id: incident.id, runbookId, procedureId: 'worker not processing jobs' });
    expect(events(incident.id)).toHaveLength(3);
    // Another procedure starts afresh: the first one's steps do not carry over.
    await step(incident.id, '5.0', 'done');
    const other = IncidentDetail.parse(await call('incidents.attachRunbook', { id: incident.id, runbookId, procedureId: 'Disk Full' }));
    expect(other.walkthrough!.items.map((i) => i.state)).toEqual(['current', 'pending']);
    expect(await failure('incidents.attachRunbook', { id: incident.id, runbookId, procedureId: 'Nope' })).toMatchObject({ code: 'not_found', message: expect.stringContaining('Nothing was changed') });
  });

  it('writes one details event with what changed, and none when nothing did', async () => {
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Disk full', commander: 'Ana' }));
    const after = IncidentSummary.parse(await call('incidents.update', { id: incident.id, patch: { title: 'Disk full on db-1', scribe: 'Bo', commander: 'Ana', tags: ['db', 'disk'] } }));
    expect(after).toMatchObject({ title: 'Disk full on db-1', scribe: 'Bo', commander: 'Ana', tags: ['db', 'disk'] });
    const details = events(incident.id).filter((e) => e.kind === 'details');
    expect(details.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      { changes: { title: { from: 'Disk full', to: 'Disk full on db-1' }, scribe: { from: null, to: 'Bo' }, tags: { from: [], to: ['db', 'disk'] } } },
    ]);
    await call('incidents.update', { id: incident.id, patch: { title: 'Disk full on db-1' } });
    expect(events(incident.id).filter((e) => e.kind === 'details')).toHaveLength(1);
  });

  it('corrects an event with a new one; the corrected event must exist', async () => {
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Disk full' }));
    await call('incidents.note', { id: incident.id, text: 'db-2 is full' });
    const correction = JournalEvent.parse(await call('incidents.correct', { id: incident.id, ofSeq: 2, text: 'db-1, not db-2' }));
    expect(correction).toMatchObject({ kind: 'correction', seq: 3, data: { ofSeq: 2, text: 'db-1, not db-2' } });
    expect(JSON.parse(events(incident.id)[1]!.data)).toEqual({ text: 'db-2 is full' });
    expect(await failure('incidents.correct', { id: incident.id, ofSeq: 99, text: 'x' })).toMatchObject({ code: 'not_found', message: expect.stringContaining('no event 99') });
  });

  it('pages the journal newest first, by kind, with a total', async () => {
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Busy' }));
    for (let i = 1; i <= 25; i++) await call('incidents.note', { id: incident.id, text: `note ${i}` });
    await call('incidents.setStatus', { id: incident.id, status: 'identified' });
    type Page = { events: JournalEvent[]; total: number; hasMore: boolean };
    const first = await call<Page>('incidents.journal', { id: incident.id, limit: 10 });
    expect(first.total).toBe(27);
    expect(first.hasMore).toBe(true);
    expect(first.events.map((e) => e.seq)).toEqual([27, 26, 25, 24, 23, 22, 21, 20, 19, 18]);
    const rest = await call<Page>('incidents.journal', { id: incident.id, beforeSeq: 18, limit: 100 });
    expect(rest.events.map((e) => e.seq)).toEqual(Array.from({ length: 17 }, (_, i) => 17 - i));
    expect(rest.hasMore).toBe(false);
    const notes = await call<Page>('incidents.journal', { id: incident.id, kinds: ['status', 'opened'], limit: 1 });
    expect(notes).toMatchObject({ total: 2, hasMore: true, events: [{ kind: 'status' }] });
    const d = await detail(incident.id);
    expect(d.recent.map((e) => e.seq)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
  });
});
