import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AlertFeed, RunbookLinker } from '../../electron/core/alerts';
import type { ObservedAlert, PollResult } from '../../electron/core/alerts/source';
import { RunbookLibrary } from '../../electron/core/runbooks';
import { AlertSourceInput, type Alert, type RunbookSummary } from '../../shared/contract';
import { useTestCore } from '../support/core';

// The five seed runbooks live beside the repository (../shared/seeds), never copied into it.
const seedsDir = path.resolve(__dirname, '../../../shared/seeds');
const seedFiles = readdirSync(seedsDir).filter((f) => /^\d{3}_.*\.txt$/.test(f)).sort();
const seedFile = (n: string) => seedFiles.find((f) => f.startsWith(n))!;

const t = useTestCore();
const clock = { now: () => new Date('2026-11-25T10:00:00Z') };
let library: RunbookLibrary;
let runbooks: Map<string, RunbookSummary>;
let feed: AlertFeed;
let answer: PollResult;

const alert = (name: string, labels: Record<string, string> = {}): ObservedAlert => ({
  fingerprint: `fp-${name}`,
  name,
  summary: '',
  labels: { alertname: name, ...labels },
  severity: 'P2',
  status: 'firing',
  silencedBy: null,
  startsAt: '2026-11-25T09:00:00.000Z',
  endsAt: null,
  url: null,
});

async function importSeeds(files = seedFiles): Promise<void> {
  await t.call('runbooks.import', { files: files.map((f) => ({ name: f, text: readFileSync(path.join(seedsDir, f), 'utf8') })) });
  runbooks = new Map(library.list().map((r) => [r.sourceName, r]));
}

/** Alerts in through a polled source of the test's own, links out through the feed's list. */
async function linksOf(alerts: ObservedAlert[]): Promise<Map<string, Alert>> {
  answer = { alerts, complete: true };
  const source = feed.listSources()[0] ?? (await feed.createSource(AlertSourceInput.parse({ name: 'AM', config: { kind: 'alertmanager', url: 'http://127.0.0.1:1' } }))).source;
  await feed.poll(source.id);
  return new Map(feed.list({ includeResolved: false, environmentId: null, limit: 1000 }).map((a) => [a.name, a]));
}

beforeEach(async () => {
  library = new RunbookLibrary(t.core.db, clock);
  feed = new AlertFeed({ db: t.core.db, clock, log: t.core.log, runbooks: library, polledSource: () => ({ poll: async () => structuredClone(answer) }) });
  await importSeeds();
});

describe('runbook links for the seeds', () => {
  it('links every alert-table row with a runbookRef to its procedure', async () => {
    const seed = library.get(runbooks.get(seedFile('000'))!.id);
    const rows = seed.runbook.alertRules.filter((r) => r.runbookRef);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const links = await linksOf(rows.map((r) => alert(r.name)));
    for (const row of rows) {
      const link = links.get(row.name)?.runbook;
      expect(link, row.name).toMatchObject({ runbookId: seed.summary.id, procedureId: row.runbookRef, pinned: false, reason: `alert table row '${row.name}' → ${row.runbookRef}` });
      const procedure = seed.runbook.procedures.find((p) => p.id === row.runbookRef)!;
      expect(link?.line).toBe(procedure.line);
      expect(link?.procedureTitle).toBe(procedure.title);
    }
    expect(links.get('Queue backlog')?.runbook).toMatchObject({ procedureId: 'RB-01', procedureTitle: 'Queue Backlog' });
    expect(links.get('Worker offline')?.runbook).toMatchObject({ procedureId: 'RB-02', procedureTitle: 'Compute Agent Offline' });
  });

  it('matches names as Prometheus writes them (case, spaces and punctuation aside)', async () => {
    const links = await linksOf([alert('QueueBacklog'), alert('worker_offline')]);
    expect(links.get('QueueBacklog')?.runbook?.procedureId).toBe('RB-01');
    expect(links.get('worker_offline')?.runbook?.procedureId).toBe('RB-02');
  });

  it('links alerts named in procedure triggers, and others by title, with the reason', async () => {
    const links = await linksOf([alert('error_rate'), alert('disk_usage'), alert('WorkerNotResponding'), alert('DiskFull'), alert('WorkerBacklog'), alert('NothingLikeAnyRunbook')]);
    const id = (n: string) => runbooks.get(seedFile(n))!.id;
    expect(links.get('error_rate')?.runbook).toMatchObject({ runbookId: id('001'), procedureId: 'High Error Rate Alert', procedureTitle: 'High Error Rate Alert', reason: expect.stringMatching(/^procedure trigger ".*error_rate.*" mentions error_rate$/) });
    expect(links.get('disk_usage')?.runbook).toMatchObject({ runbookId: id('001'), procedureTitle: 'High Disk Usage' });
    expect(links.get('WorkerNotResponding')?.runbook).toMatchObject({ runbookId: id('003'), procedureId: 'Runbook 1', reason: 'name like procedure "Worker Not Responding" (100% of words shared)' });
    // Id-less procedures are named by their title, so an incident started from the link walks them.
    expect(links.get('DiskFull')?.runbook).toMatchObject({ runbookId: id('004'), procedureId: 'Disk Full', procedureTitle: 'Disk Full' });
    expect(links.get('WorkerBacklog')?.runbook).toMatchObject({ runbookId: id('002'), procedureTitle: 'Worker backlog / delayed replies' });
    expect(links.get('NothingLikeAnyRunbook')?.runbook).toBeNull();
  });

  it('prefers front matter matchers, by name or by labels', async () => {
    const text = `---\ntitle: Billing queue\nalerts:\n  - alertname=QueueBacklog,queue=billing\n---\n\n# Billing queue\n\n## BQ-01: Drain the billing queue\n\n**Alert:** \`QueueBacklog\` on the billing queue\n\n1. Look:\n\n   \`\`\`bash\n   queuectl depth billing\n   \`\`\`\n`;
    await t.call('runbooks.import', { files: [{ name: 'billing.md', text }] });
    feed.runbooksChanged();
    const links = await linksOf([alert('QueueBacklog', { queue: 'billing' }), { ...alert('QueueBacklog', { queue: 'video' }), fingerprint: 'other' }]);
    const all = feed.list({ includeResolved: false, environmentId: null, limit: 10 });
    expect(links.size).toBe(1); // both are named QueueBacklog
    const billing = all.find((a) => a.labels['queue'] === 'billing')!.runbook;
    expect(billing).toMatchObject({ runbookTitle: 'Billing queue', procedureId: 'BQ-01', reason: 'front matter alerts: alertname=QueueBacklog,queue=billing' });
    expect(all.find((a) => a.labels['queue'] === 'video')!.runbook).toMatchObject({ procedureId: 'RB-01' });
  });
});

describe('a link the operator chose', () => {
  it('wins over automatic links, sticks across a re-import and a restart, and can be undone', async () => {
    await linksOf([alert('Queue backlog'), { ...alert('Queue backlog'), fingerprint: 'second' }]);
    const target = runbooks.get(seedFile('003'))!;
    const pinned = feed.linkRunbook('fp-Queue backlog', target.id, 'Runbook 1');
    expect(pinned.runbook).toEqual({ runbookId: target.id, runbookTitle: target.title, procedureId: 'Runbook 1', procedureTitle: 'Worker Not Responding', line: expect.any(Number), reason: 'chosen by you', pinned: true });
    // Alerts of the same name follow the pin.
    expect(feed.get('second').runbook).toMatchObject({ runbookId: target.id, pinned: true });

    await importSeeds([seedFile('003'), seedFile('000')]);
    expect(runbooks.get(seedFile('003'))!.id).toBe(target.id);
    feed.runbooksChanged();
    expect(feed.get('fp-Queue backlog').runbook).toMatchObject({ runbookId: target.id, procedureId: 'Runbook 1', pinned: true });

    const again = new AlertFeed({ db: t.core.db, clock, log: t.core.log, runbooks: library });
    expect(again.get('fp-Queue backlog').runbook).toMatchObject({ runbookId: target.id, pinned: true });

    expect(() => feed.linkRunbook('fp-Queue backlog', target.id, 'RB-99')).toThrow(/has no procedure RB-99/);
    expect(feed.linkRunbook('fp-Queue backlog', null, null).runbook).toMatchObject({ procedureId: 'RB-01', pinned: false });
  });

  it('falls back to the automatic link when the pinned runbook is deleted', async () => {
    await linksOf([alert('Worker offline')]);
    const target = runbooks.get(seedFile('004'))!;
    feed.linkRunbook('fp-Worker offline', target.id, null);
    await t.call('runbooks.delete', { id: target.id });
    feed.runbooksChanged();
    expect(feed.get('fp-Worker offline').runbook).toMatchObject({ procedureId: 'RB-02', pinned: false });
  });
});

describe('the linker', () => {
  it('needs most words in common before it guesses by name', () => {
    const linker = new RunbookLinker([{ id: 'r', title: 'Database runbook', runbook: library.get(runbooks.get(seedFile('003'))!.id).runbook }]);
    expect(linker.linkFor({ name: 'DatabaseConnectionFailures', labels: {} })).toMatchObject({ procedureId: 'Runbook 2' });
    expect(linker.linkFor({ name: 'DatabaseBackupTooOld', labels: {} })).toBeNull();
  });
});
