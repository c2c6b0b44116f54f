import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { addFolderSource, editCommand, libraryItem } from '../support/operator';
import { tempDir } from '../support/temp';
import { startHost, type Host } from './host';

// A watched folder, as an operator lives it against `watchfloor serve`: add it through the UI, see
// its runbook in the library, change the file and watch the library follow, edit one command in
// the UI and find only that block changed on disk, delete the file and find the runbook archived.

let dataDir: string;
let folder: ReturnType<typeof tempDir>;
let host: Host | null = null;

test.beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-sources-'));
  folder = tempDir('watchfloor-e2e-folder-');
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  folder.cleanup();
});

/** Two steps, each with a fenced command: the second one's fence opens on line 10. */
const runbook = (title: string) =>
  [
    `# ${title}`,
    '',
    '## Drain the queue',
    '',
    '1. Check the queue depth',
    '   ```bash',
    '   curl -s http://localhost:9000/queue/depth',
    '   ```',
    '2. Restart the consumer',
    '   ```bash',
    '   systemctl restart queue-consumer',
    '   ```',
    '',
    'Recovery time target: < 15 min',
    '',
  ].join('\n');

test('the library follows a watched folder: add, change, edit a command, delete', async ({ page }) => {
  const file = join(folder.path, 'queue-backlog.md');
  writeFileSync(file, runbook('Queue backlog'));
  host = await startHost(dataDir);
  await page.goto(host.url);
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();

  await addFolderSource(page, folder.path);
  const entry = libraryItem(page, /queue-backlog\.md/);
  await expect(entry).toContainText('Queue backlog');
  await expect(entry).toContainText('Folder');

  // The file changes on disk: the library shows the new title within seconds, nobody clicks.
  writeFileSync(file, runbook('Queue backlog, revised'));
  await expect(entry).toContainText('Queue backlog, revised', { timeout: 10_000 });

  // Edit the second command through the UI: only that block's bytes change on disk.
  await entry.click();
  await expect(page.getByRole('heading', { level: 2, name: 'Queue backlog, revised' })).toBeVisible();
  const before = readFileSync(file, 'utf8').split('\n');
  await editCommand(page, 10, 'systemctl restart queue-consumer --no-block');
  await expect.poll(() => readFileSync(file, 'utf8'), { timeout: 10_000 }).toContain('queue-consumer --no-block');
  const after = readFileSync(file, 'utf8').split('\n');
  expect(after.slice(0, 10)).toEqual(before.slice(0, 10)); // up to and including the opening fence
  expect(after.slice(11)).toEqual(before.slice(11)); // the closing fence and everything after it
  expect(after[10]).toBe('   systemctl restart queue-consumer --no-block');

  // The file is deleted: the runbook stays, archived and read-only.
  unlinkSync(file);
  await expect(entry).toContainText('Archived', { timeout: 10_000 });
  await expect(page.getByRole('note').filter({ hasText: 'Archived: its file was removed from the folder; kept read-only' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Edit command from line/ })).toHaveCount(0);
});
