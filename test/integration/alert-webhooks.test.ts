/**
 * The webhook receivers over real HTTP on loopback: every bad request gets its 4xx and the receiver
 * keeps serving; good Alertmanager and mapped JSON payloads reach the feed as alerts; and the real
 * Alertmanager (Debian's prometheus-alertmanager) routes to the receiver with the same fingerprints
 * its API shows, so the pushed and polled views of an alert are one alert.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertFeed } from '../../electron/core/alerts';
import { polledSource } from '../../electron/core/alerts/adapters';
import { AlertmanagerSource } from '../../electron/core/alerts/adapters/alertmanager';
import type { ObservedAlert, WebhookConfig } from '../../electron/core/alerts/source';
import { startWebhookReceiver, WEBHOOK_BODY_LIMIT, type WebhookReceiver } from '../../electron/core/alerts/webhook';
import { systemClock } from '../../electron/core/clock';
import { openStore } from '../../electron/core/db';
import { Log } from '../../electron/core/log';
import { RunbookLibrary } from '../../electron/core/runbooks';
import { startAlertmanager } from '../support/alertmanager';
import { tempDir } from '../support/temp';

const TOKEN = 'wf-test-token-6f1d2c';
const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Answer {
  status: number;
  body: { error?: string; accepted?: number };
}

/** A raw POST: headers exactly as given (no Origin, no defaults we did not ask for). */
function post(endpoint: string, body: string | Buffer, headers: Record<string, string | number> = {}, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const amAlert = (i: number, status: 'firing' | 'resolved' = 'firing') => ({
  status,
  labels: { alertname: 'QueueBacklog', queue: `q${i}`, severity: 'critical' },
  annotations: { summary: `queue q${i} is backing up` },
  startsAt: '2026-11-25T10:00:00.000Z',
  endsAt: status === 'resolved' ? '2026-11-25T10:05:00.000Z' : '0001-01-01T00:00:00Z',
  generatorURL: `http://prometheus.example/graph?g0.expr=backlog${i}`,
  fingerprint: `f00d${i.toString(16).padStart(12, '0')}`,
});
const amPayload = (alerts: unknown[]) => JSON.stringify({ version: '4', groupKey: '{}:{}', truncatedAlerts: 0, status: 'firing', receiver: 'watchfloor', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager.example', alerts });

let am: WebhookReceiver;
let json: WebhookReceiver;
const received: ObservedAlert[][] = [];
const errors: string[] = [];

beforeAll(async () => {
  am = await startWebhookReceiver({ config: { kind: 'alertmanager-webhook', port: 0, listenAll: false }, token: TOKEN, onAlerts: (a) => received.push(a), onError: (m) => errors.push(m), log: silentLog, requestTimeoutMs: 1_000 });
  const mapped: WebhookConfig = {
    kind: 'json-webhook',
    port: 0,
    listenAll: false,
    mapping: { alerts: 'data.events', name: 'check.title', fingerprint: null, severity: 'level', status: 'state', labels: 'tags', summary: 'check.message', url: 'link' },
  };
  json = await startWebhookReceiver({ config: mapped, token: TOKEN, onAlerts: (a) => received.push(a), log: silentLog, now: () => new Date('2026-11-25T12:00:00Z') });
});
afterAll(async () => {
  await am?.stop();
  await json?.stop();
});
beforeEach(() => {
  received.length = 0;
  errors.length = 0;
});

/** After each refusal: nothing reached the feed, and the receiver still takes a good payload. */
async function expectStillServing(): Promise<void> {
  expect(received).toEqual([]);
  const good = await post(am.endpoint, amPayload([amAlert(1)]));
  expect(good).toEqual({ status: 202, body: { accepted: 1 } });
  expect(received).toHaveLength(1);
}

describe('a webhook receiver refuses bad requests and keeps serving', () => {
  it('listens on loopback only, at /webhook', () => {
    expect(am.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
  });

  it('answers 400 with a reason to broken JSON', async () => {
    const r = await post(am.endpoint, '{"alerts": [ {"status": "firing", ');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/not valid JSON/);
    expect(errors.at(-1)).toMatch(/400/);
    await expectStillServing();
  });

  it('answers 401 without a token and with a wrong one', async () => {
    const none = await post(am.endpoint, amPayload([amAlert(1)]), { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/bearer token is required/);
    const wrong = await post(am.endpoint, amPayload([amAlert(1)]), { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/token is wrong/);
    const basic = await post(am.endpoint, amPayload([amAlert(1)]), { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` });
    expect(basic.status).toBe(401);
    await expectStillServing();
  });

  it('answers 403 to a request from a web page (Origin header), even with the right token', async () => {
    const r = await post(am.endpoint, amPayload([amAlert(1)]), { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    await expectStillServing();
  });

  it('answers 415 to a body that is not application/json', async () => {
    expect((await post(am.endpoint, amPayload([amAlert(1)]), { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(am.endpoint, 'alerts=1', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    // A parameter after the type is fine.
    expect((await post(am.endpoint, amPayload([]), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(202);
    received.length = 0;
    await expectStillServing();
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    expect((await post(am.endpoint.replace('/webhook', '/other'), amPayload([amAlert(1)]))).status).toBe(404);
    expect((await post(am.endpoint, '', {}, 'GET')).status).toBe(405);
    await expectStillServing();
  });

  it('answers 413 to a declared body over 10 MB without reading it', async () => {
    const big = Buffer.alloc(WEBHOOK_BODY_LIMIT + 1, 0x20);
    const r = await post(am.endpoint, big).catch((e: Error) => ({ status: -1, body: { error: e.message } }));
    expect(r.status).toBe(413);
    await expectStillServing();
  });

  it('answers 413 to a chunked body as soon as it passes 10 MB', async () => {
    let sent = 0;
    const answered = await new Promise<{ status: number; sentMb: number }>((resolve, reject) => {
      const req = request(am.endpoint, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, sentMb: sent });
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      // Keep sending (up to 40 MB) until the answer comes: the receiver must answer mid-stream.
      const pump = () => {
        while (sent < 40 && req.write(chunk)) sent++;
        if (sent < 40) req.once('drain', () => (sent++, pump()));
        else req.end();
      };
      pump();
    });
    expect(answered.status).toBe(413);
    expect(answered.sentMb).toBeLessThan(30);
    await expectStillServing();
  });

  it('answers 408 to a client that sends half a body and hangs', async () => {
    const { port } = new URL(am.endpoint);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST /webhook HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"alerts": [`);
      });
      let text = '';
      socket.on('data', (c) => (text += c.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    await expectStillServing();
  });

  it('drops a client that never finishes its headers', async () => {
    const { port } = new URL(am.endpoint);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\n'));
      let text = '';
      socket.on('data', (c) => (text += c.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expectStillServing();
  });

  it('answers 422 to JSON of the wrong shape', async () => {
    const cases = [JSON.stringify({ hello: 'world' }), JSON.stringify([1, 2]), amPayload([{ status: 'firing', labels: { severity: 'critical' } }]), amPayload([{ ...amAlert(1), status: 'maybe' }]), amPayload([{ ...amAlert(1), labels: 'x' }])];
    for (const body of cases) {
      const r = await post(am.endpoint, body);
      expect(r.status, body).toBe(422);
      expect(r.body.error).toMatch(/nothing was stored/);
    }
    const noName = await post(json.endpoint, JSON.stringify({ data: { events: [{ check: { message: 'no title' } }] } }));
    expect(noName.status).toBe(422);
    expect(noName.body.error).toMatch(/no name at "check\.title"/);
    await expectStillServing();
  });

  it('reports a flood of bad requests once a second, not once a request', async () => {
    const flood = await Promise.all(Array.from({ length: 50 }, () => post(am.endpoint, amPayload([amAlert(1)]), { authorization: 'Bearer guess' })));
    expect(flood.every((r) => r.status === 401)).toBe(true);
    expect(errors.length).toBeLessThanOrEqual(2);
    await expectStillServing();
  });

  it('answers 500 when the feed cannot store the alerts, and stays up', async () => {
    const failing = await startWebhookReceiver({
      config: { kind: 'alertmanager-webhook', port: 0, listenAll: false },
      token: TOKEN,
      onAlerts: () => {
        throw new Error('database is locked');
      },
      onError: (m) => errors.push(m),
      log: silentLog,
    });
    try {
      const r = await post(failing.endpoint, amPayload([amAlert(1)]));
      expect(r.status).toBe(500);
      expect(errors.at(-1)).toMatch(/could not be stored: database is locked/);
    } finally {
      await failing.stop();
    }
    await expectStillServing();
  });

  it('says so when its port is taken, instead of throwing into the core', async () => {
    const { port } = new URL(am.endpoint);
    await expect(startWebhookReceiver({ config: { kind: 'alertmanager-webhook', port: Number(port), listenAll: false }, token: TOKEN, onAlerts: () => undefined, log: silentLog })).rejects.toThrow(
      /could not listen on 127\.0\.0\.1:\d+ .*choose another port/,
    );
  });
});

describe('good payloads reach the feed', () => {
  it('checks the token against the SHA-256 the feed keeps, and will not start without one', async () => {
    const hashed = await startWebhookReceiver({
      config: { kind: 'alertmanager-webhook', port: 0, listenAll: false },
      tokenSha256: createHash('sha256').update(TOKEN).digest('hex'),
      onAlerts: (a) => received.push(a),
      log: silentLog,
    });
    try {
      expect((await post(hashed.endpoint, amPayload([amAlert(1)]))).status).toBe(202);
      expect((await post(hashed.endpoint, amPayload([amAlert(1)]), { authorization: 'Bearer nope' })).status).toBe(401);
    } finally {
      await hashed.stop();
    }
    await expect(startWebhookReceiver({ config: { kind: 'alertmanager-webhook', port: 0, listenAll: false }, onAlerts: () => undefined, log: silentLog })).rejects.toThrow(/without a token/);
  });


  it("maps Alertmanager's webhook payload with its fingerprints", async () => {
    const r = await post(am.endpoint, amPayload([amAlert(1), amAlert(2, 'resolved'), { ...amAlert(3), labels: { alertname: 'DiskFull', severity: 'warning' } }]));
    expect(r).toEqual({ status: 202, body: { accepted: 3 } });
    const [alerts] = received;
    expect(alerts).toEqual([
      {
        fingerprint: 'f00d000000000001',
        name: 'QueueBacklog',
        summary: 'queue q1 is backing up',
        labels: { alertname: 'QueueBacklog', queue: 'q1', severity: 'critical' },
        severity: 'P1',
        status: 'firing',
        silencedBy: null,
        startsAt: '2026-11-25T10:00:00.000Z',
        endsAt: null,
        url: 'http://prometheus.example/graph?g0.expr=backlog1',
      },
      expect.objectContaining({ fingerprint: 'f00d000000000002', status: 'resolved', endsAt: '2026-11-25T10:05:00.000Z' }),
      expect.objectContaining({ name: 'DiskFull', severity: 'P3' }),
    ]);
  });

  it('maps a generic JSON payload by its dot paths', async () => {
    const body = {
      data: {
        events: [
          { check: { title: 'API latency', message: 'p99 over 2 s' }, level: 'sev1', state: 'alerting', tags: { service: 'api', region: 'eu' }, link: 'https://status.example/api' },
          { check: { title: 'API latency' }, level: 'warning', state: 'OK', tags: { region: 'eu', service: 'api' } },
        ],
      },
    };
    expect((await post(json.endpoint, JSON.stringify(body))).status).toBe(202);
    const [[firing, resolved]] = received as [[ObservedAlert, ObservedAlert]];
    expect(firing).toMatchObject({ name: 'API latency', summary: 'p99 over 2 s', severity: 'P1', status: 'firing', labels: { service: 'api', region: 'eu' }, url: 'https://status.example/api', startsAt: '2026-11-25T12:00:00.000Z', endsAt: null });
    expect(resolved).toMatchObject({ status: 'resolved', severity: 'P3', endsAt: '2026-11-25T12:00:00.000Z' });
    // No fingerprint field: name + labels, whatever order the labels came in.
    expect(firing.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(resolved.fingerprint).toBe(firing.fingerprint);
  });

  it('takes a single object when the alerts path is empty', async () => {
    const single = await startWebhookReceiver({
      config: { kind: 'json-webhook', port: 0, listenAll: false, mapping: { alerts: '', name: 'name', fingerprint: 'id', severity: null, status: null, labels: null, summary: null, url: null } },
      token: TOKEN,
      onAlerts: (a) => received.push(a),
      log: silentLog,
    });
    try {
      expect((await post(single.endpoint, JSON.stringify({ name: 'Backup failed', id: 'backup-42' }))).status).toBe(202);
      expect(received[0]).toEqual([expect.objectContaining({ name: 'Backup failed', fingerprint: 'backup-42', severity: 'P3', status: 'firing', labels: {} })]);
    } finally {
      await single.stop();
    }
  });
});

describe('the real Alertmanager routes to the receiver', () => {
  it('delivers firing and resolved alerts, with the fingerprints its API v2 (and the polled adapter) shows', async () => {
    const pushed: ObservedAlert[] = [];
    const receiver = await startWebhookReceiver({ config: { kind: 'alertmanager-webhook', port: 0, listenAll: false }, token: TOKEN, onAlerts: (a) => pushed.push(...a), log: silentLog });
    const alertmanager = await startAlertmanager({ webhookUrl: receiver.endpoint, webhookToken: TOKEN });
    const until = async (what: string, predicate: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; Alertmanager's log:\n${alertmanager.log()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await alertmanager.postAlerts([
        { labels: { alertname: 'QueueBacklog', queue: 'billing', severity: 'critical' }, annotations: { summary: 'billing queue is backing up' } },
        { labels: { alertname: 'WorkerOffline', worker: 'w3', severity: 'warning' } },
      ]);
      await until('both alerts at the receiver', () => new Set(pushed.map((a) => a.name)).size === 2);

      const polled = await new AlertmanagerSource({ kind: 'alertmanager', url: alertmanager.url }).poll({ signal: AbortSignal.timeout(5_000), now: () => new Date() });
      const byName = (alerts: ObservedAlert[], name: string) => alerts.find((a) => a.name === name)!;
      for (const name of ['QueueBacklog', 'WorkerOffline']) {
        expect(byName(pushed, name).fingerprint).toBe(byName(polled.alerts, name).fingerprint);
        expect(byName(pushed, name).labels).toEqual(byName(polled.alerts, name).labels);
      }
      expect(byName(pushed, 'QueueBacklog')).toMatchObject({ status: 'firing', severity: 'P1', summary: 'billing queue is backing up', endsAt: null, silencedBy: null });
      expect(byName(pushed, 'WorkerOffline').severity).toBe('P3');

      // Resolved at the source (endsAt in the past): Alertmanager sends the resolution too.
      const endsAt = new Date(Date.now() - 1_000).toISOString();
      await alertmanager.postAlerts([{ labels: { alertname: 'WorkerOffline', worker: 'w3', severity: 'warning' }, endsAt }]);
      await until('the resolution at the receiver', () => pushed.some((a) => a.name === 'WorkerOffline' && a.status === 'resolved'));
      const resolved = pushed.find((a) => a.name === 'WorkerOffline' && a.status === 'resolved')!;
      expect(resolved.fingerprint).toBe(byName(polled.alerts, 'WorkerOffline').fingerprint);
      expect(resolved.endsAt).not.toBeNull();
    } finally {
      await alertmanager.stop();
      await receiver.stop();
    }
  });

  it('is refused, and says so in its log, when Alertmanager has the wrong token', async () => {
    const errorsSeen: string[] = [];
    const pushed: ObservedAlert[] = [];
    const receiver = await startWebhookReceiver({ config: { kind: 'alertmanager-webhook', port: 0, listenAll: false }, token: TOKEN, onAlerts: (a) => pushed.push(...a), onError: (m) => errorsSeen.push(m), log: silentLog });
    const alertmanager = await startAlertmanager({ webhookUrl: receiver.endpoint, webhookToken: 'not-the-token' });
    try {
      await alertmanager.postAlert({ alertname: 'QueueBacklog', queue: 'billing' });
      const deadline = Date.now() + 15_000;
      while (!errorsSeen.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(errorsSeen[0]).toMatch(/401.*token is wrong/);
      expect(pushed).toEqual([]);
    } finally {
      await alertmanager.stop();
      await receiver.stop();
    }
  });
});

describe('the feed with a polled Alertmanager and its webhook', () => {
  it('keeps one alert per fingerprint, whichever view reports it first', async () => {
    const dir = tempDir('watchfloor-webhook-feed-');
    const { db } = openStore(dir.path);
    const feed = new AlertFeed({ db, clock: systemClock, log: new Log(null, systemClock), runbooks: new RunbookLibrary(db, systemClock), polledSource, webhook: startWebhookReceiver });
    feed.start();
    const hook = await feed.createSource({ name: 'AM webhook', environmentId: null, config: { kind: 'alertmanager-webhook', port: 0, listenAll: false }, pollSeconds: 30, timeoutSeconds: 10, enabled: true });
    expect(hook.source.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
    const alertmanager = await startAlertmanager({ webhookUrl: hook.source.endpoint!, webhookToken: hook.token! });
    const active = () => feed.list({ includeResolved: false, environmentId: null, limit: 100 });
    const until = async (what: string, predicate: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the feed holds ${JSON.stringify(active().map((a) => [a.name, a.sourceName, a.state]))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await alertmanager.postAlerts([
        { labels: { alertname: 'QueueBacklog', queue: 'billing', severity: 'critical' } },
        { labels: { alertname: 'WorkerOffline', worker: 'w3', severity: 'warning' } },
      ]);
      await until('the pushed alerts in the feed', () => active().length === 2);
      expect(active().every((a) => a.sourceId === hook.source.id)).toBe(true);
      expect(feed.getSource(hook.source.id).health.lastSuccessAt).not.toBeNull();

      // Polled: the same two alerts, now owned by the polled source (it can silence them), not four.
      const polled = await feed.createSource({ name: 'AM', environmentId: null, config: { kind: 'alertmanager', url: alertmanager.url }, pollSeconds: 30, timeoutSeconds: 10, enabled: true });
      const after = await feed.poll(polled.source.id);
      expect(after.health.lastError).toBeNull();
      expect(active()).toHaveLength(2);
      expect(active().map((a) => a.sourceId)).toEqual([polled.source.id, polled.source.id]);

      // Still one alert each when Alertmanager pushes them again (group_interval is 1 s).
      const more = { labels: { alertname: 'DiskFull', host: 'db1', severity: 'warning' } };
      await alertmanager.postAlerts([more]);
      await until('the third alert pushed', () => active().length === 3);
      await feed.poll(polled.source.id);
      expect(active()).toHaveLength(3);
      expect(new Set(active().map((a) => a.fingerprint)).size).toBe(3);
    } finally {
      feed.stop();
      await alertmanager.stop();
      await new Promise((r) => setTimeout(r, 50));
      db.close();
      dir.cleanup();
    }
  });
});
