/**
 * `npm run bench`: Watchfloor's measured performance, each figure beside a baseline measured in
 * the same run on the same machine (bare `node -e 0`, markdown-it alone, raw SQLite FTS5), so the
 * ratios mean something on any machine; the terminal figures (bench/terminals.ts) beside node-pty
 * alone; the alert feed figures (bench/alerts.ts) beside a bare JSON.parse of the same payloads.
 * Prints a table and writes bench/results.json as [{name, value, unit, baseline, ratio}].
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import WebSocket from 'ws';
import { systemClock } from '../electron/core/clock';
import { openStore } from '../electron/core/db';
import { RunbookLibrary } from '../electron/core/runbooks';
import { importRunbook } from '../electron/core/runbooks/importer';
import { benchAlerts } from './alerts';
import { benchIncidents } from './incidents';
import { benchReports } from './reports';
import { generateRunbook } from './generate';
import { benchTerminals, startServe } from './terminals';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seedsDir = resolve(root, '../shared/seeds');

interface Result {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  /** What the baseline is and what the target is, for the table. */
  note: string;
}
const results: Result[] = [];
const record = (r: Result) => {
  results.push(r);
  console.log(`  ${r.name}: ${fmt(r.value)} ${r.unit} (baseline ${fmt(r.baseline)}, ratio ${r.ratio.toFixed(3)})`);
};
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(4));
const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const temp = (p: string) => mkdtempSync(join(tmpdir(), p));

// ---- (a) cold start of `watchfloor serve` to its first API answer ---------------------------
async function serveToFirstAnswer(dataDir: string): Promise<number> {
  const start = process.hrtime.bigint();
  const serve = await startServe(root, dataDir);
  try {
    await new Promise<void>((res, rej) => {
      const ws = new WebSocket(serve.url);
      ws.on('open', () => ws.send(JSON.stringify({ t: 'call', id: 1, method: 'app.info', params: {} })));
      ws.on('message', () => {
        ws.close();
        res();
      });
      ws.on('error', rej);
    });
    return ms(start);
  } finally {
    await serve.stop();
  }
}

async function benchColdStart(): Promise<void> {
  const runs = 9;
  const node: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    node.push(ms(s));
  }
  const dataDir = temp('wf-bench-serve-');
  const serve: number[] = [];
  try {
    await serveToFirstAnswer(dataDir); // first start creates the store and imports the bundled runbooks
    for (let i = 0; i < runs; i++) serve.push(await serveToFirstAnswer(dataDir));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const v = median(serve);
  const b = median(node);
  record({ name: 'serve cold start to first API answer (median)', value: v, unit: 'ms', baseline: b, ratio: v / b, note: 'baseline: node -e 0; target ratio < 8' });
}

// ---- (b) seeds, (c) 1,000 runbooks, (d) search ----------------------------------------------
function freshLibrary(): { library: RunbookLibrary; close: () => void; db: ReturnType<typeof openStore>['db'] } {
  const dir = temp('wf-bench-lib-');
  const { db } = openStore(dir);
  return { db, library: new RunbookLibrary(db, systemClock), close: () => (db.close(), rmSync(dir, { recursive: true, force: true })) };
}

function benchSeeds(): void {
  const md = new MarkdownIt();
  const files = readdirSync(seedsDir).filter((f) => /^\d{3}_.*\.txt$/.test(f)).map((f) => ({ path: join(seedsDir, f), text: readFileSync(join(seedsDir, f), 'utf8') }));
  const runs = 15;
  const parse: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < runs; i++) {
    let s = process.hrtime.bigint();
    for (const f of files) md.parse(f.text, {});
    parse.push(ms(s));
    const lib = freshLibrary();
    s = process.hrtime.bigint();
    const r = lib.library.importFiles(files);
    full.push(ms(s));
    if (r.errors.length) throw new Error(`seed import failed: ${r.errors[0]!.message}`);
    lib.close();
  }
  const v = median(full.slice(3));
  const b = median(parse.slice(3));
  record({ name: 'import the five seeds (parse + store + index, median)', value: v, unit: 'ms', baseline: b, ratio: v / b, note: 'baseline: markdown-it parse alone; target < 50 ms' });

  const one = generateRunbook(7);
  const single: number[] = [];
  const singleParse: number[] = [];
  for (let i = 0; i < 50; i++) {
    let s = process.hrtime.bigint();
    importRunbook(one, 'one.md');
    single.push(ms(s));
    s = process.hrtime.bigint();
    md.parse(one, {});
    singleParse.push(ms(s));
  }
  const sv = median(single.slice(10));
  const sb = median(singleParse.slice(10));
  record({ name: `import one ${Math.round(one.length / 1024)} KB runbook (importer, median)`, value: sv, unit: 'ms', baseline: sb, ratio: sv / sb, note: 'baseline: markdown-it parse alone; target < 5 ms' });
}

function benchLibrary(): void {
  const md = new MarkdownIt();
  const files = Array.from({ length: 1000 }, (_, i) => ({ path: `generated/runbook-${i}.md`, text: generateRunbook(i) }));
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const mb = bytes / 1e6;
  md.parse(files[0]!.text, {});
  // Best of two rounds for both sides: on a 2-core machine a single pass is at the mercy of
  // whatever else runs; the minimum is the figure that repeats.
  let parseMs = Infinity;
  let importMs = Infinity;
  let s = process.hrtime.bigint();
  let lib: ReturnType<typeof freshLibrary> | null = null;
  for (let round = 0; round < 2; round++) {
    s = process.hrtime.bigint();
    for (const f of files) md.parse(f.text, {});
    parseMs = Math.min(parseMs, ms(s));
    lib?.close();
    lib = freshLibrary();
    s = process.hrtime.bigint();
    const r = lib.library.importFiles(files);
    importMs = Math.min(importMs, ms(s));
    if (r.errors.length) throw new Error(`generated import failed: ${r.errors[0]!.message}`);
  }
  if (!lib) throw new Error('no library');
  const speed = mb / (importMs / 1000);
  const parserSpeed = mb / (parseMs / 1000);
  record({ name: `import + index 1,000 runbooks (${mb.toFixed(1)} MB) throughput`, value: speed, unit: 'MB/s', baseline: parserSpeed, ratio: speed / parserSpeed, note: 'baseline: markdown-it parse alone; target ratio >= 0.333' });

  const words = ['kubectl', 'wrangler', 'rollout restart', 'pg_stat', 'latency', 'redis', 'checkout', 'ingest backlog', 'docker compose', 'scale'];
  const typed = words.flatMap((w) => Array.from({ length: w.length - 1 }, (_, i) => w.slice(0, i + 2)));
  const latencies: number[] = [];
  const raw: number[] = [];
  const rawStmt = lib.db.prepare('SELECT rowid FROM runbook_search WHERE runbook_search MATCH ? ORDER BY rank LIMIT 50');
  for (let round = 0; round < 3; round++) {
    for (const q of typed) {
      s = process.hrtime.bigint();
      lib.library.search(q, 50);
      latencies.push(ms(s));
      s = process.hrtime.bigint();
      rawStmt.all(q.split(/\s+/).map((t) => `"${t.replace(/"/g, '""')}"*`).join(' '));
      raw.push(ms(s));
    }
  }
  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);
  record({ name: `search as you type over 1,000 runbooks, p50 (${latencies.length} queries)`, value: p50, unit: 'ms', baseline: quantile(raw, 0.5), ratio: p50 / quantile(raw, 0.5), note: 'baseline: raw SQLite FTS5 MATCH' });
  record({ name: 'search as you type over 1,000 runbooks, p99', value: p99, unit: 'ms', baseline: quantile(raw, 0.99), ratio: p99 / quantile(raw, 0.99), note: 'baseline: raw SQLite FTS5 MATCH; target < 30 ms' });
  lib.close();
}

console.log('Watchfloor benchmarks');
await benchColdStart();
benchSeeds();
benchLibrary();
await benchTerminals(root, record);
await benchAlerts(record);
await benchIncidents(record);
await benchReports(record);

const table = results.map((r) => `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} ${r.unit} | ${r.ratio.toFixed(3)} | ${r.note} |`);
console.log(['', '| benchmark | value | baseline | ratio | baseline and target |', '|---|---|---|---|---|', ...table].join('\n'));
writeFileSync(join(root, 'bench/results.json'), JSON.stringify(results.map(({ note: _note, ...r }) => r), null, 2) + '\n');
console.log('\nwrote bench/results.json');
