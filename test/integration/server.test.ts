import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/contract';
import { startServer, type RunningServer } from '../../electron/server';
import { connectClient, upgradeStatus } from '../support/ws-client';
import { tempDir } from '../support/temp';

let server: RunningServer;
const data = tempDir();
const renderer = tempDir();

beforeAll(async () => {
  mkdirSync(renderer.path, { recursive: true });
  writeFileSync(join(renderer.path, 'index.html'), '<!doctype html><title>Watchfloor</title>');
  server = await startServer({ dataDir: data.path, rendererDir: renderer.path });
});
afterAll(async () => {
  await server.close();
  data.cleanup();
  renderer.cleanup();
});

const api = () => `ws://127.0.0.1:${server.port}/api`;
const ownOrigin = () => ({ Origin: `http://127.0.0.1:${server.port}` });

describe('watchfloor serve', () => {
  it('listens on 127.0.0.1 and prints a URL carrying a fresh 256-bit token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
  });

  it('refuses a WebSocket without the token', async () => {
    expect(await upgradeStatus(api(), ownOrigin())).toBe(401);
  });

  it('refuses a WebSocket with a wrong token', async () => {
    expect(await upgradeStatus(`${api()}?token=${'0'.repeat(64)}`, ownOrigin())).toBe(401);
  });

  it('refuses a WebSocket from a foreign Origin even with the right token', async () => {
    expect(await upgradeStatus(`${api()}?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${api()}?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
  });

  it('refuses a request for another Host name (DNS rebinding)', async () => {
    expect(await upgradeStatus(`${api()}?token=${server.token}`, { Host: `rebound.example:${server.port}` })).toBe(421);
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/', headers: { Host: 'rebound.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(status).toBe(421);
  });

  it('accepts its own origin with the token and answers calls from the contract', async () => {
    const { api: client, ws } = await connectClient(`${api()}?token=${server.token}`, ownOrigin());
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ host: 'headless', dataDir: data.path, storeNotice: null });
    ws.close();
  });

  it('answers a call with invalid arguments with a typed error naming the field', async () => {
    const { api: client, ws } = await connectClient(`${api()}?token=${server.token}`);
    const error = await client
      .call('environments.create', { name: '', tier: 'prod' as never, color: 'red' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid_arguments');
    const paths = (error as ApiError).issues?.map((i) => i.path).sort();
    expect(paths).toEqual(['color', 'name', 'tier']);
    // The connection survives a bad call.
    expect((await client.call('environments.list', {})).length).toBe(0);
    ws.close();
  });

  it('answers an unknown method with a typed error, not a crash', async () => {
    const { api: client, ws } = await connectClient(`${api()}?token=${server.token}`);
    const error = (await client.call('nope.nothing' as never, {} as never).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('unknown_method');
    ws.close();
  });

  it('pushes events to every connected renderer', async () => {
    const a = await connectClient(`${api()}?token=${server.token}`);
    const b = await connectClient(`${api()}?token=${server.token}`);
    const seen = new Promise<string[]>((resolve) => b.api.on('environments.changed', (p) => resolve(p.ids)));
    const env = await a.api.call('environments.create', { name: 'Staging', tier: 'staging', color: '#d97706' });
    expect(await seen).toEqual([env.id]);
    a.ws.close();
    b.ws.close();
  });

  it('streams bytes on binary frames, not as JSON events', async () => {
    const { api: client, ws } = await connectClient(`${api()}?token=${server.token}`);
    const text: string[] = [];
    const decoder = new TextDecoder();
    const binaryFrames: number[] = [];
    ws.on('message', (_d, isBinary) => binaryFrames.push(isBinary ? 1 : 0));
    const stream = await client.openStream('log.tail', {}, (bytes) => void text.push(decoder.decode(bytes)));
    await client.call('environments.create', { name: 'Lab', tier: 'development', color: '#2563eb' }).catch(() => undefined);
    server.core.log.info('marker-for-stream-test');
    await expect.poll(() => text.join('')).toContain('marker-for-stream-test');
    expect(binaryFrames).toContain(1);
    stream.close();
    ws.close();
  });

  it('serves the renderer but never a file outside it', async () => {
    const ok = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    const escape = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2f..%2fetc%2fpasswd`);
    expect(await escape.text()).not.toContain('root:');
  });
});
