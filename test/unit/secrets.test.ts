import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { dispatch } from '../../electron/core/api/dispatch';
import type { Clock } from '../../electron/core/clock';
import { STORE_FILE } from '../../electron/core/db';
import { openStore } from '../../electron/core/db';
import { Log } from '../../electron/core/log';
import { Redactor, SecretVault, StreamRedactor, type KeyProvider } from '../../electron/core/secrets';
import { tempDir } from '../support/temp';

let core: Core;
let dir: string;
let cleanup: () => void;
const clock: Clock = { now: () => new Date('2026-11-25T10:00:00Z') };

beforeEach(() => {
  const d = tempDir();
  dir = d.path;
  cleanup = d.cleanup;
  core = createCore({ dataDir: dir, host: 'headless', clock, bundledRunbooksDir: null, watchSources: false });
});
afterEach(() => {
  core.close();
  cleanup();
});

type Failure = Error & { code: string; issues?: { path: string; message: string }[] };

async function call(method: string, params: unknown): Promise<unknown> {
  const r = await dispatch(core, method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
  return r.value;
}

async function failure(method: string, params: unknown): Promise<Failure> {
  return call(method, params).then(
    () => expect.fail(`${method} should have failed`),
    (error: unknown) => error as Failure,
  );
}

async function environment(name: string): Promise<string> {
  const env = (await call('environments.create', { name, tier: 'production', color: '#dc2626' })) as { id: string };
  return env.id;
}

const PASSPHRASE = 'correct horse battery staple';
const TOKEN = 'cf-Tok3n_9f8e7d6c5b4a3210-ZYXW';

describe('the vault', () => {
  it('is created once, locks, unlocks with its passphrase and refuses a wrong one', async () => {
    expect(await call('secrets.status', {})).toEqual({ state: 'uninitialised', kind: 'passphrase' });
    expect((await failure('secrets.setup', { passphrase: 'short' })).code).toBe('invalid_arguments');
    expect(await call('secrets.setup', { passphrase: PASSPHRASE })).toEqual({ state: 'unlocked', kind: 'passphrase' });
    expect((await failure('secrets.setup', { passphrase: PASSPHRASE })).code).toBe('conflict');

    expect(await call('secrets.lock', {})).toEqual({ state: 'locked', kind: 'passphrase' });
    const wrong = await failure('secrets.unlock', { passphrase: 'not the passphrase' });
    expect(wrong.message).toMatch(/does not open the vault/);
    expect(wrong.issues).toEqual([{ path: 'passphrase', message: expect.stringMatching(/does not open the vault/) as string }]);
    expect(await call('secrets.status', {})).toEqual({ state: 'locked', kind: 'passphrase' });
    expect(await call('secrets.unlock', { passphrase: PASSPHRASE })).toEqual({ state: 'unlocked', kind: 'passphrase' });
  });

  it('survives a restart locked, and opens again with the same passphrase', async () => {
    const env = await environment('Production');
    await call('secrets.setup', { passphrase: PASSPHRASE });
    await call('secrets.set', { environmentId: env, name: 'API_TOKEN', value: TOKEN });
    core.close();
    core = createCore({ dataDir: dir, host: 'headless', clock, bundledRunbooksDir: null, watchSources: false });
    expect(await call('secrets.status', {})).toEqual({ state: 'locked', kind: 'passphrase' });
    await call('secrets.unlock', { passphrase: PASSPHRASE });
    expect(await call('secrets.reveal', { environmentId: env, name: 'API_TOKEN' })).toEqual({ value: TOKEN });
  });

  it('sets, lists names without values, reveals and deletes', async () => {
    const env = await environment('Production');
    const other = await environment('Staging');
    await call('secrets.setup', { passphrase: PASSPHRASE });
    await call('secrets.set', { environmentId: env, name: 'API_TOKEN', value: TOKEN });
    await call('secrets.set', { environmentId: env, name: 'DB_PASSWORD', value: 'pg-pass-ÄÖü-✓' });
    await call('secrets.set', { environmentId: other, name: 'API_TOKEN', value: 'staging-token' });

    const list = await call('secrets.list', { environmentId: env });
    expect(list).toEqual([
      { environmentId: env, name: 'API_TOKEN', createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:00:00.000Z' },
      { environmentId: env, name: 'DB_PASSWORD', createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:00:00.000Z' },
    ]);
    expect(JSON.stringify(list)).not.toContain(TOKEN);
    expect(JSON.stringify(list)).not.toContain('pg-pass');

    expect(await call('secrets.reveal', { environmentId: env, name: 'DB_PASSWORD' })).toEqual({ value: 'pg-pass-ÄÖü-✓' });
    expect(await call('secrets.reveal', { environmentId: other, name: 'API_TOKEN' })).toEqual({ value: 'staging-token' });
    await call('secrets.set', { environmentId: env, name: 'API_TOKEN', value: 'rotated-token' });
    expect(await call('secrets.reveal', { environmentId: env, name: 'API_TOKEN' })).toEqual({ value: 'rotated-token' });

    await call('secrets.delete', { environmentId: env, name: 'API_TOKEN' });
    expect((await call('secrets.list', { environmentId: env })) as unknown[]).toHaveLength(1);
    expect((await failure('secrets.reveal', { environmentId: env, name: 'API_TOKEN' })).code).toBe('not_found');
    expect((await failure('secrets.set', { environmentId: env, name: '9lives', value: 'x' })).code).toBe('invalid_arguments');
    expect((await failure('secrets.set', { environmentId: 'nope', name: 'X', value: 'x' })).code).toBe('not_found');
  });

  it('refuses to read or change secrets while locked, and says how to unlock', async () => {
    const env = await environment('Production');
    await call('secrets.setup', { passphrase: PASSPHRASE });
    await call('secrets.set', { environmentId: env, name: 'API_TOKEN', value: TOKEN });
    await call('secrets.lock', {});
    for (const [method, params] of [
      ['secrets.reveal', { environmentId: env, name: 'API_TOKEN' }],
      ['secrets.set', { environmentId: env, name: 'OTHER', value: 'value' }],
      ['secrets.delete', { environmentId: env, name: 'API_TOKEN' }],
    ] as const) {
      const error = await failure(method, params);
      expect(error.code).toBe('conflict');
      expect(error.message).toMatch(/^The vault is locked: unlock it with your passphrase to /);
    }
    // Names are not secret: the list still shows what is there.
    expect((await call('secrets.list', { environmentId: env })) as unknown[]).toHaveLength(1);
  });

  it('never writes a value, or its UTF-16 or base64 forms, or the passphrase, to the database files', async () => {
    const env = await environment('Production');
    await call('secrets.setup', { passphrase: PASSPHRASE });
    await call('secrets.set', { environmentId: env, name: 'API_TOKEN', value: TOKEN });
    const path = join(dir, STORE_FILE);
    const files = () => [readFileSync(path), readFileSync(`${path}-wal`)];
    const before = files();
    core.db.pragma('wal_checkpoint(FULL)');
    const forbidden = [...forms(TOKEN), ...forms(PASSPHRASE)];
    for (const bytes of [...before, ...files()]) {
      for (const form of forbidden) expect(bytes.includes(form)).toBe(false);
    }
    // The check can see a value when there is one: the name is stored in the clear.
    expect(files()[0]!.includes(Buffer.from('API_TOKEN'))).toBe(true);
  });

  it('refuses a ciphertext moved to another secret', async () => {
    const env = await environment('Production');
    await call('secrets.setup', { passphrase: PASSPHRASE });
    await call('secrets.set', { environmentId: env, name: 'A_TOKEN', value: 'value-of-a' });
    await call('secrets.set', { environmentId: env, name: 'B_TOKEN', value: 'value-of-b' });
    const row = (name: string) =>
      core.db.prepare('SELECT iv, tag, ciphertext FROM secrets WHERE name = ?').get(name) as { iv: Buffer; tag: Buffer; ciphertext: Buffer };
    const a = row('A_TOKEN');
    core.db.prepare('UPDATE secrets SET iv = ?, tag = ?, ciphertext = ? WHERE name = ?').run(a.iv, a.tag, a.ciphertext, 'B_TOKEN');
    const error = await failure('secrets.reveal', { environmentId: env, name: 'B_TOKEN' });
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/could not be decrypted/);
    expect(await call('secrets.reveal', { environmentId: env, name: 'A_TOKEN' })).toEqual({ value: 'value-of-a' });
  });

  it('opens from an operating-system keychain key, and refuses a key that does not match', async () => {
    const env = await environment('Production');
    const keychain = (key: Buffer): KeyProvider => ({ kind: 'os-keychain', getKey: () => Promise.resolve(Buffer.from(key)) });
    const other = tempDir();
    try {
      const { db } = openStore(other.path);
      db.prepare(`INSERT INTO environments (id, name, tier, color, created_at, updated_at) VALUES (?, 'P', 'production', '#dc2626', 'x', 'x')`).run(env);
      const log = new Log(null, clock);
      const key = Buffer.alloc(32, 7);
      const vault = new SecretVault(db, clock, log, keychain(key));
      expect(vault.status()).toEqual({ state: 'uninitialised', kind: 'os-keychain' });
      expect(await vault.open()).toEqual({ state: 'unlocked', kind: 'os-keychain' });
      vault.set(env, 'API_TOKEN', TOKEN);
      await expect(vault.setup(PASSPHRASE)).rejects.toThrow(/keychain/);
      const reset = new SecretVault(db, clock, log, keychain(Buffer.alloc(32, 8)));
      await expect(reset.open()).rejects.toThrow(/does not open this vault/);
      const again = new SecretVault(db, clock, log, keychain(key));
      await again.open();
      expect(again.reveal(env, 'API_TOKEN')).toBe(TOKEN);
      db.close();
    } finally {
      other.cleanup();
    }
  });

  it('keeps a passphrase vault a passphrase vault when a keychain becomes available', async () => {
    const env = await environment('Production');
    const other = tempDir();
    try {
      const { db } = openStore(other.path);
      db.prepare(`INSERT INTO environments (id, name, tier, color, created_at, updated_at) VALUES (?, 'P', 'production', '#dc2626', 'x', 'x')`).run(env);
      const log = new Log(null, clock);
      const headless = new SecretVault(db, clock, log, { kind: 'passphrase' });
      await headless.setup(PASSPHRASE);
      headless.set(env, 'API_TOKEN', TOKEN);
      const desktop = new SecretVault(db, clock, log, { kind: 'os-keychain', getKey: () => Promise.resolve(Buffer.alloc(32, 9)) });
      expect(desktop.status()).toEqual({ state: 'locked', kind: 'passphrase' });
      expect(await desktop.open()).toEqual({ state: 'locked', kind: 'passphrase' });
      await desktop.unlock(PASSPHRASE);
      expect(desktop.reveal(env, 'API_TOKEN')).toBe(TOKEN);
      db.close();
    } finally {
      other.cleanup();
    }
  });

  it('keeps every known secret out of the log file and the log tail', async () => {
    const env = await environment('Production');
    await call('secrets.setup', { passphrase: PASSPHRASE });
    await call('secrets.set', { environmentId: env, name: 'API_TOKEN', value: TOKEN });
    const tail: string[] = [];
    const stop = core.log.follow((line) => tail.push(line));
    core.log.info(`calling the API with ${TOKEN}`, { header: `Bearer ${TOKEN}`, nested: { quoted: `"${TOKEN}"` } });
    stop();
    const file = readFileSync(join(dir, 'logs', 'watchfloor.log'), 'utf8');
    expect(file).toContain('calling the API with [secret:API_TOKEN]');
    expect(file).toContain('Bearer [secret:API_TOKEN]');
    expect(file).not.toContain(TOKEN);
    expect(tail.join('')).not.toContain(TOKEN);
    expect(file).not.toContain(PASSPHRASE);
  });
});

describe('redaction', () => {
  const redactor = new Redactor();
  redactor.update([
    { name: 'SHORT', value: 'abc' }, // under 4 characters: left alone
    { name: 'TOKEN', value: 's3cr3t' },
    { name: 'LONG_TOKEN', value: 's3cr3t-and-more' },
    { name: 'REGEX', value: 'a.b*c(d)' },
    { name: 'UNICODE', value: 'päss✓word' },
  ]);

  it('replaces every occurrence in a string, longest first, with regex characters taken literally', () => {
    expect(redactor.redact('x s3cr3t y s3cr3t-and-more z abc')).toBe('x [secret:TOKEN] y [secret:LONG_TOKEN] z abc');
    expect(redactor.redact('a.b*c(d) aXbbc(d)')).toBe('[secret:REGEX] aXbbc(d)');
    expect(redactor.redact('pw=päss✓word')).toBe('pw=[secret:UNICODE]');
  });

  it('replaces occurrences in bytes', () => {
    const out = redactor.redactBytes(Buffer.from('\u0000bin s3cr3t päss✓word\n', 'utf8'));
    expect(Buffer.from(out).toString('utf8')).toBe('\u0000bin [secret:TOKEN] [secret:UNICODE]\n');
  });

  it('finds a secret split across stream chunks, even inside a multi-byte character, and flushes at the end', () => {
    const input = Buffer.from('output s3cr3t-and-more then päss✓word and s3cr3', 'utf8');
    for (let a = 1; a < input.length - 1; a++) {
      for (const b of [a + 1, Math.min(input.length - 1, a + 7)]) {
        const stream = new StreamRedactor(redactor);
        const out = Buffer.concat([
          stream.push(input.subarray(0, a)),
          stream.push(input.subarray(a, b)),
          stream.push(input.subarray(b)),
          stream.end(),
        ]).toString('utf8');
        expect(out).toBe('output [secret:LONG_TOKEN] then [secret:UNICODE] and s3cr3');
      }
    }
  });

  it('holds back no more than the longest secret less one byte', () => {
    const stream = new StreamRedactor(redactor);
    const out = stream.push(Buffer.from('x'.repeat(100)));
    expect(out.byteLength).toBe(100 - (redactor.maxSecretLength - 1));
    expect(stream.end().byteLength).toBe(redactor.maxSecretLength - 1);
  });
});

/** A value as UTF-8, UTF-16LE, UTF-16BE and base64 (at each of the three byte alignments). */
function forms(value: string): Buffer[] {
  const utf8 = Buffer.from(value, 'utf8');
  const utf16le = Buffer.from(value, 'utf16le');
  const utf16be = Buffer.from(utf16le).swap16();
  const base64 = [0, 1, 2].map((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64');
    return Buffer.from(encoded.slice(4, -4)); // the part that does not depend on what surrounds it
  });
  return [utf8, utf16le, utf16be, ...base64];
}
