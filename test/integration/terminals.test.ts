/**
 * Local terminals with real ptys, through a real core, the real connection (flow control) and the
 * real client, joined by an in-memory link.
 */
import { describe, expect, it } from 'vitest';
import { serveConnection, type Connection } from '../../electron/core/api/connection';
import type { TerminalInfo } from '../../shared/contract';
import { createClient, FLOW, type ClientMessage, type HostMessage, type WatchfloorApi } from '../../shared/rpc';
import { useTestCore } from '../support/core';

const t = useTestCore();

interface Wire {
  api: WatchfloorApi;
  connection: Connection;
  /** Delay the client's acknowledgements by this many ms (a slow renderer). */
  ackDelayMs: number;
  /** Bytes sent on a stream and not yet acknowledged, as the host sees them, and the peak. */
  inFlight: number;
  maxInFlight: number;
  maxFrame: number;
}

function connect(): Wire {
  const messageListeners: ((m: HostMessage) => void)[] = [];
  const bytesListeners: ((f: Uint8Array) => void)[] = [];
  const wire = { ackDelayMs: 0, inFlight: 0, maxInFlight: 0, maxFrame: 0 } as Wire;
  wire.connection = serveConnection(t.core, {
    send: (message) => {
      const copy = structuredClone(message);
      for (const l of messageListeners) l(copy);
    },
    sendBytes: (frame) => {
      const bytes = frame.byteLength - 4;
      wire.inFlight += bytes;
      wire.maxInFlight = Math.max(wire.maxInFlight, wire.inFlight);
      wire.maxFrame = Math.max(wire.maxFrame, bytes);
      const copy = frame.slice();
      for (const l of bytesListeners) l(copy);
    },
  });
  const deliver = (message: ClientMessage) => {
    if (message.t === 'stream.ack') wire.inFlight -= message.bytes;
    wire.connection.receive(structuredClone(message));
  };
  wire.api = createClient({
    send: (message) => {
      if (message.t === 'stream.ack' && wire.ackDelayMs > 0) setTimeout(() => deliver(message), wire.ackDelayMs);
      else deliver(message);
    },
    onMessage: (l) => void messageListeners.push(l),
    onBytes: (l) => void bytesListeners.push(l),
    onClose: () => {},
  });
  return wire;
}

/** A terminal's output as text, as it arrives, and how its stream ended. */
async function watch(api: WatchfloorApi, id: string) {
  const decoder = new TextDecoder();
  const seen = { text: '', bytes: 0, ended: undefined as string | null | undefined };
  const handle = await api.openStream(
    'terminal.output',
    { id },
    (bytes) => {
      seen.bytes += bytes.byteLength;
      seen.text += decoder.decode(bytes, { stream: true });
    },
    (reason) => (seen.ended = reason),
  );
  return Object.assign(seen, { close: () => handle.close() });
}

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const open = (api: WatchfloorApi, environmentId: string | null = null, cols = 100, rows = 30) =>
  api.call('terminals.open', { kind: 'local', environmentId, cols, rows }) as Promise<TerminalInfo>;

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local terminals', () => {
  it('runs a command typed into a shell and shows its output', async () => {
    const { api } = connect();
    const changed: string[][] = [];
    api.on('terminals.changed', ({ ids }) => changed.push(ids));
    const terminal = await open(api);
    expect(terminal).toMatchObject({ kind: 'local', title: 'Local shell', environmentId: null, status: 'running', cols: 100, rows: 30 });
    const out = await watch(api, terminal.id);
    await api.call('terminals.write', { id: terminal.id, data: 'echo "he""llo"\r' });
    await until('hello', () => out.text.includes('hello\r\n'));
    expect(await api.call('terminals.list', {})).toEqual([terminal]);
    expect(changed).toContainEqual([terminal.id]);
  });

  it('gives the shell the environment’s variables and a 256-colour TERM', async () => {
    const { api } = connect();
    const env = (await t.call('environments.create', { name: 'Staging EU', tier: 'staging', color: '#d97706', variables: [{ key: 'REGION', value: 'eu-west-1' }] })) as { id: string };
    const terminal = await open(api, env.id);
    expect(terminal.title).toBe('Staging EU · local');
    const out = await watch(api, terminal.id);
    await api.call('terminals.write', { id: terminal.id, data: 'echo "R=$REGION T=$TERM C=$COLORTERM"\r' });
    await until('the variables', () => out.text.includes('R=eu-west-1 T=xterm-256color C=truecolor\r\n'));
  });

  it('resizes the pty', async () => {
    const { api } = connect();
    const terminal = await open(api, null, 80, 24);
    const out = await watch(api, terminal.id);
    await api.call('terminals.resize', { id: terminal.id, cols: 132, rows: 43 });
    await api.call('terminals.write', { id: terminal.id, data: 'stty size\r' });
    await until('the new size', () => out.text.includes('43 132\r\n'));
    expect((await api.call('terminals.list', {}))[0]).toMatchObject({ cols: 132, rows: 43 });
  });

  it('replays the scrollback to a stream opened later, and serves several viewers', async () => {
    const { api } = connect();
    const terminal = await open(api);
    const first = await watch(api, terminal.id);
    await api.call('terminals.write', { id: terminal.id, data: 'echo "ear""ly"\r' });
    await until('early', () => first.text.includes('early\r\n'));
    const late = await watch(connect().api, terminal.id);
    await until('the replay', () => late.text.includes('early\r\n'));
    await api.call('terminals.write', { id: terminal.id, data: 'echo "la""te"\r' });
    await until('late in both', () => first.text.includes('late\r\n') && late.text.includes('late\r\n'));
  });

  it('does not lose the end of a fast command’s output when the process exits at once', async () => {
    const { api } = connect();
    for (let run = 0; run < 5; run++) {
      const terminal = await open(api);
      const out = await watch(api, terminal.id);
      await api.call('terminals.write', { id: terminal.id, data: 'exec seq 1 200000\r' });
      await until('the end of the stream', () => out.ended !== undefined, 20_000);
      expect(out.ended).toBe('exited with code 0');
      const lines = out.text.trimEnd().split('\r\n');
      expect(lines.at(-1)).toBe('200000');
      expect(lines.at(-2)).toBe('199999');
      expect(await api.call('terminals.list', {})).toContainEqual(expect.objectContaining({ id: terminal.id, status: 'exited', exitCode: 0 }));
      await api.call('terminals.close', { id: terminal.id });
    }
  });

  it('pauses a fast producer for a slow viewer and delivers every byte', async () => {
    const wire = connect();
    wire.ackDelayMs = 200; // slow enough that more than FLOW.HIGH is in flight
    const { api } = wire;
    const terminal = await open(api);
    let lines = 0;
    let tail = '';
    const decoder = new TextDecoder();
    let ended: string | null | undefined;
    await api.openStream(
      'terminal.output',
      { id: terminal.id },
      (bytes) => {
        // Count "y\r\n" (the pty turns each "y\n" into "y\r\n"), across chunk boundaries.
        const text = tail + decoder.decode(bytes, { stream: true });
        lines += text.split('y\r\n').length - 1;
        tail = text.slice(-2); // too short to hold a whole match, so none is counted twice
      },
      (reason) => (ended = reason),
    );
    const started = Date.now();
    await api.call('terminals.write', { id: terminal.id, data: "exec sh -c 'yes | head -c 20000000'\r" });
    await until('the end of the stream', () => ended !== undefined, 60_000);
    const seconds = (Date.now() - started) / 1000;
    expect(ended).toBe('exited with code 0');
    expect(lines).toBe(10_000_000);
    // It went over the high-water mark (so the pty was paused) and never by more than one chunk.
    expect(wire.maxInFlight).toBeGreaterThan(FLOW.HIGH);
    expect(wire.maxInFlight).toBeLessThanOrEqual(FLOW.HIGH + wire.maxFrame);
    console.info(`terminal flood: 30 MB through the pty in ${seconds.toFixed(1)} s (${(30 / seconds).toFixed(1)} MB/s), ` + `at most ${wire.maxInFlight} bytes unacknowledged, largest chunk ${wire.maxFrame}`);
  }, 90_000);

  it('acknowledges bytes only once a consumer has finished with them, as xterm.js write callbacks say', async () => {
    const wire = connect();
    const { api } = wire;
    const terminal = await open(api);
    let received = 0;
    let consumed = 0;
    let screen = Promise.resolve();
    let ended: string | null | undefined;
    await api.openStream(
      'terminal.output',
      { id: terminal.id },
      // A screen that takes 20 ms per chunk, one after another, as a busy renderer would: each
      // promise settles when its chunk is done.
      (bytes) => {
        received += bytes.byteLength;
        screen = screen.then(
          () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                consumed += bytes.byteLength;
                resolve();
              }, 20),
            ),
        );
        return screen;
      },
      (reason) => (ended = reason),
    );
    await api.call('terminals.write', { id: terminal.id, data: "exec sh -c 'head -c 3000000 /dev/urandom | base64 -w 100'\r" });
    await until('the end of the stream', () => ended !== undefined, 60_000);
    await until('the last chunk consumed', () => consumed === received);
    expect(received).toBeGreaterThan(4_000_000); // 3 MB as base64 lines
    // The host saw no more unacknowledged than the high-water mark and a frame: acks waited for the consumer.
    expect(wire.maxInFlight).toBeGreaterThan(FLOW.HIGH);
    expect(wire.maxInFlight).toBeLessThanOrEqual(FLOW.HIGH + wire.maxFrame);
    await api.call('terminals.close', { id: terminal.id });
  }, 60_000);

  it('closing a terminal ends its streams and kills the shell', async () => {
    const { api } = connect();
    const terminal = await open(api);
    const out = await watch(api, terminal.id);
    await api.call('terminals.write', { id: terminal.id, data: 'echo "pid=$$"\r' });
    await until('the pid', () => /pid=\d+\r\n/.test(out.text));
    const pid = Number(/pid=(\d+)\r\n/.exec(out.text)![1]);
    expect(alive(pid)).toBe(true);
    await api.call('terminals.close', { id: terminal.id });
    await until('the end of the stream', () => out.ended !== undefined);
    expect(out.ended).toBe('terminal closed');
    await until('the shell to die', () => !alive(pid));
    expect(await api.call('terminals.list', {})).toEqual([]);
    await expect(api.call('terminals.write', { id: terminal.id, data: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
