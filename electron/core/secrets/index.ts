/**
 * The secrets vault: per-environment secrets, encrypted at rest with AES-256-GCM (node:crypto).
 * Each value gets a random 12-byte IV; its tag is stored beside it; the AAD is the environment id
 * and the name, so a ciphertext moved to another secret fails to decrypt. The key is held in memory
 * only while the vault is unlocked. In the headless host it is derived from the operator's
 * passphrase with scrypt; in Electron a KeyProvider (safeStorage, in the main process) supplies it.
 * While unlocked, the Redactor knows every value, so nothing Watchfloor records contains one.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ApiError, type SecretSummary, type VaultStatus } from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { Log } from '../log';
import { Redactor } from './redaction';

export { Redactor, StreamRedactor, MIN_REDACTED_LENGTH, type KnownSecret } from './redaction';

/** Supplies the vault's 32-byte key from the operating system's keychain. Electron's main process
 * implements it with safeStorage (the core's utility process cannot reach safeStorage). */
export interface KeyProvider {
  readonly kind: 'os-keychain';
  getKey(): Promise<Buffer>;
}

/** How the vault gets its key: from the operator's passphrase, or from a KeyProvider. */
export type VaultKeys = { readonly kind: 'passphrase' } | KeyProvider;

export const passphraseKeys: VaultKeys = { kind: 'passphrase' };

/** scrypt's cost: N=2^15, r=8, p=1 needs 32 MiB, about 100 ms on a laptop. Stored per vault. */
const KDF = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERIFIER_TEXT = 'watchfloor vault verifier v1';
const VERIFIER_AAD = 'watchfloor:vault-verifier';

interface VaultRow {
  kind: VaultKeys['kind'];
  kdf_salt: Buffer | null;
  kdf_params: string | null;
  verifier: Buffer;
}

interface SecretRow {
  environment_id: string;
  name: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
  created_at: string;
  updated_at: string;
}

export class SecretVault {
  /** Knows every secret's value while the vault is unlocked, nothing while it is locked. */
  readonly redactor = new Redactor();
  private key: Buffer | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly keys: VaultKeys,
  ) {}

  status(): VaultStatus {
    const row = this.vaultRow();
    return { state: !row ? 'uninitialised' : this.key ? 'unlocked' : 'locked', kind: this.kind(row) };
  }

  /**
   * A vault keeps the kind it was created with: one made with a passphrase (in the headless host,
   * or in a desktop app whose keychain was refused) stays a passphrase vault when a keychain
   * becomes available, rather than becoming unreadable.
   */
  private kind(row: VaultRow | undefined = this.vaultRow()): VaultKeys['kind'] {
    return row?.kind ?? this.keys.kind;
  }

  /** First use with a passphrase: a fresh salt, the verifier, and the vault is unlocked. */
  async setup(passphrase: string): Promise<VaultStatus> {
    this.assertPassphraseKind();
    if (this.vaultRow()) {
      throw new ApiError({ code: 'conflict', message: 'The vault already exists: unlock it with its passphrase instead of creating it again.' });
    }
    const salt = randomBytes(16);
    const key = await deriveKey(passphrase, salt, KDF);
    this.db
      .prepare(`INSERT INTO vault (id, kind, kdf_salt, kdf_params, verifier, created_at) VALUES (1, 'passphrase', ?, ?, ?, ?)`)
      .run(salt, JSON.stringify(KDF), sealVerifier(key), this.clock.now().toISOString());
    this.log.info('secrets vault created (passphrase)');
    this.useKey(key);
    return this.status();
  }

  async unlock(passphrase: string): Promise<VaultStatus> {
    this.assertPassphraseKind();
    const row = this.vaultRow();
    if (!row) {
      throw new ApiError({ code: 'conflict', message: 'There is no vault yet: create one with a passphrase first.' });
    }
    const params = JSON.parse(row.kdf_params ?? 'null') as { N: number; r: number; p: number } | null;
    if (!row.kdf_salt || !params) {
      throw new ApiError({ code: 'conflict', message: 'This vault is kept by the operating system keychain, not a passphrase: open it in the desktop app.' });
    }
    const key = await deriveKey(passphrase, row.kdf_salt, params);
    if (!openVerifier(key, row.verifier)) {
      key.fill(0);
      throw new ApiError({
        code: 'invalid_arguments',
        message: 'That passphrase does not open the vault. Nothing was changed; check it and try again.',
        issues: [{ path: 'passphrase', message: 'That passphrase does not open the vault. Check it and try again.' }],
      });
    }
    this.useKey(key);
    this.log.info('secrets vault unlocked');
    return this.status();
  }

  /** Keychain vaults: fetch the key from the provider, creating the verifier on first use. */
  async open(): Promise<VaultStatus> {
    if (this.keys.kind !== 'os-keychain' || this.kind() !== 'os-keychain') return this.status();
    const key = await this.keys.getKey();
    if (key.length !== KEY_BYTES) throw new Error(`the keychain gave a ${key.length}-byte key; the vault needs ${KEY_BYTES}`);
    const row = this.vaultRow();
    if (!row) {
      this.db
        .prepare(`INSERT INTO vault (id, kind, verifier, created_at) VALUES (1, 'os-keychain', ?, ?)`)
        .run(sealVerifier(key), this.clock.now().toISOString());
    } else if (!openVerifier(key, row.verifier)) {
      throw new ApiError({
        code: 'conflict',
        message: 'The operating system keychain gave a key that does not open this vault (was it reset?). The secrets were kept; restore the keychain entry to read them.',
      });
    }
    this.useKey(key);
    return this.status();
  }

  lock(): VaultStatus {
    this.key?.fill(0);
    this.key = null;
    this.redactor.update([]);
    if (this.vaultRow()) this.log.info('secrets vault locked');
    return this.status();
  }

  /** Names and times only: a value never leaves the vault except through reveal(). */
  list(environmentId: string): SecretSummary[] {
    const rows = this.db
      .prepare('SELECT environment_id, name, created_at, updated_at FROM secrets WHERE environment_id = ? ORDER BY name COLLATE NOCASE')
      .all(environmentId) as Pick<SecretRow, 'environment_id' | 'name' | 'created_at' | 'updated_at'>[];
    return rows.map((r) => ({ environmentId: r.environment_id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  set(environmentId: string, name: string, value: string): SecretSummary {
    const key = this.unlockedKey(`save ${name}`);
    const env = this.db.prepare('SELECT id FROM environments WHERE id = ?').get(environmentId);
    if (!env) throw new ApiError({ code: 'not_found', message: `No environment with id ${environmentId}; it may have been deleted. The secret was not saved.` });
    const sealed = seal(key, Buffer.from(value, 'utf8'), aad(environmentId, name));
    const now = this.clock.now().toISOString();
    this.db
      .prepare(
        `INSERT INTO secrets (environment_id, name, iv, tag, ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (environment_id, name) DO UPDATE SET iv = excluded.iv, tag = excluded.tag,
           ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      )
      .run(environmentId, name, sealed.iv, sealed.tag, sealed.ciphertext, now, now);
    this.refreshRedactor();
    return this.list(environmentId).find((s) => s.name === name)!;
  }

  delete(environmentId: string, name: string): void {
    this.unlockedKey(`delete ${name}`);
    const result = this.db.prepare('DELETE FROM secrets WHERE environment_id = ? AND name = ?').run(environmentId, name);
    if (result.changes === 0) throw new ApiError({ code: 'not_found', message: `There is no secret ${name} in this environment; it may already be deleted.` });
    this.refreshRedactor();
  }

  reveal(environmentId: string, name: string): string {
    const key = this.unlockedKey(`reveal ${name}`);
    const row = this.db.prepare('SELECT * FROM secrets WHERE environment_id = ? AND name = ?').get(environmentId, name) as SecretRow | undefined;
    if (!row) throw new ApiError({ code: 'not_found', message: `There is no secret ${name} in this environment; it may have been deleted.` });
    const value = open(key, row);
    if (value === null) {
      throw new ApiError({
        code: 'conflict',
        message: `The secret ${name} could not be decrypted: it was changed outside Watchfloor or belongs to another secret. It was kept as it is; set it again to replace it.`,
      });
    }
    return value;
  }

  /** Every value the vault can read now (all environments), for redaction. */
  private refreshRedactor(): void {
    const key = this.key;
    if (!key) return this.redactor.update([]);
    const rows = this.db.prepare('SELECT * FROM secrets').all() as SecretRow[];
    const known: { name: string; value: string }[] = [];
    for (const row of rows) {
      const value = open(key, row);
      if (value === null) this.log.warn(`secret ${row.name} could not be decrypted; it is not redacted until it is set again`);
      else known.push({ name: row.name, value });
    }
    this.redactor.update(known);
  }

  private useKey(key: Buffer): void {
    this.key?.fill(0);
    this.key = key;
    this.refreshRedactor();
  }

  private unlockedKey(action: string): Buffer {
    if (this.key) return this.key;
    const how = this.keys.kind === 'passphrase' ? 'unlock it with your passphrase' : 'unlock it from the operating system keychain';
    throw new ApiError({ code: 'conflict', message: `The vault is locked: ${how} to ${action}. Nothing was changed.` });
  }

  private assertPassphraseKind(): void {
    if (this.kind() !== 'passphrase') {
      throw new ApiError({ code: 'conflict', message: 'This vault is kept by the operating system keychain; it has no passphrase.' });
    }
  }

  private vaultRow(): VaultRow | undefined {
    return this.db.prepare('SELECT kind, kdf_salt, kdf_params, verifier FROM vault WHERE id = 1').get() as VaultRow | undefined;
  }
}

function aad(environmentId: string, name: string): Buffer {
  // Names cannot contain NUL, so the pair is unambiguous.
  return Buffer.from(`watchfloor:secret\u0000${environmentId}\u0000${name}`, 'utf8');
}

function deriveKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // 128 * N * r bytes, plus headroom: Node's default 32 MiB ceiling is exactly N=2^15, r=8.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function seal(key: Buffer, plain: Buffer, additional: Buffer): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additional);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function unseal(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, additional: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additional);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null; // wrong key, wrong AAD, or changed bytes: GCM's tag says no
  }
}

function open(key: Buffer, row: SecretRow): string | null {
  return unseal(key, row.iv, row.tag, row.ciphertext, aad(row.environment_id, row.name))?.toString('utf8') ?? null;
}

function sealVerifier(key: Buffer): Buffer {
  const { iv, tag, ciphertext } = seal(key, Buffer.from(VERIFIER_TEXT), Buffer.from(VERIFIER_AAD));
  return Buffer.concat([iv, tag, ciphertext]);
}

function openVerifier(key: Buffer, verifier: Buffer): boolean {
  const plain = unseal(
    key,
    verifier.subarray(0, IV_BYTES),
    verifier.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    verifier.subarray(IV_BYTES + TAG_BYTES),
    Buffer.from(VERIFIER_AAD),
  );
  const expected = Buffer.from(VERIFIER_TEXT);
  return plain !== null && plain.length === expected.length && timingSafeEqual(plain, expected);
}
