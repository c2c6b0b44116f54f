/**
 * SSH terminals through the core's contract (terminals.open, trustHostKey, terminal.output),
 * against real OpenSSH servers, a real ssh-agent and the real secrets vault.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../electron/core/clock';
import { TerminalService } from '../../electron/core/terminals/service';
import { KnownHosts, sshLauncher } from '../../electron/core/terminals/ssh';
import type { Environment, HostKeyOffer, SshHostInput, TerminalInfo } from '../../shared/contract';
import { useTestCore } from '../support/core';
import type { SshAgent, Sshd } from '../support/sshd';
import { canSetPassword, generateKey, SSHD, sshKeygenFingerprint, startSshAgent, startSshd } from '../support/sshd';
import { tempDir } from '../support/temp';

// What sshd logs (LogLevel DEBUG1) once a client asks to authenticate, whatever the method.
const AUTHENTICATION_LINES = /userauth|Accepted|Failed|Postponed|Invalid user/;
const CONNECTION_ENDED = /Connection closed by|Disconnected from|Connection reset by|Received disconnect from/;
const PASSWORD = 'correct horse battery staple';
const KEY_PASSPHRASE = 'key passphrase for the test';
const VAULT_PASSPHRASE = 'vault passphrase for the test';

const t = useTestCore();

describe.skipIf(!existsSync(SSHD))('SSH terminals through the core', () => {
  const temp = tempDir();
  let target: Sshd;
  let jump: Sshd;
  let agent: SshAgent;
  let keyPath: string;
  let lockedKeyPath: string;
  const savedAgentSocket = process.env.SSH_AUTH_SOCK;

  beforeAll(async () => {
    const key = generateKey(join(temp.path, 'id_ed25519'));
    const locked = generateKey(join(temp.path, 'id_locked'), KEY_PASSPHRASE);
    const agentKey = generateKey(join(temp.path, 'id_agent'));
    keyPath = key.privateKeyPath;
    lockedKeyPath = locked.privateKeyPath;
    [target, jump, agent] = await Promise.all([
      startSshd({ authorizedKeys: [key.publicKey, locked.publicKey, agentKey.publicKey], ...(canSetPassword() ? { password: PASSWORD } : {}) }),
      startSshd({ authorizedKeys: [key.publicKey] }),
      startSshAgent([agentKey.privateKeyPath]),
    ]);
  });

  afterEach(() => {
    if (savedAgentSocket === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = savedAgentSocket;
  });

  afterAll(async () => {
    await Promise.all([target?.stop(), jump?.stop(), agent?.stop()]);
    temp.cleanup();
  });

  const host = (server: Sshd, fields: Partial<SshHostInput> = {}): SshHostInput => ({
    name: 'web-1',
    host: server.host,
    port: server.port,
    user: server.username,
    auth: 'key',
    keyPath,
    ...fields,
  });
  const environment = async (name: string, sshHosts: SshHostInput[]) =>
    (await t.call('environments.create', { name, tier: 'production', color: '#dc2626', sshHosts })) as unknown as Environment;
  const open = (env: Environment, targetId: string | null = null) =>
    t.call('terminals.open', { kind: 'ssh', environmentId: env.id, targetId, cols: 100, rows: 30 }) as unknown as Promise<TerminalInfo>;
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the terminal to be refused');
      },
      (error: unknown) => error as Error & { code: string; hostKey?: HostKeyOffer },
    );
  /** Opens, accepting each host key offered on the way (the jump host's first), as the UI does. */
  const openTrusting = async (env: Environment, targetId: string | null = null): Promise<{ terminal: TerminalInfo; offers: HostKeyOffer[] }> => {
    const offers: HostKeyOffer[] = [];
    for (;;) {
      try {
        return { terminal: await open(env, targetId), offers };
      } catch (error) {
        const offer = (error as { hostKey?: HostKeyOffer }).hostKey;
        if ((error as { code?: string }).code !== 'host_key_unknown' || !offer || offers.length > 2) throw error;
        offers.push(offer);
        await t.call('terminals.trustHostKey', offer);
      }
    }
  };
  const unlockedVault = async (env: Environment, secrets: Record<string, string>) => {
    await t.call('secrets.setup', { passphrase: VAULT_PASSPHRASE });
    for (const [name, value] of Object.entries(secrets)) await t.call('secrets.set', { environmentId: env.id, name, value });
  };

  it('offers an unknown host key with the fingerprint OpenSSH prints, then opens a shell once it is trusted', async () => {
    const env = await environment('Production', [host(target)]);
    const before = target.log().length;
    const first = await refusal(open(env));

    expect(first.code).toBe('host_key_unknown');
    expect(first.hostKey).toMatchObject({ environmentId: env.id, host: '127.0.0.1', port: target.port, keyType: 'ssh-ed25519', fingerprint: sshKeygenFingerprint(target.hostKeyPub) });
    expect(first.message).toContain(sshKeygenFingerprint(target.hostKeyPub));
    expect(first.message).toContain(`127.0.0.1:${target.port}`);
    expect(first.message).toContain('trust it to connect');
    // The key was shown before any credential: the server saw no sign-in attempt.
    expect(await target.waitForLog(CONNECTION_ENDED, before)).not.toMatch(AUTHENTICATION_LINES);
    expect(await t.call('terminals.list', {})).toEqual([]);

    await t.call('terminals.trustHostKey', first.hostKey);
    const terminal = await open(env);
    expect(terminal).toMatchObject({ kind: 'ssh', title: 'Production · web-1', environmentId: env.id, targetId: env.sshHosts[0]!.id, target: `${target.username}@127.0.0.1:${target.port}`, status: 'running' });
    const out = watch(terminal.id);
    await t.call('terminals.write', { id: terminal.id, data: 'echo "round""trip:$((6 * 7))"\r' });
    await until('the echo', () => out.text.includes('roundtrip:42'));
  });

  it('carries every terminal of a host on one connection, and ends it when the last one closes', async () => {
    const env = await environment('Production', [host(target)]);
    const before = target.log().length;
    const { terminal: one } = await openTrusting(env);
    const two = await open(env);
    const [a, b] = [watch(one.id), watch(two.id)];
    await t.call('terminals.write', { id: one.id, data: 'echo "one""-ok"\r' });
    await t.call('terminals.write', { id: two.id, data: 'echo "two""-ok"\r' });
    await until('both shells', () => a.text.includes('one-ok') && b.text.includes('two-ok'));
    expect(target.log().slice(before).match(/Accepted publickey/g)).toHaveLength(1);

    const opened = target.log().length;
    await t.call('terminals.close', { id: one.id });
    await new Promise((r) => setTimeout(r, 200));
    expect(target.log().slice(opened)).not.toMatch(CONNECTION_ENDED);
    await t.call('terminals.close', { id: two.id });
    await target.waitForLog(CONNECTION_ENDED, opened);
  });

  it('passes the shell’s exit code through when the shell exits', async () => {
    const env = await environment('Production', [host(target)]);
    const { terminal } = await openTrusting(env);
    const out = watch(terminal.id);
    await t.call('terminals.write', { id: terminal.id, data: 'exit 7\r' });
    await until('the end of the stream', () => out.ended !== undefined);
    expect(out.ended).toBe('exited with code 7');
    expect((await t.call('terminals.list', {})) as unknown as TerminalInfo[]).toMatchObject([{ status: 'exited', exitCode: 7 }]);
  });

  it('signs in with a key whose passphrase is a vault secret, and names the secret when it is wrong', async () => {
    const env = await environment('Production', [host(target, { keyPath: lockedKeyPath, secret: 'DEPLOY_KEY_PASSPHRASE' })]);
    await unlockedVault(env, { DEPLOY_KEY_PASSPHRASE: 'not the passphrase' });
    const before = target.log().length;
    const wrong = await refusal(open(env));
    expect(wrong.code).toBe('invalid_arguments');
    expect(wrong.message).toContain(`the secret DEPLOY_KEY_PASSPHRASE holds the passphrase of ${lockedKeyPath}`);
    expect(target.log().slice(before)).not.toContain('Connection from');

    await t.call('secrets.set', { environmentId: env.id, name: 'DEPLOY_KEY_PASSPHRASE', value: KEY_PASSPHRASE });
    const { terminal } = await openTrusting(env);
    const out = watch(terminal.id);
    await t.call('terminals.write', { id: terminal.id, data: 'echo "pass""phrase-ok"\r' });
    await until('the echo', () => out.text.includes('passphrase-ok'));
    expect(target.log().slice(before)).toContain('Accepted publickey');
  });

  // Tests run as root, whose password is locked; the sshd sees a copy of /etc/shadow with PASSWORD
  // where mount namespaces are allowed (see startSshd).
  it.skipIf(!canSetPassword())('signs in with a password kept in the vault', async () => {
    const env = await environment('Production', [host(target, { auth: 'password', keyPath: null, secret: 'SSH_PASSWORD' })]);
    await unlockedVault(env, { SSH_PASSWORD: PASSWORD });
    const before = target.log().length;
    const { terminal } = await openTrusting(env);
    const out = watch(terminal.id);
    await t.call('terminals.write', { id: terminal.id, data: 'echo "pass""word-ok"\r' });
    await until('the echo', () => out.text.includes('password-ok'));
    expect(target.log().slice(before)).toMatch(new RegExp(`Accepted password for ${target.username} from 127\\.0\\.0\\.1`));
    // The password went to sshd, and nowhere Watchfloor writes.
    expect(JSON.stringify(await t.call('terminals.list', {}))).not.toContain(PASSWORD);
  });

  it('refuses a password host with no vault, a locked vault or a missing secret, and dials nothing', async () => {
    const env = await environment('Production', [host(target, { auth: 'password', keyPath: null, secret: 'SSH_PASSWORD' })]);
    const before = target.log().length;

    const noVault = await refusal(open(env));
    expect(noVault.code).toBe('conflict');
    expect(noVault.message).toContain('SSH_PASSWORD');
    expect(noVault.message).toContain('Nothing was sent');

    await unlockedVault(env, {});
    const missing = await refusal(open(env));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('no such secret');
    expect(missing.message).toContain('SSH_PASSWORD');

    await t.call('secrets.set', { environmentId: env.id, name: 'SSH_PASSWORD', value: PASSWORD });
    await t.call('secrets.lock', {});
    const locked = await refusal(open(env));
    expect(locked.code).toBe('conflict');
    expect(locked.message).toMatch(/vault is locked.*SSH_PASSWORD.*unlock the vault/);

    await new Promise((r) => setTimeout(r, 200));
    expect(target.log().slice(before)).not.toContain('Connection from');
  });

  it('signs in through a real ssh-agent, and says how to start one when there is none', async () => {
    const env = await environment('Production', [host(target, { auth: 'agent', keyPath: null })]);
    delete process.env.SSH_AUTH_SOCK;
    const none = await refusal(open(env));
    expect(none.message).toContain('SSH_AUTH_SOCK');
    expect(none.message).toContain('ssh-agent');

    process.env.SSH_AUTH_SOCK = agent.socket;
    const before = target.log().length;
    const { terminal } = await openTrusting(env);
    const out = watch(terminal.id);
    await t.call('terminals.write', { id: terminal.id, data: 'echo "ag""ent-ok"\r' });
    await until('the echo', () => out.text.includes('agent-ok'));
    expect(target.log().slice(before)).toContain('Accepted publickey');
  });

  it('reaches a host through its jump host, offering the jump host’s key first', async () => {
    const env = await environment('Production', [host(jump, { id: 'bastion', name: 'bastion' }), host(target, { id: 'db-1', name: 'db-1', jumpHostId: 'bastion' })]);
    const { terminal, offers } = await openTrusting(env, 'db-1');

    expect(offers.map((o) => [o.port, o.fingerprint])).toEqual([
      [jump.port, sshKeygenFingerprint(jump.hostKeyPub)],
      [target.port, sshKeygenFingerprint(target.hostKeyPub)],
    ]);
    expect(terminal).toMatchObject({ title: 'Production · db-1', targetId: 'db-1', target: `${target.username}@127.0.0.1:${target.port} via bastion` });
    const out = watch(terminal.id);
    await t.call('terminals.write', { id: terminal.id, data: 'echo "jum""ped"\r' });
    await until('the echo', () => out.text.includes('jumped'));
    // The jump host opened the tunnel to the target.
    expect(jump.log()).toMatch(new RegExp(`target 127\\.0\\.0\\.1 port ${target.port}`));
  });

  it('fails fast against a closed port and leaves nothing behind', async () => {
    const env = await environment('Production', [host(target, { port: 1 })]);
    const started = Date.now();
    const refused = await refusal(open(env));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(refused.message).toMatch(/Could not connect to .*127\.0\.0\.1:1.*Check the host, the port and the network/);
    expect(await t.call('terminals.list', {})).toEqual([]);
  });

  it('reconnects after the server restarts, keeping the scrollback, in a new shell', async () => {
    const env = await environment('Production', [host(target)]);
    const { terminal } = await openTrusting(env);
    const statuses: string[] = [];
    t.core.events.subscribe((name, payload) => {
      if (name !== 'terminals.changed' || !(payload as { ids: string[] }).ids.includes(terminal.id)) return;
      const info = t.core.handlers['terminals.list']({}) as TerminalInfo[];
      const status = info.find((i) => i.id === terminal.id)?.status;
      if (status && statuses.at(-1) !== status) statuses.push(status);
    });
    const out = watch(terminal.id);
    await t.call('terminals.write', { id: terminal.id, data: 'echo "mark""er-before"\r' });
    await until('the marker', () => out.text.includes('marker-before'));

    await target.down();
    await until('reconnecting', () => statuses.includes('reconnecting'));
    expect(out.text).toContain(`Connection to ${target.username}@127.0.0.1:${target.port} lost; reconnecting`);
    const info = ((await t.call('terminals.list', {})) as unknown as TerminalInfo[])[0]!;
    expect(info).toMatchObject({ status: 'reconnecting', notice: expect.stringContaining('reconnecting') });
    const typing = await refusal(t.call('terminals.write', { id: terminal.id, data: 'echo lost\r' }));
    expect(typing.message).toContain('reconnecting');

    await target.up();
    await until('running again', () => statuses.at(-1) === 'running', 15_000);
    expect(statuses).toEqual(['reconnecting', 'running']);
    expect(out.text).toMatch(/Reconnected at \d\d:\d\d:\d\d; this is a new shell on the host/);

    const late = watch(terminal.id);
    await t.call('terminals.write', { id: terminal.id, data: 'echo "af""ter-restart"\r' });
    await until('a command in the new shell', () => late.text.includes('after-restart'));
    expect(late.text).toContain('marker-before');
    expect(late.text.indexOf('marker-before')).toBeLessThan(late.text.indexOf('Reconnected at'));
  });

  it('stops reconnecting when the terminal is closed', async () => {
    const env = await environment('Production', [host(target)]);
    const { terminal } = await openTrusting(env);
    await target.down();
    await until('reconnecting', () => (t.core.handlers['terminals.list']({}) as TerminalInfo[])[0]?.status === 'reconnecting');
    await t.call('terminals.close', { id: terminal.id });
    const before = target.log().length;
    await target.up();
    // The first retry would have come 1 s after the drop: nothing dials the restarted server.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(target.log().slice(before)).not.toContain('Connection from');
  });

  it('throttles the server while a viewer is behind, and loses nothing when it catches up', async () => {
    const env = await environment('Production', [host(target)]);
    const { terminal } = await openTrusting(env);
    const out = watch(terminal.id);
    await until('the prompt', () => out.text.length > 0);
    out.source.pause();
    const total = 10_000_000;
    await t.call('terminals.write', { id: terminal.id, data: `head -c ${total} /dev/zero | tr '\\0' x; echo "all""-sent"\r` });
    await new Promise((r) => setTimeout(r, 1_000));
    // The channel's window (2 MiB in ssh2) bounds what arrives while the stream is paused.
    expect(out.bytes).toBeLessThan(total / 2);
    out.source.resume();
    await until('the end of the output', () => out.text.includes('all-sent'), 20_000);
    expect(out.text.match(/x/g)!.length).toBeGreaterThanOrEqual(total);
  });

  it('stops with the warning when the host comes back with another key', async () => {
    const env = await environment('Production', [host(target)]);
    const { terminal } = await openTrusting(env);
    const out = watch(terminal.id);
    const trusted = sshKeygenFingerprint(target.hostKeyPub);
    await target.down();
    await until('reconnecting', () => (t.core.handlers['terminals.list']({}) as TerminalInfo[])[0]?.status === 'reconnecting');
    await target.rotateHostKey();
    await until('the end of the stream', () => out.ended !== undefined, 15_000);

    expect(out.ended).toBe('exited with code 255');
    expect(out.text).toContain(`The host key of 127.0.0.1:${target.port} changed`);
    expect(out.text).toContain(trusted);
    expect((t.core.handlers['terminals.list']({}) as TerminalInfo[])[0]).toMatchObject({ status: 'exited', exitCode: 255 });
  });

  it('gives up after its reconnect window, saying why, with exit code 255', async () => {
    const env = await environment('Production', [host(target)]);
    await openTrusting(env).then(({ terminal }) => t.call('terminals.close', { id: terminal.id }));
    // The same launcher as the core's, with a window of a second instead of ten minutes.
    const service = new TerminalService(t.core.log, systemClock, {
      launchers: { ssh: sshLauncher({ knownHosts: new KnownHosts(t.core.db, { files: [] }), secrets: t.core.secrets, log: t.core.log, reconnect: { firstDelayMs: 100, giveUpAfterMs: 1_000 } }) },
      environment: (id) => t.core.handlers['environments.get']({ id }) as Environment,
    });
    const terminal = await service.open({ kind: 'ssh', environmentId: env.id, targetId: null, cols: 80, rows: 24 });
    const seen = { text: '', ended: undefined as string | null | undefined };
    service.watch(terminal.id, { data: (bytes) => (seen.text += new TextDecoder().decode(bytes)), end: (reason) => (seen.ended = reason) });
    try {
      await target.down();
      await until('the end of the stream', () => seen.ended !== undefined);
      expect(seen.ended).toBe('exited with code 255');
      expect(seen.text).toMatch(new RegExp(`stopped reconnecting to ${target.username}@127\\.0\\.0\\.1:${target.port} after 1 s: Could not connect`));
    } finally {
      service.closeAll();
      await target.up();
    }
  });

  // Last: it leaves the target with a new host key.
  it('refuses a changed host key through terminals.open with no authentication attempt', async () => {
    const env = await environment('Production', [host(target)]);
    const { terminal } = await openTrusting(env);
    await t.call('terminals.close', { id: terminal.id });
    const trusted = sshKeygenFingerprint(target.hostKeyPub);
    await target.rotateHostKey();
    const before = target.log().length;

    const refused = await refusal(open(env));
    expect(refused.code).toBe('conflict');
    expect(refused.hostKey).toBeUndefined();
    expect(refused.message).toContain(`The host key of 127.0.0.1:${target.port} changed`);
    expect(refused.message).toContain(trusted);
    expect(refused.message).toContain(sshKeygenFingerprint(target.hostKeyPub));
    expect(refused.message).toContain('sent no credentials');
    const log = await target.waitForLog(CONNECTION_ENDED, before);
    expect(log).toContain('Connection from 127.0.0.1');
    expect(log).not.toMatch(AUTHENTICATION_LINES);
  });
});

/** A terminal's output as text, as it arrives, through the core's terminal.output stream. */
function watch(id: string) {
  const decoder = new TextDecoder();
  const seen = { text: '', bytes: 0, ended: undefined as string | null | undefined };
  const source = t.core.streams['terminal.output'](
    { id },
    {
      data: (bytes) => {
        seen.bytes += bytes.byteLength;
        seen.text += decoder.decode(bytes, { stream: true });
      },
      end: (reason) => (seen.ended = reason),
    },
  );
  return Object.assign(seen, { source });
}

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
