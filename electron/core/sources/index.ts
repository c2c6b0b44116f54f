/**
 * Runbook sources: folders Watchfloor watches, and git repositories it clones and pulls (read-only).
 * A sync reads the source and brings the library in line: new and changed files are imported,
 * files that left are archived (kept, flagged, read-only), files that come back are restored.
 * Nothing a source did before is lost to a failure: a file that no longer imports keeps its last
 * good version, and a folder that vanished or a remote that does not answer changes no runbook;
 * both are recorded as the source's `lastError`, written for the operator.
 *
 * Removing a source keeps its runbooks, as uploads: an operator who removes a folder by mistake
 * loses nothing, and can delete the runbooks themselves if that is what they meant.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { ApiError, type RunbookSource } from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { Log } from '../log';
import { MAX_RUNBOOK_BYTES, hashText } from '../runbooks/importer';
import type { RunbookFile, RunbookLibrary } from '../runbooks/library';
import { FolderWatcher, relativeName, scanFolder } from './folder';
import { Git, GitError } from './git';

/** The timer functions the service schedules with; tests pass fake ones. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export interface RunbookSourcesOptions {
  /** Git clones live in `<dataDir>/sources/<id>`. */
  dataDir: string;
  /** The git binary; default 'git' (found on PATH). */
  git?: string;
  timers?: Timers;
  /** Quiet time after a folder change before it is read again; default 300 ms. */
  debounceMs?: number;
  /** Time limit of one clone or pull; default 120 s. */
  gitTimeoutMs?: number;
}

/** What one sync changed, for the core to tell the renderers. */
export interface SourceChange {
  sourceIds: string[];
  runbookIds: string[];
}

export interface AddGitInput {
  url: string;
  branch: string | null;
  pullIntervalMinutes: number | null;
}

interface Outcome {
  /** Runbooks imported, archived or restored. */
  runbookIds: string[];
  /** Files that could not be read or imported, one sentence each, for `lastError`. */
  errors: string[];
}

interface Row {
  id: string;
  kind: 'folder' | 'git';
  location: string;
  branch: string | null;
  pull_interval_minutes: number | null;
  last_sync_at: string | null;
  last_error: string | null;
  created_at: string;
  runbook_count: number;
}

/** Per source: its watcher or pull timer, and its syncs run one after another. */
interface Live {
  watcher: FolderWatcher | null;
  debounce: unknown;
  interval: unknown;
  /** Everything queued so far; the next sync starts after it. */
  tail: Promise<void>;
  /** A sync queued but not started: another request joins it instead of queueing one more. */
  waiting: Promise<RunbookSource> | null;
  /** Size and mtime of each file when last read, so a rescan reads only what changed. */
  seen: Map<string, string>;
}

export class RunbookSources {
  private readonly git: Git;
  private readonly timers: Timers;
  private readonly debounceMs: number;
  private readonly live = new Map<string, Live>();
  private readonly listeners = new Set<(change: SourceChange) => void>();
  private started = false;
  private stopped = false;
  private readonly q: {
    list: Statement<[], Row>;
    get: Statement<[string], Row>;
    insert: Statement<[Record<string, unknown>]>;
    synced: Statement<[string, string | null, string]>;
    delete: Statement<[string]>;
  };

  constructor(
    private readonly db: Db,
    private readonly library: RunbookLibrary,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly options: RunbookSourcesOptions,
  ) {
    this.git = new Git({ binary: options.git ?? 'git', timeoutMs: options.gitTimeoutMs ?? 120_000 });
    this.timers = options.timers ?? systemTimers;
    this.debounceMs = options.debounceMs ?? 300;
    const select = `SELECT s.*, (SELECT COUNT(*) FROM runbooks r WHERE r.source_id = s.id AND r.archived = 0) AS runbook_count
                    FROM runbook_sources s`;
    this.q = {
      list: db.prepare(`${select} ORDER BY s.created_at, s.id`),
      get: db.prepare(`${select} WHERE s.id = ?`),
      insert: db.prepare(
        `INSERT INTO runbook_sources (id, kind, location, branch, pull_interval_minutes, created_at)
         VALUES (@id, @kind, @location, @branch, @pullIntervalMinutes, @createdAt)`,
      ),
      synced: db.prepare('UPDATE runbook_sources SET last_sync_at = ?, last_error = ? WHERE id = ?'),
      delete: db.prepare('DELETE FROM runbook_sources WHERE id = ?'),
    };
  }

  /** Be told after every sync, whether it changed runbooks or only the source's status. */
  onChange(listener: (change: SourceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): RunbookSource[] {
    return this.q.list.all().map((r) => this.toSource(r));
  }

  get(id: string): RunbookSource {
    return this.toSource(this.row(id));
  }

  /**
   * Watch every folder (reading each once, for what changed while Watchfloor was closed) and
   * schedule every repository's pulls.
   */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const row of this.q.list.all()) {
      this.activate(row);
      if (row.kind === 'folder') void this.sync(row.id).catch(() => {});
    }
  }

  /** Stop watching and pulling; a sync in flight finishes without touching the database. */
  stop(): void {
    this.stopped = true;
    for (const id of [...this.live.keys()]) this.deactivate(id);
  }

  async addFolder(path: string): Promise<RunbookSource> {
    const location = resolve(path);
    let isFolder: boolean;
    try {
      isFolder = statSync(location).isDirectory();
    } catch (error) {
      throw new ApiError({
        code: 'invalid_arguments',
        message: `There is no folder at ${location} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); nothing was added. Check the path and try again.`,
        issues: [{ path: 'path', message: 'no such folder' }],
      });
    }
    if (!isFolder) {
      throw new ApiError({
        code: 'invalid_arguments',
        message: `${location} is a file, not a folder; nothing was added. Choose the folder that holds your runbooks, or import the file itself.`,
        issues: [{ path: 'path', message: 'not a folder' }],
      });
    }
    for (const other of this.q.list.all()) {
      if (other.kind !== 'folder') continue;
      if (other.location === location || isInside(location, other.location) || isInside(other.location, location)) {
        throw new ApiError({
          code: 'conflict',
          message:
            other.location === location
              ? `${location} is already a runbook source; nothing was added. Sync it to read it again.`
              : `${location} overlaps the runbook source ${other.location} (one is inside the other); nothing was added. Remove that source first, or choose a folder that does not overlap it.`,
          issues: [{ path: 'path', message: 'already a source' }],
        });
      }
    }
    const id = this.insert('folder', location, null, null);
    this.activate(this.row(id));
    return this.sync(id);
  }

  /** Clone the repository; if that fails nothing is added and the error says why. */
  async addGit(input: AddGitInput): Promise<RunbookSource> {
    const url = input.url.trim();
    const branch = input.branch ?? null;
    if (hasCredentials(url)) {
      throw new ApiError({
        code: 'invalid_arguments',
        message:
          'This repository URL carries a password or token, which Watchfloor would have to keep in clear text; nothing was added. Add the URL without it, and let git authenticate with a credential helper or an SSH key.',
        issues: [{ path: 'url', message: 'contains credentials' }],
      });
    }
    const duplicate = () =>
      new ApiError({
        code: 'conflict',
        message: `${url}${branch ? ` (branch ${branch})` : ''} is already a runbook source; nothing was added. Sync it to pull now.`,
        issues: [{ path: 'url', message: 'already a source' }],
      });
    if (this.q.list.all().some((s) => s.kind === 'git' && s.location === url && s.branch === branch)) throw duplicate();
    const id = randomUUID();
    const dir = this.cloneDir(id);
    mkdirSync(join(this.options.dataDir, 'sources'), { recursive: true });
    try {
      await this.git.clone(url, branch, dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      const reason = error instanceof GitError ? error.message : String(error);
      this.log.warn(`git clone failed: ${url}`, { detail: error instanceof GitError ? error.detail : reason });
      throw new ApiError({
        code: 'import_failed',
        message: `Could not clone ${url}${branch ? ` (branch ${branch})` : ''}: ${reason}. Nothing was added; fix this and add the repository again.`,
      });
    }
    if (this.stopped) {
      rmSync(dir, { recursive: true, force: true });
      this.gone(id);
    }
    try {
      this.insert('git', url, branch, input.pullIntervalMinutes, id);
    } catch (error) {
      // The same repository, added again while this one was cloning.
      rmSync(dir, { recursive: true, force: true });
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw duplicate();
      throw error;
    }
    this.activate(this.row(id));
    // The clone is already there: this sync only reads it, it does not pull again.
    return this.sync(id, { pull: false });
  }

  /**
   * Read a folder again, or pull a repository, now. Syncs of one source run one after another;
   * a request made while one is waiting joins it.
   */
  sync(id: string, how: { pull: boolean } = { pull: true }): Promise<RunbookSource> {
    if (!this.q.get.get(id)) return Promise.reject(this.notFound(id));
    const live = this.liveOf(id);
    if (live.waiting) return live.waiting;
    const run = live.tail.then(() => {
      live.waiting = null;
      return this.syncNow(id, how.pull);
    });
    live.waiting = run;
    live.tail = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  /** Stop following the source. Its runbooks stay in the library as uploads (see the top). */
  remove(id: string): { runbookIds: string[] } {
    const row = this.row(id);
    this.deactivate(id);
    const runbookIds = this.db.transaction(() => {
      const ids = this.library.releaseSource(id);
      this.q.delete.run(id);
      return ids;
    })();
    if (row.kind === 'git') {
      // The library holds the text of every runbook; the clone is only a working copy.
      rmSync(this.cloneDir(id), { recursive: true, force: true });
    }
    this.log.info(`runbook source removed: ${row.location}; its ${runbookIds.length} runbook(s) kept as uploads`);
    return { runbookIds };
  }

  // ---- syncing ------------------------------------------------------------------------------

  private async syncNow(id: string, pull: boolean): Promise<RunbookSource> {
    // Once stopped, the database may be closed: touch nothing.
    if (this.stopped) return this.gone(id);
    const row = this.q.get.get(id);
    if (!row) return this.gone(id);
    let outcome: Outcome = { runbookIds: [], errors: [] };
    let failure: string | null = null;
    try {
      if (row.kind === 'folder') {
        const scan = scanFolder(row.location);
        this.follow(row, scan.dirs);
        outcome = this.reconcile(row, row.location, scan.files, (_rel, mtime) => mtime);
      } else {
        const dir = this.cloneDir(id);
        if (pull) await this.git.pull(dir);
        const times = await this.git.commitTimes(dir);
        if (this.stopped || !this.q.get.get(id)) return this.gone(id);
        outcome = this.reconcile(row, dir, scanFolder(dir).files, (rel) => times.files.get(rel) ?? times.head);
      }
    } catch (error) {
      failure = this.describeFailure(row, error);
      if (row.kind === 'folder') this.unwatch(id);
      this.log.warn(`runbook source sync failed: ${row.location}`, { detail: error instanceof GitError ? error.detail : String(error) });
    }
    if (this.stopped || !this.q.get.get(id)) return this.gone(id);
    const lastError = failure ?? (outcome.errors.length ? outcome.errors.join(' ') : null);
    this.q.synced.run(this.clock.now().toISOString(), lastError, id);
    for (const l of this.listeners) l({ sourceIds: [id], runbookIds: outcome.runbookIds });
    return this.get(id);
  }

  /**
   * Bring the library in line with `files` (the runbook files now under `dir`): import what is
   * new or changed, archive what left, restore what came back unchanged.
   */
  private reconcile(row: Row, dir: string, files: string[], changedAt: (rel: string, mtime: string) => string | null): Outcome {
    const live = this.liveOf(row.id);
    const known = new Map(this.library.sourceEntries(row.id).map((e) => [e.path, e]));
    const present = new Set(files);
    const toImport: RunbookFile[] = [];
    const restored: string[] = [];
    const errors: string[] = [];
    const kept = (path: string) => (known.has(path) ? ' Its previous version is kept until the file is fixed.' : ' It was not imported; fix it and save it again.');
    // Size and mtime of each file read this time; a file that failed is left out, so it is read again.
    const seen = new Map<string, string>();
    for (const path of files) {
      const rel = relativeName(dir, path);
      try {
        const stat = statSync(path);
        const stamp = `${stat.size}:${stat.mtimeMs}`;
        const entry = known.get(path);
        if (entry && !entry.archived && live.seen.get(path) === stamp) {
          seen.set(path, stamp);
          continue;
        }
        if (stat.size > MAX_RUNBOOK_BYTES) {
          errors.push(`${rel} is larger than a runbook may be (${MAX_RUNBOOK_BYTES / 1024 / 1024} MB) and was not read.${kept(path)}`);
          continue;
        }
        const text = readFileSync(path, 'utf8');
        seen.set(path, stamp);
        if (entry && entry.sha256 === hashText(text)) {
          if (entry.archived) restored.push(entry.id);
          continue;
        }
        toImport.push({ path, text, origin: row.kind, sourceId: row.id, changedAt: changedAt(rel, stat.mtime.toISOString()) });
      } catch (error) {
        errors.push(`${rel} could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).${kept(path)}`);
      }
    }
    const result = this.library.importFiles(toImport);
    for (const e of result.errors) {
      errors.push(`${relativeName(dir, e.name)}: ${e.message.replace(/[.\s]+$/, '')}.${kept(e.name)}`);
      seen.delete(e.name);
    }
    const gone = [...known.values()].filter((e) => !e.archived && !present.has(e.path)).map((e) => e.id);
    this.library.setArchived(gone, true);
    this.library.setArchived(restored, false);
    live.seen = seen;
    if (gone.length) this.log.info(`archived ${gone.length} runbook(s) whose file left ${row.location}`);
    return { runbookIds: [...result.imported.map((s) => s.id), ...gone, ...restored], errors };
  }

  private describeFailure(row: Row, error: unknown): string {
    const kept = 'Its runbooks are kept as they were';
    if (error instanceof GitError) {
      return `Could not pull ${row.location}${row.branch ? ` (branch ${row.branch})` : ''}: ${error.message}. ${kept}; Watchfloor tries again at the next sync.`;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (row.kind === 'folder' && (code === 'ENOENT' || code === 'ENOTDIR')) {
      return `The folder ${row.location} is not there any more (moved, deleted, or a drive not mounted). ${kept}; put it back and sync, or remove this source.`;
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return `Watchfloor may not read ${row.kind === 'folder' ? row.location : 'its copy of the repository'} (${code}). ${kept}; fix the permissions and sync.`;
    }
    return `Syncing ${row.location} failed (${error instanceof Error ? error.message : String(error)}). ${kept}; sync again, and report this if it keeps happening.`;
  }

  // ---- watching and scheduling --------------------------------------------------------------

  private activate(row: Row): void {
    if (!this.started || this.stopped) return;
    const live = this.liveOf(row.id);
    if (row.kind === 'git' && row.pull_interval_minutes && live.interval === null) {
      live.interval = this.timers.setInterval(() => void this.sync(row.id).catch(() => {}), row.pull_interval_minutes * 60_000);
    }
  }

  /** Watch the folders a scan found (once started). A new subfolder is watched from the scan that
   * finds it; one more scan after a short wait catches files written into it meanwhile. */
  private follow(row: Row, dirs: string[]): void {
    if (!this.started || this.stopped) return;
    const live = this.liveOf(row.id);
    const fresh = !live.watcher;
    live.watcher ??= new FolderWatcher(row.location, () => this.changed(row.id));
    try {
      if (live.watcher.follow(dirs) > 0 && !fresh) this.changed(row.id);
    } catch (error) {
      this.unwatch(row.id);
      this.log.warn(`cannot watch ${row.location}; changes show after a sync`, { error: String(error) });
    }
  }

  /** Something changed in a watched folder: read it again once it has been quiet a moment. */
  private changed(id: string): void {
    const live = this.live.get(id);
    if (!live || this.stopped) return;
    this.timers.clearTimeout(live.debounce);
    live.debounce = this.timers.setTimeout(() => {
      live.debounce = null;
      void this.sync(id).catch(() => {});
    }, this.debounceMs);
  }

  private unwatch(id: string): void {
    const live = this.live.get(id);
    live?.watcher?.close();
    if (live) live.watcher = null;
  }

  private deactivate(id: string): void {
    const live = this.live.get(id);
    if (!live) return;
    this.unwatch(id);
    this.timers.clearTimeout(live.debounce);
    this.timers.clearInterval(live.interval);
    live.debounce = null;
    live.interval = null;
    this.live.delete(id);
  }

  private liveOf(id: string): Live {
    let live = this.live.get(id);
    if (!live) {
      live = { watcher: null, debounce: null, interval: null, tail: Promise.resolve(), waiting: null, seen: new Map() };
      this.live.set(id, live);
    }
    return live;
  }

  // ---- rows ---------------------------------------------------------------------------------

  private insert(kind: Row['kind'], location: string, branch: string | null, pullIntervalMinutes: number | null, id: string = randomUUID()): string {
    this.q.insert.run({ id, kind, location, branch, pullIntervalMinutes, createdAt: this.clock.now().toISOString() });
    return id;
  }

  private row(id: string): Row {
    const row = this.q.get.get(id);
    if (!row) throw this.notFound(id);
    return row;
  }

  private notFound(id: string): ApiError {
    return new ApiError({ code: 'not_found', message: `No runbook source with id ${id}; it may have been removed. Reload the sources.` });
  }

  private toSource(row: Row): RunbookSource {
    return {
      id: row.id,
      kind: row.kind,
      location: row.location,
      branch: row.branch,
      pullIntervalMinutes: row.pull_interval_minutes,
      watching: row.kind === 'folder' && !!this.live.get(row.id)?.watcher?.active,
      lastSyncAt: row.last_sync_at,
      lastError: row.last_error,
      runbookCount: row.runbook_count,
      createdAt: row.created_at,
    };
  }

  private gone(id: string): never {
    throw new ApiError({ code: 'not_found', message: `The runbook source ${id} was removed (or Watchfloor is closing) while it synced; nothing more was changed.` });
  }

  private cloneDir(id: string): string {
    return join(this.options.dataDir, 'sources', id);
  }
}

/** `https://user:token@host/...`, or a token as the user name (`https://ghp_x@github.com/...`). */
function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.password !== '' || (/^https?:$/.test(u.protocol) && u.username !== '');
  } catch {
    return false; // a path or scp-like `git@host:repo`: no secret in it
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
