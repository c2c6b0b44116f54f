import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp';

// The built command, as a team's CI runs it: `node bin/watchfloor.js lint ...`.
const root = resolve(__dirname, '../..');
const dir = tempDir();

beforeAll(() => {
  // Always build: a stale out/main/cli.js would test yesterday's linter.
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`);
}, 180_000);
afterAll(() => dir.cleanup());

const lint = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/watchfloor.js'), 'lint', ...args], { cwd: dir.path, encoding: 'utf8' });

const clean = [
  '---',
  'recovery_target: 15 min',
  'variables: [namespace]',
  '---',
  '# Web API',
  '',
  '## API-01: Restart the web API',
  '',
  '1. **Restart it**',
  '   ```bash {confirm}',
  '   kubectl -n <namespace> delete pod -l app=web',
  '   ```',
  '',
].join('\n');
const broken = clean.replace('```bash {confirm}', '```bash');

describe('watchfloor lint', () => {
  it('exits 0 on a clean runbook and says so in its summary', () => {
    writeFileSync(join(dir.path, 'clean.md'), clean);
    const r = lint('clean.md');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0 error(s), 0 warning(s) in 1 file(s)\n');
    expect(r.status).toBe(0);
  });

  it('exits 1 on a runbook with an error, printing path:line: severity rule: message', () => {
    writeFileSync(join(dir.path, 'broken.md'), broken);
    const r = lint('broken.md', 'clean.md');
    expect(r.stdout).toMatch(/^broken\.md:10: error destructive-without-confirm: `kubectl -n <namespace> delete pod -l app=web` is destructive; .*\n/);
    expect(r.stdout).toMatch(/\n1 error\(s\), 0 warning\(s\) in 2 file\(s\)\n$/);
    expect(r.status).toBe(1);
  });

  it('exits 0 when there are only warnings, and prints JSON with --json', () => {
    writeFileSync(join(dir.path, 'warn.md'), clean.replace('variables: [namespace]\n', ''));
    const r = lint('warn.md', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { files: { path: string; findings: { rule: string; severity: string; line: number }[] }[] };
    expect(out.files).toEqual([{ path: 'warn.md', findings: [expect.objectContaining({ rule: 'undefined-placeholder', severity: 'warning', line: 9 })] }]);
  });

  it('checks every Markdown file in a folder, such as the bundled runbooks', () => {
    const r = lint(join(root, 'runbooks'));
    expect(r.stdout).toMatch(/^0 error\(s\), 0 warning\(s\) in [1-9]\d* file\(s\)\n$/);
    expect(r.status).toBe(0);
  });

  it('reports a missing file as an error in one line, with no stack trace', () => {
    const r = lint('missing.md');
    expect(r.stdout).toBe('missing.md:0: error unreadable: cannot check it: no such file\n1 error(s), 0 warning(s) in 1 file(s)\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
  });
});
