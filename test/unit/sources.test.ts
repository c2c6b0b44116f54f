import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../electron/core/clock';
import { openStore, type Db } from '../../electron/core/db';
import { migrations } from '../../electron/core/db/migrations';
import { Log } from '../../electron/core/log';
import { RunbookLibrary } from '../../electron/core/runbooks';
import { RunbookSources, systemTimers, type Timers } from '../../electron/core/sources';
import { RunbookSource, type RunbookSummary } from '../../shared/contract';
import { tempDir } from '../support/temp';

const runbook = (title: string, command: string) => `# ${title}\n\n## Fix\n\n1. Restart it:\n\n   \`\`\`bash\n   ${command}\n   \`\`\`\n`;

let dir: { path: string; cleanup: () => void };
let db: Db;
let library: RunbookLibrary;
let sources: RunbookSources;
const clock: Clock = { now: () => new Date('2026-11-25T10:00:00Z') };

function open(timers: Timers = systemTimers): void {
  db = openStore(path.join(dir.path, 'data')).db;
  library = new RunbookLibrary(db, clock);
  sources = new RunbookSources(db, library, clock, new Log(null, clock), { dataDir: path.join(dir.path, 'data'), timers, debounceMs: 100 });
}

beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  sources.stop();
  db.close();
  dir.cleanup();
});

const byName = (name: string): RunbookSummary | undefined => library.list().find((r) => r.sourceName === name);

/** Wait for `check` to hold, at most `ms`; the promise fails with what was last seen. */
async function within<T>(ms: number, check: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a folder source', () => {
  let folder: string;
  beforeEach(() => {
    open();
    folder = path.join(dir.path, 'runbooks');
    mkdirSync(path.join(folder, 'db', 'deep'), { recursive: true });
    mkdirSync(path.join(folder, '.obsidian'));
    mkdirSync(path.join(folder, 'node_modules', 'x'), { recursive: true });
    writeFileSync(path.join(folder, 'api.md'), runbook('API', 'systemctl restart api'));
    writeFileSync(path.join(folder, 'db', 'deep', 'pg.markdown'), runbook('Postgres', 'systemctl restart postgresql'));
    writeFileSync(path.join(folder, 'notes.txt'), 'not a runbook');
    writeFileSync(path.join(folder, '.obsidian', 'hidden.md'), runbook('Hidden', 'true'));
    writeFileSync(path.join(folder, 'node_modules', 'x', 'README.md'), runbook('Package', 'true'));
    utimesSync(path.join(folder, 'api.md'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    sources.start();
  });

  it('imports every Markdown file in it, recursively, and says where each came from', async () => {
    const source = await sources.addFolder(folder);
    expect(RunbookSource.parse(source)).toMatchObject({ kind: 'folder', location: folder, watching: true, lastError: null, runbookCount: 2, branch: null });
    expect(library.list().map((r) => r.sourceName).sort()).toEqual(['api.md', 'pg.markdown']);
    expect(byName('api.md')).toMatchObject({
      origin: 'folder', sourceId: source.id, archived: false, editable: true, bundled: false,
      sourcePath: path.join(folder, 'api.md'), changedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(sources.list()).toEqual([source]);
  });

  it('re-imports a changed file within 2 s, keeping its id', async () => {
    const source = await sources.addFolder(folder);
    const before = byName('api.md')!;
    writeFileSync(path.join(folder, 'api.md'), runbook('API v2', 'kubectl rollout restart deploy/api'));
    const after = await within(2000, () => (byName('api.md')?.title === 'API v2' ? byName('api.md') : false));
    expect(after.id).toBe(before.id);
    expect(library.search('rollout', 5).map((h) => h.runbookId)).toEqual([before.id]);
    expect(sources.get(source.id).lastError).toBeNull();
  });

  it('follows files in a new subfolder, and a file an editor saves by renaming over it', async () => {
    await sources.addFolder(folder);
    mkdirSync(path.join(folder, 'new'));
    writeFileSync(path.join(folder, 'new', 'cache.md'), runbook('Cache', 'redis-cli ping'));
    await within(2000, () => byName('cache.md'));
    // Saved the way many editors do: a temp file renamed over the original...
    writeFileSync(path.join(folder, '.api.md.swp'), runbook('API saved', 'true'));
    renameSync(path.join(folder, '.api.md.swp'), path.join(folder, 'api.md'));
    await within(2000, () => byName('api.md')?.title === 'API saved');
    // ...and then changed again in place: still followed.
    writeFileSync(path.join(folder, 'api.md'), runbook('API again', 'true'));
    await within(2000, () => byName('api.md')?.title === 'API again');
  });

  it('archives the runbook of a deleted file (kept, read-only) and restores it when the file comes back', async () => {
    const source = await sources.addFolder(folder);
    const api = byName('api.md')!;
    const text = readFileSync(path.join(folder, 'api.md'), 'utf8');
    rmSync(path.join(folder, 'api.md'));
    const archived = await within(2000, () => (byName('api.md')?.archived ? byName('api.md') : false));
    expect(archived).toMatchObject({ id: api.id, editable: false, title: 'API' });
    expect(library.get(api.id).sourceText).toBe(text);
    expect(sources.get(source.id).runbookCount).toBe(1);
    expect(() => library.updateCommand(api.id, 7, 'true')).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining('archived') }));

    writeFileSync(path.join(folder, 'api.md'), text);
    const back = await within(2000, () => (byName('api.md')?.archived === false ? byName('api.md') : false));
    expect(back).toMatchObject({ id: api.id, editable: true });
    expect(sources.get(source.id).runbookCount).toBe(2);
  });

  it('keeps the previous version of a file that no longer imports, and says so', async () => {
    const source = await sources.addFolder(folder);
    const api = byName('api.md')!;
    writeFileSync(path.join(folder, 'api.md'), '# Broken\n\n\0\0\0');
    const failed = await within(2000, () => sources.get(source.id).lastError);
    expect(failed).toMatch(/^api\.md: contains binary data .*Its previous version is kept until the file is fixed\.$/);
    expect(byName('api.md')).toMatchObject({ id: api.id, title: 'API', sha256: api.sha256, archived: false });

    writeFileSync(path.join(folder, 'api.md'), runbook('API fixed', 'true'));
    await within(2000, () => byName('api.md')?.title === 'API fixed' && sources.get(source.id).lastError === null);
  });

  it('keeps every runbook when the folder itself disappears, and says what to do', async () => {
    const source = await sources.addFolder(folder);
    renameSync(folder, `${folder}-moved`);
    const synced = await sources.sync(source.id);
    expect(synced.lastError).toMatch(/^The folder .* is not there any more .* Its runbooks are kept as they were; put it back and sync, or remove this source\.$/);
    expect(synced.watching).toBe(false);
    expect(library.list().map((r) => [r.sourceName, r.archived])).toEqual(expect.arrayContaining([['api.md', false], ['pg.markdown', false]]));
    renameSync(`${folder}-moved`, folder);
    expect(await sources.sync(source.id)).toMatchObject({ lastError: null, watching: true, runbookCount: 2 });
  });

  it('refuses a path that is not a folder, or one already followed', async () => {
    await expect(sources.addFolder(path.join(dir.path, 'nope'))).rejects.toMatchObject({ code: 'invalid_arguments', message: expect.stringMatching(/^There is no folder at .*nothing was added/) });
    await expect(sources.addFolder(path.join(folder, 'api.md'))).rejects.toMatchObject({ code: 'invalid_arguments', message: expect.stringContaining('is a file, not a folder') });
    await sources.addFolder(folder);
    await expect(sources.addFolder(`${folder}/`)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('already a runbook source') });
    await expect(sources.addFolder(path.join(folder, 'db'))).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('overlaps') });
    expect(sources.list()).toHaveLength(1);
  });

  it('on remove, stops watching and keeps its runbooks as uploads', async () => {
    const source = await sources.addFolder(folder);
    expect(sources.remove(source.id).runbookIds).toHaveLength(2);
    expect(sources.list()).toEqual([]);
    expect(byName('api.md')).toMatchObject({ origin: 'upload', sourceId: null, editable: true });
    writeFileSync(path.join(folder, 'api.md'), runbook('API changed after removal', 'true'));
    await new Promise((r) => setTimeout(r, 400));
    expect(byName('api.md')!.title).toBe('API');
    await expect(sources.sync(source.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('catches up on start with what changed while Watchfloor was closed', async () => {
    const source = await sources.addFolder(folder);
    sources.stop();
    db.close();
    writeFileSync(path.join(folder, 'api.md'), runbook('API offline edit', 'true'));
    rmSync(path.join(folder, 'db'), { recursive: true });
    open();
    sources.start();
    expect(sources.get(source.id).id).toBe(source.id);
    await within(2000, () => byName('api.md')?.title === 'API offline edit' && byName('pg.markdown')?.archived);
  });

  it('tells whoever listens what each sync changed', async () => {
    const changes: { sourceIds: string[]; runbookIds: string[] }[] = [];
    sources.onChange((c) => changes.push(c));
    const source = await sources.addFolder(folder);
    expect(changes).toEqual([{ sourceIds: [source.id], runbookIds: expect.arrayContaining([byName('api.md')!.id, byName('pg.markdown')!.id]) }]);
    await sources.sync(source.id);
    expect(changes[1]).toEqual({ sourceIds: [source.id], runbookIds: [] });
  });
});

// ---- git: only local repositories, cloned by path or file:// URL ------------------------------

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_COMMITTER_DATE: commitDate, GIT_AUTHOR_DATE: commitDate },
  });
}
let commitDate = '2026-03-01T12:00:00Z';

function commit(repo: string, files: Record<string, string | null>, date: string): void {
  commitDate = date;
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(repo, name);
    if (text === null) rmSync(file);
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', `change at ${date}`);
}

describe('a git source', () => {
  let repo: string;
  let intervals: { fn: () => void; ms: number }[];
  beforeEach(() => {
    intervals = [];
    // Pulls are scheduled through these: the test runs the schedule by hand.
    const timers: Timers = {
      ...systemTimers,
      setInterval: (fn, ms) => intervals.push({ fn, ms }),
      clearInterval: () => {},
    };
    open(timers);
    sources.start();
    repo = path.join(dir.path, 'origin');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    commit(repo, { 'api.md': runbook('API', 'systemctl restart api'), 'ops/db.md': runbook('DB', 'systemctl restart pg'), 'README.txt': 'x' }, '2026-03-01T12:00:00Z');
    commit(repo, { 'api.md': runbook('API', 'systemctl restart api --now') }, '2026-03-02T12:00:00Z');
  });

  it('clones the repository and imports its runbooks read-only, with the time of their last commit', async () => {
    const source = await sources.addGit({ url: repo, branch: null, pullIntervalMinutes: 60 });
    expect(RunbookSource.parse(source)).toMatchObject({ kind: 'git', location: repo, branch: null, pullIntervalMinutes: 60, watching: false, lastError: null, runbookCount: 2 });
    expect(byName('api.md')).toMatchObject({ origin: 'git', sourceId: source.id, editable: false, changedAt: '2026-03-02T12:00:00.000Z' });
    expect(byName('db.md')).toMatchObject({ origin: 'git', changedAt: '2026-03-01T12:00:00.000Z' });
    expect(existsSync(path.join(dir.path, 'data', 'sources', source.id, '.git'))).toBe(true);
    expect(intervals.map((i) => i.ms)).toEqual([60 * 60_000]);
  });

  it('refuses to edit a git runbook, saying where to edit it', async () => {
    await sources.addGit({ url: `file://${repo}`, branch: 'main', pullIntervalMinutes: null });
    const api = byName('api.md')!;
    const line = library.get(api.id).runbook.procedures.flatMap((p) => p.steps).flatMap((s) => s.commands)[0]!.line;
    expect(() => library.updateCommand(api.id, line, 'true')).toThrow(
      expect.objectContaining({ code: 'conflict', message: expect.stringContaining(`comes from the git repository file://${repo}, which Watchfloor only reads`) }),
    );
    expect(library.get(api.id).summary.sha256).toBe(api.sha256);
  });

  it('pulls on demand and on its schedule: changes imported, removed files archived', async () => {
    const source = await sources.addGit({ url: repo, branch: null, pullIntervalMinutes: 15 });
    const db1 = byName('db.md')!;
    commit(repo, { 'api.md': runbook('API v3', 'kubectl rollout restart deploy/api') }, '2026-03-03T12:00:00Z');
    const synced = await sources.sync(source.id);
    expect(synced.lastError).toBeNull();
    expect(byName('api.md')).toMatchObject({ title: 'API v3', changedAt: '2026-03-03T12:00:00.000Z' });

    commit(repo, { 'ops/db.md': null, 'new.md': runbook('New', 'true') }, '2026-03-04T12:00:00Z');
    const changed = new Promise((resolve) => sources.onChange(resolve));
    expect(intervals.map((i) => i.ms)).toEqual([15 * 60_000]);
    intervals[0]!.fn();
    await changed;
    expect(byName('db.md')).toMatchObject({ id: db1.id, archived: true, editable: false });
    expect(byName('new.md')).toMatchObject({ origin: 'git', changedAt: '2026-03-04T12:00:00.000Z' });
    expect(sources.get(source.id).runbookCount).toBe(2);
  });

  it('keeps every runbook when the remote cannot be reached, and says so', async () => {
    const source = await sources.addGit({ url: repo, branch: null, pullIntervalMinutes: null });
    const before = library.list();
    renameSync(repo, `${repo}-gone`);
    const synced = await sources.sync(source.id);
    expect(synced.lastError).toMatch(/^Could not pull .*: there is no git repository there .* Its runbooks are kept as they were; Watchfloor tries again at the next sync\.$/);
    expect(library.list()).toEqual(before);
    renameSync(`${repo}-gone`, repo);
    expect((await sources.sync(source.id)).lastError).toBeNull();
  });

  it('adds nothing when the clone fails: a missing branch, or no repository', async () => {
    await expect(sources.addGit({ url: repo, branch: 'no-such-branch', pullIntervalMinutes: null })).rejects.toMatchObject({
      code: 'import_failed',
      message: expect.stringMatching(/^Could not clone .* \(branch no-such-branch\): the branch does not exist in the repository .* Nothing was added/),
    });
    await expect(sources.addGit({ url: path.join(dir.path, 'nothing-here'), branch: null, pullIntervalMinutes: null })).rejects.toMatchObject({ code: 'import_failed' });
    await expect(sources.addGit({ url: 'https://ops:s3cret@git.example/runbooks.git', branch: null, pullIntervalMinutes: null })).rejects.toMatchObject({
      code: 'invalid_arguments',
      message: expect.stringContaining('carries a password or token'),
    });
    // An argument that looks like an option is still only a URL.
    const pwned = path.join(dir.path, 'pwned');
    await expect(sources.addGit({ url: `--upload-pack=touch ${pwned}`, branch: null, pullIntervalMinutes: null })).rejects.toMatchObject({ code: 'import_failed' });
    expect(existsSync(pwned)).toBe(false);
    expect(sources.list()).toEqual([]);
    expect(library.list()).toEqual([]);
    expect(existsSync(path.join(dir.path, 'data', 'sources')) ? readdirSync(path.join(dir.path, 'data', 'sources')) : []).toEqual([]);
    // Twice at once: the second one's clone finishes after the first was added.
    const twice = await Promise.allSettled([1, 2].map(() => sources.addGit({ url: repo, branch: null, pullIntervalMinutes: null })));
    expect(twice.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(twice.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    await expect(sources.addGit({ url: repo, branch: null, pullIntervalMinutes: null })).rejects.toMatchObject({ code: 'conflict' });
    expect(readdirSync(path.join(dir.path, 'data', 'sources'))).toEqual([sources.list()[0]!.id]);
  });

  it('on remove, deletes its clone and keeps its runbooks as uploads', async () => {
    const source = await sources.addGit({ url: repo, branch: null, pullIntervalMinutes: null });
    sources.remove(source.id);
    expect(existsSync(path.join(dir.path, 'data', 'sources', source.id))).toBe(false);
    expect(library.list().map((r) => [r.sourceName, r.origin, r.editable])).toEqual([['api.md', 'upload', true], ['db.md', 'upload', true]]);
    expect(statSync(repo).isDirectory()).toBe(true);
  });
});

describe('through the core', () => {
  it('serves sources, export, lint and edits, and tells the UI what a watched folder changed', async () => {
    const { createCore } = await import('../../electron/core');
    open(); // the shared afterEach closes these
    const folder = path.join(dir.path, 'ops');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'api.md'), runbook('API', 'curl -fsS https://$API_HOST/health'));
    const core = createCore({ dataDir: path.join(dir.path, 'core'), host: 'headless', bundledRunbooksDir: null });
    try {
      const events: [string, unknown][] = [];
      core.events.subscribe((name, payload) => events.push([name, payload]));
      const source = await core.handlers['sources.addFolder']({ path: folder });
      const [api] = core.handlers['runbooks.list']({}) as RunbookSummary[];
      expect(events).toEqual([
        ['sources.changed', { ids: [source.id] }],
        ['runbooks.changed', { ids: [api!.id] }],
      ]);
      expect(core.handlers['sources.list']({})).toEqual([source]);

      const lint = () => (core.handlers['runbooks.lint']({ id: api!.id }) as { rule: string; message: string }[]).filter((f) => f.rule === 'undefined-placeholder');
      expect(lint().map((f) => f.message).join()).toContain('API_HOST');
      core.handlers['environments.create']({ name: 'prod', tier: 'production', color: '#aa0000', description: '', variables: [{ key: 'API_HOST', value: 'api.example' }] });
      expect(lint()).toEqual([]);

      expect(await core.handlers['runbooks.export']({ id: api!.id })).toMatchObject({ fileName: 'api.md', markdown: expect.stringContaining('curl -fsS https://$API_HOST/health') });

      const detail = await core.handlers['runbooks.updateCommand']({ id: api!.id, line: 7, code: 'curl -fsS https://$API_HOST/ready' });
      expect(readFileSync(path.join(folder, 'api.md'), 'utf8')).toBe(runbook('API', 'curl -fsS https://$API_HOST/ready'));
      expect(detail.sourceText).toBe(runbook('API', 'curl -fsS https://$API_HOST/ready'));

      events.length = 0;
      writeFileSync(path.join(folder, 'db.md'), runbook('DB', 'true'));
      await within(2000, () => events.some(([name]) => name === 'runbooks.changed'));
      expect(events[0]).toEqual(['sources.changed', { ids: [source.id] }]);

      core.handlers['sources.remove']({ id: source.id });
      expect(core.handlers['sources.list']({})).toEqual([]);
    } finally {
      core.close();
    }
  });
});

describe('migration 0002', () => {
  it('upgrades a library from before sources: bundled runbooks become origin bundled, the rest uploads', () => {
    open();
    sources.stop();
    db.close();
    const file = path.join(dir.path, 'old', 'watchfloor.db');
    mkdirSync(path.dirname(file));
    const old = new Database(file);
    old.exec(migrations[0]!);
    old.pragma('user_version = 1');
    const insert = old.prepare(
      `INSERT INTO runbooks (id, title, source_path, source_name, sha256, bundled, source_text, headings, outline, procedure_count, step_count, command_count, imported_at)
       VALUES (?, ?, ?, ?, 'x', ?, '# T', '', '{"p":[],"s":[],"c":[]}', 0, 0, 0, '2026-01-01T00:00:00Z')`,
    );
    insert.run('b', 'Bundled', 'bundled:b.md', 'b.md', 1);
    insert.run('u', 'Upload', 'u.md', 'u.md', 0);
    old.close();
    db = openStore(path.dirname(file)).db;
    library = new RunbookLibrary(db, clock);
    expect(library.list().map((r) => [r.id, r.origin, r.sourceId, r.archived, r.changedAt, r.editable])).toEqual([
      ['b', 'bundled', null, false, null, false],
      ['u', 'upload', null, false, null, true],
    ]);
  });
});
