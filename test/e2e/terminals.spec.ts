import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createEnvironment, goTo, makeCurrent, repoRoot } from '../support/operator';
import { startHost, type Host } from './host';

// Local terminals against the real headless host and a real shell: open one locked to the
// production environment, run a command whose output only the shell can produce, split and open
// a second one beside it.

const shots = resolve(repoRoot, 'docs/screenshots');
let dataDir: string;
let host: Host | null = null;

test.beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-terminals-'));
  mkdirSync(shots, { recursive: true });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const terminals = (page: Page) => page.getByRole('region', { name: /^Terminal / });
const rows = (terminal: Locator) => terminal.locator('.xterm-rows');

/** Types a command line once the shell has drawn its prompt (xterm's DOM rows, not React). */
async function run(page: Page, terminal: Locator, command: string): Promise<void> {
  await expect.poll(async () => (await rows(terminal).innerText()).trim().length).toBeGreaterThan(0);
  await terminal.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

test('an operator opens a terminal in production, runs a command, and splits a second one beside it', async ({ page }) => {
  host = await startHost(dataDir);
  await page.goto(host.url);
  await createEnvironment(page, 'Production', 'production');
  await makeCurrent(page, 'Production');

  await goTo(page, 'Terminals');
  await page.getByRole('button', { name: 'New terminal' }).click();
  const first = terminals(page).first();
  await expect(first).toBeVisible();
  await expect(first.locator('header')).toContainText('Production');
  await expect(first.locator('header')).toContainText('local');

  await run(page, first, 'echo watchfloor-$((6*7))');
  await expect(rows(first)).toContainText('watchfloor-42');

  await page.getByRole('button', { name: 'Split' }).click();
  await expect(terminals(page)).toHaveCount(2);
  const right = terminals(page).nth(1);
  await run(page, right, 'echo second-$((20+1))');
  await expect(rows(right)).toContainText('second-21');
  await expect(page.getByRole('tab')).toHaveCount(2);

  for (const dismiss of await page.getByRole('button', { name: 'Dismiss notification' }).all()) await dismiss.click();
  await page.mouse.move(1200, 880);
  await page.screenshot({ path: join(shots, 'terminals.png') });

  // Search in scrollback, from the keyboard.
  await first.locator('.xterm-helper-textarea').focus();
  await page.keyboard.press('Control+Shift+F');
  await first.getByRole('searchbox', { name: 'Find in scrollback' }).fill('watchfloor-42');
  await page.keyboard.press('Escape');
  await expect(first.getByRole('searchbox')).toHaveCount(0);

  // Leaving the page disposes the xterms; coming back replays each shell's kept scrollback.
  await goTo(page, 'Runbooks');
  await goTo(page, 'Terminals');
  await expect(rows(terminals(page).first())).toContainText('watchfloor-42');
  await expect(rows(terminals(page).nth(1))).toContainText('second-21');

  // Two shells in one environment share a title: the second is numbered, so names stay unique.
  const second = (await page.getByRole('tab').nth(1).innerText()).trim();
  await page.getByRole('button', { name: `Close terminal ${second}`, exact: true }).click();
  await expect(page.getByRole('tab')).toHaveCount(1);
  await expect(terminals(page)).toHaveCount(1);
});
