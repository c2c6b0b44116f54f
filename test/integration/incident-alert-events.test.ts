/**
 * Attached alerts in the journal, with the real feed: a real http-health source polls a real server
 * on 127.0.0.1 that the test makes fail and recover. An open incident's journal says when its alert
 * resolved and when it fired again, once each, across polls and restarts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { dispatch } from '../../electron/core/api/dispatch';
import { verifyJournal } from '../../electron/core/incidents';
import { IncidentDetail, type Alert, type AlertSource } from '../../shared/contract';
import { tempDir } from '../support/temp';

let dir: { path: string; cleanup: () => void };
let core: Core | null = null;
let server: Server;
let healthy = false;

beforeEach(async () => {
  dir = tempDir('watchfloor-alert-events-');
  healthy = false;
  server = createServer((_req, res) => (healthy ? res.writeHead(200).end('ok') : res.writeHead(500).end('down')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  core?.close();
  core = null;
  dir.cleanup();
  await new Promise((r) => server.close(r));
});

/** A core on the test's data dir; polls only when the test asks (alertSources.poll). */
function start(): Core {
  core?.close();
  core = createCore({ dataDir: dir.path, host: 'headless', bundledRunbooksDir: null, watchSources: false });
  return core;
}

async function call<T>(method: string, params: unknown): Promise<T> {
  const r = await dispatch(core!, method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
  return r.value as T;
}

const alertKinds = (id: string) =>
  (core!.db.prepare("SELECT kind, data FROM journal WHERE incident_id = ? AND kind LIKE 'alert-%' ORDER BY seq").all(id) as { kind: string; data: string }[]).map((r) => ({
    kind: r.kind,
    data: JSON.parse(r.data) as Record<string, unknown>,
  }));

describe('attached alerts in the journal', () => {
  it('journals alert-resolved and alert-fired once each, across repeated polls and a restart', async () => {
    start();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/billing`;
    const { source } = await call<{ source: AlertSource }>('alertSources.create', { name: 'Billing health', config: { kind: 'http-health', url } });
    const poll = () => call('alertSources.poll', { id: source.id });
    await poll();
    const alert = (await call<Alert[]>('alerts.list', {})).find((a) => a.sourceId === source.id)!;
    expect(alert.state).toBe('firing');
    const open = IncidentDetail.parse(await call('incidents.start', { alertIds: [alert.id] })).incident.id;
    const closed = IncidentDetail.parse(await call('incidents.start', { alertIds: [alert.id], title: 'Already handled' })).incident.id;
    await call('incidents.setStatus', { id: closed, status: 'resolved' });
    const changed: string[][] = [];
    core!.events.subscribe((name, payload) => name === 'incidents.changed' && changed.push((payload as { ids: string[] }).ids));

    await poll(); // still failing: nothing to say
    expect(alertKinds(open).map((e) => e.kind)).toEqual(['alert-attached']);

    healthy = true;
    await poll();
    await poll();
    expect(alertKinds(open)).toEqual([
      { kind: 'alert-attached', data: expect.objectContaining({ alertId: alert.id }) },
      { kind: 'alert-resolved', data: { alertId: alert.id, name: alert.name, state: 'resolved' } },
    ]);
    expect(changed).toEqual([[open]]);

    // A restart remembers from the journal: nothing is repeated.
    start();
    await call('alertSources.poll', { id: source.id });
    expect(alertKinds(open).map((e) => e.kind)).toEqual(['alert-attached', 'alert-resolved']);

    healthy = false;
    await call('alertSources.poll', { id: source.id });
    await call('alertSources.poll', { id: source.id });
    expect(alertKinds(open).map((e) => [e.kind, e.data.state])).toEqual([
      ['alert-attached', undefined],
      ['alert-resolved', 'resolved'],
      ['alert-fired', 'firing'],
    ]);
    start();
    expect(alertKinds(open)).toHaveLength(3);

    // A resolved incident is left alone.
    expect(alertKinds(closed).map((e) => e.kind)).toEqual(['alert-attached']);
    const detail = IncidentDetail.parse(await call('incidents.get', { id: open }));
    expect(verifyJournal(detail.recent).ok).toBe(true);
  });
});
