/**
 * The desktop app's vault key, kept by the operating system's keychain through Electron's
 * `safeStorage`: a random 32-byte key, stored on disk only as safeStorage's ciphertext, and handed
 * to the core host over its port (the utility process cannot reach safeStorage itself).
 *
 * On Linux, safeStorage falls back to `basic_text` when there is no keyring (no GNOME Keyring,
 * KWallet...): its "encryption" is then a fixed key compiled into Chromium, which protects
 * nothing. That backend is refused, and the app keeps the passphrase vault, unless the operator
 * starts Watchfloor with `--allow-plaintext-keychain` knowing what it means.
 *
 * Nothing here imports electron: the main process passes `safeStorage` in, and tests pass a
 * stand-in for it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorage {
  isEncryptionAvailable(): boolean;
  /** Linux only: 'basic_text', 'gnome_libsecret', 'kwallet5'... */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export type KeychainKey = { ok: true; key: Buffer; backend: string; created: boolean } | { ok: false; reason: string };

export const PLAINTEXT_OPT_IN_FLAG = '--allow-plaintext-keychain';

export interface KeychainOptions {
  /** Where the encrypted key lives (in the data dir). */
  file: string;
  platform: NodeJS.Platform;
  /** The operator started the app with PLAINTEXT_OPT_IN_FLAG. */
  allowBasicText: boolean;
}

/**
 * Read the vault key (creating it the first time), or say why the keychain cannot keep it, in
 * words for the log and the Secrets panel. Never throws.
 */
export function keychainVaultKey(storage: SafeStorage, options: KeychainOptions): KeychainKey {
  try {
    if (!storage.isEncryptionAvailable()) {
      return { ok: false, reason: 'The operating system keychain is not available, so the vault uses a passphrase.' };
    }
    const backend = options.platform === 'linux' ? (storage.getSelectedStorageBackend?.() ?? 'unknown') : options.platform;
    if (backend === 'basic_text' && !options.allowBasicText) {
      return {
        ok: false,
        reason:
          'No keyring was found (Electron would fall back to "basic_text", a fixed key that protects nothing), so the vault uses a passphrase. ' +
          `Start a keyring (GNOME Keyring, KWallet), or start Watchfloor with ${PLAINTEXT_OPT_IN_FLAG} to accept that protection knowingly.`,
      };
    }
    if (existsSync(options.file)) {
      const hex = storage.decryptString(readFileSync(options.file));
      if (!/^[0-9a-f]{64}$/.test(hex)) {
        return { ok: false, reason: `The keychain entry in ${options.file} is not a vault key; the vault uses a passphrase. Nothing was deleted.` };
      }
      return { ok: true, key: Buffer.from(hex, 'hex'), backend, created: false };
    }
    const key = randomBytes(32);
    const sealed = storage.encryptString(key.toString('hex'));
    // Written whole then renamed, so a crash cannot leave half a key behind.
    const partial = `${options.file}.partial`;
    writeFileSync(partial, sealed, { mode: 0o600 });
    renameSync(partial, options.file);
    return { ok: true, key, backend, created: true };
  } catch (error) {
    return {
      ok: false,
      reason: `The operating system keychain could not keep the vault key (${error instanceof Error ? error.message : String(error)}); the vault uses a passphrase.`,
    };
  }
}
