/**
 * The desktop vault key (electron/main/keychain.ts). Electron's safeStorage cannot run here (no
 * Electron binary), so these tests hand it a stand-in with safeStorage's contract: an encryptor
 * that really transforms the bytes, and a Linux backend name.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keychainVaultKey, PLAINTEXT_OPT_IN_FLAG, type SafeStorage } from '../../electron/main/keychain';
import { tempDir } from '../support/temp';

function keyring(backend: string, available = true): SafeStorage & { calls: number } {
  const key = randomBytes(32);
  const iv = Buffer.alloc(16, 7);
  return {
    calls: 0,
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString(plain) {
      this.calls++;
      const c = createCipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    },
    decryptString(sealed) {
      const d = createDecipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([d.update(sealed), d.final()]).toString('utf8');
    },
  };
}

describe('the keychain vault key', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const keyFile = () => {
    const dir = tempDir('wf-keychain-');
    cleanups.push(dir.cleanup);
    return join(dir.path, 'vault-key.bin');
  };

  it('creates a 32-byte key once, keeps only its ciphertext (0600), and reads the same key back', () => {
    const file = keyFile();
    const storage = keyring('gnome_libsecret');
    const first = keychainVaultKey(storage, { file, platform: 'linux', allowBasicText: false });
    expect(first).toMatchObject({ ok: true, created: true, backend: 'gnome_libsecret' });
    if (!first.ok) return;
    expect(first.key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).includes(Buffer.from(first.key.toString('hex')))).toBe(false);
    const again = keychainVaultKey(storage, { file, platform: 'linux', allowBasicText: false });
    expect(again).toMatchObject({ ok: true, created: false });
    if (again.ok) expect(again.key.equals(first.key)).toBe(true);
    expect(storage.calls).toBe(1);
  });

  it('refuses Linux basic_text unless the operator opts in, and says how', () => {
    const file = keyFile();
    const refused = keychainVaultKey(keyring('basic_text'), { file, platform: 'linux', allowBasicText: false });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toContain(PLAINTEXT_OPT_IN_FLAG);
    expect(existsSync(file)).toBe(false);
    expect(keychainVaultKey(keyring('basic_text'), { file, platform: 'linux', allowBasicText: true })).toMatchObject({ ok: true, backend: 'basic_text' });
  });

  it('falls back to the passphrase vault when there is no keychain or the entry is damaged', () => {
    const file = keyFile();
    expect(keychainVaultKey(keyring('kwallet5', false), { file, platform: 'linux', allowBasicText: false })).toMatchObject({ ok: false });
    writeFileSync(file, 'not a sealed key');
    const damaged = keychainVaultKey(keyring('kwallet5'), { file, platform: 'linux', allowBasicText: false });
    expect(damaged.ok).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('not a sealed key');
  });
});
