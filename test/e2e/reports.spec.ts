import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { IncidentBundle } from '../../shared/contract';
import { addIncidentNote, exportAs, exportDialog, goTo, importSeed, incidentList, incidentPanel, repoRoot, tidyForScreenshot, walkStep } from '../support/operator';
import { startHost, type Host } from './host';

// Issue 8 end to end against `watchfloor serve`: an incident on RB-01 in a staging environment; the
// operator marks step 1 done and writes three notes, one with a bearer token and one with a
// password that is put in the vault only afterwards (notes are redacted as they are written, so
// only a secret the vault learns later is still in the journal in clear: export must catch it). Export (`e`) shows what redaction takes out before anything is
// saved; the incident is exported as Markdown, HTML, PDF and a JSON bundle, each download read
// back: the notes and the timeline are there, the token and the secret are not. The JSON bundle is
// imported through the UI and shows under Imported, read-only, with its chain verified.

const shots = resolve(repoRoot, 'docs/screenshots');
const TOKEN = 'abc.def.ghi';
const SECRET = 'hunter2-e2e-vault-Vq8s3';
const TITLE = 'Billing queue backlog (export e2e)';
const NOTES = {
  token: `curl from the bastion with Authorization: Bearer ${TOKEN} answers 503`,
  secret: `rotated the DB password, old one was ${SECRET}`,
  plain: 'consumer restarted at 14:02, backlog draining',
};
let dataDir: string;
let host: Host | null = null;

test.beforeAll(() => {
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-reports-'));
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The report's bytes hold what the operator wrote, and no secret in any shape. */
function expectRedacted(text: string) {
  expect(text).toContain(NOTES.plain);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(SECRET);
}

test('export an incident in four formats with secrets redacted, then import its bundle read-only', async ({ page }) => {
  host = await startHost(dataDir);
  await page.goto(host.url);
  await importSeed(page, '000');

  // What this test is not about, set up as the UI would save it: a vault, the incident's
  // environment, and the incident itself on RB-01.
  const client = await host.connect();
  await client.api.call('secrets.setup', { passphrase: 'e2e-vault-passphrase' });
  const env = await client.api.call('environments.create', { name: 'Staging', tier: 'staging', color: '#f76b15', variables: [] });
  const runbook = (await client.api.call('runbooks.list', {})).find((r) => r.title.includes('TorrentFlow'));
  expect(runbook).toBeDefined();
  await client.api.call('incidents.start', { title: TITLE, severity: 'P2', environmentId: env.id, runbookId: runbook!.id, procedureId: 'RB-01', commander: 'Dana' });

  await goTo(page, 'Incidents');
  await incidentList(page).getByRole('button', { name: new RegExp(TITLE.replace(/[()]/g, '\\$&')) }).click();
  const incident = incidentPanel(page, TITLE);
  await expect(incident).toBeVisible();
  await page.keyboard.press('d');
  await expect(walkStep(page, 1)).toHaveAccessibleName(/, done$/);
  for (const note of Object.values(NOTES)) await addIncidentNote(page, note);
  await client.api.call('secrets.set', { environmentId: env.id, name: 'DB_PASSWORD', value: SECRET });
  client.close();

  // `e` opens Export: the redaction count is there before anything is saved.
  await page.keyboard.press('e');
  const dialog = exportDialog(page, 'Export report');
  await expect(dialog).toBeVisible();
  const count = dialog.getByRole('status').filter({ hasText: /redact/ });
  await expect(count).toHaveText(/^\s*\d+ values redacted: .*bearer tokens?/);
  await expect(count).toContainText(/vault secrets?/);
  const preview = dialog.getByLabel('Preview (Markdown, as redacted)');
  await expect(preview).toContainText(NOTES.plain);
  await expect(preview).not.toContainText(TOKEN);
  await expect(preview).not.toContainText(SECRET);
  await tidyForScreenshot(page);
  await page.screenshot({ path: join(shots, 'report-export.png') });

  // The template editor, in the same dialog: an unknown placeholder is refused with its name, Esc goes back.
  await dialog.getByRole('button', { name: 'Edit template' }).click();
  const editor = page.getByRole('dialog', { name: 'Report template' });
  const template = editor.getByRole('textbox', { name: 'Report template' });
  await expect(template).toHaveValue(/\{\{\w+\}\}/);
  await expect(editor.getByRole('button', { name: /^Insert \{\{/ }).first()).toBeVisible();
  await template.press('Control+End');
  await page.keyboard.type('\n{{no_such_field}}');
  await editor.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(editor.getByRole('alert')).toContainText('no_such_field');
  await page.screenshot({ path: join(shots, 'report-template.png') });
  await page.keyboard.press('Escape');
  await expect(dialog.getByRole('radio', { name: /^Markdown / })).toBeVisible();

  // Markdown and HTML: the notes and the timeline (the step marked done), no secrets.
  const md = await exportAs(page, 'Markdown');
  expect(md.fileName).toMatch(/\.md$/);
  expectRedacted(md.bytes.toString('utf8'));
  expect(md.bytes.toString('utf8')).toContain('Check all compute agents are online');

  await page.keyboard.press('e');
  const html = await exportAs(page, 'HTML');
  expect(html.fileName).toMatch(/\.html$/);
  const htmlText = html.bytes.toString('utf8');
  expect(htmlText.trimStart().slice(0, 15).toLowerCase()).toBe('<!doctype html>');
  expectRedacted(htmlText);
  expect(htmlText).toContain('Check all compute agents are online');
  const htmlFile = join(dataDir, html.fileName);
  await html.download.saveAs(htmlFile);

  await page.keyboard.press('e');
  const pdf = await exportAs(page, 'PDF');
  expect(pdf.fileName).toMatch(/\.pdf$/);
  expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

  await page.keyboard.press('e');
  const json = await exportAs(page, 'JSON bundle');
  expect(json.fileName).toMatch(/\.json$/);
  const jsonText = json.bytes.toString('utf8');
  expect(jsonText).not.toContain(TOKEN);
  expect(jsonText).not.toContain(SECRET);
  const bundle = IncidentBundle.parse(JSON.parse(jsonText));
  expect(bundle.incident.title).toBe(TITLE);
  expect(bundle.journal.some((e) => e.kind === 'note' && e.data.text === NOTES.plain)).toBe(true);

  // The bundle imported back through the UI: under Imported, read-only, its chain verified.
  await page.getByLabel('Import an incident bundle').setInputFiles({ name: json.fileName, mimeType: 'application/json', buffer: json.bytes });
  const imported = page.getByRole('list', { name: 'Imported bundles' });
  await expect(imported).toContainText(TITLE);
  const view = page.getByRole('main').getByRole('region', { name: TITLE });
  await expect(view.getByText('Imported · read-only')).toBeVisible();
  await expect(view.getByText(/Chain verified \(\d+ events, \d+ redacted at export\)/)).toBeVisible();
  await expect(view.getByRole('list', { name: 'Journal events' })).toContainText(NOTES.plain);
  await expect(view.getByRole('textbox')).toHaveCount(0);

  // Shift hand-off: the same dialog, every open incident.
  await page.getByRole('button', { name: 'Shift hand-off' }).click();
  const handoff = exportDialog(page, 'Shift hand-off');
  await expect(handoff.getByLabel('Preview (Markdown, as redacted)')).toContainText('Billing queue backlog'); // Markdown escapes the brackets
  await expect(handoff.getByLabel('Preview (Markdown, as redacted)')).toContainText(NOTES.plain);
  await page.keyboard.press('Escape');
  await expect(handoff).toBeHidden();

  // The exported HTML as a reader opens it.
  const reader = await page.context().newPage();
  await reader.setViewportSize({ width: 1100, height: 900 });
  await reader.goto(pathToFileURL(htmlFile).href);
  await expect(reader.locator('body')).toContainText(NOTES.plain);
  await reader.screenshot({ path: join(shots, 'report-html.png') });
  await reader.close();
});
