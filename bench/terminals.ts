/**
 * Terminal benchmarks (issue 5), each through the real headless host in its own process
 * (`watchfloor serve`), the real WebSocket and the renderer's real client (shared/rpc.ts), beside
 * a baseline of node-pty alone measured in the same run:
 *   - throughput: pty → host → WebSocket → a headless xterm, acknowledged once xterm has parsed
 *     each chunk (and, for comparison, acknowledged on receipt, and with no xterm at all), against
 *     node-pty reading the same command's output;
 *   - keystroke echo latency in one terminal while another floods, against the same echo idle;
 *   - the host's memory while a 200 MB file is `cat` through it, against node-pty alone.
 * Every byte count is checked against the baseline (with a SHA-256 of the bytes between two
 * markers): a benchmark that lost output fails instead of reporting a speed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import xtermHeadless from '@xterm/headless';
import { spawn as spawnPty } from 'node-pty';
import WebSocket from 'ws';
import { createClient, type HostMessage, type WatchfloorApi } from '../shared/rpc';

const { Terminal } = xtermHeadless;

export interface Measured {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  note: string;
}

const COLS = 120;
const ROWS = 30;
/** Bytes the throughput benchmark cats (before the pty turns each \n into \r\n). */
const THROUGHPUT_BYTES = 50_000_000;
const ECHO_SAMPLES = 200;
const CAT_FILE_BYTES = 200_000_000;
/** No step of a benchmark may take longer: a stall fails loudly instead of hanging `npm run bench`. */
const STEP_TIMEOUT_MS = 30_000;

// The markers are printed by `echo WF-BEGIN-$((6*7))`: the shell's echo of the typed command line
// shows `$((6*7))`, so only the command's output contains `WF-BEGIN-42`.
const BEGIN = 'WF-BEGIN-42';
const END = 'WF-END-42';
const READY = 'WF-READY-42';
const marked = (command: string) => `echo WF-BEGIN-$((6*7)); ${command}; echo; echo WF-END-$((6*7))`;

/** A path as one shell word. */
const quote = (path: string) => `'${path.replace(/'/g, "'\\''")}'`;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis));
const mb = (bytes: number) => bytes / 1e6;
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

async function until(what: string, predicate: () => boolean, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`terminal benchmark: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

/**
 * The bytes between BEGIN and END in a stream of chunks: how many, their SHA-256, and when the
 * markers went by. What the two sides of a benchmark compare to prove nothing was lost.
 */
class MarkedPayload {
  bytes = 0;
  beganAt: bigint | null = null;
  endedAt: bigint | null = null;
  digest = '';
  private readonly hash = createHash('sha256');
  private carry: Buffer = Buffer.alloc(0);
  private readonly begin = Buffer.from(BEGIN);
  private readonly end = Buffer.from(END);

  get done(): boolean {
    return this.endedAt !== null;
  }

  feed(chunk: Uint8Array): void {
    if (this.done) return;
    let buf = Buffer.concat([this.carry, chunk]);
    if (this.beganAt === null) {
      const at = buf.indexOf(this.begin);
      if (at < 0) {
        this.carry = Buffer.from(buf.subarray(Math.max(0, buf.length - this.begin.length + 1)));
        return;
      }
      this.beganAt = process.hrtime.bigint();
      buf = buf.subarray(at + this.begin.length);
    }
    const at = buf.indexOf(this.end);
    if (at >= 0) {
      this.take(buf.subarray(0, at));
      this.endedAt = process.hrtime.bigint();
      this.digest = this.hash.digest('hex');
      this.carry = Buffer.alloc(0);
      return;
    }
    const keep = Math.min(buf.length, this.end.length - 1);
    this.take(buf.subarray(0, buf.length - keep));
    this.carry = Buffer.from(buf.subarray(buf.length - keep));
  }

  /** Milliseconds from BEGIN to END (or to `finishedAt`, when the reader finished later). */
  elapsedMs(finishedAt: bigint | null = this.endedAt): number {
    if (this.beganAt === null || finishedAt === null) throw new Error('terminal benchmark: the output had no begin or end marker');
    return Number(finishedAt - this.beganAt) / 1e6;
  }

  private take(bytes: Uint8Array): void {
    this.bytes += bytes.byteLength;
    this.hash.update(bytes);
  }
}

/** Fail loudly when the host's copy of the output is not byte for byte node-pty's. */
function expectSameOutput(what: string, ours: MarkedPayload, raw: MarkedPayload): void {
  if (ours.bytes === raw.bytes && ours.digest === raw.digest) return;
  throw new Error(
    `terminal benchmark "${what}": the host delivered ${ours.bytes} bytes (sha256 ${ours.digest.slice(0, 12)}) ` +
      `where node-pty alone read ${raw.bytes} (sha256 ${raw.digest.slice(0, 12)}): output was lost or changed on the way. ` +
      'No figure was recorded; run the terminal integration tests (test/integration/terminals.test.ts) to find where.',
  );
}

// ---- node-pty alone: the baseline --------------------------------------------------------------

/**
 * `command` in a pty with nothing in between: node-pty read as fast as it delivers, until the end
 * marker. The command then sleeps instead of exiting, because node-pty can drop the last output of
 * a process that exits (the host works around that; the baseline must not be short-changed), and
 * is killed and waited for.
 */
async function rawPty(command: string, cwd: string): Promise<MarkedPayload> {
  const payload = new MarkedPayload();
  const pty = spawnPty('/bin/bash', ['-c', `${marked(command)}; exec sleep 60`], { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd, env: process.env, encoding: null });
  const exited = new Promise<void>((resolve) => pty.onExit(() => resolve()));
  pty.onData((data) => payload.feed(data as unknown as Uint8Array));
  try {
    await until('node-pty to read the whole output', () => payload.done);
  } finally {
    pty.kill();
    await exited;
  }
  return payload;
}

// ---- the real host and client ------------------------------------------------------------------

export interface ServeProcess {
  child: ChildProcess;
  /** The API's WebSocket address, with the token. */
  url: string;
  stop(): Promise<void>;
}

/** `watchfloor serve` in its own process, once it has printed where it listens. */
export async function startServe(root: string, dataDir: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(root, 'bin/watchfloor.js'), 'serve', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += String(d);
        const m = /http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]+)/.exec(out);
        if (m) resolve(`ws://127.0.0.1:${m[1]}/api?token=${m[2]}`);
      });
      child.once('exit', (code) => reject(new Error(`watchfloor serve exited with code ${code} before printing its address; run it by hand to see why`)));
    });
    return { child, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface BenchClient {
  api: WatchfloorApi;
  close(): void;
}

/** The renderer's client (createClient) over a real WebSocket, as test/support/ws-client.ts. */
async function connect(url: string): Promise<BenchClient> {
  const ws = new WebSocket(url);
  ws.binaryType = 'nodebuffer';
  const messageListeners: ((m: HostMessage) => void)[] = [];
  const byteListeners: ((b: Uint8Array) => void)[] = [];
  const closeListeners: ((r: string) => void)[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      for (const l of byteListeners) l(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return;
    }
    const message = JSON.parse(String(data)) as HostMessage;
    for (const l of messageListeners) l(message);
  });
  ws.on('close', (code) => closeListeners.forEach((l) => l(`closed ${code}`)));
  const api = createClient({
    send: (message) => ws.send(JSON.stringify(message)),
    onMessage: (l) => void messageListeners.push(l),
    onBytes: (l) => void byteListeners.push(l),
    onClose: (l) => void closeListeners.push(l),
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { api, close: () => ws.close() };
}

interface Attached {
  /** Resolves with the stream's end reason. */
  ended: Promise<string | null>;
  /** The most bytes xterm held written but not yet parsed. */
  peakBacklog(): number;
  close(): void;
}

/**
 * Into a headless xterm, acknowledging once xterm has parsed each chunk (`ack-parsed`: the
 * consumer returns xterm's write callback as a promise, as the renderer does), or on receipt
 * (`ack-on-receipt`, for comparison: flow control then no longer holds back a host that outpaces
 * xterm); or no xterm.
 */
type Consumer = 'ack-parsed' | 'ack-on-receipt' | 'no-xterm';

/** A terminal's output stream, every chunk handed to `onBytes` on receipt and to `consumer`; `parsed` once xterm has parsed it. */
async function attach(
  client: BenchClient,
  terminalId: string,
  options: { consumer: Consumer; onBytes?: (bytes: Uint8Array) => void; parsed?: (bytes: Uint8Array) => void },
): Promise<Attached> {
  const xterm = options.consumer === 'no-xterm' ? null : new Terminal({ cols: COLS, rows: ROWS, scrollback: 10_000, allowProposedApi: true });
  let backlog = 0;
  let peakBacklog = 0;
  let ended!: (reason: string | null) => void;
  const endedPromise = new Promise<string | null>((resolve) => (ended = resolve));
  const handle = await client.api.openStream(
    'terminal.output',
    { id: terminalId },
    (bytes) => {
      options.onBytes?.(bytes);
      if (!xterm) return;
      backlog += bytes.byteLength;
      peakBacklog = Math.max(peakBacklog, backlog);
      const parsed = new Promise<void>((resolve) =>
        xterm.write(bytes, () => {
          backlog -= bytes.byteLength;
          options.parsed?.(bytes);
          resolve();
        }),
      );
      return options.consumer === 'ack-parsed' ? parsed : undefined;
    },
    (reason) => ended(reason),
  );
  return {
    ended: endedPromise,
    peakBacklog: () => peakBacklog,
    close() {
      handle.close();
      xterm?.dispose();
    },
  };
}

async function openShell(client: BenchClient): Promise<string> {
  const info = await client.api.call('terminals.open', { kind: 'local', environmentId: null, targetId: null, cols: COLS, rows: ROWS });
  return info.id;
}

/** Type `line` into the shell and wait until its output shows READY (the shell is past its start-up). */
async function typeAndWaitReady(client: BenchClient, id: string, seen: () => string, line: string): Promise<void> {
  await client.api.call('terminals.write', { id, data: `${line}; echo WF-READY-$((6*7))\r` });
  await until(`terminal ${id} to run \`${line}\``, () => seen().includes(READY));
}

// ---- 1. throughput -----------------------------------------------------------------------------

/** THROUGHPUT_BYTES of `x` in lines as wide as the terminal, the shape `xtermAloneMBps` writes too. */
function writeLinesFile(path: string): void {
  const line = Buffer.from(`${'x'.repeat(COLS - 1)}\n`);
  const block = Buffer.concat(Array.from({ length: 1024 }, () => line));
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < THROUGHPUT_BYTES; ) written += writeSync(fd, block, 0, Math.min(block.length, THROUGHPUT_BYTES - written));
  } finally {
    closeSync(fd);
  }
}

/** The same command through the host, until the end marker arrived (and was parsed, into xterm). */
async function throughputThroughHost(client: BenchClient, command: string, consumer: Consumer): Promise<{ payload: MarkedPayload; ms: number; peakBacklog: number }> {
  const id = await openShell(client);
  const payload = new MarkedPayload();
  let text = '';
  let finishedAt: bigint | null = null;
  let endChunk: Uint8Array | null = null;
  const stream = await attach(client, id, {
    consumer,
    onBytes(bytes) {
      if (payload.beganAt === null) text += Buffer.from(bytes).toString('latin1');
      const wasDone = payload.done;
      payload.feed(bytes);
      if (payload.done && !wasDone) {
        if (consumer !== 'no-xterm') endChunk = bytes;
        else finishedAt = payload.endedAt;
      }
    },
    parsed(bytes) {
      if (bytes === endChunk) finishedAt = process.hrtime.bigint();
    },
  });
  try {
    await typeAndWaitReady(client, id, () => text, 'true');
    await client.api.call('terminals.write', { id, data: `${marked(command)}; exit\r` });
    await until('the host to deliver the whole output', () => finishedAt !== null);
    const reason = await Promise.race([stream.ended, sleep(STEP_TIMEOUT_MS).then(() => 'still running')]);
    if (reason !== 'exited with code 0') throw new Error(`terminal benchmark: the shell did not exit cleanly after the output (${reason})`);
  } finally {
    stream.close();
    await client.api.call('terminals.close', { id }).catch(() => undefined);
  }
  return { payload, ms: payload.elapsedMs(finishedAt), peakBacklog: stream.peakBacklog() };
}

/** xterm alone, fed the same lines from memory as fast as it parses: what bounds the first figure. */
async function xtermAloneMBps(bytes: number): Promise<number> {
  const xterm = new Terminal({ cols: COLS, rows: ROWS, scrollback: 10_000, allowProposedApi: true });
  const chunk = Buffer.from(`${'x'.repeat(COLS - 1)}\r\n`.repeat(512));
  const start = process.hrtime.bigint();
  let sent = 0;
  let parsed = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < bytes && sent - parsed < 1_000_000) {
        sent += chunk.byteLength;
        xterm.write(chunk, () => {
          parsed += chunk.byteLength;
          if (parsed >= sent && sent >= bytes) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const elapsed = ms(start);
  xterm.dispose();
  return mb(parsed) / (elapsed / 1000);
}

async function benchThroughput(client: BenchClient, work: string, record: (r: Measured) => void): Promise<void> {
  const file = join(work, 'lines.txt');
  writeLinesFile(file);
  const command = `cat ${quote(file)}`;
  // Best of two rounds for both sides, as for the runbook library: on a 2-core machine one pass
  // is at the mercy of whatever else runs; the best is the figure that repeats.
  let raw = await rawPty(command, work);
  let viaXterm = await throughputThroughHost(client, command, 'ack-parsed');
  expectSameOutput('throughput into xterm', viaXterm.payload, raw);
  const rawAgain = await rawPty(command, work);
  expectSameOutput('node-pty alone, twice', rawAgain, raw);
  if (rawAgain.elapsedMs() < raw.elapsedMs()) raw = rawAgain;
  const viaXtermAgain = await throughputThroughHost(client, command, 'ack-parsed');
  expectSameOutput('throughput into xterm', viaXtermAgain.payload, raw);
  if (viaXtermAgain.ms < viaXterm.ms) viaXterm = viaXtermAgain;
  const rawMBps = mb(raw.bytes) / (raw.elapsedMs() / 1000);
  const plain = await throughputThroughHost(client, command, 'no-xterm');
  expectSameOutput('throughput through the transport', plain.payload, raw);
  const onReceipt = await throughputThroughHost(client, command, 'ack-on-receipt');
  expectSameOutput('throughput into xterm, acknowledged on receipt', onReceipt.payload, raw);
  const xtermMBps = await xtermAloneMBps(20_000_000);
  const ours = mb(viaXterm.payload.bytes) / (viaXterm.ms / 1000);
  const transport = mb(plain.payload.bytes) / (plain.ms / 1000);
  const onReceiptMBps = mb(onReceipt.payload.bytes) / (onReceipt.ms / 1000);
  const size = `${mb(raw.bytes).toFixed(1)} MB`;
  record({
    name: `terminal throughput, pty → host → WebSocket → headless xterm (${size})`,
    value: ours,
    unit: 'MB/s',
    baseline: rawMBps,
    ratio: ours / rawMBps,
    note: `baseline: node-pty alone reading the same output (best of two each); target ratio >= 0.7; bytes and SHA-256 identical; acknowledged after xterm parsed each chunk, as the renderer does; xterm alone parses ${xtermMBps.toFixed(0)} MB/s of these lines; acknowledged on receipt instead, ${onReceiptMBps.toFixed(0)} MB/s with at most ${mb(onReceipt.peakBacklog).toFixed(1)} MB waiting in xterm`,
  });
  record({
    name: `terminal throughput, pty → host → WebSocket → client, no xterm (${size})`,
    value: transport,
    unit: 'MB/s',
    baseline: rawMBps,
    ratio: transport / rawMBps,
    note: 'baseline: node-pty alone; the transport and flow control alone (the client acknowledges on receipt); bytes and SHA-256 identical',
  });
}

// ---- 2. keystroke echo latency -----------------------------------------------------------------

/** ECHO_SAMPLES single characters typed into `cat`, each timed until it comes back on the stream. */
async function echoLatencies(client: BenchClient, id: string, arrivals: { expect: number | null; at: bigint | null }): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < ECHO_SAMPLES; i++) {
    const char = 'abcdefghijklmnopqrstuvwxyz'[i % 26]!;
    arrivals.expect = char.charCodeAt(0);
    arrivals.at = null;
    const start = process.hrtime.bigint();
    await client.api.call('terminals.write', { id, data: char });
    await until(`"${char}" to come back from cat (sample ${i + 1})`, () => arrivals.at !== null, 5_000);
    latencies.push(Number(arrivals.at! - start) / 1e6);
    await sleep(2 + (i % 5));
  }
  return latencies;
}

async function benchEchoLatency(client: BenchClient, record: (r: Measured) => void): Promise<void> {
  const echoId = await openShell(client);
  let text = '';
  const arrivals: { expect: number | null; at: bigint | null } = { expect: null, at: null };
  const echo = await attach(client, echoId, {
    consumer: 'ack-parsed',
    onBytes(bytes) {
      if (text.length < 4096) text += Buffer.from(bytes).toString('latin1');
      if (arrivals.expect !== null && arrivals.at === null && bytes.includes(arrivals.expect)) arrivals.at = process.hrtime.bigint();
    },
  });
  let floodId: string | null = null;
  let flood: Attached | null = null;
  try {
    // `cat` in raw mode echoes each character as it reads it: a clean echo, one process away.
    await typeAndWaitReady(client, echoId, () => text, 'stty raw -echo');
    await client.api.call('terminals.write', { id: echoId, data: 'exec cat\r' });
    await sleep(200);
    const idle = await echoLatencies(client, echoId, arrivals);

    floodId = await openShell(client);
    let floodBytes = 0;
    flood = await attach(client, floodId, { consumer: 'ack-parsed', onBytes: (bytes) => void (floodBytes += bytes.byteLength) });
    await client.api.call('terminals.write', { id: floodId, data: 'yes\r' });
    await until('the flood (`yes`) to start', () => floodBytes > 2_000_000);
    const floodStart = process.hrtime.bigint();
    const floodStartBytes = floodBytes;
    const flooded = await echoLatencies(client, echoId, arrivals);
    const floodMBps = mb(floodBytes - floodStartBytes) / (ms(floodStart) / 1000);

    const p50 = quantile(flooded, 0.5);
    const p99 = quantile(flooded, 0.99);
    const idle50 = quantile(idle, 0.5);
    const idle99 = quantile(idle, 0.99);
    const during = `${ECHO_SAMPLES} samples; \`yes\` in a second terminal of the same host and connection drew ${floodMBps.toFixed(0)} MB/s into its xterm meanwhile`;
    record({ name: 'keystroke echo while another terminal floods, p50', value: p50, unit: 'ms', baseline: idle50, ratio: p50 / idle50, note: `baseline: the same echo with no flood; ${during}` });
    record({ name: 'keystroke echo while another terminal floods, p99', value: p99, unit: 'ms', baseline: idle99, ratio: p99 / idle99, note: 'baseline: the same echo with no flood, p99; target < 50 ms' });
  } finally {
    flood?.close();
    echo.close();
    if (floodId) await client.api.call('terminals.close', { id: floodId }).catch(() => undefined);
    await client.api.call('terminals.close', { id: echoId }).catch(() => undefined);
  }
}

// ---- 3. memory while a 200 MB file goes through -----------------------------------------------

/** VmRSS of a process, bytes. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`terminal benchmark: no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** Samples a process's RSS every few ms until stopped; returns the peak. */
function watchRss(pid: number): { stop(): number } {
  let peak = rss(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rss(pid));
    } catch {
      // the process ended between two samples
    }
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** 200 MB of numbered text lines (a log file, more or less). */
function writeCatFile(path: string): void {
  const fd = openSync(path, 'w');
  try {
    let line = 0;
    let written = 0;
    while (written < CAT_FILE_BYTES) {
      const lines: string[] = [];
      for (let i = 0; i < 10_000; i++, line++) lines.push(`${String(line).padStart(9, '0')} level=info msg="request served" path=/api/v1/items status=200 ms=${line % 997}\n`);
      written += writeSync(fd, lines.join(''));
    }
  } finally {
    closeSync(fd);
  }
}

/** Child-process mode: node-pty alone cats the file (after "go" on stdin) and prints what it read. */
async function rawCatChild(file: string): Promise<void> {
  process.stdout.write('ready\n');
  await new Promise((r) => process.stdin.once('data', r));
  const payload = await rawPty(`cat ${quote(file)}`, tmpdir());
  process.stdout.write(`${JSON.stringify({ bytes: payload.bytes, digest: payload.digest })}\n`);
  process.exit(0);
}

/** The RSS growth of a bare node process (this module's child mode) running node-pty over the file. */
async function rawCatGrowth(file: string): Promise<{ growth: number; payload: { bytes: number; digest: string } }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--raw-cat', file], { cwd: dirname(dirname(self)), stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  try {
    await until('the node-pty baseline process to start', () => out.includes('ready\n'));
    const before = rss(child.pid!);
    const peak = watchRss(child.pid!);
    child.stdin.write('go\n');
    const code = await exited;
    const top = peak.stop();
    if (code !== 0) throw new Error(`terminal benchmark: the node-pty baseline process exited with code ${code}`);
    return { growth: top - before, payload: JSON.parse(out.slice(out.indexOf('\n') + 1)) as { bytes: number; digest: string } };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

async function benchMemory(root: string, work: string, record: (r: Measured) => void): Promise<void> {
  const file = join(work, 'cat-200mb.log');
  writeCatFile(file);
  const size = statSync(file).size;
  const raw = await rawCatGrowth(file);
  // A fresh host: the throughput runs before must not have grown its heap already.
  const dataDir = mkdtempSync(join(work, 'serve-'));
  const host = await startServe(root, dataDir);
  const client = await connect(host.url);
  try {
    const id = await openShell(client);
    const payload = new MarkedPayload();
    let text = '';
    const stream = await attach(client, id, {
      consumer: 'no-xterm',
      onBytes(bytes) {
        if (payload.beganAt === null) text += Buffer.from(bytes).toString('latin1');
        payload.feed(bytes);
      },
    });
    await typeAndWaitReady(client, id, () => text, 'true');
    await sleep(300);
    const pid = host.child.pid!;
    const idle = rss(pid);
    const peak = watchRss(pid);
    await client.api.call('terminals.write', { id, data: `${marked(`cat ${quote(file)}`)}\r` });
    await until('the host to deliver the whole file', () => payload.done, 60_000);
    const top = peak.stop();
    stream.close();
    await client.api.call('terminals.close', { id });
    if (payload.bytes !== raw.payload.bytes || payload.digest !== raw.payload.digest) {
      throw new Error(
        `terminal benchmark "cat ${mb(size).toFixed(0)} MB": the host delivered ${payload.bytes} bytes where node-pty alone read ${raw.payload.bytes}: output was lost or changed. No figure was recorded.`,
      );
    }
    const growth = mb(top - idle);
    const rawGrowth = mb(raw.growth);
    record({
      name: `host RSS growth while cat of a ${mb(size).toFixed(0)} MB file goes through it (peak − idle)`,
      value: growth,
      unit: 'MB',
      baseline: rawGrowth,
      ratio: growth / Math.max(rawGrowth, 1),
      note: `baseline: RSS growth of a bare node process reading the same cat with node-pty alone; target < 100 MB; idle host ${mb(idle).toFixed(0)} MB; ${(mb(payload.bytes) / (payload.elapsedMs() / 1000)).toFixed(0)} MB/s through; bytes and SHA-256 identical`,
    });
  } finally {
    client.close();
    await host.stop();
  }
}

// ---- all of it ---------------------------------------------------------------------------------

/** Warn when `watchfloor serve` (the built out/) is older than the sources it is built from. */
function warnIfStale(root: string): void {
  const built = join(root, 'out/main/cli.js');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    throw new Error('terminal benchmark: the host is not built (out/main/cli.js is missing); run `npm run build` first.');
  }
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(join(dir, e.name)) : e.name.endsWith('.ts') && statSync(join(dir, e.name)).mtimeMs > builtAt,
    );
  if (newer(join(root, 'electron')) || newer(join(root, 'shared'))) {
    console.log('  (the built host in out/ is older than electron/ or shared/: these figures measure the last build; run `npm run build` for the current code)');
  }
}

/** Runs the three terminal benchmarks against `watchfloor serve`, recording each figure. */
export async function benchTerminals(root: string, record: (r: Measured) => void): Promise<void> {
  warnIfStale(root);
  const work = mkdtempSync(join(tmpdir(), 'wf-bench-terminals-'));
  try {
    const host = await startServe(root, mkdtempSync(join(work, 'serve-')));
    const client = await connect(host.url);
    try {
      await benchThroughput(client, work, record);
      await benchEchoLatency(client, record);
    } finally {
      client.close();
      await host.stop();
    }
    await benchMemory(root, work, record);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--raw-cat' && process.argv[3]) await rawCatChild(process.argv[3]);
