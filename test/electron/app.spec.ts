/**
 * The foundation scenario in the desktop app: a fresh data dir, a production environment and its
 * red banner, the five seeds imported through the file input, a search, a runbook opened, and all
 * of it still there after the app is relaunched on the same data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { findElectron } from '../../scripts/electron-binary.mjs';
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

const binary = findElectron(repoRoot);
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skipReason =
  binary.path === null
    ? `Electron binary not installed: ${binary.reason}`
    : !hasDisplay
      ? 'No display for Electron: run this suite under xvfb-run'
      : null;
// The list reporter shows a skipped test without its reason: say it once, where it is read.
if (skipReason) console.log(`SKIPPED the desktop app suite. ${skipReason}.`);

async function launch(dataDir: string): Promise<{ app: ElectronApplication; page: Page }> {
  const env: Record<string, string> = { WATCHFLOOR_DATA_DIR: dataDir };
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE' && key !== 'WATCHFLOOR_DATA_DIR') env[key] = value;
  }
  const app = await electron.launch({
    executablePath: binary.path ?? undefined,
    // Chromium will not start as root with its sandbox; renderers stay sandbox: true regardless.
    args: [join(repoRoot, 'out', 'main', 'index.js'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    env,
  });
  const page = await app.firstWindow();
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  return { app, page };
}

test.describe('the desktop app', () => {
  test.skip(skipReason !== null, skipReason ?? '');

  let dataDir: string;
  test.beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-electron-'));
  });
  test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('sets up an environment, imports and finds runbooks, and keeps them across a relaunch', async () => {
    const first = await launch(dataDir);
    try {
      await createEnvironment(first.page, 'Production', 'production');
      await makeCurrent(first.page, 'Production');
      await expect(productionBanner(first.page)).toContainText('PRODUCTION — Production');
      await importSeeds(first.page);
      await searchWrangler(first.page);
      await openFirstSeed(first.page);
    } finally {
      await first.app.close();
    }

    const second = await launch(dataDir);
    try {
      await expect(productionBanner(second.page)).toContainText('PRODUCTION — Production');
      await openFirstSeed(second.page);
      await goTo(second.page, 'Environments');
      await expect(second.page.getByRole('list', { name: 'Environments' })).toContainText('Production');
    } finally {
      await second.app.close();
    }
  });
});
