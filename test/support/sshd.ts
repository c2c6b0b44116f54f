/**
 * A real OpenSSH server for integration tests: `/usr/sbin/sshd -D` with its own config, host key,
 * authorized_keys and log in a temp dir, listening on a free loopback port, as the current user.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './temp';

export const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly username: string;
  readonly dir: string;
  /** The host key's public half, as `ssh-keygen` wrote it. */
  readonly hostKeyPub: string;
  /** Everything sshd logged so far (LogLevel DEBUG1). */
  log(): string;
  /** Waits until the log, from `offset` on, matches. */
  waitForLog(pattern: RegExp, offset?: number, timeoutMs?: number): Promise<string>;
  /** Restarts sshd on the same port with a freshly generated host key. */
  rotateHostKey(): Promise<void>;
  /**
   * Stops sshd the way a rebooting host goes away: the listener first (no new connection is
   * accepted), then every connection's process, so clients see their connections drop. The port,
   * host key and config are kept for up().
   */
  down(): Promise<void>;
  /** Starts sshd again after down(), on the same port with the same host key. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Public keys (one `type base64 comment` line each) allowed to log in. */
  authorizedKeys?: string[];
  /**
   * A password the current user can sign in with. sshd without PAM checks /etc/shadow, and root's
   * password is locked here and in CI, so sshd runs in a private mount namespace that sees a copy of
   * /etc/shadow with this password: the machine's own file is never touched. Needs
   * `canSetPassword()`.
   */
  password?: string;
}

/** Whether sshd can be given a password of the test's own (root, and mount namespaces allowed). */
export function canSetPassword(): boolean {
  return process.getuid?.() === 0 && spawnSync('unshare', ['--mount', 'true'], { stdio: 'ignore' }).status === 0;
}

/** Generates an ed25519 key pair (with no passphrase unless given); returns the private key path and public line. */
export function generateKey(path: string, passphrase = ''): { privateKeyPath: string; publicKey: string } {
  // Few KDF rounds (-a 4, not 16): unlocking the key is a deliberately slow step, and tests unlock it often.
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, ...(passphrase ? ['-a', '4'] : []), '-C', 'watchfloor-test', '-f', path]);
  return { privateKeyPath: path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim() };
}

/** The SHA-256 fingerprint of a public key file as OpenSSH prints it. */
export function sshKeygenFingerprint(publicKeyPath: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath], { encoding: 'utf8' }).split(' ')[1]!;
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  // sshd refuses to start without its privilege separation directory.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const temp = tempDir('watchfloor-sshd-');
  const dir = temp.path;
  const port = await freePort();
  const hostKey = join(dir, 'host_ed25519');
  const logFile = join(dir, 'sshd.log');
  const configFile = join(dir, 'sshd_config');
  writeFileSync(join(dir, 'authorized_keys'), (options.authorizedKeys ?? []).map((k) => `${k}\n`).join(''), { mode: 0o600 });
  writeFileSync(
    configFile,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      // Tests run as root here and in CI; sshd lets only the user it runs as log in when not root.
      'PermitRootLogin yes',
      'UsePAM no',
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      'LogLevel DEBUG1',
      '',
    ].join('\n'),
  );
  writeFileSync(logFile, '');
  const command = options.password === undefined ? [SSHD] : withPassword(dir, options.password);

  let child: ChildProcess | null = null;
  const log = () => readFileSync(logFile, 'utf8');
  const waitForLog = async (pattern: RegExp, offset = 0, timeoutMs = 10_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = log().slice(offset);
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`sshd did not log ${pattern} within ${timeoutMs} ms; its log:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const start = async () => {
    const offset = log().length;
    // Its own process group (with unshare and sh before the exec), so stop() can end it whole.
    child = spawn(command[0]!, [...command.slice(1), '-D', '-E', logFile, '-f', configFile], { stdio: 'ignore', detached: true });
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`sshd exited (${code}); its log:\n${log().slice(offset)}`))));
    await Promise.race([waitForLog(new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}`), offset), exited]);
  };
  const stopChild = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    // Per-connection children run in sessions of their own: end those still running first, while
    // the listener is alive to reap them (a pid is ours only while its parent is our sshd).
    // Those whose client just disconnected are given a moment to finish on their own.
    const children = [...log().matchAll(/Forked child (\d+)\./g)].map((m) => Number(m[1]));
    const alive = () => children.filter((pid) => parentOf(pid) === running.pid);
    const settle = async (ms: number) => {
      for (const deadline = Date.now() + ms; alive().length && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    };
    await settle(1_000);
    for (const pid of alive()) process.kill(pid, 'SIGTERM');
    await settle(2_000);
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    try {
      process.kill(-running.pid!, 'SIGTERM');
    } catch {
      running.kill('SIGTERM');
    }
    await gone;
  };
  // The listener first, so nothing reconnects to it; then the connections it had forked.
  const dropEverything = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const children = [...log().matchAll(/Forked child (\d+)\./g)].map((m) => Number(m[1])).filter((pid) => parentOf(pid) === running.pid);
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    try {
      process.kill(-running.pid!, 'SIGTERM');
    } catch {
      running.kill('SIGTERM');
    }
    await gone;
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already ended with its connection
      }
    }
    for (const deadline = Date.now() + 2_000; children.some(exists) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  };
  const newHostKey = () => {
    rmSync(hostKey, { force: true });
    rmSync(`${hostKey}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'watchfloor-test-host', '-f', hostKey]);
  };

  newHostKey();
  try {
    await start();
  } catch (error) {
    await stopChild();
    temp.cleanup();
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    username: userInfo().username,
    dir,
    get hostKeyPub() {
      return `${hostKey}.pub`;
    },
    log,
    waitForLog,
    async rotateHostKey() {
      await stopChild();
      newHostKey();
      await start();
    },
    down: dropEverything,
    up: start,
    async stop() {
      await stopChild();
      temp.cleanup();
    },
  };
}

function exists(pid: number): boolean {
  // A reaped child has no /proc entry; an unreaped one (a zombie, its parent gone) is reaped by init.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function parentOf(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

// `unshare --mount` then exec: the pid stays sshd's, and the bind mount is seen by sshd alone.
function withPassword(dir: string, password: string): string[] {
  if (!canSetPassword()) throw new Error('sshd can be given a password only as root with mount namespaces (unshare --mount)');
  const user = userInfo().username;
  const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: password, encoding: 'utf8' }).trim();
  const shadow = join(dir, 'shadow');
  const lines = readFileSync('/etc/shadow', 'utf8').split('\n').map((line) => {
    const fields = line.split(':');
    if (fields[0] !== user) return line;
    fields[1] = hash;
    return fields.join(':');
  });
  writeFileSync(shadow, lines.join('\n'), { mode: 0o600 });
  return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/shadow && exec "$@"', shadow, SSHD];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface SshAgent {
  /** The agent's socket, for SSH_AUTH_SOCK. */
  readonly socket: string;
  stop(): Promise<void>;
}

/** A real `ssh-agent` in the foreground on a socket of its own, holding the given private keys. */
export async function startSshAgent(privateKeyPaths: string[]): Promise<SshAgent> {
  const temp = tempDir('watchfloor-agent-');
  const socket = join(temp.path, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => agent.once('exit', () => resolve()));
  const stop = async () => {
    if (agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGTERM');
      await exited;
    }
    temp.cleanup();
  };
  try {
    for (const deadline = Date.now() + 5_000; !existsSync(socket); ) {
      if (agent.exitCode !== null || Date.now() > deadline) throw new Error(`ssh-agent did not create ${socket}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const key of privateKeyPaths) execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
  } catch (error) {
    await stop();
    throw error;
  }
  return { socket, stop };
}
