import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../electron/core/clock';
import { openStore, type Db } from '../../electron/core/db';
import { RunbookLibrary } from '../../electron/core/runbooks';
import { ApiError, SearchHit } from '../../shared/contract';
import { tempDir } from '../support/temp';

const seedsDir = path.resolve(__dirname, '../../../shared/seeds');
const seeds = readdirSync(seedsDir)
  .filter((f) => /^\d{3}_.*\.txt$/.test(f))
  .sort()
  .map((f) => ({ path: path.join(seedsDir, f), text: readFileSync(path.join(seedsDir, f), 'utf8') }));
const bundledDir = path.resolve(__dirname, '../../runbooks');

let dir: { path: string; cleanup: () => void };
let db: Db;
let library: RunbookLibrary;
let now = new Date('2026-11-25T10:00:00Z');
const clock: Clock = { now: () => now };

beforeEach(() => {
  dir = tempDir();
  db = openStore(dir.path).db;
  library = new RunbookLibrary(db, clock);
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

const idOf = (prefix: string) => library.list().find((r) => r.sourceName.startsWith(prefix))!.id;

describe('importing', () => {
  it('imports the five seeds and lists them by title', () => {
    const result = library.importFiles(seeds);
    expect(result.errors).toEqual([]);
    expect(result.imported.map((r) => r.sourceName)).toEqual(seeds.map((s) => path.basename(s.path)));
    const list = library.list();
    expect(list.map((r) => r.title)).toEqual([
      'Incident Response Runbooks', 'Runbook', 'Runbook - Incident Response Procedures', 'Runbooks — TorrentFlow', 'Troubleshooting Runbooks',
    ]);
    const torrentflow = list.find((r) => r.title === 'Runbooks — TorrentFlow')!;
    expect(torrentflow).toMatchObject({ procedureCount: 6, stepCount: 30, commandCount: 20, bundled: false, importedAt: now.toISOString(), sourcePath: seeds[0]!.path });
    expect(torrentflow.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives back the structure and the source text', () => {
    library.importFiles(seeds);
    const detail = library.get(idOf('000'));
    expect(detail.sourceText).toBe(seeds[0]!.text);
    expect(detail.runbook.procedures.filter((p) => p.kind === 'procedure').map((p) => p.id)).toEqual(['RB-01', 'RB-02', 'RB-03', 'RB-04', 'RB-05', 'RB-06']);
    expect(detail.runbook.source).toEqual({ path: seeds[0]!.path, sha256: detail.summary.sha256 });
  });

  it('refuses a file with binary data with a clear message, and changes nothing', () => {
    library.importFiles(seeds.slice(0, 2));
    const before = library.list();
    const result = library.importFiles([
      { path: '/tmp/dump.md', text: '# Not really\n\n\0\u0001\u0002' },
      { path: '/tmp/empty.md', text: '   \n' },
    ]);
    expect(result.imported).toEqual([]);
    expect(result.errors).toEqual([
      { name: '/tmp/dump.md', message: 'contains binary data (NUL byte on line 3); is this really a Markdown runbook?' },
      { name: '/tmp/empty.md', message: 'is empty; there is nothing to import' },
    ]);
    expect(library.list()).toEqual(before);
    expect(library.search('really', 10)).toEqual([]);
  });

  it('still imports the good files of a batch that has a bad one', () => {
    const result = library.importFiles([seeds[0]!, { path: 'bad.md', text: '\0' }, seeds[1]!]);
    expect(result.imported).toHaveLength(2);
    expect(result.errors.map((e) => e.name)).toEqual(['bad.md']);
  });

  it('replaces a runbook re-imported from the same path: same id, new text, new search entries', () => {
    library.importFiles([{ path: '/ops/api.md', text: '# API\n\n## Restart\n\n1. Run:\n   ```bash\n   systemctl restart legacyd\n   ```\n' }]);
    const [first] = library.list();
    now = new Date('2026-11-25T11:00:00Z');
    const result = library.importFiles([{ path: '/ops/api.md', text: '# API v2\n\n## Restart\n\n1. Run:\n   ```bash\n   kubectl rollout restart deploy/api\n   ```\n' }]);
    const list = library.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: first!.id, title: 'API v2', importedAt: now.toISOString() });
    expect(result.imported[0]!.id).toBe(first!.id);
    expect(library.search('legacyd', 10)).toEqual([]);
    expect(library.search('rollout', 10).map((h) => h.runbookId)).toEqual([first!.id]);
    expect(library.get(first!.id).runbook.title).toBe('API v2');
  });

  it('deletes a runbook and its search entries', () => {
    library.importFiles(seeds);
    const id = idOf('003');
    library.delete(id);
    expect(library.list().map((r) => r.id)).not.toContain(id);
    expect(library.search('wrangler', 50).map((h) => h.runbookId)).not.toContain(id);
    expect(() => library.get(id)).toThrow(ApiError);
    expect(() => library.delete(id)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => library.get('no-such-id')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('survives a fresh start on the same database file', () => {
    library.importFiles(seeds);
    db.close();
    db = openStore(dir.path).db;
    library = new RunbookLibrary(db, clock);
    expect(library.list()).toHaveLength(5);
    expect(library.search('wrangler', 50).length).toBeGreaterThan(0);
  });
});

describe('search', () => {
  beforeEach(() => {
    library.importFiles(seeds);
  });

  it('finds `wrangler` in the steps of seed 000 and seed 003, at the step that uses it', () => {
    const hits = library.search('wrangler', 50);
    const steps = hits.filter((h) => h.kind === 'step');
    expect(new Set(steps.map((h) => h.runbookId))).toEqual(new Set([idOf('000'), idOf('003')]));
    for (const h of hits) expect(() => SearchHit.parse(h)).not.toThrow();
    const check = steps.find((h) => h.stepTitle === 'Check Recent Deployments')!;
    expect(check).toMatchObject({ runbookTitle: 'Troubleshooting Runbooks', procedureTitle: 'Worker Not Responding › Diagnosis Steps', line: 32 });
    const runbook = library.get(check.runbookId).runbook;
    expect(runbook.procedures[check.procedureIndex!]!.steps[check.stepIndex!]!.title).toBe('Check Recent Deployments');
  });

  it('matches the last word as a prefix while typing', () => {
    expect(library.search('wrang', 50).length).toBe(library.search('wrangler', 50).length);
    expect(library.search('kubectl sca', 10)[0]).toMatchObject({ kind: 'step', stepTitle: 'If agents healthy but queue still growing → scale agent cluster' });
  });

  it('finds a procedure by the id in its heading', () => {
    const [hit] = library.search('RB-04', 5);
    expect(hit).toMatchObject({ kind: 'procedure', procedureTitle: 'D1 Errors / Contention', line: 130 });
  });

  it('returns a short snippet with the matched words highlighted', () => {
    for (const h of library.search('pg_stat_activity', 20)) {
      expect(h.snippet.length).toBeLessThanOrEqual(170);
      expect(h.highlights.length).toBeGreaterThan(0);
      for (const [a, b] of h.highlights) expect(h.snippet.slice(a, b).toLowerCase()).toContain('pg_stat_activity');
    }
  });

  it('never lets what is typed become an FTS error', () => {
    for (const q of ['"(*', '"', '*', 'AND', 'NOT OR', 'NEAR(a b', '{title}:', 'title:x', '^start', '-', "'; DROP TABLE runbooks; --", 'a"b', '(((', '\u0000', 'ünïcödé', '🚀 deploy']) {
      expect(() => library.search(q, 10), q).not.toThrow();
    }
    expect(library.search('', 10)).toEqual([]);
    expect(library.search('   ', 10)).toEqual([]);
    expect(library.search('"(*', 10)).toEqual([]);
    expect(library.list()).toHaveLength(5);
  });

  it('respects the limit', () => {
    expect(library.search('check', 3)).toHaveLength(3);
  });
});

describe('bundled runbooks', () => {
  it('imports every bundled runbook cleanly: procedures with steps and commands, no warnings', () => {
    const imported = library.importBundled(bundledDir);
    expect(imported.length).toBeGreaterThanOrEqual(3);
    for (const summary of imported) {
      expect(summary).toMatchObject({ bundled: true });
      expect(summary.sourcePath).toBe(`bundled:${summary.sourceName}`);
      expect(summary.procedureCount).toBeGreaterThan(0);
      expect(summary.commandCount).toBeGreaterThan(0);
      const { runbook } = library.get(summary.id);
      expect(runbook.warnings, summary.sourceName).toEqual([]);
      expect(runbook.looseCommands, summary.sourceName).toEqual([]);
      expect(runbook.escalation.length, summary.sourceName).toBeGreaterThan(0);
      expect(runbook.procedures.some((p) => p.recoveryTargetMinutes !== null), summary.sourceName).toBe(true);
      expect(runbook.procedures.some((p) => p.triggers.length > 0), summary.sourceName).toBe(true);
    }
  });

  it('imports only what is missing or changed, keeping ids', () => {
    const folder = path.join(dir.path, 'bundled');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'a.md'), '# A\n\n## Fix\n\n1. `systemctl restart a`\n');
    writeFileSync(path.join(folder, 'b.md'), '# B\n\n## Fix\n\n1. `systemctl restart b`\n');
    writeFileSync(path.join(folder, 'notes.txt'), 'not a runbook');
    expect(library.importBundled(folder).map((r) => r.sourceName)).toEqual(['a.md', 'b.md']);
    expect(library.importBundled(folder)).toEqual([]);
    const idOfB = library.list().find((r) => r.sourceName === 'b.md')!.id;
    writeFileSync(path.join(folder, 'b.md'), '# B, revised\n\n## Fix\n\n1. `systemctl restart b`\n');
    expect(library.importBundled(folder).map((r) => [r.sourceName, r.id, r.title])).toEqual([['b.md', idOfB, 'B, revised']]);
    library.delete(idOfB);
    expect(library.importBundled(folder).map((r) => r.sourceName)).toEqual(['b.md']);
    rmSync(folder, { recursive: true });
    expect(library.importBundled(folder)).toEqual([]);
  });
});

describe('editing a command', () => {
  const text = [
    '# API', // 1
    '', // 2
    '## Restart', // 3
    '', // 4
    '1. Drain:', // 5
    '   ```bash', // 6
    '   kubectl drain node-1', // 7
    '   ```', // 8
    '2. Restart:', // 9
    '   ```bash', // 10
    '   systemctl restart api', // 11
    '   systemctl status api', // 12
    '   ```', // 13
    '3. Check `curl -fsS http://localhost:8080/health`', // 14
    '',
  ].join('\r\n');
  /** The text with lines `from`..`to` (1-based, inclusive) replaced. */
  const withLines = (from: number, to: number, lines: string[]) => {
    const all = text.split('\r\n');
    all.splice(from - 1, to - from + 1, ...lines);
    return all.join('\r\n');
  };

  it('rewrites only that block of an upload, and the library follows', () => {
    const [summary] = library.importFiles([{ path: 'api.md', text }]).imported;
    expect(summary).toMatchObject({ origin: 'upload', editable: true, changedAt: null });
    now = new Date('2026-11-25T12:00:00Z');
    const detail = library.updateCommand(summary!.id, 10, 'kubectl rollout restart deploy/api');
    expect(detail.sourceText).toBe(withLines(11, 12, ['   kubectl rollout restart deploy/api']));
    expect(detail.summary).toMatchObject({ id: summary!.id, changedAt: now.toISOString(), origin: 'upload' });
    expect(detail.runbook.procedures[0]!.steps[1]!.commands[0]!.code).toBe('kubectl rollout restart deploy/api');
    expect(library.search('rollout', 5).map((h) => h.runbookId)).toEqual([summary!.id]);
    expect(library.search('systemctl', 5)).toEqual([]);
  });

  it('writes a folder runbook’s file first, changing only that block’s bytes', () => {
    const folder = path.join(dir.path, 'ops');
    mkdirSync(folder);
    const file = path.join(folder, 'api.md');
    writeFileSync(file, text, { mode: 0o640 });
    const [summary] = library.importFiles([{ path: file, text, origin: 'folder', changedAt: '2026-01-01T00:00:00.000Z' }]).imported;
    expect(summary).toMatchObject({ origin: 'folder', editable: true });
    const detail = library.updateCommand(summary!.id, 6, 'kubectl drain node-1 --ignore-daemonsets\nkubectl get nodes');
    const expected = withLines(7, 7, ['   kubectl drain node-1 --ignore-daemonsets', '   kubectl get nodes']);
    expect(readFileSync(file, 'utf8')).toBe(expected);
    expect(detail.sourceText).toBe(expected);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(folder)).toEqual(['api.md']);
    expect(detail.summary.changedAt).toBe(statSync(file).mtime.toISOString());
  });

  it('refuses to overwrite a folder file changed on disk meanwhile, changing nothing', () => {
    const file = path.join(dir.path, 'api.md');
    writeFileSync(file, text);
    const [summary] = library.importFiles([{ path: file, text, origin: 'folder' }]).imported;
    writeFileSync(file, `${text}\nEdited in an editor.\n`);
    expect(() => library.updateCommand(summary!.id, 6, 'true')).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining('changed on disk') }));
    expect(readFileSync(file, 'utf8')).toBe(`${text}\nEdited in an editor.\n`);
    expect(library.get(summary!.id).sourceText).toBe(text);
  });

  it('refuses bundled runbooks and lines where no command starts, saying what to do', () => {
    const [bundled] = library.importBundled(bundledDir);
    expect(bundled).toMatchObject({ origin: 'bundled', editable: false });
    expect(() => library.updateCommand(bundled!.id, 1, 'true')).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining('ships with Watchfloor and is read-only') }));
    const [upload] = library.importFiles([{ path: 'api.md', text }]).imported;
    expect(() => library.updateCommand(upload!.id, 2, 'true')).toThrow(expect.objectContaining({ code: 'invalid_arguments', message: expect.stringContaining('no command starts on line 2') }));
    expect(library.get(upload!.id).sourceText).toBe(text);
  });
});
