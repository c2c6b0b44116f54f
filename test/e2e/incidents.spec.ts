import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { startAlertmanager, type Alertmanager } from '../support/alertmanager';
import {
  addAlertSource,
  addIncidentNote,
  alertRow,
  goTo,
  importSeed,
  incidentList,
  incidentPanel,
  repoRoot,
  startIncidentFromKeyboard,
  tidyForScreenshot,
} from '../support/operator';
import { startHost, type Host } from './host';

// An incident as an operator starts one against `watchfloor serve`: seed 000 imported so
// QueueBacklog links to RB-01, a real Alertmanager added as a source, the alert selected in the
// feed and `i` pressed; the incident shows the alert, RB-01 and P1; a note is written from the
// keyboard and shows as saved once the core has it; the status changes; the journal has it all.

const shots = resolve(repoRoot, 'docs/screenshots');
let dataDir: string;
let host: Host | null = null;
let alertmanager: Alertmanager | null = null;

test.beforeAll(() => {
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-incidents-'));
});
test.afterAll(async () => {
  await host?.stop();
  await alertmanager?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('start an incident from an alert with `i`, write a note, change its status', async ({ page }) => {
  alertmanager = await startAlertmanager();
  await alertmanager.postAlert(
    { alertname: 'QueueBacklog', severity: 'critical', queue: 'billing', service: 'torrentflow' },
    { summary: 'billing queue has 12,400 messages waiting for over 10 minutes' },
  );
  await alertmanager.postAlert({ alertname: 'WorkerOffline', severity: 'warning', worker: 'agent-3' }, { summary: 'agent-3 has not reported for 5 minutes' });

  host = await startHost(dataDir);
  await page.goto(host.url);
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();

  // No incident yet: the page says how to start one.
  await goTo(page, 'Incidents');
  await expect(page.getByRole('heading', { name: 'No incidents yet' })).toBeVisible();

  await importSeed(page, '000');
  await addAlertSource(page, 'Alertmanager', 'Alertmanager (prod-eu)', { URL: alertmanager.url, 'Poll every (seconds)': '5' });
  await expect(alertRow(page, 'QueueBacklog')).toBeVisible({ timeout: 15_000 });
  await expect(alertRow(page, 'QueueBacklog').getByRole('button', { name: 'Open runbook RB-01 · Queue Backlog' })).toBeVisible();

  // Select QueueBacklog, press `i`: the Incidents page shows the new incident.
  await startIncidentFromKeyboard(page, 'QueueBacklog');
  const incident = incidentPanel(page, 'QueueBacklog');
  await expect(incident).toBeVisible();
  await expect(incident.getByRole('heading', { level: 2 })).toHaveText('QueueBacklog: billing queue has 12,400 messages waiting for over 10 minutes');
  await expect(incident.locator('.incident-head .severity-chip')).toHaveText('P1');
  await expect(incident.getByLabel('Severity')).toHaveValue('P1');
  await expect(incident.getByLabel('Status')).toHaveValue('investigating');
  await expect(incident.getByRole('list', { name: 'Linked alerts' })).toContainText('QueueBacklog');
  await expect(incident.getByRole('button', { name: 'Open runbook RB-01 · Queue Backlog' })).toBeVisible();
  await expect(incidentList(page).getByRole('button', { name: /QueueBacklog/ })).toHaveAttribute('aria-current', 'true');
  // The walkthrough opens on RB-01's first step; the journal is the Timeline tab beside it.
  await expect(incident.getByRole('region', { name: 'Walkthrough' })).toContainText('Check all compute agents are online');
  await incident.getByRole('tab', { name: /^Timeline/ }).click();
  const journal = incident.getByRole('list', { name: 'Journal events' });
  await expect(journal).toContainText('Incident opened at P1');
  await expect(journal).toContainText('Alert attached: QueueBacklog');
  await expect(journal).toContainText('Runbook attached: RB-01');

  // A note from the keyboard: `n`, text, Enter; "saved" once the core answered, and in the journal.
  await addIncidentNote(page, 'billing consumers at 2 of 10 replicas; scaling up per RB-01 step 4');

  // Status: investigating → identified, written to the journal; the list follows.
  await incident.getByLabel('Status').selectOption('identified');
  await expect(journal).toContainText('Status Investigating → Identified');
  await expect(incidentList(page)).toContainText('Identified');

  // The runbook link opens RB-01 in the library.
  await tidyForScreenshot(page);
  await page.screenshot({ path: join(shots, 'incident.png') });
  await incident.getByRole('button', { name: 'Open runbook RB-01 · Queue Backlog' }).click();
  await expect(page.getByRole('navigation', { name: 'Procedures in this runbook' })).toContainText('RB-01');
  await expect(page.getByRole('link', { name: 'Runbooks' })).toHaveAttribute('aria-current', 'page');

  // Back on Incidents after a reload: the incident, its note and its status are still there.
  await page.reload();
  await goTo(page, 'Incidents');
  await expect(incidentPanel(page, 'QueueBacklog').getByLabel('Status')).toHaveValue('identified');
  await incidentPanel(page, 'QueueBacklog').getByRole('tab', { name: /^Timeline/ }).click();
  await expect(incidentPanel(page, 'QueueBacklog').getByRole('list', { name: 'Journal events' })).toContainText('scaling up per RB-01 step 4');
});
