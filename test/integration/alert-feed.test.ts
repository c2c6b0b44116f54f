import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, AlertSource } from '../../shared/contract';
import { startAlertmanager, type Alertmanager } from '../support/alertmanager';
import { useTestCore } from '../support/core';
import { eventually } from '../support/http-servers';

// The five seed runbooks live beside the repository (../shared/seeds), never copied into it.
const seedsDir = path.resolve(__dirname, '../../../shared/seeds');
const seed000 = readdirSync(seedsDir).find((f) => f.startsWith('000_'))!;

/** The whole feed as the app runs it: a started core, a real Alertmanager polled and routing to the
 * core's own webhook receiver, everything through the contract's calls. */
describe('the alert feed with a real Alertmanager', () => {
  const t = useTestCore({ watchSources: true });
  let am: Alertmanager | null = null;
  afterEach(async () => {
    await am?.stop();
    am = null;
  });

  const list = async () => (await t.call('alerts.list', {})) as unknown as Alert[];
  const poll = async (id: string) => (await t.call('alertSources.poll', { id })) as unknown as AlertSource;

  it('shows posted alerts once, links, silences at the source, and goes stale and back when Alertmanager dies', async () => {
    await t.call('runbooks.import', { files: [{ name: seed000, text: readFileSync(path.join(seedsDir, seed000), 'utf8') }] });
    const hook = (await t.call('alertSources.create', { name: 'AM webhook', config: { kind: 'alertmanager-webhook' } })) as unknown as { source: AlertSource; token: string };
    expect(hook.source.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
    am = await startAlertmanager({ webhookUrl: hook.source.endpoint!, webhookToken: hook.token });
    const polled = ((await t.call('alertSources.create', { name: 'Alertmanager', config: { kind: 'alertmanager', url: am.url }, pollSeconds: 5, timeoutSeconds: 2 })) as unknown as { source: AlertSource }).source;

    await am.postAlert({ alertname: 'QueueBacklog', queue: 'billing', severity: 'warning' }, { summary: 'billing queue over 500' });
    // The webhook delivery and the poll both report it: one alert, owned by the polled source.
    await eventually(async () => ((await t.call('alertSources.list', {})) as unknown as AlertSource[]).find((s) => s.id === hook.source.id)?.health.lastSuccessAt ?? undefined, 15_000, 'the webhook delivery');
    const backlog = await eventually(async () => {
      await poll(polled.id);
      return (await list()).find((a) => a.name === 'QueueBacklog' && a.sourceId === polled.id);
    }, 10_000, 'QueueBacklog from the polled source');
    expect((await list()).filter((a) => a.name === 'QueueBacklog')).toHaveLength(1);
    const own = await am.api<Array<{ fingerprint: string }>>('/alerts');
    expect(backlog).toMatchObject({ fingerprint: own[0]!.fingerprint, state: 'firing', severity: 'P3', stale: false, summary: 'billing queue over 500' });
    expect(backlog.runbook).toMatchObject({ procedureId: 'RB-01', reason: "alert table row 'Queue backlog' → RB-01" });

    // Silenced from Watchfloor: Alertmanager has the silence, and the next poll agrees.
    const silenced = (await t.call('alerts.silence', { id: backlog.id, durationMinutes: 30, comment: 'draining by hand' })) as unknown as Alert;
    expect(silenced.state).toBe('silenced');
    const silences = await am.api<Array<{ id: string; status: { state: string }; comment: string }>>('/silences');
    expect(silences.find((s) => s.id === silenced.silenceId)).toMatchObject({ status: { state: 'active' }, comment: 'draining by hand' });
    await poll(polled.id);
    expect((await list()).find((a) => a.id === backlog.id)).toMatchObject({ state: 'silenced', silenceId: silenced.silenceId });

    expect(await t.call('alerts.expireSilence', { id: backlog.id })).toMatchObject({ state: 'firing', silenceId: null });
    await eventually(async () => {
      await poll(polled.id);
      const a = (await list()).find((x) => x.id === backlog.id);
      return a?.state === 'firing' ? a : undefined;
    }, 5_000, 'firing again after the silence expired');

    // Alertmanager dies: the feed keeps the alert, marked stale, and says why.
    await am.kill();
    const down = await poll(polled.id);
    expect(down.health).toMatchObject({ stale: true, consecutiveFailures: 1 });
    expect(down.health.lastError).toBeTruthy();
    expect((await list()).find((a) => a.id === backlog.id)).toMatchObject({ state: 'firing', stale: true });

    await am.restart();
    await am.postAlert({ alertname: 'QueueBacklog', queue: 'billing', severity: 'warning' }, { summary: 'billing queue over 500' });
    const up = await eventually(async () => {
      const s = await poll(polled.id);
      return s.health.stale ? undefined : s;
    }, 10_000, 'the source back');
    expect(up.health).toMatchObject({ stale: false, consecutiveFailures: 0 });
    expect((await list()).find((a) => a.id === backlog.id)).toMatchObject({ state: 'firing', stale: false });
  }, 60_000);
});

describe('a health check whose target hangs', () => {
  const t = useTestCore({ watchSources: true });

  it('fires a "timed out" alert instead of failing the source', async () => {
    const { startHttpServer } = await import('../support/http-servers');
    const hung = await startHttpServer(() => {
      // never answers
    });
    try {
      const { source } = (await t.call('alertSources.create', {
        name: 'API health',
        config: { kind: 'http-health', url: `${hung.url}/healthz` },
        pollSeconds: 60,
        timeoutSeconds: 1,
      })) as unknown as { source: AlertSource };
      const polled = (await t.call('alertSources.poll', { id: source.id })) as unknown as AlertSource;
      expect(polled.health).toMatchObject({ stale: false, lastError: null });
      const alerts = (await t.call('alerts.list', {})) as unknown as Alert[];
      expect(alerts).toEqual([expect.objectContaining({ sourceId: source.id, state: 'firing', summary: expect.stringMatching(/timed out/) })]);
    } finally {
      await hung.close();
    }
  });
});
