import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { startAlertmanager, type Alertmanager } from '../support/alertmanager';
import { goTo, importSeed, incidentPanel, repoRoot, startIncidentFromKeyboard, terminalPanes, tidyForScreenshot, walkStep, walkthrough } from '../support/operator';
import { startHost, type Host } from './host';

// The walkthrough, end to end against `watchfloor serve`: a real Alertmanager alert that
// seed 000 links to RB-01 (severity=critical: P1) starts an incident with `i`; the operator walks
// four steps from the keyboard: step 1 run in a local terminal (`r`, Ctrl+Enter) then done (`d`),
// step 2 skipped with a note (`s`), step 3 done, then one of the "If …" paths chosen (`2`). The
// command and its output land in the timeline. The host is killed with SIGKILL and started again
// on the same data dir: the app resumes on the incident, on the chosen step, with steps 1-3 as
// they were and the clocks counting from when the incident opened, not from the restart.

const shots = resolve(repoRoot, 'docs/screenshots');
let dataDir: string;
const hosts: Host[] = [];
let alertmanager: Alertmanager | null = null;

test.beforeAll(() => {
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-walkthrough-'));
});
test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await alertmanager?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A 160×60 PNG (a grey gradient), built here so the test needs no fixture file. */
const PNG_SIZE = 160;
const PNG = pngOf(PNG_SIZE, 60);

function pngOf(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = 60 + Math.round((x / width) * 150);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** "1:05:09" or "12:03" as seconds. */
const seconds = (clock: string) => clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);

test('walk RB-01 from an alert, kill the host, resume on the chosen step with the right clocks', async ({ page }) => {
  alertmanager = await startAlertmanager();
  await alertmanager.postAlert(
    { alertname: 'QueueBacklog', severity: 'critical', queue: 'billing', service: 'torrentflow' },
    { summary: 'billing queue has 12,400 messages waiting for over 10 minutes' },
  );

  const host = await startHost(dataDir);
  hosts.push(host);
  // What this test is not about, set up as the UI would save it: an environment whose TOKEN fills
  // step 1's $TOKEN (curl to agent.internal then fails to resolve: its error is the output), and
  // the Alertmanager as a source of that environment, so the incident runs its steps there.
  const client = await host.connect();
  const env = await client.api.call('environments.create', { name: 'Staging', tier: 'staging', color: '#f76b15', variables: [{ key: 'TOKEN', value: 'e2e-not-a-secret' }] });
  await client.api.call('alertSources.create', { name: 'Alertmanager (staging)', environmentId: env.id, config: { kind: 'alertmanager', url: alertmanager.url }, pollSeconds: 5 });
  client.close();

  await page.goto(host.url);
  await importSeed(page, '000');
  await startIncidentFromKeyboard(page, 'QueueBacklog');
  const incident = incidentPanel(page, /^QueueBacklog/);
  await expect(incident.locator('.incident-head .severity-chip')).toHaveText('P1');
  const walk = walkthrough(page);
  await expect(walk).toContainText('RB-01');
  const current = walk.locator('[aria-current="step"]');
  await expect(current.getByRole('heading')).toHaveText(/Check all compute agents are online/);

  // Step 1: `r` opens the Run dialog for the incident's environment, Ctrl+Enter runs it in a new local terminal.
  await page.keyboard.press('r');
  const dialog = page.getByRole('dialog', { name: /^Run / });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Environment')).toHaveValue(env.id);
  await expect(dialog.locator('.run-step-preview')).toContainText('https://agent.internal/agent/health');
  await dialog.getByLabel('Run in').selectOption({ label: 'New local terminal' });
  await page.keyboard.press('Control+Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('link', { name: 'Incidents' })).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('d');
  await expect(walkStep(page, 1)).toHaveAccessibleName(/, done$/);

  // Step 2: `s` asks why, Enter saves the note with the skip.
  await expect(current.getByRole('heading')).toHaveText(/Check Queue Consumer Worker is deployed and healthy/);
  await page.keyboard.press('s');
  await expect(current.getByRole('textbox', { name: 'Why skip it?' })).toBeFocused();
  await page.keyboard.type('wrangler has no token on this laptop; consumer checked on the dashboard');
  await page.keyboard.press('Enter');
  await expect(walkStep(page, 2)).toHaveAccessibleName(/, skipped$/);
  await expect(walkStep(page, 2)).toContainText('consumer checked on the dashboard');

  // Step 3 done; then the "If …" steps are paths to choose between: `2` takes the second.
  await expect(current.getByRole('heading')).toHaveText(/Check D1 for jobs stuck in wrong state/);
  await page.keyboard.press('d');
  await expect(walkStep(page, 3)).toHaveAccessibleName(/, done$/);
  const paths = walk.getByRole('list', { name: 'Paths' });
  await expect(paths.getByRole('button')).toHaveCount(3);
  await expect(paths.getByRole('button').nth(1)).toContainText('If Queue Consumer is failing');
  await page.keyboard.press('2');
  await expect(current.getByRole('heading')).toHaveText(/If Queue Consumer is failing/);

  // A quick note from a terminal (Ctrl+Shift+J reaches past the shell), saved to this incident.
  await goTo(page, 'Terminals');
  await terminalPanes(page).first().locator('.xterm-helper-textarea').focus();
  await page.keyboard.press('Control+Shift+J');
  const quick = page.getByRole('dialog', { name: 'Quick note' });
  await expect(quick).toContainText('To P1 QueueBacklog');
  await page.keyboard.type('consumer pods restarting every 40 s, see attached graph');
  await page.keyboard.press('Enter');
  await expect(quick).toBeHidden();
  await goTo(page, 'Incidents');

  // A screenshot attached with the picker shows as a thumbnail in the timeline.
  await incident.getByLabel('Attach files to the incident').setInputFiles({ name: 'consumer-restarts.png', mimeType: 'image/png', buffer: PNG });

  // The timeline has the command sent from step 1 and what came back.
  await incident.getByRole('tab', { name: /^Timeline/ }).click();
  const journal = page.getByRole('list', { name: 'Journal events' });
  await expect(journal).toContainText('Sent to');
  await expect(journal).toContainText('agent.internal/agent/health');
  await expect(journal).toContainText('Output captured', { timeout: 20_000 });
  await expect(journal).toContainText('Skipped “Check Queue Consumer Worker is deployed and healthy”: wrangler has no token');
  await expect(journal).toContainText('Path chosen: “If Queue Consumer is failing');
  await expect(journal).toContainText('consumer pods restarting every 40 s');
  await expect(journal.getByRole('img', { name: 'consumer-restarts.png' })).toBeVisible();
  expect(await journal.getByRole('img', { name: 'consumer-restarts.png' }).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(PNG_SIZE);
  // A correction is a new event, shown under the note it corrects; the note stays as written.
  await journal.getByRole('button', { name: /^Correct note #/ }).click();
  await journal.getByRole('textbox', { name: /^Correction of note #/ }).fill('consumer pods restarting every 40 s (OOMKilled), see attached graph');
  await page.keyboard.press('Enter');
  await expect(journal).toContainText('corrected: consumer pods restarting every 40 s (OOMKilled)');
  await expect(journal).toContainText('consumer pods restarting every 40 s, see attached graph');
  await journal.getByRole('button', { name: /Show output/ }).first().click();
  await expect(journal.locator('.timeline-output-text')).toContainText(/agent\.internal|resolve/i);
  await tidyForScreenshot(page);
  await page.screenshot({ path: join(shots, 'incident-timeline.png') });
  await page.keyboard.press('t');
  await expect(walk).toBeVisible();
  await expect(incident.getByRole('tab', { name: /^Walkthrough/ })).toHaveAttribute('aria-selected', 'true');
  const elapsed = page.getByLabel('Incident clocks').locator('.incident-clock').first().locator('dd');
  const before = seconds((await elapsed.innerText()).trim());
  const killedAt = Date.now();

  // A crash: SIGKILL, then a new host on the same data dir (a new port and token), and a reload.
  await host.kill();
  const again = await startHost(dataDir);
  hosts.push(again);
  await page.goto(again.url);

  // Resumed without navigating: the Incidents page, the incident, the chosen step current.
  await expect(page.getByRole('link', { name: 'Incidents' })).toHaveAttribute('aria-current', 'page');
  await expect(walk.locator('[aria-current="step"]').getByRole('heading')).toHaveText(/If Queue Consumer is failing/);
  await expect(walkStep(page, 1)).toHaveAccessibleName(/, done$/);
  await expect(walkStep(page, 2)).toHaveAccessibleName(/, skipped$/);
  await expect(walkStep(page, 2)).toContainText('consumer checked on the dashboard');
  await expect(walkStep(page, 3)).toHaveAccessibleName(/, done$/);
  await expect(walkStep(page, 4)).toHaveAccessibleName(/, not taken$/);
  // The clocks count from when the incident opened, through the time the host was down: what they
  // showed before the kill plus the time since (a second of slack for the ticks), never from 0.
  await expect
    .poll(async () => seconds((await elapsed.innerText()).trim()) - (before + Math.floor((Date.now() - killedAt) / 1000)))
    .toBeGreaterThanOrEqual(-1);
  await expect(page.getByLabel('Incident clocks')).toContainText('Recovery');
  await tidyForScreenshot(page);
  await page.screenshot({ path: join(shots, 'incident-walkthrough.png') });
});
