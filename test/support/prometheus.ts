/**
 * A real Prometheus (Debian's `prometheus`) for integration tests, scraping every second, with its
 * config and TSDB in a temp dir on a free loopback port; and a metrics page whose values the test
 * sets, for Prometheus to scrape.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestHttpServer } from './http-servers';
import { freePort, startHttpServer, waitForReady } from './http-servers';
import { tempDir } from './temp';

export const PROMETHEUS = '/usr/bin/prometheus';

export interface Prometheus {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** An instant query through its own API, as `[labels, value]` pairs. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  log(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(options: { scrapeTargets: string[] }): Promise<Prometheus> {
  const temp = tempDir('watchfloor-prometheus-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(temp.path, 'prometheus.yml');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [{ job_name: 'test', static_configs: [{ targets: options.scrapeTargets }] }],
      },
      null,
      2,
    ),
  );
  let output = '';
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(temp.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
    }
    temp.cleanup();
  };
  try {
    await waitForReady(`${url}/-/ready`, child, 'Prometheus', () => output);
  } catch (error) {
    child.kill('SIGKILL');
    await stop();
    throw error;
  }
  return {
    url,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as { data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      return (body.data?.result ?? []).map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
    },
    log: () => output,
    stop,
  };
}

export interface Metrics extends TestHttpServer {
  /** `127.0.0.1:<port>`, as a scrape target. */
  readonly target: string;
  /** Sets a gauge; the next scrape sees it. */
  set(name: string, value: number): void;
}

/** A /metrics page in Prometheus' text format: one gauge per name, `queue_depth 600` to begin with. */
export async function startMetrics(initial: Record<string, number> = { queue_depth: 600 }): Promise<Metrics> {
  const values = new Map(Object.entries(initial));
  const server = await startHttpServer((_req, res) => {
    const lines = [...values].flatMap(([name, value]) => [`# TYPE ${name} gauge`, `${name} ${value}`]);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`${lines.join('\n')}\n`);
  });
  return Object.assign(server, { target: `127.0.0.1:${server.port}`, set: (name: string, value: number) => void values.set(name, value) });
}
