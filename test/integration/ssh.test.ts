import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../electron/core/db';
import { openStore } from '../../electron/core/db';
import type { HostTrust, PresentedHostKey, SshConnection, SshEndpoint } from '../../electron/core/terminals/ssh';
import { hostPatternsMatch, KnownHosts, openSshConnection, parseKnownHosts, SshConnectionError } from '../../electron/core/terminals/ssh';
import type { SshAgent, Sshd } from '../support/sshd';
import { canSetPassword, generateKey, SSHD, sshKeygenFingerprint, startSshAgent, startSshd } from '../support/sshd';
import { tempDir } from '../support/temp';

// What sshd logs (LogLevel DEBUG1) once a client asks to authenticate, whatever the method.
const AUTHENTICATION_LINES = /userauth|Accepted|Failed|Postponed|Invalid user/;
// What it logs when a connection ends before or after authentication.
const CONNECTION_ENDED = /Connection closed by|Disconnected from|Connection reset by|Received disconnect from/;
const PASSWORD = 'correct horse battery staple';

describe('known_hosts entries', () => {
  it('name a host as OpenSSH does: plain on port 22, [host]:port otherwise, with patterns and negations', () => {
    expect(hostPatternsMatch('db1.example.com,10.0.0.5', 'db1.example.com', 22)).toBe(true);
    expect(hostPatternsMatch('db1.example.com', 'db1.example.com', 2222)).toBe(false);
    expect(hostPatternsMatch('[db1.example.com]:2222', 'db1.example.com', 2222)).toBe(true);
    expect(hostPatternsMatch('*.example.com,!bastion.example.com', 'db1.example.com', 22)).toBe(true);
    expect(hostPatternsMatch('*.example.com,!bastion.example.com', 'bastion.example.com', 22)).toBe(false);
    expect(hostPatternsMatch('db?.example.com', 'db12.example.com', 22)).toBe(false);
  });

  it('keep markers and skip comments and malformed lines', () => {
    expect(parseKnownHosts('# a comment\n\nhost-only\n@revoked h1 ssh-ed25519 AAAA\nh2 ssh-rsa BBBB comment here\n')).toEqual([
      { line: 4, marker: '@revoked', hosts: 'h1', keyType: 'ssh-ed25519', publicKey: 'AAAA' },
      { line: 5, marker: null, hosts: 'h2', keyType: 'ssh-rsa', publicKey: 'BBBB' },
    ]);
  });
});

describe.skipIf(!existsSync(SSHD))('SSH terminals against a real OpenSSH server', () => {
  const temp = tempDir();
  const open: SshConnection[] = [];
  let target: Sshd;
  let jump: Sshd;
  let agent: SshAgent;
  let db: Db;
  let knownHosts: KnownHosts;
  let privateKey: Buffer;
  let wrongKey: Buffer;

  beforeAll(async () => {
    const key = generateKey(join(temp.path, 'id_ed25519'));
    privateKey = readFileSync(key.privateKeyPath);
    wrongKey = readFileSync(generateKey(join(temp.path, 'id_other')).privateKeyPath);
    const agentKey = generateKey(join(temp.path, 'id_agent'));
    [target, jump, agent] = await Promise.all([
      startSshd({ authorizedKeys: [key.publicKey, agentKey.publicKey], ...(canSetPassword() ? { password: PASSWORD } : {}) }),
      startSshd({ authorizedKeys: [key.publicKey] }),
      startSshAgent([agentKey.privateKeyPath]),
    ]);
    db = openStore(join(temp.path, 'data')).db;
    const addEnvironment = db.prepare("INSERT INTO environments (id, name, tier, color, created_at, updated_at) VALUES (?, ?, 'production', '#c00', ?, ?)");
    for (const id of ['prod', 'declined', 'jumped', 'from-file', 'password']) addEnvironment.run(id, id, '2026-11-25T00:00:00Z', '2026-11-25T00:00:00Z');
    // Never the operator's own ~/.ssh/known_hosts: a file of this test's own.
    knownHosts = new KnownHosts(db, { files: [join(temp.path, 'known_hosts')] });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await Promise.all([target?.stop(), jump?.stop(), agent?.stop()]);
    db?.close();
    temp.cleanup();
  });

  const endpoint = (server: Sshd, auth: SshEndpoint['auth'] = { kind: 'key', privateKey }): SshEndpoint => ({ host: server.host, port: server.port, username: server.username, auth });
  const trusting = (environmentId: string, answer = true) => {
    const onUnknownHost = vi.fn<(key: PresentedHostKey) => Promise<boolean>>(async () => answer);
    return { trust: { knownHosts, environmentId, onUnknownHost } satisfies HostTrust, onUnknownHost };
  };
  const connect = async (...args: Parameters<typeof openSshConnection>) => {
    const connection = await openSshConnection(...args);
    open.push(connection);
    return connection;
  };

  it('asks on first contact with the fingerprint OpenSSH prints, stores the key, and signs in with a key', async () => {
    const { trust, onUnknownHost } = trusting('prod');
    const connection = await connect({ ...endpoint(target), keepaliveSeconds: 15 }, trust);

    expect(onUnknownHost).toHaveBeenCalledTimes(1);
    expect(onUnknownHost.mock.calls[0]![0]).toMatchObject({ host: '127.0.0.1', port: target.port, keyType: 'ssh-ed25519', fingerprint: sshKeygenFingerprint(target.hostKeyPub) });
    expect(db.prepare('SELECT environment_id, host, port, key_type, fingerprint_sha256 FROM known_hosts').all()).toEqual([
      { environment_id: 'prod', host: '127.0.0.1', port: target.port, key_type: 'ssh-ed25519', fingerprint_sha256: sshKeygenFingerprint(target.hostKeyPub) },
    ]);
    expect(await run(connection, 'echo hello')).toEqual({ stdout: 'hello\n', code: 0 });
    expect(target.log()).toContain('Accepted publickey');
  });

  it('reuses the stored key without asking, and carries a shell and a command on one connection', async () => {
    const { trust, onUnknownHost } = trusting('prod');
    const before = target.log().length;
    const connection = await connect({ ...endpoint(target), keepaliveSeconds: 15 }, trust);
    expect(onUnknownHost).not.toHaveBeenCalled();

    const shell = await connection.shell({ cols: 80, rows: 24 });
    let screen = '';
    shell.on('data', (d: Buffer) => (screen += d.toString()));
    const [command] = await Promise.all([run(connection, 'echo $((6 * 7))'), new Promise((r) => shell.once('data', r))]);
    shell.end('echo "shell:$((20 + 22))"\nexit\n');
    await new Promise((r) => shell.once('close', r));

    expect(command).toEqual({ stdout: '42\n', code: 0 });
    expect(screen).toContain('shell:42');
    // Both channels went over the one connection made in this test.
    expect(target.log().slice(before).match(/Connection from 127\.0\.0\.1/g)).toHaveLength(1);
  });

  it('sends no credentials when the operator does not trust a new host', async () => {
    const { trust, onUnknownHost } = trusting('declined', false);
    const before = target.log().length;
    const refused = await openSshConnection({ ...endpoint(target), keepaliveSeconds: 15 }, trust).catch((e: unknown) => e);

    expect(onUnknownHost).toHaveBeenCalledTimes(1);
    expect(refused).toBeInstanceOf(SshConnectionError);
    expect((refused as SshConnectionError).reason).toBe('host-key-declined');
    const log = await target.waitForLog(CONNECTION_ENDED, before);
    expect(log).toContain('Connection from 127.0.0.1');
    expect(log).not.toMatch(AUTHENTICATION_LINES);
    expect(db.prepare("SELECT count(*) AS n FROM known_hosts WHERE environment_id = 'declined'").get()).toEqual({ n: 0 });
  });

  it('reaches the target through a jump host, verifying both host keys in order', async () => {
    const { trust, onUnknownHost } = trusting('jumped');
    const connection = await connect({ ...endpoint(target), jump: endpoint(jump), keepaliveSeconds: 15 }, trust);

    expect(onUnknownHost.mock.calls.map(([key]) => [key.port, key.fingerprint])).toEqual([
      [jump.port, sshKeygenFingerprint(jump.hostKeyPub)],
      [target.port, sshKeygenFingerprint(target.hostKeyPub)],
    ]);
    expect(await run(connection, 'echo hello')).toEqual({ stdout: 'hello\n', code: 0 });
    // The jump host opened the tunnel to the target; the target saw the jump host, not us, connect.
    expect(jump.log()).toMatch(new RegExp(`target 127\\.0\\.0\\.1 port ${target.port}`));
  });

  it('trusts a hashed ~/.ssh/known_hosts entry without asking, and refuses a host whose entry there differs', async () => {
    const file = join(temp.path, 'known_hosts');
    const hostKeyLine = (server: Sshd) => readFileSync(server.hostKeyPub, 'utf8').split(' ').slice(0, 2).join(' ');
    // The target as OpenSSH writes it (then hashed with ssh-keygen -H), the jump host with another key.
    writeFileSync(file, `[127.0.0.1]:${target.port} ${hostKeyLine(target)}\n[127.0.0.1]:${jump.port} ${readFileSync(join(temp.path, 'id_other.pub'), 'utf8')}`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);

    const { trust, onUnknownHost } = trusting('from-file');
    await connect({ ...endpoint(target), keepaliveSeconds: 15 }, trust);
    expect(onUnknownHost).not.toHaveBeenCalled();

    const refused = await openSshConnection({ ...endpoint(jump), keepaliveSeconds: 15 }, trust).catch((e: unknown) => e);
    expect((refused as SshConnectionError).reason).toBe('host-key-changed');
    expect((refused as Error).message).toContain(`${file}, line 2`);
    writeFileSync(file, '');
  });

  it('signs in with a key held by a real ssh-agent', async () => {
    const { trust } = trusting('prod');
    const before = target.log().length;
    const connection = await connect({ ...endpoint(target, { kind: 'agent', socket: agent.socket }), keepaliveSeconds: 15 }, trust);
    expect(await run(connection, 'echo hello')).toEqual({ stdout: 'hello\n', code: 0 });
    expect(target.log().slice(before)).toContain('Accepted publickey');
  });

  it('reports a key the server does not accept as a sign-in failure', async () => {
    const { trust } = trusting('prod');
    const refused = await openSshConnection({ ...endpoint(target, { kind: 'key', privateKey: wrongKey }), keepaliveSeconds: 15 }, trust).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SshConnectionError);
    expect((refused as SshConnectionError).reason).toBe('authentication');
    expect((refused as Error).message).toContain(`${target.username}@127.0.0.1:${target.port} refused the key credentials`);
  });

  // Tests run as root, whose password is locked; the target sshd sees a copy of /etc/shadow with
  // PASSWORD where mount namespaces are allowed (see startSshd), and the sign-in is proven there.
  it.skipIf(!canSetPassword())('signs in with a password', async () => {
    const { trust } = trusting('password');
    const connection = await connect({ ...endpoint(target, { kind: 'password', password: PASSWORD }), keepaliveSeconds: 15 }, trust);
    expect(await run(connection, 'echo hello')).toEqual({ stdout: 'hello\n', code: 0 });
    expect(target.log()).toMatch(new RegExp(`Accepted password for ${target.username} from 127\\.0\\.0\\.1`));
  });

  it('reports a refused password, without repeating it', async () => {
    const { trust } = trusting('password');
    const before = target.log().length;
    const refused = await openSshConnection({ ...endpoint(target, { kind: 'password', password: 'not-the-password' }), keepaliveSeconds: 15 }, trust).catch((e: unknown) => e);

    expect((refused as SshConnectionError).reason).toBe('authentication');
    expect((refused as Error).message).not.toContain('not-the-password');
    const log = await target.waitForLog(/Failed password/, before);
    expect(log.indexOf('Connection from')).toBeLessThan(log.indexOf('Failed password'));
  });

  it('refuses a changed host key with no authentication attempt reaching the server', async () => {
    const trusted = sshKeygenFingerprint(target.hostKeyPub);
    await target.rotateHostKey();
    const before = target.log().length;
    const { trust, onUnknownHost } = trusting('prod');
    const refused = await openSshConnection({ ...endpoint(target), keepaliveSeconds: 15 }, trust).catch((e: unknown) => e);

    expect(onUnknownHost).not.toHaveBeenCalled();
    expect(refused).toBeInstanceOf(SshConnectionError);
    expect((refused as SshConnectionError).reason).toBe('host-key-changed');
    const message = (refused as Error).message;
    expect(message).toContain(`The host key of 127.0.0.1:${target.port} changed`);
    expect(message).toContain(sshKeygenFingerprint(target.hostKeyPub));
    expect(message).toContain(trusted);
    expect(message).toContain('sent no credentials');

    const log = await target.waitForLog(CONNECTION_ENDED, before);
    expect(log).toContain('Connection from 127.0.0.1');
    expect(log).not.toMatch(AUTHENTICATION_LINES);
    // The same log does record sign-ins: the connections of the earlier tests are there.
    expect(target.log().slice(0, before)).toMatch(/userauth-request for user .* method publickey/);
    // The old key stays trusted: nothing was overwritten by the refused contact.
    expect(db.prepare("SELECT fingerprint_sha256 FROM known_hosts WHERE environment_id = 'prod'").get()).toEqual({ fingerprint_sha256: trusted });
  });
});

async function run(connection: SshConnection, command: string): Promise<{ stdout: string; code: number | null }> {
  const channel = await connection.exec(command);
  let stdout = '';
  let code: number | null = null;
  channel.on('data', (d: Buffer) => (stdout += d.toString()));
  channel.stderr.resume();
  channel.on('exit', (exitCode: number | null) => (code = exitCode));
  await new Promise((r) => channel.once('close', r));
  return { stdout, code };
}
