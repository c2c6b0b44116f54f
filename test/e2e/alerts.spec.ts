import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { startAlertmanager, type Alertmanager } from '../support/alertmanager';
import { startHttpServer, type TestHttpServer } from '../support/http-servers';
import { addAlertSource, alertFeed, alertRow, goTo, importSeeds, incidentPanel, repoRoot, silenceFromKeyboard, startIncidentFromKeyboard, tidyForScreenshot } from '../support/operator';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
import { startHost, type Host } from './host';

// The alert feed as an operator lives it against `watchfloor serve`: a real Alertmanager with
// alerts posted to it and a health check that fails, both added through the UI; the feed shows
// both and follows new alerts by itself; one is silenced from the keyboard (`s`, Enter) and the
// silence is there in Alertmanager's own API; `e` expires it again.

const shots = resolve(repoRoot, 'docs/screenshots');
let dataDir: string;
let host: Host | null = null;
let alertmanager: Alertmanager | null = null;
let health: TestHttpServer | null = null;

test.beforeAll(() => {
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-alerts-'));
});
test.afterAll(async () => {
  await host?.stop();
  await alertmanager?.stop();
  await health?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface AmSilence {
  id: string;
  status: { state: string };
  comment: string;
  matchers: { name: string; value: string; isEqual?: boolean }[];
}

test('a live feed from Alertmanager and a health check; silence one from the keyboard', async ({ page }) => {
  alertmanager = await startAlertmanager();
  await alertmanager.postAlerts([
    {
      labels: { alertname: 'QueueBacklog', severity: 'critical', queue: 'billing', service: 'torrentflow' },
      annotations: { summary: 'billing queue has 12,400 messages waiting for over 10 minutes' },
    },
    {
      labels: { alertname: 'WorkerOffline', severity: 'warning', worker: 'agent-3', service: 'torrentflow' },
      annotations: { summary: 'agent-3 has not reported for 5 minutes' },
    },
    { labels: { alertname: 'CertificateExpiresSoon', severity: 'info', domain: 'api.example.com' }, annotations: { summary: 'api.example.com expires in 12 days' } },
  ]);
  // The health check fails: 503 where 200 is expected.
  health = await startHttpServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('database connection pool exhausted');
  });

  host = await startHost(dataDir);
  await page.goto(host.url);
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  await importSeeds(page); // so alerts link to the runbooks that answer them

  await addAlertSource(page, 'Alertmanager', 'Alertmanager (prod-eu)', { URL: alertmanager.url, 'Poll every (seconds)': '5' });
  await addAlertSource(page, 'HTTP health check', 'Checkout API health', { URL: `${health.url}/healthz`, 'Poll every (seconds)': '5' });

  // Both sources' alerts, in one feed, grouped by severity.
  await expect(alertRow(page, 'QueueBacklog')).toBeVisible({ timeout: 15_000 });
  await expect(alertRow(page, 'WorkerOffline')).toBeVisible();
  await expect(alertRow(page, `127.0.0.1:${health.port} health check failing`)).toBeVisible({ timeout: 15_000 });
  await expect(alertRow(page, 'QueueBacklog')).toContainText('Alertmanager (prod-eu)');
  await expect(alertRow(page, 'QueueBacklog').locator('.severity-chip')).toHaveText('P1');
  await expect(alertFeed(page).getByRole('listitem', { name: /^P1 · critical/ })).toBeVisible();

  // Live: a new alert posted to Alertmanager shows up on the next poll, nobody reloads.
  await alertmanager.postAlerts([{ labels: { alertname: 'DiskFillingUp', severity: 'warning', instance: 'db-1' }, annotations: { summary: '/var/lib/postgresql is 91% full' } }]);
  await expect(alertRow(page, 'DiskFillingUp')).toBeVisible({ timeout: 15_000 });

  // The badge on Alerts counts what fires and nobody has acknowledged.
  await expect(page.getByRole('link', { name: /^Alerts, 5 firing$/ })).toBeVisible();

  // Filter as you type: labels count.
  await page.keyboard.press('/');
  await expect(page.getByLabel('Filter alerts')).toBeFocused();
  await page.keyboard.type('service=torrentflow');
  await expect(alertFeed(page).locator('.alert-row')).toHaveCount(2);
  await page.getByLabel('Filter alerts').fill('');

  // `a` acknowledges the selected alert.
  await alertRow(page, 'WorkerOffline').click({ position: { x: 700, y: 10 } });
  await page.keyboard.press('a');
  await expect(alertRow(page, 'WorkerOffline')).toContainText('acknowledged');
  await expect(page.getByRole('link', { name: /^Alerts, 4 firing$/ })).toBeVisible();

  // Enter opens the details; then silence QueueBacklog in two keystrokes, with a screenshot of the dialog.
  await alertRow(page, 'QueueBacklog').click({ position: { x: 700, y: 10 } });
  await page.keyboard.press('Enter');
  const details = page.getByRole('complementary', { name: 'QueueBacklog' });
  await expect(details).toBeVisible();
  await tidyForScreenshot(page);
  await silenceFromKeyboard(page, 'QueueBacklog', async () => {
    await page.screenshot({ path: join(shots, 'alerts-silence.png') });
  });

  // The silence exists in Alertmanager, matching the alert's labels, with the comment as filled in.
  await expect
    .poll(async () => {
      const silences = await alertmanager!.api<AmSilence[]>('/silences');
      return silences.filter((s) => s.status.state === 'active' && s.matchers.some((m) => m.name === 'alertname' && m.value === 'QueueBacklog')).length;
    })
    .toBe(1);
  const [silence] = (await alertmanager.api<AmSilence[]>('/silences')).filter((s) => s.status.state === 'active');
  expect(silence!.comment).toBe('Silenced from Watchfloor while QueueBacklog is handled');
  await expect(alertRow(page, 'QueueBacklog')).toContainText('silenced');
  await expect(details).toContainText(silence!.id);
  await tidyForScreenshot(page);
  await alertFeed(page).focus();
  await page.screenshot({ path: join(shots, 'alerts.png') });

  // `e` expires it: Alertmanager says expired, the alert fires again.
  await page.keyboard.press('e');
  await expect
    .poll(async () => (await alertmanager!.api<AmSilence[]>('/silences')).find((s) => s.id === silence!.id)?.status.state)
    .toBe('expired');
  await expect(alertRow(page, 'QueueBacklog')).toContainText('firing', { timeout: 15_000 });

  // A wrong runbook link is fixed from the details, and back to automatic.
  const picker = details.getByLabel('Change runbook');
  await picker.selectOption({ label: 'Disk filling up on a Linux host' });
  await expect(alertRow(page, 'QueueBacklog')).toContainText('chosen by you');
  await expect(alertRow(page, 'QueueBacklog').getByRole('button', { name: /^Open runbook Disk filling up/ })).toBeVisible();
  await picker.selectOption({ label: 'Automatic (matched by Watchfloor)' });
  await expect(alertRow(page, 'QueueBacklog').getByRole('button', { name: 'Open runbook RB-01 · Queue Backlog' })).toBeVisible();

  // Alertmanager dies: its alerts stay, marked stale, and the feed says why.
  await alertmanager.kill();
  await expect(alertRow(page, 'QueueBacklog')).toContainText('stale', { timeout: 15_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Alertmanager (prod-eu)' })).toContainText('showing its last known alerts');

  // The runbook link opens the runbook at the procedure that answers the alert.
  await alertRow(page, 'QueueBacklog').getByRole('button', { name: 'Open runbook RB-01 · Queue Backlog' }).click();
  await expect(page.getByRole('navigation', { name: 'Procedures in this runbook' })).toContainText('RB-01');
  await expect(page.getByRole('link', { name: 'Runbooks' })).toHaveAttribute('aria-current', 'page');

  // Another alert of the feed, from the other source, starts an incident with it attached.
  const failing = `127.0.0.1:${health.port} health check failing`;
  await startIncidentFromKeyboard(page, failing);
  const incident = incidentPanel(page, new RegExp(escapeRegExp(failing)));
  await expect(incident).toBeVisible();
  await incident.getByRole('tab', { name: /^Timeline/ }).click();
  await expect(incident).toContainText('Checkout API health');
  await expect(incident).toContainText('Alert attached');
});

test('a webhook source added in the UI shows its token once, and alerts posted to it appear', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-alerts-webhook-'));
  const webhookHost = await startHost(dir);
  try {
    await page.goto(webhookHost.url);
    await goTo(page, 'Alerts');
    await page.getByRole('button', { name: 'Add an alert source' }).click();
    const dialog = page.getByRole('dialog', { name: 'Alert sources' });
    await dialog.getByRole('button', { name: 'Add source', exact: true }).click();
    const form = dialog.getByRole('form', { name: 'Add alert source' });
    await form.getByLabel('Kind').selectOption({ label: 'Alertmanager webhook' });
    await form.getByLabel('Name', { exact: true }).fill('Alertmanager → Watchfloor');
    await form.getByRole('button', { name: 'Add source' }).click();
    const once = dialog.getByRole('status', { name: 'Token for Alertmanager → Watchfloor' });
    await expect(once).toBeVisible();
    const token = (await once.locator('.token-once-token').innerText()).trim();
    const endpoint = (await once.locator('p code').innerText()).trim();
    expect(token.length).toBeGreaterThanOrEqual(20);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await once.getByRole('button', { name: 'Done' }).click();
    await expect(once).toBeHidden();
    await expect(dialog.getByText(token)).toHaveCount(0); // shown once, never again
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Alertmanager's webhook payload, as its webhook_config would post it.
    const post = (auth: string | null) =>
      fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({
          version: '4',
          status: 'firing',
          receiver: 'watchfloor',
          groupLabels: { alertname: 'PaymentsLatencyHigh' },
          commonLabels: {},
          commonAnnotations: {},
          externalURL: 'http://alertmanager.invalid',
          alerts: [
            {
              status: 'firing',
              labels: { alertname: 'PaymentsLatencyHigh', severity: 'critical' },
              annotations: { summary: 'p99 over 2 s' },
              startsAt: new Date().toISOString(),
              endsAt: '0001-01-01T00:00:00Z',
              generatorURL: '',
              fingerprint: 'b1c2d3e4f5a6b7c8',
            },
          ],
        }),
      });
    expect((await post(null)).status).toBe(401);
    expect((await post(`Bearer ${token}`)).status).toBeLessThan(300);
    await expect(alertRow(page, 'PaymentsLatencyHigh')).toBeVisible({ timeout: 10_000 });
    await expect(alertRow(page, 'PaymentsLatencyHigh')).toContainText('Alertmanager → Watchfloor');
  } finally {
    await webhookHost.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('5,000 alerts: the list keeps only what is in view in the DOM and scrolls to the end', async ({ page }) => {
  const am = await startAlertmanager();
  try {
    const severities = ['critical', 'error', 'warning', 'info'];
    const alerts = Array.from({ length: 5_000 }, (_, i) => ({
      labels: { alertname: `LoadAlert${String(i).padStart(4, '0')}`, severity: severities[i % 4]!, shard: String(i % 50) },
      annotations: { summary: `synthetic alert ${i}` },
    }));
    await am.postAlerts(alerts);
    const dir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-alerts-5000-'));
    const bigHost = await startHost(dir);
    try {
      const { api, close } = await bigHost.connect();
      await api.call('alertSources.create', { name: 'Alertmanager (load)', config: { kind: 'alertmanager', url: am.url }, pollSeconds: 5 });
      close();
      await page.goto(bigHost.url);
      await goTo(page, 'Alerts');
      await expect(page.getByText(/5000 firing · 5000 shown/)).toBeVisible({ timeout: 20_000 });
      const rendered = await alertFeed(page).locator('.alert-row').count();
      expect(rendered).toBeGreaterThan(5);
      expect(rendered).toBeLessThan(100);
      // End jumps to the last alert; it is rendered and selected.
      await alertFeed(page).click({ position: { x: 700, y: 50 } });
      const started = Date.now();
      await page.keyboard.press('End');
      await expect(alertFeed(page).locator('.alert-row[aria-current="true"]')).toContainText(/LoadAlert\d{4}/);
      await expect(alertFeed(page).locator('.alert-row[aria-current="true"]')).toBeInViewport();
      expect(Date.now() - started).toBeLessThan(2_000);
      // Filtering 5,000 alerts as you type stays immediate.
      await page.getByLabel('Filter alerts').fill('LoadAlert4999');
      await expect(alertFeed(page).locator('.alert-row')).toHaveCount(1);
    } finally {
      await bigHost.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await am.stop();
  }
});
