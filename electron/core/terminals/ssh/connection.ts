/**
 * One SSH connection to an environment's host (optionally through a jump host), carrying many
 * channels: shells and commands. ssh2 always gets a host verifier, and it runs during key
 * exchange, before any authentication request: no credential leaves Watchfloor until the host key
 * is trusted (known, or accepted by the operator on first contact).
 */
import type { Duplex } from 'node:stream';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { Client } from 'ssh2';
import { ApiError } from '../../../../shared/contract';
import type { HostKeyVerdict, KnownHosts, PresentedHostKey } from './known-hosts';
import { presentedHostKey } from './known-hosts';

export type SshAuth =
  | { kind: 'key'; privateKey: string | Buffer; passphrase?: string }
  | { kind: 'password'; password: string }
  | { kind: 'agent'; socket: string };

export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
  auth: SshAuth;
}

export interface SshTarget extends SshEndpoint {
  jump?: SshEndpoint;
  keepaliveSeconds: number;
}

export interface HostTrust {
  knownHosts: KnownHosts;
  environmentId: string;
  /** First contact: show the operator the key and resolve true to trust it (it is then stored). */
  onUnknownHost: (key: PresentedHostKey) => Promise<boolean>;
}

export type SshFailure = 'host-key-changed' | 'host-key-declined' | 'authentication' | 'unreachable';

/** Why a connection was not made, in words for the operator; `reason` lets the UI pick a remedy. */
export class SshConnectionError extends ApiError {
  constructor(
    readonly reason: SshFailure,
    message: string,
  ) {
    super({ code: reason === 'unreachable' ? 'internal' : 'conflict', message });
    this.name = 'SshConnectionError';
  }
}

export class SshConnection {
  private readonly closed: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly jumpClient: Client | null,
    readonly target: string,
  ) {
    this.closed = new Promise((resolve) =>
      client.once('close', () => {
        // Closing the target also ends the jump connection that carries it.
        jumpClient?.end();
        resolve();
      }),
    );
  }

  /** An interactive shell with a pty of this size. */
  shell(size: { cols: number; rows: number; term?: string }): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.shell({ cols: size.cols, rows: size.rows, term: size.term ?? 'xterm-256color' }, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  /** Runs one command on the host; the command is sent as given (quote values before building it). */
  exec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  onClose(listener: () => void): void {
    this.client.once('close', listener);
  }

  /** Ends every channel and the connection; resolves once it is closed. */
  close(): Promise<void> {
    this.client.end();
    return this.closed;
  }
}

export async function openSshConnection(target: SshTarget, trust: HostTrust): Promise<SshConnection> {
  if (!target.jump) {
    const client = await connect(target, target.keepaliveSeconds, trust);
    return new SshConnection(client, null, describe(target));
  }
  const jumpClient = await connect(target.jump, target.keepaliveSeconds, trust);
  try {
    const tunnel = await forward(jumpClient, target);
    const client = await connect(target, target.keepaliveSeconds, trust, tunnel);
    return new SshConnection(client, jumpClient, `${describe(target)} via ${describe(target.jump)}`);
  } catch (error) {
    jumpClient.end();
    throw error;
  }
}

function forward(jumpClient: Client, target: SshEndpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jumpClient.forwardOut('127.0.0.1', 0, target.host, target.port, (err, channel) => {
      if (err) {
        reject(new SshConnectionError('unreachable', `The jump host could not reach ${target.host}:${target.port} (${err.message}). Check the host and port of the target, and that the jump host allows TCP forwarding.`));
      } else resolve(channel);
    });
  });
}

function connect(endpoint: SshEndpoint, keepaliveSeconds: number, trust: HostTrust, sock?: Duplex): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    // Set when we refused the host key ourselves, so ssh2's generic "verification failed" is replaced.
    let refusal: SshConnectionError | null = null;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(error);
    };

    // The async form (two parameters, no return value): ssh2 waits for `verify` before it continues
    // the handshake, and authentication only starts after the handshake.
    const hostVerifier = (blob: Buffer, verify: (accepted: boolean) => void): void => {
      const key = presentedHostKey(endpoint.host, endpoint.port, blob);
      const verdict = trust.knownHosts.check(trust.environmentId, key);
      if (verdict.kind === 'trusted') return verify(true);
      if (verdict.kind === 'changed') {
        refusal = new SshConnectionError('host-key-changed', changedKeyMessage(key, verdict));
        return verify(false);
      }
      trust.onUnknownHost(key).then(
        (accepted) => {
          if (accepted) trust.knownHosts.trust(trust.environmentId, key);
          else refusal = new SshConnectionError('host-key-declined', `You did not trust the host key of ${describe(endpoint)} (${key.fingerprint}), so Watchfloor did not connect and sent no credentials.`);
          verify(accepted);
        },
        (error: unknown) => {
          refusal = new SshConnectionError('host-key-declined', `Watchfloor could not ask whether to trust the host key of ${describe(endpoint)} (${(error as Error).message}); it did not connect and sent no credentials.`);
          verify(false);
        },
      );
    };

    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', (error: Error & { level?: string }) => fail(refusal ?? explain(endpoint, error)));
    client.once('close', () => fail(refusal ?? new SshConnectionError('unreachable', `The connection to ${describe(endpoint)} closed before it was ready.`)));

    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.username,
      hostVerifier,
      keepaliveInterval: keepaliveSeconds * 1000,
      keepaliveCountMax: 3,
      readyTimeout: 20_000,
      ...(sock ? { sock } : {}),
      ...credentials(endpoint.auth),
    };
    if (endpoint.auth.kind === 'password') {
      // Servers that take passwords only through keyboard-interactive ask for it in a prompt.
      const password = endpoint.auth.password;
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)));
    }
    client.connect(config);
  });
}

function credentials(auth: SshAuth): Partial<ConnectConfig> {
  switch (auth.kind) {
    case 'key':
      return { privateKey: auth.privateKey, ...(auth.passphrase !== undefined ? { passphrase: auth.passphrase } : {}) };
    case 'password':
      return { password: auth.password, tryKeyboard: true };
    case 'agent':
      return { agent: auth.socket };
  }
}

function changedKeyMessage(key: PresentedHostKey, verdict: Extract<HostKeyVerdict, { kind: 'changed' }>): string {
  const where = verdict.expected
    .map((e) => (e.source.kind === 'watchfloor' ? `the trusted keys of this environment in Watchfloor (${e.keyType} ${e.fingerprint})` : `${e.source.path}, line ${e.source.line} (${e.keyType} ${e.fingerprint})`))
    .filter((w, i, all) => all.indexOf(w) === i)
    .join('; ');
  return (
    `The host key of ${key.host}:${key.port} changed: it now presents ${key.keyType} ${key.fingerprint}, which is not the key trusted before. ` +
    `Someone may be intercepting the connection. Watchfloor refused to connect and sent no credentials. ` +
    `If the server was really re-keyed, confirm the new fingerprint with its owner, then remove the old key in ${where} and connect again.`
  );
}

function explain(endpoint: SshEndpoint, error: Error & { level?: string }): SshConnectionError {
  if (error.level === 'client-authentication') {
    return new SshConnectionError('authentication', `${describe(endpoint)} refused the ${endpoint.auth.kind} credentials (${error.message}). Nothing was changed on the host; check the environment's ${endpoint.auth.kind} for this user.`);
  }
  return new SshConnectionError('unreachable', `Could not connect to ${describe(endpoint)}: ${error.message}. Check the host, the port and the network, then try again.`);
}

function describe(endpoint: SshEndpoint): string {
  return `${endpoint.username}@${endpoint.host}:${endpoint.port}`;
}
