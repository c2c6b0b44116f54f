import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSourceConfig } from '../../shared/contract';
import { polledSource } from '../../electron/core/alerts/adapters';
import type { ObservedAlert, PollContext, PolledConfig, PolledSource, SilencingSource } from '../../electron/core/alerts/source';
import type { Alertmanager } from '../support/alertmanager';
import { ALERTMANAGER, startAlertmanager } from '../support/alertmanager';
import type { TestHttpServer } from '../support/http-servers';
import { eventually, freePort, sleep, startHttpServer } from '../support/http-servers';
import type { Metrics, Prometheus } from '../support/prometheus';
import { PROMETHEUS, startMetrics, startPrometheus } from '../support/prometheus';
import { useTestCore } from '../support/core';
import { tempDir } from '../support/temp';
import type { Alert, AlertSource } from '../../shared/contract';

/** A source from settings as an operator enters them: through the contract's schema, defaults and all. */
const source = (config: Record<string, unknown>) => polledSource(AlertSourceConfig.parse(config) as PolledConfig);
const context = (now: () => Date = () => new Date(), timeoutMs = 5_000): PollContext => ({ signal: AbortSignal.timeout(timeoutMs), now });
const byName = (alerts: ObservedAlert[]) => Object.fromEntries(alerts.map((a) => [a.name, a]));

/** A server that never answers, and one that answers what a test tells it to. */
async function misbehaving(): Promise<TestHttpServer> {
  return startHttpServer((req, res) => {
    if (req.url?.startsWith('/hang')) return; // never answers
    if (req.url?.startsWith('/unavailable')) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('maintenance');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>a login page</html>');
  });
}

describe.skipIf(!existsSync(ALERTMANAGER))('Alertmanager, the real one, through its API v2', () => {
  let am: Alertmanager;
  let adapter: PolledSource & Partial<SilencingSource>;

  beforeAll(async () => {
    am = await startAlertmanager();
    adapter = source({ kind: 'alertmanager', url: `${am.url}/` });
  });
  afterAll(async () => {
    await am?.stop();
  });

  it('lists the alerts posted to it, with its own fingerprints, severities and links', async () => {
    await am.postAlerts([
      { labels: { alertname: 'QueueBacklog', queue: 'billing', severity: 'critical' }, annotations: { summary: 'billing queue over 500' }, generatorURL: 'http://prometheus.example/graph?g0.expr=queue_depth' },
      { labels: { alertname: 'WorkerOffline', worker: 'w-3', severity: 'warning' }, annotations: { description: 'w-3 missed 3 heartbeats' } },
    ]);
    const result = await eventually(async () => {
      const r = await adapter.poll(context());
      return r.alerts.length >= 2 ? r : undefined;
    }, 10_000, 'two alerts in Alertmanager');
    expect(result.complete).toBe(true);
    const own = await am.api<Array<{ fingerprint: string; labels: Record<string, string> }>>('/alerts');
    const { QueueBacklog: backlog, WorkerOffline: offline } = byName(result.alerts);
    expect(backlog).toMatchObject({
      fingerprint: own.find((a) => a.labels.alertname === 'QueueBacklog')!.fingerprint,
      summary: 'billing queue over 500',
      labels: { alertname: 'QueueBacklog', queue: 'billing', severity: 'critical' },
      severity: 'P1',
      status: 'firing',
      silencedBy: null,
      endsAt: null,
      url: 'http://prometheus.example/graph?g0.expr=queue_depth',
    });
    expect(offline).toMatchObject({ fingerprint: own.find((a) => a.labels.alertname === 'WorkerOffline')!.fingerprint, summary: 'w-3 missed 3 heartbeats', severity: 'P3', url: `${am.url}/#/alerts` });
    expect(Date.parse(backlog!.startsAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('silences an alert in Alertmanager itself, shows it silenced, and expiring the silence brings it back', async () => {
    await am.postAlert({ alertname: 'DiskFull', host: 'db-1', severity: 'page' }, { summary: '/var at 97%' });
    const disk = await eventually(async () => byName((await adapter.poll(context())).alerts).DiskFull, 10_000, 'DiskFull in Alertmanager');

    const { silenceId } = await adapter.silence!(disk, { durationMinutes: 30, comment: 'migrating db-1', createdBy: 'watchfloor:alice' }, AbortSignal.timeout(5_000));
    const silences = await am.api<Array<{ id: string; status: { state: string }; matchers: unknown[]; createdBy: string; comment: string; startsAt: string; endsAt: string }>>('/silences');
    const made = silences.find((s) => s.id === silenceId)!;
    expect(made).toMatchObject({ status: { state: 'active' }, createdBy: 'watchfloor:alice', comment: 'migrating db-1' });
    // Exactly this alert's labels: the silence mutes nothing broader.
    expect(made.matchers).toEqual(expect.arrayContaining([
      { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
      { name: 'host', value: 'db-1', isRegex: false, isEqual: true },
      { name: 'severity', value: 'page', isRegex: false, isEqual: true },
    ]));
    expect(made.matchers).toHaveLength(3);
    expect(Date.parse(made.endsAt) - Date.parse(made.startsAt)).toBeGreaterThan(29 * 60_000);
    expect(Date.parse(made.endsAt) - Date.parse(made.startsAt)).toBeLessThanOrEqual(30 * 60_000 + 1_000);

    // Still listed (silenced=true), now with the silence; the other alerts are not muted by it.
    const muted = await eventually(async () => {
      const alerts = byName((await adapter.poll(context())).alerts);
      return alerts.DiskFull?.silencedBy ? alerts : undefined;
    }, 5_000, 'DiskFull silenced');
    expect(muted.DiskFull).toMatchObject({ silencedBy: silenceId, status: 'firing', fingerprint: disk.fingerprint });
    expect(muted.QueueBacklog?.silencedBy).toBeNull();

    await adapter.expire!(silenceId, AbortSignal.timeout(5_000));
    expect((await am.api<Array<{ id: string; status: { state: string } }>>('/silences')).find((s) => s.id === silenceId)!.status.state).toBe('expired');
    const back = await eventually(async () => {
      const a = byName((await adapter.poll(context())).alerts).DiskFull;
      return a && a.silencedBy === null ? a : undefined;
    }, 5_000, 'DiskFull unmuted');
    expect(back.fingerprint).toBe(disk.fingerprint);
    // Expiring again (a teammate already did) is not an error: the alert is unmuted either way.
    await expect(adapter.expire!(silenceId, AbortSignal.timeout(5_000))).resolves.toBeUndefined();
  });

  it('drops an alert once Alertmanager has it resolved, so the feed sees it resolve', async () => {
    await am.postAlert({ alertname: 'CertExpiring', host: 'edge-1' });
    await eventually(async () => byName((await adapter.poll(context())).alerts).CertExpiring, 10_000, 'CertExpiring listed');
    await am.postAlerts([{ labels: { alertname: 'CertExpiring', host: 'edge-1' }, endsAt: new Date(Date.now() - 1_000).toISOString() }]);
    await eventually(async () => ((await adapter.poll(context())).alerts.some((a) => a.name === 'CertExpiring') ? undefined : true), 10_000, 'CertExpiring gone');
  });

  it('says what went wrong when Alertmanager cannot be read: refused, an error status, not JSON, no answer', async () => {
    const closed = await freePort();
    await expect(source({ kind: 'alertmanager', url: `http://127.0.0.1:${closed}` }).poll(context())).rejects.toThrow(
      `could not reach Alertmanager at http://127.0.0.1:${closed}: connection refused`,
    );
    const bad = await misbehaving();
    try {
      await expect(source({ kind: 'alertmanager', url: `${bad.url}/unavailable` }).poll(context())).rejects.toThrow(`Alertmanager at ${bad.url}/unavailable answered 503 Service Unavailable: maintenance`);
      await expect(source({ kind: 'alertmanager', url: bad.url }).poll(context())).rejects.toThrow(/answered with something that is not JSON \(<html>a login page/);
      const started = Date.now();
      await expect(source({ kind: 'alertmanager', url: `${bad.url}/hang` }).poll(context(undefined, 1_000))).rejects.toThrow(`Alertmanager at ${bad.url}/hang did not answer: timed out after 1 s`);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await bad.close();
    }
  });
});

describe.skipIf(!existsSync(PROMETHEUS))('Prometheus query rules against the real Prometheus scraping a real metric', () => {
  let metrics: Metrics;
  let prometheus: Prometheus;

  beforeAll(async () => {
    metrics = await startMetrics({ queue_depth: 600 });
    prometheus = await startPrometheus({ scrapeTargets: [metrics.target] });
    await eventually(async () => ((await prometheus.query('queue_depth'))[0]?.value === 600 ? true : undefined), 15_000, 'Prometheus scraping queue_depth');
  });
  afterAll(async () => {
    await prometheus?.stop();
    await metrics?.close();
  });

  const rule = (extra: Record<string, unknown> = {}) =>
    source({ kind: 'prometheus-rule', url: prometheus.url, expr: 'queue_depth', comparator: '>', threshold: 500, forSeconds: 120, alertName: 'Queue backlog', severity: 'P2', ...extra });

  it('fires once the condition has held for `for`, and resolves when the metric drops', async () => {
    const adapter = rule();
    // The feed's clock: `for` is judged on it, so two minutes pass without waiting them.
    const t0 = Date.parse('2026-11-25T17:00:00Z');
    let now = t0;
    const poll = () => adapter.poll(context(() => new Date(now)));

    expect(await poll()).toEqual({ alerts: [], complete: true }); // pending
    now = t0 + 119_000;
    expect((await poll()).alerts).toEqual([]); // still pending
    now = t0 + 120_000;
    const fired = await poll();
    expect(fired.complete).toBe(true);
    expect(fired.alerts).toHaveLength(1);
    const alert = fired.alerts[0]!;
    expect(alert).toMatchObject({
      name: 'Queue backlog',
      severity: 'P2',
      status: 'firing',
      startsAt: new Date(t0).toISOString(),
      labels: { alertname: 'Queue backlog', job: 'test', instance: metrics.target },
      summary: 'queue_depth is 600 (> 500 for 120 s)',
      silencedBy: null,
    });
    expect(alert.labels.__name__).toBeUndefined();
    expect(alert.url).toBe(`${prometheus.url}/graph?g0.expr=queue_depth&g0.tab=0`);
    now += 5_000;
    expect((await poll()).alerts[0]!.fingerprint).toBe(alert.fingerprint);

    metrics.set('queue_depth', 100);
    await eventually(async () => ((await prometheus.query('queue_depth'))[0]?.value === 100 ? true : undefined), 10_000, 'Prometheus seeing the drop');
    now += 5_000;
    expect(await poll()).toEqual({ alerts: [], complete: true }); // resolved

    // Back over the threshold: pending again, its `for` from the start.
    metrics.set('queue_depth', 700);
    await eventually(async () => ((await prometheus.query('queue_depth'))[0]?.value === 700 ? true : undefined), 10_000, 'Prometheus seeing the rise');
    now += 5_000;
    expect((await poll()).alerts).toEqual([]);
    now += 120_000;
    expect((await poll()).alerts.map((a) => a.summary)).toEqual(['queue_depth is 700 (> 500 for 120 s)']);
  });

  it('fires at once with no `for`, compares as configured, and one alert per series', async () => {
    expect((await rule({ forSeconds: 0 }).poll(context())).alerts).toHaveLength(1);
    expect((await rule({ forSeconds: 0, comparator: '<' }).poll(context())).alerts).toHaveLength(0);
    const perSeries = await rule({ forSeconds: 0, expr: 'label_replace(queue_depth, "queue", "a", "", "") or label_replace(queue_depth, "queue", "b", "", "")', threshold: 0 }).poll(context());
    expect(perSeries.alerts.map((a) => a.labels.queue).sort()).toEqual(['a', 'b']);
    expect(new Set(perSeries.alerts.map((a) => a.fingerprint)).size).toBe(2);
  });

  it('fails the poll with Prometheus\' own words for an expression it cannot run', async () => {
    await expect(rule({ expr: 'queue_depth[' }).poll(context())).rejects.toThrow(/^Prometheus at http:\/\/127\.0\.0\.1:\d+ answered 400 Bad Request: .*parse error/);
    await expect(rule({ expr: 'queue_depth[1m]' }).poll(context())).rejects.toThrow('answered the query with a matrix; a rule needs an instant vector or a scalar');
  });
});

describe('HTTP health checks against a local server', () => {
  let server: TestHttpServer;
  let hits = 0;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      hits++;
      const reply = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(body);
      };
      if (req.url === '/ok') return reply(200, 'status: ok');
      if (req.url === '/fail') return reply(500, 'database unreachable');
      if (req.url === '/slow') return void sleep(400).then(() => reply(200, 'status: ok'));
      if (req.url === '/degraded') return reply(200, 'status: degraded');
      if (req.url === '/moved') {
        res.writeHead(301, { location: '/ok' });
        return void res.end();
      }
      if (req.url === '/hang') return; // never answers
      reply(404, 'no such page');
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const check = (path: string, extra: Record<string, unknown> = {}) => source({ kind: 'http-health', url: `${server.url}${path}`, ...extra });

  it('is quiet while the target answers as expected', async () => {
    const before = hits;
    expect(await check('/ok', { bodyMatch: 'ok', latencyThresholdMs: 5_000 }).poll(context())).toEqual({ alerts: [], complete: true });
    // Expecting a redirect checks the redirect; expecting 200 follows it.
    expect(await check('/moved', { expectedStatus: 301 }).poll(context())).toEqual({ alerts: [], complete: true });
    expect(await check('/moved', { bodyMatch: 'ok' }).poll(context())).toEqual({ alerts: [], complete: true });
    expect(hits - before).toBe(4);
  });

  it('fires with what was wrong: status, body, latency, refused, no answer; and never fails the poll', async () => {
    const summaryOf = async (adapter: PolledSource, timeoutMs = 5_000) => {
      const r = await adapter.poll(context(undefined, timeoutMs));
      expect(r.complete).toBe(true);
      expect(r.alerts).toHaveLength(1);
      return r.alerts[0]!.summary;
    };
    expect(await summaryOf(check('/fail'))).toBe(`GET ${server.url}/fail answered 500 Internal Server Error (expected 200)`);
    expect(await summaryOf(check('/degraded', { bodyMatch: '/status: (ok|fine)/' }))).toBe(`GET ${server.url}/degraded its body does not contain /status: (ok|fine)/`);
    // Slower than the threshold: failed then, without waiting for the source's timeout.
    const started = Date.now();
    expect(await summaryOf(check('/slow', { latencyThresholdMs: 150 }))).toBe(`GET ${server.url}/slow did not answer within 150 ms (the latency threshold)`);
    expect(Date.now() - started).toBeLessThan(390);
    expect(await summaryOf(check('/fail', { bodyMatch: 'ok' }))).toBe(`GET ${server.url}/fail answered 500 Internal Server Error (expected 200); its body does not contain ok`);
    const closed = await freePort();
    expect(await summaryOf(source({ kind: 'http-health', url: `http://127.0.0.1:${closed}/healthz` }))).toBe(`could not reach http://127.0.0.1:${closed}/healthz: connection refused (is it running, on that port?)`);
    expect(await summaryOf(check('/hang'), 500)).toBe(`${server.url}/hang did not answer: timed out after 1 s`);
  });

  it('is one alert per URL that keeps its start through an outage and resolves when the target recovers', async () => {
    let healthy = false;
    const flapping = await startHttpServer((_req, res) => {
      res.writeHead(healthy ? 200 : 503);
      res.end();
    });
    try {
      const adapter = source({ kind: 'http-health', url: `${flapping.url}/healthz`, severity: 'P1' });
      let now = Date.parse('2026-11-25T17:00:00Z');
      const poll = () => adapter.poll(context(() => new Date(now)));
      const first = (await poll()).alerts[0]!;
      expect(first).toMatchObject({ severity: 'P1', status: 'firing', startsAt: '2026-11-25T17:00:00.000Z', url: `${flapping.url}/healthz`, labels: { url: `${flapping.url}/healthz` } });
      now += 30_000;
      const second = (await poll()).alerts[0]!;
      expect(second.fingerprint).toBe(first.fingerprint);
      expect(second.startsAt).toBe(first.startsAt);
      healthy = true;
      expect(await poll()).toEqual({ alerts: [], complete: true });
      healthy = false;
      now += 30_000;
      expect((await poll()).alerts[0]!.startsAt).toBe('2026-11-25T17:01:00.000Z');
      const other = (await source({ kind: 'http-health', url: `${flapping.url}/other` }).poll(context())).alerts[0]!;
      expect(other.fingerprint).not.toBe(first.fingerprint);
    } finally {
      await flapping.close();
    }
  });
});

describe('Statuspage summaries from a local server', () => {
  const temp = tempDir();
  const file = join(temp.path, 'summary.json');
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url !== '/api/v2/summary.json') {
        res.writeHead(404);
        return void res.end('not found');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(readFileSync(file, 'utf8'));
    });
  });
  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  const component = (id: string, name: string, status: string, extra: Record<string, unknown> = {}) => ({ id, name, status, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-11-25T16:00:00Z', position: 1, description: null, group_id: null, group: false, only_show_if_degraded: false, ...extra });
  const summary = (components: unknown[], incidents: unknown[] = []) =>
    writeFileSync(file, JSON.stringify({ page: { id: 'kctbh9vrtdwd', name: 'GitHub', url: 'https://www.githubstatus.com', updated_at: '2026-11-25T16:00:00Z' }, status: { indicator: 'major', description: 'Partial System Outage' }, components, incidents, scheduled_maintenances: [] }));

  it('raises one alert per component not operational and per unresolved incident, and resolves them when all is well', async () => {
    summary(
      [
        component('c1', 'Git Operations', 'operational'),
        component('c2', 'Actions', 'degraded_performance'),
        component('c3', 'Webhooks', 'major_outage'),
        component('c4', 'Packages', 'partial_outage', { description: 'npm and Maven' }),
        component('g1', 'Storage', 'major_outage', { group: true, components: ['c3'] }),
      ],
      [
        { id: 'i1', name: 'Delayed webhook deliveries', status: 'investigating', impact: 'major', shortlink: 'https://stspg.io/abc', created_at: '2026-11-25T15:58:00Z', started_at: '2026-11-25T15:55:00Z', incident_updates: [{ body: 'We are investigating delays.', status: 'investigating' }] },
        { id: 'i2', name: 'Old one', status: 'resolved', impact: 'minor', incident_updates: [] },
      ],
    );
    const adapter = source({ kind: 'statuspage', url: `${server.url}/` });
    const result = await adapter.poll(context());
    expect(result.complete).toBe(true);
    const alerts = byName(result.alerts);
    expect(Object.keys(alerts).sort()).toEqual(['GitHub: Actions', 'GitHub: Delayed webhook deliveries', 'GitHub: Packages', 'GitHub: Webhooks']);
    expect(alerts['GitHub: Actions']).toMatchObject({ severity: 'P3', summary: 'Actions is degraded performance', url: 'https://www.githubstatus.com', labels: { page: 'GitHub', component: 'Actions', status: 'degraded_performance' } });
    expect(alerts['GitHub: Webhooks']!.severity).toBe('P1');
    expect(alerts['GitHub: Packages']).toMatchObject({ severity: 'P2', summary: 'Packages is partial outage (npm and Maven)' });
    expect(alerts['GitHub: Delayed webhook deliveries']).toMatchObject({ severity: 'P2', summary: 'We are investigating delays.', url: 'https://stspg.io/abc', startsAt: '2026-11-25T15:55:00Z' });

    // The same things, the same fingerprints, on the next poll.
    const again = await adapter.poll(context());
    expect(again.alerts.map((a) => a.fingerprint).sort()).toEqual(result.alerts.map((a) => a.fingerprint).sort());

    summary([component('c1', 'Git Operations', 'operational'), component('c2', 'Actions', 'operational')]);
    expect(await adapter.poll(context())).toEqual({ alerts: [], complete: true });
  });

  it('fails the poll, saying why, when the page is not a Statuspage', async () => {
    await expect(source({ kind: 'statuspage', url: `${server.url}/elsewhere` }).poll(context())).rejects.toThrow(`The status page at ${server.url}/elsewhere answered 404 Not Found: not found`);
    writeFileSync(file, '{"page": {}, "status": {}}');
    await expect(source({ kind: 'statuspage', url: server.url }).poll(context())).rejects.toThrow('answered summary.json without a list of components');
    writeFileSync(file, '{"components": [');
    await expect(source({ kind: 'statuspage', url: server.url }).poll(context())).rejects.toThrow('not JSON');
  });
});

describe.skipIf(!existsSync(ALERTMANAGER))('the alert feed with the real Alertmanager, through the core API', () => {
  const t = useTestCore();
  let am: Alertmanager;

  beforeAll(async () => {
    am = await startAlertmanager();
  });
  afterAll(async () => {
    await am?.stop();
  });

  const alerts = async () => (await t.call('alerts.list', {})) as unknown as Alert[];
  const poll = async (id: string) => (await t.call('alertSources.poll', { id })) as unknown as AlertSource;
  const postFiring = () =>
    am.postAlerts([
      { labels: { alertname: 'QueueBacklog', queue: 'billing', severity: 'critical' }, annotations: { summary: 'billing queue over 500' } },
      { labels: { alertname: 'WorkerOffline', worker: 'w-3', severity: 'warning' }, annotations: { summary: 'w-3 missed 3 heartbeats' } },
    ]);
  /** Polls until the feed lists `count` alerts. */
  const pollUntil = (id: string, count: number) =>
    eventually(async () => {
      await poll(id);
      const list = await alerts();
      return list.length === count ? list : undefined;
    }, 10_000, `${count} alerts in the feed`);

  it('lists Alertmanager\'s alerts, silences one there, and expiring the silence brings it back', async () => {
    const { source } = (await t.call('alertSources.create', { name: 'prod Alertmanager', config: { kind: 'alertmanager', url: am.url }, timeoutSeconds: 2 })) as unknown as { source: AlertSource };
    await postFiring();
    const listed = await pollUntil(source.id, 2);
    const own = await am.api<Array<{ fingerprint: string; labels: Record<string, string> }>>('/alerts');
    const backlog = listed.find((a) => a.name === 'QueueBacklog')!;
    expect(backlog).toMatchObject({ fingerprint: own.find((a) => a.labels.alertname === 'QueueBacklog')!.fingerprint, sourceId: source.id, sourceKind: 'alertmanager', severity: 'P1', state: 'firing', stale: false, silenceId: null });
    expect(listed.map((a) => a.severity)).toEqual(['P1', 'P3']);

    const silenced = (await t.call('alerts.silence', { id: backlog.id, durationMinutes: 15, comment: 'draining billing by hand' })) as unknown as Alert;
    expect(silenced).toMatchObject({ state: 'silenced', silenceId: expect.any(String) });
    const atSource = (await am.api<Array<{ id: string; status: { state: string }; createdBy: string; comment: string; matchers: Array<{ name: string; value: string }> }>>('/silences')).find((s) => s.id === silenced.silenceId)!;
    expect(atSource).toMatchObject({ status: { state: 'active' }, comment: 'draining billing by hand' });
    expect(Object.fromEntries(atSource.matchers.map((m) => [m.name, m.value]))).toEqual(backlog.labels);
    // Alertmanager itself now reports it silenced, and the next poll agrees.
    await poll(source.id);
    expect((await alerts()).find((a) => a.id === backlog.id)).toMatchObject({ state: 'silenced', silenceId: silenced.silenceId });
    expect((await alerts()).find((a) => a.name === 'WorkerOffline')!.state).toBe('firing');

    const unsilenced = (await t.call('alerts.expireSilence', { id: backlog.id })) as unknown as Alert;
    expect(unsilenced).toMatchObject({ state: 'firing', silenceId: null });
    expect((await am.api<Array<{ id: string; status: { state: string } }>>('/silences')).find((s) => s.id === silenced.silenceId)!.status.state).toBe('expired');
    await poll(source.id);
    expect((await alerts()).find((a) => a.id === backlog.id)).toMatchObject({ state: 'firing', silenceId: null });
  });

  it('keeps the last known alerts, marked stale, while Alertmanager is down, and recovers when it is back', async () => {
    const { source } = (await t.call('alertSources.create', { name: 'prod Alertmanager', config: { kind: 'alertmanager', url: am.url }, timeoutSeconds: 2 })) as unknown as { source: AlertSource };
    await postFiring();
    const before = await pollUntil(source.id, 2);

    await am.kill();
    const down = await poll(source.id);
    expect(down.health).toMatchObject({ stale: true, consecutiveFailures: 1, staleSince: expect.any(String) });
    expect(down.health.lastError).toContain(`could not reach Alertmanager at ${am.url}: connection refused`);
    const kept = await alerts();
    expect(kept.map((a) => [a.id, a.state, a.stale])).toEqual(before.map((a) => [a.id, 'firing', true]));

    // Back, empty (its alerts lived in memory): Prometheus sends them again on its next evaluation.
    await am.restart();
    await postFiring();
    const up = await poll(source.id);
    expect(up.health).toMatchObject({ stale: false, staleSince: null, consecutiveFailures: 0, lastError: expect.stringContaining('connection refused') });
    const recovered = await alerts();
    expect(recovered.map((a) => [a.id, a.state, a.stale])).toEqual(before.map((a) => [a.id, 'firing', false]));
  });
});

describe('polledSource', () => {
  it('gives each kind its adapter; only Alertmanager can silence', () => {
    expect(typeof source({ kind: 'alertmanager', url: 'http://127.0.0.1:9093' }).silence).toBe('function');
    for (const config of [
      { kind: 'prometheus-rule', url: 'http://127.0.0.1:9090', expr: 'up', threshold: 1, comparator: '<', alertName: 'Down' },
      { kind: 'http-health', url: 'http://127.0.0.1:1/healthz' },
      { kind: 'statuspage', url: 'https://www.githubstatus.com' },
    ]) expect(source(config).silence).toBeUndefined();
  });
});
