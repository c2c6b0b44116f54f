/**
 * Attachments through the calls, on a real core and a real data dir: stored by content hash, named
 * in the journal once the file is on disk, checked against the hash when read back.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATTACHMENT_MAX_BYTES, IncidentDetail, JournalEvent } from '../../shared/contract';
import { verifyJournal } from '../../electron/core/incidents';
import { useTestCore } from '../support/core';

const t = useTestCore();

const call = async <T>(method: string, params: unknown): Promise<T> => (await t.call(method, params)) as T;
const failure = (method: string, params: unknown) => t.call(method, params).then(() => ({ code: 'none', message: '' }), (e: { code: string; message: string }) => e);

/** A small real PNG header and some bytes that are not text. */
const SCREENSHOT = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256))]);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function incident(title = 'Checkout errors'): Promise<string> {
  return IncidentDetail.parse(await call('incidents.start', { title })).incident.id;
}

function attach(id: string, bytes: Buffer, extra: Record<string, unknown> = {}) {
  return call('incidents.attach', { id, name: 'grafana.png', mediaType: 'image/png', base64: bytes.toString('base64'), ...extra }).then((e) => JournalEvent.parse(e));
}

const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name)) : []);

describe('attachments', () => {
  it('round-trips through incidents.attach and incidents.attachment, stored by content hash', async () => {
    const id = await incident();
    const changed: unknown[] = [];
    t.core.events.subscribe((name, payload) => name === 'incidents.changed' && changed.push(payload));

    const event = await attach(id, SCREENSHOT, { caption: 'error rate at 09:58' });
    const sha256 = sha(SCREENSHOT);
    expect(event).toMatchObject({ seq: 2, kind: 'attachment', data: { sha256, name: 'grafana.png', mediaType: 'image/png', size: SCREENSHOT.byteLength, caption: 'error rate at 09:58' } });
    expect(changed).toEqual([{ ids: [id] }]);
    const path = join(t.dataDir, 'attachments', sha256.slice(0, 2), sha256);
    expect(readFileSync(path).equals(SCREENSHOT)).toBe(true);

    const back = await call<{ name: string; mediaType: string; size: number; base64: string }>('incidents.attachment', { id, sha256 });
    expect(back).toMatchObject({ name: 'grafana.png', mediaType: 'image/png', size: SCREENSHOT.byteLength });
    expect(Buffer.from(back.base64, 'base64').equals(SCREENSHOT)).toBe(true);
    expect(verifyJournal(IncidentDetail.parse(await call('incidents.get', { id })).recent).ok).toBe(true);
  });

  it('keeps the same bytes once, however often and wherever they are attached', async () => {
    const a = await incident('First');
    const b = await incident('Second');
    await attach(a, SCREENSHOT);
    await attach(a, SCREENSHOT, { name: 'again.png' });
    await attach(b, SCREENSHOT, { name: 'other.png' });
    expect(filesUnder(join(t.dataDir, 'attachments'))).toHaveLength(1);
    const kinds = IncidentDetail.parse(await call('incidents.get', { id: a })).recent.map((e) => e.kind);
    expect(kinds).toEqual(['opened', 'attachment', 'attachment']);
  });

  it('refuses a file changed on disk since it was stored, and says the journal entry is kept', async () => {
    const id = await incident();
    const sha256 = sha(SCREENSHOT);
    await attach(id, SCREENSHOT);
    const path = join(t.dataDir, 'attachments', sha256.slice(0, 2), sha256);
    const tampered = Buffer.from(SCREENSHOT);
    tampered[100] = tampered[100]! ^ 0xff;
    writeFileSync(path, tampered);
    expect(await failure('incidents.attachment', { id, sha256 })).toMatchObject({ code: 'conflict', message: expect.stringContaining('changed on disk') });

    // Attaching the original again writes a good copy over the damaged one.
    await attach(id, SCREENSHOT);
    const back = await call<{ base64: string }>('incidents.attachment', { id, sha256 });
    expect(Buffer.from(back.base64, 'base64').equals(SCREENSHOT)).toBe(true);
  });

  it('gives only what this incident names: another incident\'s file, an unknown hash, or an unknown incident is not found', async () => {
    const a = await incident('First');
    const b = await incident('Second');
    const sha256 = sha(SCREENSHOT);
    await attach(a, SCREENSHOT);
    expect(await failure('incidents.attachment', { id: b, sha256 })).toMatchObject({ code: 'not_found' });
    expect(await failure('incidents.attachment', { id: a, sha256: 'a'.repeat(64) })).toMatchObject({ code: 'not_found' });
    expect(await failure('incidents.attach', { id: 'nope', name: 'x.png', mediaType: 'image/png', base64: SCREENSHOT.toString('base64') })).toMatchObject({ code: 'not_found' });
    // Nothing is stored for an incident that does not exist.
    expect(filesUnder(join(t.dataDir, 'attachments'))).toHaveLength(1);
  });

  it('refuses bad base64 and saves nothing', async () => {
    const id = await incident();
    for (const base64 of ['not base64!', 'QUJD RA==', 'QUJDRA=', 'QUJDRA===', 'QUJD-A==', 'QUJDR', 'QUJDRB==', '=QUJ']) {
      expect(await failure('incidents.attach', { id, name: 'x.bin', mediaType: 'application/octet-stream', base64 }), base64).toMatchObject({ code: 'invalid_arguments', message: expect.stringContaining('not saved') });
    }
    expect(filesUnder(join(t.dataDir, 'attachments'))).toEqual([]);
    expect(IncidentDetail.parse(await call('incidents.get', { id })).recent.map((e) => e.kind)).toEqual(['opened']);
  });

  it('refuses a file over ATTACHMENT_MAX_BYTES and saves nothing', async () => {
    const id = await incident();
    const big = Buffer.alloc(ATTACHMENT_MAX_BYTES + 1, 7);
    expect(await failure('incidents.attach', { id, name: 'core.dump', mediaType: 'application/octet-stream', base64: big.toString('base64') })).toMatchObject({
      code: 'invalid_arguments',
      message: expect.stringContaining('at most 25.0 MB'),
    });
    expect(filesUnder(join(t.dataDir, 'attachments'))).toEqual([]);
    // Exactly the limit is fine.
    const limit = Buffer.alloc(ATTACHMENT_MAX_BYTES, 7);
    expect(await attach(id, limit, { name: 'big.log', mediaType: 'text/plain' })).toMatchObject({ data: { size: ATTACHMENT_MAX_BYTES } });
  });

  it('redacts vault secrets out of the caption and the name', async () => {
    const env = (await call<{ id: string }>('environments.create', { name: 'Production', tier: 'production', color: '#dc2626' })).id;
    const token = 'tok-7c1d9e2f4a6b8c0d';
    await call('secrets.setup', { passphrase: 'correct horse battery staple' });
    await call('secrets.set', { environmentId: env, name: 'API_TOKEN', value: token });
    const id = await incident();
    const event = await attach(id, SCREENSHOT, { name: `curl-${token}.png`, caption: `worked with ${token}` });
    expect(event.data).toMatchObject({ name: 'curl-[secret:API_TOKEN].png', caption: 'worked with [secret:API_TOKEN]' });
    expect(JSON.stringify(t.core.db.prepare('SELECT data FROM journal').all())).not.toContain(token);
  });
});
