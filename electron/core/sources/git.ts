/**
 * The system `git`, run with execFile (arguments as a list, never a shell string), without a
 * terminal to prompt on, and with a time limit: a repository that asks for a password, or a
 * remote that does not answer, fails with a message instead of hanging the core.
 */
import { execFile } from 'node:child_process';

export interface GitOptions {
  /** Path to the git binary; 'git' finds it on PATH. */
  binary: string;
  /** Milliseconds before a clone or pull is given up. */
  timeoutMs: number;
}

export class GitError extends Error {
  constructor(
    message: string,
    /** What git itself said, for the log. */
    readonly detail: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export class Git {
  constructor(private readonly options: GitOptions) {}

  /** A shallow clone of `url` (its `branch`, or the remote's default) into `dir`. */
  async clone(url: string, branch: string | null, dir: string): Promise<void> {
    // `--` ends the options: a URL starting with `-` is a URL, not an option.
    const args = ['clone', '--depth', '50', '--single-branch', '--no-tags'];
    if (branch) args.push(`--branch=${branch}`);
    await this.run([...args, '--', url, dir], null, `clone ${url}`);
  }

  /** Fast-forward the clone in `dir` to its remote branch. */
  async pull(dir: string): Promise<void> {
    await this.run(['pull', '--ff-only', '--no-rebase', '--no-tags'], dir, 'pull');
  }

  /**
   * When each file last changed: the committer time of the newest commit touching it, from one
   * `git log` over the clone's (shallow) history; files it does not name get HEAD's time.
   * Paths are relative to the repository, with `/`.
   */
  async commitTimes(dir: string): Promise<{ head: string | null; files: Map<string, string> }> {
    const out = await this.run(
      ['-c', 'core.quotePath=false', 'log', '--format=format:%x01%cI', '--name-only', '--no-renames', 'HEAD'],
      dir,
      'log',
    );
    const files = new Map<string, string>();
    let head: string | null = null;
    let at: string | null = null;
    for (const line of out.split('\n')) {
      if (line.startsWith('\u0001')) {
        at = new Date(line.slice(1)).toISOString();
        head ??= at;
      } else if (line && at && !files.has(line)) files.set(line, at);
    }
    return { head, files };
  }

  private run(args: string[], cwd: string | null, what: string): Promise<string> {
    const fullArgs = cwd ? ['-C', cwd, ...args] : args;
    return new Promise((resolve, reject) => {
      execFile(
        this.options.binary,
        fullArgs,
        {
          timeout: this.options.timeoutMs,
          maxBuffer: 64 * 1024 * 1024,
          windowsHide: true,
          env: {
            ...process.env,
            GIT_TERMINAL_PROMPT: '0',
            // ssh must not ask for a passphrase or a host key on a terminal nobody watches.
            GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
            LC_ALL: 'C',
          },
        },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const said = String(stderr).trim() || error.message;
          reject(new GitError(explain(what, said, error as NodeJS.ErrnoException & { killed?: boolean }, this.options), said));
        },
      );
    });
  }
}

/** What went wrong, in the operator's words, from what git said. */
function explain(what: string, said: string, error: NodeJS.ErrnoException & { killed?: boolean }, options: GitOptions): string {
  if (error.code === 'ENOENT') {
    return `git was not found (looked for "${options.binary}"); install git, or make sure it is on the PATH Watchfloor starts with`;
  }
  if (error.killed) return `git ${what} did not finish within ${Math.round(options.timeoutMs / 1000)} s; check the network and that the remote answers`;
  const last = said.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = last.find((l) => /^(fatal|error):/.test(l)) ?? last[last.length - 1] ?? 'no output';
  if (/Remote branch .* not found|couldn't find remote ref/i.test(said)) return `the branch does not exist in the repository (git: ${fatal})`;
  if (/not a git repository|does not appear to be a git repository|repository .* not found/i.test(said)) {
    return `there is no git repository there (git: ${fatal}); check the URL or path`;
  }
  if (/could not resolve host|unable to access|connection (refused|timed out)|network is unreachable/i.test(said)) {
    return `the remote could not be reached (git: ${fatal}); check the network and the URL`;
  }
  if (/authentication|terminal prompts disabled|permission denied|could not read username/i.test(said)) {
    return `the remote asked for credentials Watchfloor cannot give (git: ${fatal}); use a URL that needs no password, or set up a credential helper or SSH key`;
  }
  if (/not possible to fast-forward|diverg/i.test(said)) {
    return `the branch was rewritten on the remote and cannot be fast-forwarded (git: ${fatal}); remove this source and add it again`;
  }
  return `git ${what} failed (git: ${fatal})`;
}
