/**
 * Alert feed benchmarks (issue 6), each beside a bare `JSON.parse` of the same payload measured in
 * the same run, through the feed as the core wires it (AlertFeed on a temp SQLite file, the polled
 * adapters, the real webhook receiver):
 *   - poll, diff and store 5,000 active alerts: one `feed.poll` of an Alertmanager source, whose
 *     adapter fetches /api/v2/alerts from a local HTTP server answering like Alertmanager, maps
 *     the alerts, and the feed diffs and stores them; once in a steady state (nothing changed),
 *     once with 10% of the alerts changed each cycle (5% resolve, 5% new fire);
 *   - webhook ingest: Alertmanager webhook payloads of 100 alerts each posted over HTTP, one after
 *     the other on a kept-alive connection, to a webhook source's receiver.
 * Every run checks what the feed holds afterwards: a benchmark that dropped alerts fails instead of
 * reporting a speed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertFeed } from '../electron/core/alerts';
import { polledSource } from '../electron/core/alerts/adapters';
import { startWebhookReceiver } from '../electron/core/alerts/webhook';
import { systemClock } from '../electron/core/clock';
import { openStore } from '../electron/core/db';
import { Log } from '../electron/core/log';
import { RunbookLibrary } from '../electron/core/runbooks';
import type { Measured } from './terminals';

const ACTIVE = 5_000;
/** Each changed cycle: this many alerts resolve and as many new ones fire (10% of the alerts). */
const TURNOVER = ACTIVE * 0.05;
const CYCLES = 15;
const WEBHOOK_BATCH = 100;
const WEBHOOK_REQUESTS = 200;
/** Webhook alerts are other alerts than the polled ones (the polled source would own those). */
const WEBHOOK_FIRST = 1_000_000;

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

// ---- payloads, shaped as Alertmanager's ------------------------------------------------------------

const labelsOf = (i: number) => ({ alertname: ['QueueBacklog', 'WorkerOffline', 'HighLatency', 'DiskFull', 'CertExpiring'][i % 5]!, instance: `host-${i}.eu-west-1.internal:9100`, job: 'node', queue: `q${i % 97}`, severity: ['critical', 'warning', 'info'][i % 3]!, team: `team-${i % 11}` });
const fingerprintOf = (i: number) => i.toString(16).padStart(16, '0');
const startsAt = new Date(Date.UTC(2026, 10, 25, 9)).toISOString();

/** One alert as /api/v2/alerts lists it. */
function apiAlert(i: number) {
  return {
    annotations: { summary: `backlog over 10,000 on q${i % 97} (host-${i})`, description: 'The consumer is behind; see the runbook.' },
    endsAt: '2026-11-25T12:00:00.000Z',
    fingerprint: fingerprintOf(i),
    receivers: [{ name: 'watchfloor' }],
    startsAt,
    status: { inhibitedBy: [], silencedBy: [], state: 'active' },
    updatedAt: startsAt,
    generatorURL: `http://prometheus.internal:9090/graph?g0.expr=backlog%7Bq%3D%22q${i % 97}%22%7D`,
    labels: labelsOf(i),
  };
}

/** /api/v2/alerts with alerts `from`..`from + ACTIVE`: cycle k drops TURNOVER and adds as many. */
const apiPayload = (from: number) => JSON.stringify(Array.from({ length: ACTIVE }, (_, k) => apiAlert(from + k)));

/** One webhook request, as Alertmanager posts it. */
function webhookPayload(batch: number): string {
  const alerts = Array.from({ length: WEBHOOK_BATCH }, (_, k) => {
    const i = WEBHOOK_FIRST + batch * WEBHOOK_BATCH + k;
    const a = apiAlert(i);
    return { status: 'firing', labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: a.generatorURL, fingerprint: a.fingerprint };
  });
  return JSON.stringify({ receiver: 'watchfloor', status: 'firing', alerts, groupLabels: {}, commonLabels: { job: 'node' }, commonAnnotations: {}, externalURL: 'http://alertmanager.internal:9093', version: '4', groupKey: '{}:{}', truncatedAlerts: 0 });
}

function expectActive(feed: AlertFeed, sourceId: string, expected: number, what: string): void {
  const held = feed.list({ includeResolved: false, environmentId: null, limit: 20_000 }).filter((a) => a.sourceId === sourceId).length;
  if (held !== expected) {
    throw new Error(
      `alert benchmark "${what}": the feed holds ${held} active alerts where ${expected} were sent; no figure was recorded. ` +
        'Run the feed and webhook tests (test/integration/alert-webhooks.test.ts) to find where they went.',
    );
  }
}

// ---- 1. poll, diff and store 5,000 active alerts ---------------------------------------------------

async function benchPoll(feed: AlertFeed, record: (r: Measured) => void): Promise<void> {
  let body = apiPayload(0);
  // Answers every request as Alertmanager answers /api/v2/alerts, with whatever `body` is now.
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const { source } = await feed.createSource({ name: 'Bench Alertmanager', environmentId: null, config: { kind: 'alertmanager', url }, pollSeconds: 30, timeoutSeconds: 30, enabled: true });
    const sourceId = source.id;
    // One poll as the feed's scheduler runs it: the adapter fetches and maps, the feed diffs and stores.
    const cycle = async () => {
      const s = process.hrtime.bigint();
      const after = await feed.poll(sourceId);
      const took = ms(s);
      if (after.health.stale) throw new Error(`alert benchmark "poll": the poll failed (${after.health.lastError}); no figure was recorded`);
      return took;
    };
    const parse = () => {
      const s = process.hrtime.bigint();
      JSON.parse(body);
      return ms(s);
    };

    await cycle(); // the first poll inserts all 5,000
    expectActive(feed, sourceId, ACTIVE, 'first poll');
    const steady: number[] = [];
    const steadyParse: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      steady.push(await cycle());
      steadyParse.push(parse());
    }
    expectActive(feed, sourceId, ACTIVE, 'steady state');
    const v = median(steady);
    const b = median(steadyParse);
    record({ name: `poll, diff and store ${ACTIVE.toLocaleString('en')} active alerts, steady state (median cycle)`, value: v, unit: 'ms', baseline: b, ratio: v / b, note: 'baseline: bare JSON.parse of the same /api/v2/alerts payload; target < 100 ms' });

    const payloads = Array.from({ length: CYCLES }, (_, k) => apiPayload((k + 1) * TURNOVER));
    const changed: number[] = [];
    const changedParse: number[] = [];
    for (const p of payloads) {
      body = p;
      changed.push(await cycle());
      changedParse.push(parse());
    }
    expectActive(feed, sourceId, ACTIVE, '10% changed');
    const cv = median(changed);
    const cb = median(changedParse);
    record({ name: `poll, diff and store ${ACTIVE.toLocaleString('en')} active alerts, 10% changed per cycle (median)`, value: cv, unit: 'ms', baseline: cb, ratio: cv / cb, note: 'baseline: bare JSON.parse of the same payload; target < 100 ms' });
    feed.deleteSource(sourceId); // not polled again once the feed is started
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

// ---- 2. webhook ingest rate ------------------------------------------------------------------------

function post(agent: Agent, endpoint: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(endpoint, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function benchWebhook(feed: AlertFeed, record: (r: Measured) => void): Promise<void> {
  // Started, the feed opens the new source's receiver, wired to `feed.ingest`, as in the app.
  feed.start();
  const { source, token } = await feed.createSource({ name: 'Bench webhook', environmentId: null, config: { kind: 'alertmanager-webhook', port: 0, listenAll: false }, pollSeconds: 30, timeoutSeconds: 10, enabled: true });
  const sourceId = source.id;
  if (!source.endpoint || !token) throw new Error(`alert benchmark "webhook ingest": the receiver did not start (${feed.getSource(sourceId).health.lastError}); no figure was recorded`);
  const endpoint = source.endpoint;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const payloads = Array.from({ length: WEBHOOK_REQUESTS }, (_, b) => webhookPayload(b));
    const total = WEBHOOK_REQUESTS * WEBHOOK_BATCH;
    let s = process.hrtime.bigint();
    for (const p of payloads) JSON.parse(p);
    const parseMs = ms(s);
    s = process.hrtime.bigint();
    for (const p of payloads) {
      const status = await post(agent, endpoint, token, p);
      if (status !== 202) throw new Error(`alert benchmark "webhook ingest": the receiver answered ${status}, not 202; no figure was recorded`);
    }
    const ingestMs = ms(s);
    expectActive(feed, sourceId, total, 'webhook ingest');
    const v = total / (ingestMs / 1000);
    const b = total / (parseMs / 1000);
    record({ name: `webhook ingest, ${WEBHOOK_BATCH} alerts per request over HTTP into the feed`, value: v, unit: 'alerts/s', baseline: b, ratio: v / b, note: 'baseline: bare JSON.parse of the same payloads; target >= 2,000 alerts/s' });
  } finally {
    agent.destroy();
  }
}

export async function benchAlerts(record: (r: Measured) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wf-bench-alerts-'));
  const { db } = openStore(dir);
  const log = new Log(null, systemClock);
  const feed = new AlertFeed({ db, clock: systemClock, log, runbooks: new RunbookLibrary(db, systemClock), polledSource, webhook: startWebhookReceiver });
  try {
    await benchPoll(feed, record);
    await benchWebhook(feed, record);
  } finally {
    feed.stop();
    // The receiver closes in the background; give it a moment before the store goes.
    await new Promise((r) => setTimeout(r, 50));
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
