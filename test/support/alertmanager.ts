/**
 * A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) for integration tests: its own
 * config and storage in a temp dir, on a free loopback port, with clustering off (no gossip port).
 * Routing is as fast as Alertmanager allows, so a webhook receiver hears of an alert within a second.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForReady } from './http-servers';
import { tempDir } from './temp';

export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

export interface AlertToPost {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  /** In the past: the alert is resolved. */
  endsAt?: string;
  generatorURL?: string;
}

export interface Alertmanager {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Posts alerts as Prometheus does (POST /api/v2/alerts). */
  postAlerts(alerts: AlertToPost[]): Promise<void>;
  postAlert(labels: Record<string, string>, annotations?: Record<string, string>): Promise<void>;
  /** GET on its API v2 (`/alerts`, `/silences`…), parsed. */
  api<T = unknown>(path: string): Promise<T>;
  /** SIGKILL: gone at once, as when its host dies. */
  kill(): Promise<void>;
  /** Starts it again on the same port, config and storage. */
  restart(): Promise<void>;
  /** Everything it logged (stderr). */
  log(): string;
  stop(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** Where to route every alert (a webhook receiver), with resolutions too. */
  webhookUrl?: string;
  /** Sent as `Authorization: Bearer …` to the webhook. */
  webhookToken?: string;
}

export async function startAlertmanager(options: AlertmanagerOptions = {}): Promise<Alertmanager> {
  const temp = tempDir('watchfloor-alertmanager-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(temp.path, 'alertmanager.yml');
  // JSON is YAML: no YAML writer needed, and quoting is never wrong.
  const webhook = options.webhookUrl
    ? [{ url: options.webhookUrl, send_resolved: true, ...(options.webhookToken ? { http_config: { authorization: { type: 'Bearer', credentials: options.webhookToken } } } : {}) }]
    : [];
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        route: { receiver: 'watchfloor', group_by: ['alertname'], group_wait: '0s', group_interval: '1s', repeat_interval: '1h' },
        receivers: [{ name: 'watchfloor', ...(webhook.length ? { webhook_configs: webhook } : {}) }],
      },
      null,
      2,
    ),
  );

  let child: ChildProcess | null = null;
  let output = '';
  const start = async () => {
    child = spawn(
      ALERTMANAGER,
      [`--config.file=${configFile}`, `--storage.path=${join(temp.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=info'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitForReady(`${url}/-/ready`, child, 'Alertmanager', () => output);
  };
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await gone;
  };

  try {
    await start();
  } catch (error) {
    await end('SIGKILL');
    temp.cleanup();
    throw error;
  }

  const send = async (path: string, init: RequestInit) => {
    const response = await fetch(`${url}/api/v2${path}`, init);
    const body = await response.text();
    if (!response.ok) throw new Error(`Alertmanager answered ${init.method ?? 'GET'} ${path} with ${response.status}: ${body}`);
    return body;
  };
  const postAlerts = async (alerts: AlertToPost[]) => {
    await send('/alerts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts.map((a) => ({ annotations: {}, ...a }))) });
  };
  return {
    url,
    port,
    postAlerts,
    postAlert: (labels, annotations = {}) => postAlerts([{ labels, annotations }]),
    api: async <T,>(path: string) => JSON.parse(await send(path, {})) as T,
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGKILL');
      await start();
    },
    log: () => output,
    async stop() {
      await end('SIGTERM');
      temp.cleanup();
    },
  };
}
