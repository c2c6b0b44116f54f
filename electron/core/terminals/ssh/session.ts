/**
 * SSH terminals: the launcher of `ssh` terminals, the pool that lets every terminal on one host
 * share one connection (Tabby's model: a connection carries many channels), and the reconnect
 * that keeps a terminal alive across a server restart or a network drop.
 *
 * Order matters for safety: credentials are resolved from the vault before anything is dialled
 * (a missing secret fails with no connection at all), and the host key is checked during key
 * exchange, before any credential is sent (see connection.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { constants as osConstants, homedir } from 'node:os';
import { join } from 'node:path';
import type { ClientChannel } from 'ssh2';
// A default import: Node's ESM loader cannot see `utils` among ssh2's CommonJS named exports.
import ssh2 from 'ssh2';
import { ApiError, type Environment, type SshHost } from '../../../../shared/contract';
import { systemClock, type Clock } from '../../clock';
import type { Log } from '../../log';
import type { SecretVault } from '../../secrets';
import type { Launcher, LaunchRequest, PtyProcess } from '../service';
import type { SshAuth, SshConnection, SshEndpoint, SshTarget } from './connection';
import { openSshConnection, SshConnectionError } from './connection';
import type { KnownHosts, PresentedHostKey } from './known-hosts';

/** How long and how often a dropped connection is retried. */
export interface ReconnectPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
}

/** 1 s, 2 s, 4 s ... at most 15 s apart, for ten minutes: a server reboot fits, a dead host gives up. */
export const DEFAULT_RECONNECT: ReconnectPolicy = { firstDelayMs: 1_000, maxDelayMs: 15_000, giveUpAfterMs: 10 * 60_000 };

export interface SshLauncherOptions {
  knownHosts: KnownHosts;
  secrets: SecretVault;
  log: Log;
  /** The ssh-agent socket for `agent` hosts; default $SSH_AUTH_SOCK, read at each open. */
  agentSocket?: string;
  /** Stamps the "Reconnected at" line. */
  clock?: Clock;
  reconnect?: Partial<ReconnectPolicy>;
}

const YELLOW = '\x1b[33m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** Where a terminal connects: one environment's host, perhaps through another of its hosts. */
interface Route {
  environment: Environment;
  host: SshHost;
  jump: SshHost | null;
  /** `user@host:port`, plus ` via <jump>`: what the operator sees. */
  target: string;
}

export function sshLauncher(options: SshLauncherOptions): Launcher {
  const pool = new Map<string, HostLink>();
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT, ...options.reconnect };
  const context: LinkContext = { knownHosts: options.knownHosts, log: options.log, clock: options.clock ?? systemClock, policy, pool };

  return async (request: LaunchRequest) => {
    const route = routeOf(request);
    // The host's settings are part of the key: after an edit, new terminals use the new settings.
    const key = JSON.stringify([route.environment.id, settingsOf(route.host), route.jump ? settingsOf(route.jump) : null]);
    let link = pool.get(key);
    if (!link) {
      // Credentials first: a missing secret or agent fails here, before anything is dialled.
      const sshTarget = targetOf(route, options);
      link = new HostLink(key, route, sshTarget, context);
      pool.set(key, link);
    }
    link.acquire();
    let shell: SshShell;
    try {
      shell = await link.openShell(request.cols, request.rows);
    } catch (error) {
      link.release();
      throw error;
    }
    return {
      process: shell,
      title: `${route.environment.name} · ${route.host.name}`,
      targetId: route.host.id,
      target: route.target,
      shellIntegration: false,
      program: `ssh ${route.target}`,
      dispose: () => {
        shell.detach();
        link.release();
      },
    };
  };
}

function settingsOf(host: SshHost): unknown[] {
  return [host.id, host.host, host.port, host.user, host.auth, host.keyPath, host.secret, host.keepaliveSeconds];
}

function routeOf(request: LaunchRequest): Route {
  const environment = request.environment;
  const hosts = environment?.sshHosts ?? [];
  if (!environment || hosts.length === 0) {
    throw new ApiError({ code: 'invalid_arguments', message: 'This environment has no SSH host: add one under Environments, then open the terminal again.' });
  }
  const host = request.targetId === null ? hosts[0]! : hosts.find((h) => h.id === request.targetId);
  if (!host) {
    throw new ApiError({ code: 'not_found', message: `${environment.name} has no SSH host with id ${request.targetId}; it may have been removed. Pick one of its hosts under Environments.` });
  }
  let jump: SshHost | null = null;
  if (host.jumpHostId !== null) {
    jump = hosts.find((h) => h.id === host.jumpHostId) ?? null;
    if (!jump || jump.id === host.id) {
      throw new ApiError({ code: 'invalid_arguments', message: `The jump host of ${host.name} is no longer in ${environment.name}. Pick another jump host (or none) under Environments; nothing was connected.` });
    }
  }
  const target = `${host.user}@${host.host}:${host.port}${jump ? ` via ${jump.name}` : ''}`;
  return { environment, host, jump, target };
}

function targetOf(route: Route, options: SshLauncherOptions): SshTarget {
  const endpoint = (host: SshHost): SshEndpoint => ({ host: host.host, port: host.port, username: host.user, auth: credentialsOf(route.environment, host, options) });
  return { ...endpoint(route.host), ...(route.jump ? { jump: endpoint(route.jump) } : {}), keepaliveSeconds: route.host.keepaliveSeconds };
}

/** The host's credentials, from the agent, its key file or the vault; a clear refusal otherwise. */
function credentialsOf(environment: Environment, host: SshHost, options: SshLauncherOptions): SshAuth {
  const who = `${host.user}@${host.host}:${host.port}`;
  switch (host.auth) {
    case 'agent': {
      const socket = options.agentSocket ?? process.env.SSH_AUTH_SOCK;
      if (!socket) {
        throw new ApiError({
          code: 'conflict',
          message: `${host.name} signs in with the SSH agent, but Watchfloor sees none (SSH_AUTH_SOCK is not set). Start ssh-agent, add your key with ssh-add, and start Watchfloor from that session; nothing was sent to ${who}.`,
        });
      }
      if (!existsSync(socket)) {
        throw new ApiError({
          code: 'conflict',
          message: `${host.name} signs in with the SSH agent, but its socket ${socket} (SSH_AUTH_SOCK) is gone: the agent has stopped. Start ssh-agent again and add your key with ssh-add; nothing was sent to ${who}.`,
        });
      }
      return { kind: 'agent', socket };
    }
    case 'key': {
      if (!host.keyPath) throw new ApiError({ code: 'invalid_arguments', message: `${host.name} signs in with a key but has no key file. Set its key file under Environments; nothing was sent.` });
      const path = host.keyPath === '~' ? homedir() : host.keyPath.startsWith('~/') ? join(homedir(), host.keyPath.slice(2)) : host.keyPath;
      let privateKey: Buffer;
      try {
        privateKey = readFileSync(path);
      } catch (error) {
        throw new ApiError({ code: 'invalid_arguments', message: `Could not read the key file ${path} of ${host.name} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Check the path under Environments; nothing was sent.` });
      }
      if (host.secret === null) {
        // Cheap without a passphrase (no key derivation): an unreadable or encrypted key is named here.
        const parsed = ssh2.utils.parseKey(privateKey);
        if (parsed instanceof Error) {
          throw new ApiError({
            code: 'invalid_arguments',
            message: `The key file ${path} of ${host.name} could not be used (${parsed.message}). If it has a passphrase, put the passphrase in a vault secret and name that secret on ${host.name}. Nothing was sent.`,
          });
        }
        return { kind: 'key', privateKey };
      }
      // With a passphrase, ssh2 decrypts the key (a deliberately slow key derivation) as it dials, before
      // any socket is opened; a wrong passphrase is reported by HostLink.dial.
      return { kind: 'key', privateKey, passphrase: secretOf(environment, host, host.secret, 'the passphrase of its key file', options.secrets) };
    }
    case 'password':
    case 'keyboard-interactive': {
      if (host.secret === null) {
        throw new ApiError({
          code: 'invalid_arguments',
          message: `${host.name} signs in with a password, kept in the vault: name the vault secret that holds it on ${host.name} under Environments. Nothing was sent.`,
        });
      }
      return { kind: 'password', password: secretOf(environment, host, host.secret, 'its password', options.secrets) };
    }
  }
}

function secretOf(environment: Environment, host: SshHost, name: string, what: string, secrets: SecretVault): string {
  const state = secrets.status().state;
  if (state !== 'unlocked') {
    const how = state === 'uninitialised' ? 'create the vault and set the secret' : 'unlock the vault';
    throw new ApiError({ code: 'conflict', message: `The vault is ${state === 'uninitialised' ? 'not set up' : 'locked'}, and ${host.name} needs ${what} from the secret ${name}: ${how}, then open the terminal again. Nothing was sent.` });
  }
  try {
    return secrets.reveal(environment.id, name);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') {
      throw new ApiError({ code: 'not_found', message: `${host.name} needs ${what} from the vault secret ${name}, and ${environment.name} has no such secret. Set it under Secrets, then open the terminal again. Nothing was sent.` });
    }
    throw error;
  }
}

interface LinkContext {
  knownHosts: KnownHosts;
  log: Log;
  clock: Clock;
  policy: ReconnectPolicy;
  pool: Map<string, HostLink>;
}

/**
 * One host's connection, shared by its terminals (refcounted), and what happens when it drops:
 * every open shell is told, the connection is dialled again with backoff (host key re-checked each
 * time), and each shell gets a new channel on the new connection.
 */
class HostLink {
  private users = 0;
  private connection: SshConnection | null = null;
  private connecting: Promise<SshConnection> | null = null;
  private readonly shells = new Set<SshShell>();
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly key: string,
    private readonly route: Route,
    private readonly target: SshTarget,
    private readonly context: LinkContext,
  ) {}

  acquire(): void {
    this.users += 1;
  }

  /** The last terminal gone: the connection ends, a reconnect in progress stops. */
  release(): void {
    this.users -= 1;
    if (this.users > 0 || this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.context.pool.get(this.key) === this) this.context.pool.delete(this.key);
    const connection = this.connection;
    this.connection = null;
    if (connection) {
      void connection.close();
      this.context.log.info('ssh connection closed', { target: this.route.target });
    }
  }

  async openShell(cols: number, rows: number): Promise<SshShell> {
    const connection = await this.connected();
    const shell = new SshShell(cols, rows, this.context.clock, (s) => this.shells.delete(s));
    let channel: ClientChannel;
    try {
      channel = await connection.shell({ cols, rows });
    } catch (error) {
      throw new SshConnectionError('unreachable', `Connected to ${this.route.target}, but it did not start a shell (${(error as Error).message}). Nothing was started there; open the terminal again.`);
    }
    shell.attach(channel);
    this.shells.add(shell);
    return shell;
  }

  /** The live connection, the one being made, or a new one; a first-contact key becomes host_key_unknown. */
  private connected(): Promise<SshConnection> {
    if (this.connection) return Promise.resolve(this.connection);
    if (this.connecting) return this.connecting;
    this.connecting = this.dial(true).then(
      (connection) => {
        this.connecting = null;
        this.adopt(connection);
        this.context.log.info('ssh connected', { target: this.route.target });
        return connection;
      },
      (error: unknown) => {
        this.connecting = null;
        // A failed first contact leaves nothing behind: the next open dials afresh.
        if (this.context.pool.get(this.key) === this) this.context.pool.delete(this.key);
        throw error;
      },
    );
    return this.connecting;
  }

  private async dial(offerUnknown: boolean): Promise<SshConnection> {
    let unknown: PresentedHostKey | null = null;
    const onUnknownHost = (key: PresentedHostKey) => {
      unknown = key;
      return Promise.resolve(false);
    };
    try {
      return await openSshConnection(this.target, { knownHosts: this.context.knownHosts, environmentId: this.route.environment.id, onUnknownHost });
    } catch (error) {
      if (!(error instanceof ApiError) && error instanceof Error && error.message.startsWith('Cannot parse privateKey')) {
        const keyed = [this.route.host, this.route.jump].filter((h): h is SshHost => h !== null && h.auth === 'key' && h.secret !== null);
        const which = keyed.map((h) => `the secret ${h.secret} holds the passphrase of ${h.keyPath}`).join(', and that ');
        throw new ApiError({ code: 'invalid_arguments', message: `A key file could not be unlocked (${error.message.replace('Cannot parse privateKey: ', '')}). Check that ${which}, then open the terminal again. Nothing was started.` });
      }
      const key = unknown as PresentedHostKey | null;
      if (!key) throw error;
      if (!offerUnknown) {
        // The key was trusted when the terminal opened; now nothing is known for it (forgotten meanwhile).
        throw new SshConnectionError('host-key-declined', `${key.host}:${key.port} now presents a host key Watchfloor does not trust (${key.keyType} ${key.fingerprint}), so it stopped reconnecting and sent no credentials. Open the terminal again to be shown the key.`);
      }
      throw new ApiError({
        code: 'host_key_unknown',
        message: `Watchfloor has not seen ${key.host}:${key.port} before. It presents the ${key.keyType} host key ${key.fingerprint}: check it with the host's owner, then trust it to connect. No credentials were sent.`,
        hostKey: { environmentId: this.route.environment.id, host: key.host, port: key.port, keyType: key.keyType, fingerprint: key.fingerprint, publicKey: key.publicKey },
      });
    }
  }

  private adopt(connection: SshConnection): void {
    this.connection = connection;
    connection.onClose(() => {
      if (this.connection !== connection) return; // we closed it ourselves
      this.connection = null;
      this.lost();
    });
  }

  /** The connection dropped under open shells: tell them and dial again until it comes back. */
  private lost(): void {
    if (this.context.pool.get(this.key) === this) this.context.pool.delete(this.key);
    const live = [...this.shells].filter((s) => s.isOpen());
    if (this.closed || live.length === 0) return;
    this.context.log.warn('ssh connection lost; reconnecting', { target: this.route.target });
    const notice = `Connection to ${this.route.target} lost; reconnecting...`;
    for (const shell of live) shell.lost(notice);
    const started = Date.now();
    let delay = this.context.policy.firstDelayMs;
    const attempt = () => {
      this.retryTimer = null;
      if (this.closed) return;
      this.dial(false).then(
        async (connection) => {
          if (this.closed) return void connection.close();
          this.adopt(connection);
          if (!this.context.pool.has(this.key)) this.context.pool.set(this.key, this);
          this.context.log.info('ssh reconnected', { target: this.route.target });
          for (const shell of [...this.shells]) {
            try {
              shell.restored(await connection.shell(shell.size()));
            } catch (error) {
              shell.fail(`The connection to ${this.route.target} came back, but a new shell could not be opened there (${(error as Error).message}).`);
            }
          }
        },
        (error: unknown) => {
          if (this.closed) return;
          const why = error instanceof Error ? error.message : String(error);
          const keyProblem = error instanceof SshConnectionError && (error.reason === 'host-key-changed' || error.reason === 'host-key-declined');
          const authProblem = error instanceof SshConnectionError && error.reason === 'authentication';
          if (keyProblem || authProblem || Date.now() - started >= this.context.policy.giveUpAfterMs) {
            const reason = keyProblem || authProblem ? why : `Watchfloor stopped reconnecting to ${this.route.target} after ${duration(this.context.policy.giveUpAfterMs)}: ${why}`;
            this.context.log.warn('ssh reconnect stopped', { target: this.route.target, reason });
            for (const shell of [...this.shells]) shell.fail(reason);
            return;
          }
          this.retryTimer = setTimeout(attempt, delay);
          delay = Math.min(delay * 2, this.context.policy.maxDelayMs);
        },
      );
    };
    this.retryTimer = setTimeout(attempt, delay);
    delay = Math.min(delay * 2, this.context.policy.maxDelayMs);
  }
}

function duration(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} minutes`;
}

type ShellStatus = { status: 'running' | 'reconnecting'; notice: string | null };

/**
 * node-pty's shape over an ssh2 shell channel, so the TerminalService runs it like a local pty.
 * Across a reconnect the SshShell stays the same object: only its channel is replaced.
 */
class SshShell implements PtyProcess {
  readonly pid = 0;
  private channel: ClientChannel | null = null;
  private readonly dataListeners: ((data: Uint8Array) => void)[] = [];
  private readonly exitListeners: ((exit: { exitCode: number; signal?: number }) => void)[] = [];
  private readonly statusListeners: ((status: ShellStatus) => void)[] = [];
  private paused = false;
  private killed = false;
  private exited = false;
  private reconnecting = false;

  constructor(
    private cols: number,
    private rows: number,
    private readonly clock: Clock,
    private readonly detached: (shell: SshShell) => void,
  ) {}

  onData(listener: (data: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  onExit(listener: (exit: { exitCode: number; signal?: number }) => void): void {
    this.exitListeners.push(listener);
  }

  onStatus(listener: (status: ShellStatus) => void): void {
    this.statusListeners.push(listener);
  }

  write(data: string): void {
    this.channel?.write(data);
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.channel?.setWindow(rows, cols, 0, 0);
  }

  // A paused channel stream stops ssh2 from adjusting the window, so the server stops sending.
  pause(): void {
    this.paused = true;
    this.channel?.pause();
    this.channel?.stderr.pause();
  }

  resume(): void {
    this.paused = false;
    this.channel?.resume();
    this.channel?.stderr.resume();
  }

  kill(): void {
    if (this.killed || this.exited) return;
    this.killed = true;
    const channel = this.channel;
    if (channel) channel.close();
    else this.exit(0); // reconnecting: nothing to close, and the retries stop with the release
  }

  isOpen(): boolean {
    return !this.exited && !this.killed;
  }

  size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  /** The terminal is gone: the link stops counting this shell. */
  detach(): void {
    this.detached(this);
  }

  attach(channel: ClientChannel): void {
    this.channel = channel;
    let status: number | null = null;
    let signal: string | null = null;
    channel.on('data', (data: Buffer) => this.emitData(data));
    channel.stderr.on('data', (data: Buffer) => this.emitData(data));
    channel.on('exit', (code: number | null, signalName?: string) => {
      status = code;
      signal = signalName ?? null;
    });
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = null;
      if (status === null && signal === null && !this.killed) {
        // No exit status: the connection dropped (the link is reconnecting by now, it is told
        // first), or the server closed the channel without one.
        setImmediate(() => {
          if (!this.reconnecting) this.exit(255);
        });
        return;
      }
      this.exit(status ?? (signal ? 128 + (osConstants.signals[`SIG${signal}` as keyof typeof osConstants.signals] ?? 127) : 0));
    });
    if (this.paused) this.pause();
  }

  lost(notice: string): void {
    if (!this.isOpen()) return;
    this.reconnecting = true;
    this.channel = null;
    this.emitText(`\r\n${YELLOW}[Watchfloor] ${notice}${RESET}\r\n`);
    for (const l of this.statusListeners) l({ status: 'reconnecting', notice });
  }

  restored(channel: ClientChannel): void {
    if (!this.isOpen()) return void channel.close();
    this.reconnecting = false;
    const time = this.clock.now().toTimeString().slice(0, 8);
    this.emitText(`\r\n${YELLOW}[Watchfloor] Reconnected at ${time}; this is a new shell on the host.${RESET}\r\n`);
    this.attach(channel);
    for (const l of this.statusListeners) l({ status: 'running', notice: null });
  }

  /** Reconnecting gave up (or met a changed host key): say why in the terminal and exit 255. */
  fail(reason: string): void {
    if (!this.isOpen()) return;
    this.reconnecting = false;
    this.channel?.close();
    this.channel = null;
    this.emitText(`\r\n${RED}[Watchfloor] ${reason} This terminal has ended; its output above is kept.${RESET}\r\n`);
    this.exit(255);
  }

  private exit(exitCode: number): void {
    if (this.exited) return;
    this.exited = true;
    for (const l of this.exitListeners) l({ exitCode });
  }

  private emitData(data: Buffer): void {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (const l of this.dataListeners) l(bytes);
  }

  private emitText(text: string): void {
    this.emitData(Buffer.from(text, 'utf8'));
  }
}
