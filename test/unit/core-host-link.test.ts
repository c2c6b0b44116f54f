/**
 * The desktop app's wire path without Electron: a real core on a temporary data dir, served by
 * the core host's `servePorts` on one end of two real MessageChannels (Node's worker_threads ports
 * stand in for Electron's MessagePortMain and for the page's DOM MessagePorts), and the preload's
 * connection on the other end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { MessageChannel, type MessagePort as NodePort } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/contract';
import { createCore, type Core } from '../../electron/core';
import { electronAbiCounterpart, servePorts, type MainPort } from '../../electron/main/core-host-link';
import { createCoreConnection, type Port } from '../../electron/preload/core-connection';

/** Electron's MessagePortMain emits `message` with a MessageEvent ({ data, ports }); Node's port
 * emits the data itself. Only that shape differs; the ports and their cloning are Node's own. */
function asMainPort(port: NodePort): MainPort {
  return {
    postMessage: (message: unknown) => port.postMessage(message),
    on(event: 'message' | 'close', listener: (event: { data: unknown }) => void) {
      if (event === 'message') port.on('message', (data: unknown) => listener({ data }));
      else port.on('close', () => listener({ data: undefined }));
      return this;
    },
    start: () => port.start(),
    close: () => port.close(),
  } as MainPort;
}

/** Node's MessagePort is an EventTarget with start(), like the DOM MessagePort the preload gets. */
const asPagePort = (port: NodePort) => port as unknown as Port;

interface Wire {
  page: { control: NodePort; bytes: NodePort };
  closedOnHost: Promise<void>;
}

function wire(core: Core): Wire {
  const control = new MessageChannel();
  const bytes = new MessageChannel();
  let closed!: () => void;
  const closedOnHost = new Promise<void>((resolve) => (closed = resolve));
  servePorts(core, asMainPort(control.port1), asMainPort(bytes.port1), closed);
  return { page: { control: control.port2, bytes: bytes.port2 }, closedOnHost };
}

const eventually = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

let dataDir: string;
let core: Core;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-core-host-'));
  core = createCore({ dataDir, host: 'electron', bundledRunbooksDir: null });
});

afterEach(() => {
  core.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a window connected to the core host over two ports', () => {
  it('answers calls made before its ports arrived, and pushes events', async () => {
    const connection = createCoreConnection();
    const changed: string[][] = [];
    connection.api.on('environments.changed', ({ ids }) => changed.push(ids));

    const info = connection.api.call('app.info', {}); // no ports yet: this waits
    const { page } = wire(core);
    connection.attach(asPagePort(page.control), asPagePort(page.bytes));

    expect(await info).toMatchObject({ host: 'electron', dataDir });
    const env = await connection.api.call('environments.create', { name: 'Production', tier: 'production', color: '#d92d20' });
    expect(env).toMatchObject({ name: 'Production', tier: 'production' });
    await eventually(() => changed.length === 1, 'environments.changed');
    expect(changed[0]).toEqual([env.id]);
    page.control.close();
  });

  it('rejects invalid arguments with an ApiError that keeps its code and field issues', async () => {
    const connection = createCoreConnection();
    const { page } = wire(core);
    connection.attach(asPagePort(page.control), asPagePort(page.bytes));

    const error = await connection.api
      .call('environments.create', { name: '', tier: 'production', color: 'red' })
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid_arguments');
    expect((error as ApiError).issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'color']));
    page.control.close();
  });

  it('streams bytes on the byte port, never through the control port', async () => {
    const connection = createCoreConnection();
    const { page } = wire(core);
    const controlMessages: unknown[] = [];
    page.control.addEventListener('message', (e) => controlMessages.push((e as MessageEvent).data));
    connection.attach(asPagePort(page.control), asPagePort(page.bytes));

    const received: Uint8Array[] = [];
    const handle = await connection.api.openStream('log.tail', {}, (bytes) => void received.push(bytes));
    core.log.info('a line for the tail');
    await eventually(() => new TextDecoder().decode(Buffer.concat(received)).includes('a line for the tail'), 'the log line');
    expect(received.every((b) => b instanceof Uint8Array)).toBe(true);
    expect(JSON.stringify(controlMessages)).not.toContain('a line for the tail');
    handle.close();
    page.control.close();
  });

  it('closes the core host side when the page goes away', async () => {
    const connection = createCoreConnection();
    const { page, closedOnHost } = wire(core);
    connection.attach(asPagePort(page.control), asPagePort(page.bytes));
    await connection.api.call('app.info', {});
    page.control.close(); // what a reload or a closed window does to the page's ports
    await closedOnHost;
  });

  it('after a restart, takes fresh ports, keeps its event subscriptions, and fails what was in flight', async () => {
    const connection = createCoreConnection();
    const changed: string[][] = [];
    connection.api.on('environments.changed', ({ ids }) => changed.push(ids));
    const first = wire(core);
    connection.attach(asPagePort(first.page.control), asPagePort(first.page.bytes));
    await connection.api.call('app.info', {});

    // The old core host is gone; the main process hands over new ports to a new one. A call
    // still unanswered on the old ports may or may not have happened: it fails, and is not replayed.
    const inFlight = connection.api.call('environments.list', {});
    const second = wire(core);
    connection.attach(asPagePort(second.page.control), asPagePort(second.page.bytes));
    await expect(inFlight).rejects.toThrow(/restarted; try again/);
    await first.closedOnHost;

    const env = await connection.api.call('environments.create', { name: 'Staging', tier: 'staging', color: '#2e90fa' });
    await eventually(() => changed.some((ids) => ids.includes(env.id)), 'the event on the new ports');
    second.page.control.close();
  });

  it('when the core is gone for good, tells the page and fails calls with a reason', async () => {
    const connection = createCoreConnection();
    const reasons: string[] = [];
    connection.api.onDisconnect((r) => reasons.push(r));
    const waiting = connection.api.call('app.info', {});
    connection.fail("Watchfloor's core could not start: disk full.");

    await expect(waiting).rejects.toThrow(/disk full/);
    await expect(connection.api.call('environments.list', {})).rejects.toBeInstanceOf(ApiError);
    expect(reasons).toEqual(["Watchfloor's core could not start: disk full."]);
  });
});

describe('Electron-ABI addons', () => {
  const nativeDir = join(sep, 'app', 'node_modules', '.electron-abi');
  const npmBuild = join(sep, 'app', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  const electronBuild = join(nativeDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

  it('loads the Electron build of an addon where one was made', () => {
    expect(electronAbiCounterpart(npmBuild, nativeDir, (p) => p === electronBuild)).toBe(electronBuild);
  });

  it("keeps npm's build where there is no Electron build", () => {
    expect(electronAbiCounterpart(npmBuild, nativeDir, () => false)).toBeNull();
    expect(electronAbiCounterpart(join(sep, 'opt', 'lib', 'x.node'), nativeDir, () => true)).toBeNull();
  });
});
