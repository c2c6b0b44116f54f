import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, STORE_FILE } from '../../electron/core/db';
import { Journal, verifyJournal } from '../../electron/core/incidents';
import { IncidentDetail, IncidentSummary, JournalEvent, type Alert, type AlertSource } from '../../shared/contract';
import { useTestCore } from '../support/core';
import { tempDir } from '../support/temp';
import { TestClock } from '../support/clock';

const PASSPHRASE = 'correct horse battery staple';
const TOKEN = 'cf-Tok3n_9f8e7d6c5b4a3210-ZYXW';
const RUNBOOK = [
  '# Billing queue',
  '',
  '## RB-01: Queue backlog',
  '',
  '1. Look at the queue:',
  '',
  '   ```bash',
  '   queuectl depth billing',
  '   ```',
  '',
].join('\n');

const clock = new TestClock();
const t = useTestCore({ clock });
let server: Server;
beforeEach(async () => {
  // Every health check fails: each source reports one firing alert.
  server = createServer((_req, res) => res.writeHead(500).end('down'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
});

const call = async <T>(method: string, params: unknown): Promise<T> => (await t.call(method, params)) as T;
const failure = (method: string, params: unknown) => t.call(method, params).then(() => ({ code: 'none', message: '' }), (e: { code: string; message: string }) => e);

/** An environment, the runbook with RB-01, and a firing alert from a health check in that environment, linked to RB-01. */
async function firingAlert(options: { path?: string; severity?: string; environmentId?: string } = {}): Promise<{ alert: Alert; environmentId: string; runbookId: string }> {
  const environmentId = options.environmentId ?? (await call<{ id: string }>('environments.create', { name: 'Production', tier: 'production', color: '#dc2626' })).id;
  const known = await call<{ id: string }[]>('runbooks.list', {});
  const runbookId = known[0]?.id ?? (await call<{ imported: { id: string }[] }>('runbooks.import', { files: [{ name: 'billing.md', text: RUNBOOK }] })).imported[0]!.id;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.path ?? '/billing'}`;
  const { source } = await call<{ source: AlertSource }>('alertSources.create', {
    name: 'Billing health',
    environmentId,
    config: { kind: 'http-health', url, ...(options.severity ? { severity: options.severity } : {}) },
  });
  await call('alertSources.poll', { id: source.id });
  const alerts = await call<Alert[]>('alerts.list', {});
  const alert = alerts.find((a) => a.sourceId === source.id)!;
  return { alert: await call<Alert>('alerts.linkRunbook', { id: alert.id, runbookId, procedureId: 'RB-01' }), environmentId, runbookId };
}

describe('starting an incident', () => {
  it('from an alert of the feed: attaches the alert, its runbook and its environment, in the journal', async () => {
    const { alert, environmentId, runbookId } = await firingAlert();
    const told: unknown[] = [];
    t.core.events.subscribe((name, payload) => name === 'incidents.changed' && told.push(payload));

    const detail = IncidentDetail.parse(await call('incidents.start', { alertIds: [alert.id], commander: 'Ana' }));
    expect(detail.incident).toMatchObject({
      title: `${alert.name}: ${alert.summary}`,
      severity: alert.severity,
      status: 'investigating',
      environmentId,
      runbookId,
      procedureId: 'RB-01',
      alertIds: [alert.id],
      commander: 'Ana',
      resolvedAt: null,
      events: 4,
    });
    // The walkthrough starts on the procedure's first step, in the same transaction.
    expect(detail.recent.map((e) => e.kind)).toEqual(['opened', 'alert-attached', 'runbook-attached', 'step-started']);
    expect(detail.recent[0]!.data).toMatchObject({ title: detail.incident.title, severity: alert.severity, environmentId, commander: 'Ana' });
    expect(detail.recent[1]!.data).toMatchObject({ alertId: alert.id, name: alert.name });
    expect(detail.recent[2]!.data).toMatchObject({ runbookId, procedureId: 'RB-01', procedureTitle: 'Queue backlog' });
    expect(detail.recent[3]!.data).toEqual({ key: '0.0', title: 'Look at the queue' });
    expect(verifyJournal(detail.recent)).toEqual({ ok: true, lastSeq: 4 });
    expect(told).toEqual([{ ids: [detail.incident.id] }]);
  });

  it('takes the highest severity of its alerts, and P3 when there is none', async () => {
    const low = await firingAlert({ path: '/low', severity: 'P3' });
    const high = await firingAlert({ path: '/high', severity: 'P1', environmentId: low.environmentId });
    const both = IncidentDetail.parse(await call('incidents.start', { alertIds: [low.alert.id, high.alert.id] }));
    expect(both.incident).toMatchObject({ severity: 'P1', title: `${low.alert.name}: ${low.alert.summary}`, alertIds: [low.alert.id, high.alert.id] });
    expect(both.recent.map((e) => e.kind)).toEqual(['opened', 'alert-attached', 'alert-attached', 'runbook-attached', 'step-started']);

    const byHand = IncidentDetail.parse(await call('incidents.start', { title: 'Customers report slow checkout' }));
    expect(byHand.incident).toMatchObject({ severity: 'P3', environmentId: null, runbookId: null, alertIds: [] });
    expect(byHand.recent.map((e) => e.kind)).toEqual(['opened']);
  });

  it('refuses an unknown environment, runbook or alert, or no title at all, and opens nothing', async () => {
    expect(await failure('incidents.start', { title: 'x', environmentId: 'nope' })).toMatchObject({ code: 'not_found', message: expect.stringContaining('No incident was opened') });
    expect(await failure('incidents.start', { title: 'x', runbookId: 'nope' })).toMatchObject({ code: 'not_found' });
    expect(await failure('incidents.start', { alertIds: ['nope'] })).toMatchObject({ code: 'not_found' });
    expect(await failure('incidents.start', {})).toMatchObject({ code: 'invalid_arguments', message: expect.stringContaining('give it a title') });
    expect(await call('incidents.list', {})).toEqual([]);
  });
});

describe('the journal', () => {
  it('records notes, status and severity changes in order; a change to the same value adds nothing', async () => {
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Checkout errors', severity: 'P2' }));
    const id = incident.id;
    clock.advance(60_000);
    const note = JournalEvent.parse(await call('incidents.note', { id, text: 'Error rate 12% since 09:58' }));
    expect(note).toMatchObject({ seq: 2, kind: 'note', data: { text: 'Error rate 12% since 09:58' } });

    expect(await call('incidents.setStatus', { id, status: 'investigating' })).toMatchObject({ events: 2 });
    expect(await call('incidents.setSeverity', { id, severity: 'P2' })).toMatchObject({ events: 2 });
    await call('incidents.setSeverity', { id, severity: 'P1' });
    await call('incidents.setStatus', { id, status: 'identified' });
    clock.advance(60_000);
    const resolved = IncidentSummary.parse(await call('incidents.setStatus', { id, status: 'resolved' }));
    expect(resolved).toMatchObject({ status: 'resolved', severity: 'P1', resolvedAt: clock.now().toISOString(), events: 5 });
    const reopened = IncidentSummary.parse(await call('incidents.setStatus', { id, status: 'monitoring' }));
    expect(reopened).toMatchObject({ status: 'monitoring', resolvedAt: null, events: 6 });

    const { recent: journal } = IncidentDetail.parse(await call('incidents.get', { id }));
    expect(journal.map((e) => [e.seq, e.kind, e.data])).toEqual([
      [1, 'opened', expect.objectContaining({ title: 'Checkout errors', severity: 'P2' })],
      [2, 'note', { text: 'Error rate 12% since 09:58' }],
      [3, 'severity', { from: 'P2', to: 'P1' }],
      [4, 'status', { from: 'investigating', to: 'identified' }],
      [5, 'status', { from: 'identified', to: 'resolved' }],
      [6, 'status', { from: 'resolved', to: 'monitoring' }],
    ]);
    expect(new Set(journal.map((e) => e.id)).size).toBe(6);
    expect(verifyJournal(journal)).toEqual({ ok: true, lastSeq: 6 });
  });

  it('lists incidents newest first, and leaves resolved ones out when asked', async () => {
    const first = IncidentDetail.parse(await call('incidents.start', { title: 'First' })).incident;
    clock.advance(1000);
    const second = IncidentDetail.parse(await call('incidents.start', { title: 'Second' })).incident;
    await call('incidents.setStatus', { id: first.id, status: 'resolved' });
    expect((await call<IncidentSummary[]>('incidents.list', {})).map((i) => i.title)).toEqual(['Second', 'First']);
    expect((await call<IncidentSummary[]>('incidents.list', { includeResolved: false })).map((i) => i.id)).toEqual([second.id]);
    expect(await failure('incidents.note', { id: 'nope', text: 'lost?' })).toMatchObject({ code: 'not_found', message: expect.stringContaining('copy it') });
  });

  it('refuses UPDATE and DELETE, and reports a byte changed in the middle with the first broken seq', async () => {
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Disk full on db-1' }));
    for (const text of ['df shows 100%', 'rotated logs', 'disk at 71%']) await call('incidents.note', { id: incident.id, text });
    expect(() => t.core.db.prepare("UPDATE journal SET data = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => t.core.db.prepare('DELETE FROM journal').run()).toThrow(/append-only/);

    // Someone with the file and sqlite3: drop the guard, change one byte, put the guard back.
    const raw = new Database(join(t.dataDir, STORE_FILE));
    const triggerSql = (raw.prepare("SELECT sql FROM sqlite_master WHERE name = 'journal_refuses_update'").get() as { sql: string }).sql;
    raw.transaction(() => {
      raw.exec('DROP TRIGGER journal_refuses_update');
      raw.prepare("UPDATE journal SET data = replace(data, 'rotated', 'rotatee') WHERE incident_id = ? AND seq = 3").run(incident.id);
      raw.exec(triggerSql);
    })();
    raw.close();

    const { recent: journal } = IncidentDetail.parse(await call('incidents.get', { id: incident.id }));
    expect(journal[2]!.data).toEqual({ text: 'rotatee logs' });
    expect(verifyJournal(journal)).toMatchObject({ ok: false, brokenSeq: 3, lastGoodSeq: 2 });
    // A reordered or missing event breaks it too.
    expect(verifyJournal([journal[0]!, journal[1]!, journal[3]!])).toMatchObject({ ok: false, brokenSeq: 4, lastGoodSeq: 2 });
  });

  it('stores a note with a vault secret in it redacted', async () => {
    const env = (await call<{ id: string }>('environments.create', { name: 'Production', tier: 'production', color: '#dc2626' })).id;
    await call('secrets.setup', { passphrase: PASSPHRASE });
    await call('secrets.set', { environmentId: env, name: 'API_TOKEN', value: TOKEN });
    const { incident } = IncidentDetail.parse(await call('incidents.start', { title: 'Token leaked?', environmentId: env }));
    const note = JournalEvent.parse(await call('incidents.note', { id: incident.id, text: `curl -H "Authorization: Bearer ${TOKEN}" worked` }));
    expect(note.data).toEqual({ text: 'curl -H "Authorization: Bearer [secret:API_TOKEN]" worked' });
    const stored = t.core.db.prepare('SELECT data FROM journal').all() as { data: string }[];
    expect(stored.map((r) => r.data).join('\n')).not.toContain(TOKEN);
    expect(verifyJournal(IncidentDetail.parse(await call('incidents.get', { id: incident.id })).recent).ok).toBe(true);
  });
});

describe('the device id', () => {
  it('is made once and stays the same across restarts, in every event', () => {
    const dir = tempDir();
    try {
      const first = openStore(dir.path).db;
      const journal = new Journal(first, clock);
      const event = journal.append('incident-1', 'note', { text: 'hello' });
      first.close();
      const second = openStore(dir.path).db;
      const again = new Journal(second, clock);
      expect(journal.deviceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(again.deviceId).toBe(journal.deviceId);
      expect(event.deviceId).toBe(journal.deviceId);
      // The chain continues across the restart.
      again.append('incident-1', 'note', { text: 'again' });
      expect(verifyJournal(again.events('incident-1'))).toEqual({ ok: true, lastSeq: 2 });
      second.close();
    } finally {
      dir.cleanup();
    }
  });
});
