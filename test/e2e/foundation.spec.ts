import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  createEnvironment,
  goTo,
  importSeeds,
  makeCurrent,
  openFirstSeed,
  productionBanner,
  repoRoot,
  searchWrangler,
} from '../support/operator';
import { startHost, type Host } from './host';

// The foundation scenario, as an operator would live it, against the headless host: a fresh data
// dir, a production environment, the five seed runbooks imported through the UI, a search, a
// runbook opened, and everything still there after the host restarts on the same data dir.
// It also takes the README's screenshots.

const shots = resolve(repoRoot, 'docs/screenshots');
let dataDir: string;
let host: Host | null = null;

test.beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-'));
  mkdirSync(shots, { recursive: true });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openApp(page: Page): Promise<void> {
  await host?.stop();
  host = await startHost(dataDir);
  await page.goto(host.url);
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
}

/** A README screenshot, with the pointer parked so no tooltip covers the page. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(1200, 880);
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

const library = (page: Page) => page.getByRole('list', { name: 'Runbooks in the library' });

test('an operator sets up Watchfloor, imports the seeds, finds and opens a runbook, and it all survives a restart', async ({ page }) => {
  await openApp(page);

  await createEnvironment(page, 'Staging', 'staging');
  await createEnvironment(page, 'Production', 'production');
  await makeCurrent(page, 'Production');
  await expect(productionBanner(page)).toContainText('PRODUCTION — Production');
  await shoot(page, 'environments');

  await importSeeds(page);
  await expect(productionBanner(page)).toBeVisible(); // on every page while production is in use
  await searchWrangler(page);
  await page.getByLabel('Search runbooks').fill('wrangler d1');
  await expect(page.getByRole('list', { name: 'Search results' })).toContainText('Runbooks — TorrentFlow');
  await shoot(page, 'library');
  await page.getByLabel('Search runbooks').fill('');

  await openFirstSeed(page);
  await page.getByRole('navigation', { name: 'Procedures in this runbook' }).getByRole('link', { name: /RB-01/ }).click();
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await shoot(page, 'runbook');

  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await palette.getByRole('textbox', { name: 'Search commands and runbooks' }).fill('troubleshooting');
  await expect(palette.getByRole('option').first()).toContainText('Troubleshooting Runbooks');
  await palette.getByRole('textbox', { name: 'Search commands and runbooks' }).fill('rollout');
  await expect(palette.getByRole('option').first()).toBeVisible();
  await shoot(page, 'palette');
  await palette.getByRole('textbox', { name: 'Search commands and runbooks' }).fill('troubleshooting');
  await expect(palette.getByRole('option').first()).toContainText('Troubleshooting Runbooks');
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(page.getByRole('article')).toContainText('Troubleshooting Runbooks');

  const runbookCount = await library(page).getByRole('button').count();
  expect(runbookCount).toBeGreaterThanOrEqual(8); // the five seeds and the bundled runbooks

  // Restart the host on the same data dir: everything is still there.
  await openApp(page);
  await expect(productionBanner(page)).toContainText('PRODUCTION — Production');
  await goTo(page, 'Runbooks');
  await expect(library(page).getByRole('button')).toHaveCount(runbookCount);
  await searchWrangler(page);
  await openFirstSeed(page);
  await goTo(page, 'Environments');
  await expect(page.getByRole('list', { name: 'Environments' }).getByRole('button')).toHaveCount(2);
});

test('a refused file is reported and leaves the library as it was', async ({ page }) => {
  await openApp(page);
  await goTo(page, 'Runbooks');
  const before = await library(page).getByRole('button').count();
  await page.locator('input[type=file]').setInputFiles({ name: 'binary.md', mimeType: 'text/markdown', buffer: Buffer.from('# Title\n\x00\x01\x02 binary junk\n') });
  await expect(page.getByRole('region', { name: 'Import result' }).getByRole('alert')).toContainText('binary.md');
  await expect(library(page).getByRole('button')).toHaveCount(before);
});
