/**
 * Which host keys the operator trusts: the keys accepted in Watchfloor (trust on first use, stored
 * per environment) and, as a second source, the operator's own `~/.ssh/known_hosts` (plain and
 * hashed `|1|` entries, `host` or `[host]:port`). A key is judged the way OpenSSH judges it:
 * a known key → trusted; nothing known for that host and port → unknown (ask); something known but
 * not this key → changed (refuse).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../clock';
import { systemClock } from '../../clock';
import type { Db } from '../../db';

/** A host key as the server presented it during key exchange. */
export interface PresentedHostKey {
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:<base64 without padding>`, exactly as `ssh-keygen -l` and `ssh` print it. */
  fingerprint: string;
  /** The key blob, base64, as it appears in a known_hosts line. */
  publicKey: string;
}

/** Where a key the operator trusts was found, so a warning can say where to remove it. */
export type TrustSource = { kind: 'watchfloor'; environmentId: string } | { kind: 'known_hosts'; path: string; line: number };

export type HostKeyVerdict =
  | { kind: 'trusted'; source: TrustSource }
  | { kind: 'unknown' }
  | { kind: 'changed'; expected: { keyType: string; fingerprint: string; source: TrustSource }[] };

interface KnownKey {
  keyType: string;
  publicKey: string;
  source: TrustSource;
}

export function presentedHostKey(host: string, port: number, blob: Buffer): PresentedHostKey {
  return { host, port, keyType: keyTypeOf(blob), fingerprint: fingerprintOf(blob), publicKey: blob.toString('base64') };
}

/** `SHA256:` and the unpadded base64 of the blob's SHA-256, as OpenSSH prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

// An SSH public key blob starts with its type as an SSH string: uint32 length, then the bytes.
function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return length > 0 && length <= 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

export interface KnownHostsOptions {
  /** The operator's known_hosts files, read on every check (they may change under us); missing files are skipped. */
  files?: string[];
  clock?: Clock;
}

export class KnownHosts {
  private readonly files: string[];
  private readonly clock: Clock;

  constructor(
    private readonly db: Db,
    options: KnownHostsOptions = {},
  ) {
    this.files = options.files ?? [join(homedir(), '.ssh', 'known_hosts')];
    this.clock = options.clock ?? systemClock;
  }

  check(environmentId: string, key: PresentedHostKey): HostKeyVerdict {
    const known = [...this.stored(environmentId, key.host, key.port), ...this.fromFiles(key.host, key.port)];
    const match = known.find((k) => k.keyType === key.keyType && k.publicKey === key.publicKey);
    if (match) return { kind: 'trusted', source: match.source };
    // Stricter than "same type differs": any known key for this host that is not the presented one
    // is a change, so a server cannot dodge the warning by offering another key type.
    if (known.length) {
      return {
        kind: 'changed',
        expected: known.map((k) => ({ keyType: k.keyType, fingerprint: fingerprintOf(Buffer.from(k.publicKey, 'base64')), source: k.source })),
      };
    }
    return { kind: 'unknown' };
  }

  /** Remembers a key the operator accepted for this environment. */
  trust(environmentId: string, key: PresentedHostKey): void {
    this.db
      .prepare(
        `INSERT INTO known_hosts (environment_id, host, port, key_type, fingerprint_sha256, public_key, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (environment_id, host, port, key_type) DO UPDATE SET
           fingerprint_sha256 = excluded.fingerprint_sha256, public_key = excluded.public_key, added_at = excluded.added_at`,
      )
      .run(environmentId, key.host, key.port, key.keyType, key.fingerprint, key.publicKey, this.clock.now().toISOString());
  }

  /** Forgets the keys trusted for a host in this environment (after a server was really re-keyed). */
  forget(environmentId: string, host: string, port: number): number {
    return this.db.prepare('DELETE FROM known_hosts WHERE environment_id = ? AND host = ? AND port = ?').run(environmentId, host, port).changes;
  }

  private stored(environmentId: string, host: string, port: number): KnownKey[] {
    const rows = this.db
      .prepare('SELECT key_type, public_key FROM known_hosts WHERE environment_id = ? AND host = ? AND port = ?')
      .all(environmentId, host, port) as { key_type: string; public_key: string }[];
    return rows.map((r) => ({ keyType: r.key_type, publicKey: r.public_key, source: { kind: 'watchfloor', environmentId } }));
  }

  private fromFiles(host: string, port: number): KnownKey[] {
    const keys: KnownKey[] = [];
    for (const path of this.files) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      for (const entry of parseKnownHosts(text)) {
        if (entry.marker === '@cert-authority') continue; // certificates are not supported: the key decides
        if (!hostPatternsMatch(entry.hosts, host, port)) continue;
        const source: TrustSource = { kind: 'known_hosts', path, line: entry.line };
        // A revoked key is listed so that it is never trusted: it counts as a known key it can never match.
        keys.push({ keyType: entry.keyType, publicKey: entry.marker === '@revoked' ? `revoked:${entry.publicKey}` : entry.publicKey, source });
      }
    }
    return keys;
  }
}

export interface KnownHostsEntry {
  line: number;
  marker: '@cert-authority' | '@revoked' | null;
  hosts: string;
  keyType: string;
  publicKey: string;
}

/** Parses known_hosts text (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"); malformed lines are skipped, as ssh does. */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostsEntry['marker'] = null;
    if (fields[0] === '@cert-authority' || fields[0] === '@revoked') marker = fields.shift() as KnownHostsEntry['marker'];
    const [hosts, keyType, publicKey] = fields;
    if (!hosts || !keyType || !publicKey) return;
    entries.push({ line: index + 1, marker, hosts, keyType, publicKey });
  });
  return entries;
}

/** The name a host is known by: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether a comma-separated host field (patterns, negations, hashed `|1|salt|hash` names) names this host. */
export function hostPatternsMatch(field: string, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('|1|')) {
      if (hashedMatch(pattern, name)) matched = true;
      continue;
    }
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (globMatch(glob.toLowerCase(), name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// OpenSSH patterns: `*` any run of characters, `?` exactly one.
function globMatch(glob: string, text: string): boolean {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(text);
}
