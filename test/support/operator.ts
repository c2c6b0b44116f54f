/**
 * What an operator does in the UI, step by step, for the end-to-end suites on both hosts
 * (test/e2e against `watchfloor serve`, test/electron against the desktop app). Accessible roles
 * and names only, as a screen reader would find them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Download, type Locator, type Page } from '@playwright/test';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The five seed runbooks, beside the repository (see ../shared/seeds/README.md). */
export const seedsDir = resolve(repoRoot, '../shared/seeds');
export const seedFiles = (): string[] =>
  readdirSync(seedsDir)
    .filter((f) => /^\d{3}_.*\.txt$/.test(f))
    .sort()
    .map((f) => join(seedsDir, f));

export async function goTo(page: Page, section: 'Incidents' | 'Runbooks' | 'Alerts' | 'Terminals' | 'Environments'): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section }).click();
}

export async function createEnvironment(page: Page, name: string, tier: 'production' | 'staging' | 'development' | 'other'): Promise<void> {
  await goTo(page, 'Environments');
  await page.getByRole('button', { name: 'New environment' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Tier').selectOption(tier);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('list', { name: 'Environments' })).toContainText(name);
}

export async function makeCurrent(page: Page, name: string): Promise<void> {
  const select = page.getByLabel('Current environment');
  const value = await select.locator('option', { hasText: name }).first().getAttribute('value');
  await select.selectOption(value ?? '');
}

export const productionBanner = (page: Page) => page.getByRole('note', { name: 'Production environment' });

export async function importSeeds(page: Page): Promise<void> {
  await goTo(page, 'Runbooks');
  await page.locator('input[type=file]').setInputFiles(seedFiles());
  await expect(page.getByText(/Imported 5 runbooks/)).toBeVisible();
}

/** `wrangler` is in two seeds: 000 ("Runbooks — TorrentFlow") and 003 (Grey Haven's "Troubleshooting Runbooks"). */
export async function searchWrangler(page: Page): Promise<void> {
  await goTo(page, 'Runbooks');
  await page.getByLabel('Search runbooks').fill('wrangler');
  const results = page.getByRole('list', { name: 'Search results' });
  await expect(results).toContainText('Runbooks — TorrentFlow');
  await expect(results).toContainText('Troubleshooting Runbooks');
  await page.getByLabel('Search runbooks').fill('');
}

/** Opens seed 000 from the library and sees RB-01: six steps, each with its code and source line. */
export async function openFirstSeed(page: Page): Promise<void> {
  await goTo(page, 'Runbooks');
  await page.getByRole('list', { name: 'Runbooks in the library' }).getByRole('button', { name: /000_3723614815b4bca7\.txt/ }).click();
  await expect(page.getByRole('navigation', { name: 'Procedures in this runbook' })).toContainText(/RB-01/);
  const rb01 = page.getByRole('list', { name: /^Steps of RB-01/ });
  await expect(rb01.locator(':scope > li')).toHaveCount(6);
  const commands = rb01.getByRole('figure', { name: /^Command, / });
  await expect(commands).toHaveCount(6);
  await expect(commands.nth(0)).toContainText('curl -H "Authorization: Bearer $TOKEN" https://agent.internal/agent/health');
  await expect(commands.nth(0)).toHaveAccessibleName(/line 16$/); // the opening fence
  await expect(commands.nth(3)).toContainText('kubectl scale deployment torrentflow-agent --replicas=10');
}

export const library = (page: Page) => page.getByRole('list', { name: 'Runbooks in the library' });

/** The library entry of a runbook, found by its file name (part of the entry's accessible name). */
export const libraryItem = (page: Page, fileName: RegExp) => library(page).getByRole('button', { name: fileName });

/** Adds a watched folder through the Sources dialog and waits until it is listed. */
export async function addFolderSource(page: Page, path: string): Promise<void> {
  await goTo(page, 'Runbooks');
  await page.getByRole('button', { name: /^Sources/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Runbook sources' });
  await dialog.getByRole('textbox', { name: 'Folder path' }).fill(path);
  await dialog.getByRole('button', { name: 'Add folder' }).click();
  await expect(dialog.getByRole('list', { name: 'Sources' }).getByRole('listitem', { name: path })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
}

/** Rewrites the code of the open runbook's command that starts on `line`, through its inline editor. */
export async function editCommand(page: Page, line: number, code: string): Promise<void> {
  const command = page.getByRole('figure', { name: new RegExp(`, line ${line}$`) });
  await command.getByRole('button', { name: `Edit command from line ${line}` }).click();
  await command.getByRole('textbox', { name: `Code of the command from line ${line}` }).fill(code);
  await command.getByRole('button', { name: 'Save' }).click();
  await expect(command.getByRole('textbox', { name: `Code of the command from line ${line}` })).toBeHidden();
  await expect(command.locator('pre')).toContainText(code);
}

/** Imports one runbook file through the library's file input, as a drop or the picker would. */
export async function importRunbookFile(page: Page, name: string, text: string): Promise<void> {
  await goTo(page, 'Runbooks');
  await page.locator('input[type=file]').setInputFiles({ name, mimeType: 'text/markdown', buffer: Buffer.from(text) });
  await expect(page.getByText(/Imported 1 runbook/)).toBeVisible();
}

/** Opens a terminal from the "New terminal" menu: "Local shell", "SSH: web-1", ... */
export async function openNewTerminal(page: Page, choice: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: 'New terminal' }).first().click();
  await page.getByRole('menu', { name: 'New terminal' }).getByRole('menuitem', { name: choice }).click();
}

/** The terminals shown on the Terminals page (one, or two side by side). */
export const terminalPanes = (page: Page) => page.getByRole('region', { name: /^Terminal / });
/** What xterm drew (its DOM rows), not React's state. */
export const terminalRows = (terminal: Locator) => terminal.locator('.xterm-rows');

/** Types a command line into a terminal once its shell has drawn a prompt. */
export async function typeInTerminal(page: Page, terminal: Locator, command: string): Promise<void> {
  await expect.poll(async () => (await terminalRows(terminal).innerText()).trim().length).toBeGreaterThan(0);
  await terminal.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** Clears the toasts and parks the mouse, so a screenshot shows the page and nothing on top of it. */
export async function tidyForScreenshot(page: Page): Promise<void> {
  // One at a time: each dismissal (or a success toast timing out) moves the rest.
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  for (let i = 0; i < 10 && (await dismiss.count()) > 0; i++) await dismiss.first().click({ timeout: 2_000 }).catch(() => undefined);
  await page.mouse.move(1200, 880);
}

/** The alert feed's list, and one alert in it by name (its row's name is "<severity> <alert name>"). */
export const alertFeed = (page: Page) => page.getByRole('list', { name: 'Alerts' });
export const alertRow = (page: Page, name: string | RegExp) =>
  alertFeed(page).getByRole('listitem', { name: typeof name === 'string' ? new RegExp(`^P[1-4] ${escapeRegExp(name)}$`) : name });
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Adds an alert source through the Alerts page's Sources dialog: `kind` as the Kind list shows it
 * ("Alertmanager", "HTTP health check"…), then each field by its label. Waits until it is listed.
 */
export async function addAlertSource(page: Page, kind: string, name: string, fields: Record<string, string>): Promise<void> {
  await goTo(page, 'Alerts');
  await page.getByRole('button', { name: /^(Sources|Add an alert source)/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Alert sources' });
  await dialog.getByRole('button', { name: 'Add source', exact: true }).click();
  const form = dialog.getByRole('form', { name: 'Add alert source' });
  await form.getByLabel('Kind').selectOption({ label: kind });
  await form.getByLabel('Name', { exact: true }).fill(name);
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label, { exact: true }).fill(value);
  await form.getByRole('button', { name: 'Add source' }).click();
  await expect(form).toBeHidden();
  await expect(dialog.getByRole('list', { name: 'Alert sources' }).getByRole('listitem', { name })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
}

/** Selects an alert with a click, then silences it from the keyboard: `s`, Enter (one hour, the comment as filled in). */
export async function silenceFromKeyboard(page: Page, name: string, beforeConfirm?: () => Promise<void>): Promise<void> {
  await alertRow(page, name).click({ position: { x: 700, y: 10 } });
  await expect(alertRow(page, name)).toHaveAttribute('aria-current', 'true');
  await page.keyboard.press('s');
  const dialog = page.getByRole('dialog', { name: `Silence ${name}` });
  await expect(dialog).toBeVisible();
  await beforeConfirm?.();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
}

/** Imports one seed runbook (`'000'` for 000_*.txt) through the library's file input. */
export async function importSeed(page: Page, prefix: string): Promise<void> {
  const file = seedFiles().find((f) => f.split('/').pop()!.startsWith(`${prefix}_`));
  if (!file) throw new Error(`no seed ${prefix}_*.txt in ${seedsDir}`);
  await goTo(page, 'Runbooks');
  await page.locator('input[type=file]').setInputFiles(file);
  await expect(page.getByText(/Imported 1 runbook/)).toBeVisible();
}

/** Selects an alert in the feed with a click and presses `i`: the incident opens on the Incidents page. */
export async function startIncidentFromKeyboard(page: Page, name: string): Promise<void> {
  await goTo(page, 'Alerts');
  await alertRow(page, name).click({ position: { x: 700, y: 10 } });
  await expect(alertRow(page, name)).toHaveAttribute('aria-current', 'true');
  await page.keyboard.press('i');
  await expect(page.getByRole('link', { name: 'Incidents' })).toHaveAttribute('aria-current', 'page');
}

/** The incident shown on the Incidents page (a region named by its title), and the list beside it. */
export const incidentList = (page: Page) => page.getByRole('navigation', { name: 'Incidents' });
export const incidentPanel = (page: Page, title: string | RegExp) =>
  page.getByRole('main').getByRole('region', { name: typeof title === 'string' ? new RegExp(`^${escapeRegExp(title)}`) : title });

/** Writes a note from the keyboard (`n`, the text, Enter) and waits until the journal says it is saved. */
export async function addIncidentNote(page: Page, text: string): Promise<void> {
  await page.keyboard.press('n');
  const box = page.getByRole('textbox', { name: 'Note' });
  await expect(box).toBeFocused();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await expect(page.getByText('Saved to the journal')).toBeVisible();
  await expect(box).toHaveValue('');
  await page.getByRole('tab', { name: /^Timeline/ }).click();
  await expect(page.getByRole('list', { name: 'Journal events' })).toContainText(text);
}

/** The incident's walkthrough, and one of its settled or upcoming steps by number ("Step 2: …, skipped"). */
export const walkthrough = (page: Page) => page.getByRole('main').getByRole('region', { name: 'Walkthrough' });
export const walkStep = (page: Page, n: number) => walkthrough(page).getByLabel(new RegExp(`^Step ${n}: `));

/** The report export dialog (the incident page's Export, `e`, or Shift hand-off). */
export const exportDialog = (page: Page, name: string | RegExp = /^(Export report|Shift hand-off)$/) => page.getByRole('dialog', { name });

/**
 * Picks a format in the open export dialog ("Markdown", "HTML", "PDF", "JSON bundle"), clicks
 * Export and returns the file the browser downloaded, with the name the core gave it.
 */
export async function exportAs(page: Page, format: 'Markdown' | 'HTML' | 'PDF' | 'JSON bundle'): Promise<{ fileName: string; bytes: Buffer; download: Download }> {
  const dialog = exportDialog(page);
  await dialog.getByRole('radio', { name: new RegExp(`^${escapeRegExp(format)} `) }).check();
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export', exact: true }).click()]);
  await expect(dialog).toBeHidden();
  const path = await download.path();
  return { fileName: download.suggestedFilename(), bytes: readFileSync(path), download };
}
