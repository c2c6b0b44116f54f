/**
 * `watchfloor report`, as an operator runs it: the built command on a data dir where a real core
 * ran a scripted incident. Each of md, html and json lands in --out, redacted; pdf without a
 * printer, a locked vault and an unknown id each give one clear line and exit status 1.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core';
import { dispatch } from '../../electron/core/api/dispatch';
import { BUNDLE_FORMAT } from '../../shared/contract';
import { SECRETS, scriptIncident } from '../support/incident-report';
import { tempDir } from '../support/temp';

const root = resolve(__dirname, '../..');
const dir = tempDir();
const dataDir = join(dir.path, 'data');
const PASSPHRASE = 'correct horse battery';
let incidentId = '';

beforeAll(async () => {
  // Always build: a stale out/main/cli.js would test yesterday's command.
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`);
  const core = createCore({ dataDir, host: 'headless', bundledRunbooksDir: null, watchSources: false });
  try {
    const call = async (method: string, params: unknown) => {
      const r = await dispatch(core, method, params);
      if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
      return r.value as Record<string, unknown>;
    };
    incidentId = (await scriptIncident(call, 'http://127.0.0.1:9/canary.png')).incidentId;
  } finally {
    core.close();
  }
}, 60_000);
afterAll(() => dir.cleanup());

const report = (args: string[], env: Record<string, string> = { WATCHFLOOR_PASSPHRASE: PASSPHRASE }) =>
  spawnSync(process.execPath, [join(root, 'bin/watchfloor.js'), 'report', ...args, '--data-dir', dataDir], { cwd: dir.path, encoding: 'utf8', env: { ...process.env, ...env } });

describe('watchfloor report', () => {
  it('writes md, html and json to --out, redacted, by id or a unique start of one', () => {
    for (const format of ['md', 'html', 'json'] as const) {
      const out = join(dir.path, `report.${format}`);
      const r = report([format === 'md' ? incidentId.slice(0, 8) : incidentId, '--format', format, '--out', out]);
      expect(r.stderr).toMatch(new RegExp(`^wrote .*report\\.${format} \\(\\d+ bytes\\); 8 value\\(s\\) redacted \\(AWS key: 3, .*vault secret: 1\\)\\n$`));
      expect(r.status).toBe(0);
      const bytes = readFileSync(out, 'utf8');
      for (const secret of Object.values(SECRETS)) expect(bytes, `${format} leaks ${secret}`).not.toContain(secret);
      expect(bytes).toContain('depth=2048 key=[redacted]');
      if (format === 'json') expect(JSON.parse(bytes)).toMatchObject({ format: BUNDLE_FORMAT, incident: { id: incidentId } });
      else expect(bytes).toContain('Time to acknowledge');
      if (format === 'html') expect(bytes).not.toMatch(/<script|<img|<iframe/i);
    }
  });

  it('writes to standard output without --out, and the hand-off too', () => {
    const md = report([incidentId, '--format', 'md']);
    expect(md.status).toBe(0);
    expect(md.stdout).toMatch(/^# Incident Report - \d{4}-\d{2}-\d{2}: Queue backlog on the EU cluster\n/);
    const handoff = report(['--handoff', '--format', 'json']);
    expect(handoff.status).toBe(0);
    expect(JSON.parse(handoff.stdout)).toEqual([]); // the scripted incident is resolved
  });

  it('says clearly why it exported nothing, and exits 1', () => {
    const pdf = report([incidentId, '--format', 'pdf', '--out', join(dir.path, 'r.pdf')], { WATCHFLOOR_PASSPHRASE: PASSPHRASE, WATCHFLOOR_CHROMIUM: '/nonexistent/chromium' });
    expect(pdf.stderr).toMatch(/^watchfloor: PDF export needs Chromium.*Nothing was exported/);
    expect(pdf.status).toBe(1);

    const locked = report([incidentId, '--format', 'md'], { WATCHFLOOR_PASSPHRASE: '' });
    expect(locked.stderr).toBe('watchfloor: the secrets vault is locked, and its values must be redacted from the report; nothing was exported. Set WATCHFLOOR_PASSPHRASE to the vault passphrase for this command\n');
    expect(locked.status).toBe(1);

    const unknown = report(['zzzz', '--format', 'md']);
    expect(unknown.stderr).toMatch(/^watchfloor: no incident id starts with "zzzz"; nothing was exported/);
    expect(unknown.status).toBe(1);

    const both = report(['--format', 'md']);
    expect(both.stderr).toMatch(/^watchfloor: name one incident .* or pass --handoff/);
    expect(both.status).toBe(1);
  });
});
