import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  createEnvironment,
  goTo,
  makeCurrent,
  openNewTerminal,
  repoRoot,
  terminalPanes,
  terminalRows,
  tidyForScreenshot,
  typeInTerminal,
} from '../support/operator';
import { generateKey, SSHD, sshKeygenFingerprint, startSshd, type Sshd } from '../support/sshd';
import { startHost, type Host } from './host';

// Terminals against the real headless host: local shells (a real pty) and an SSH shell on a real
// OpenSSH server, whose host key the operator is asked to trust first.

const shots = resolve(repoRoot, 'docs/screenshots');
const dirs: string[] = [];
const hosts: Host[] = [];
let sshd: Sshd | null = null;

test.beforeAll(() => {
  mkdirSync(shots, { recursive: true });
});
test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await sshd?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function freshHost(): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-terminals-'));
  dirs.push(dir);
  const host = await startHost(dir);
  hosts.push(host);
  return host;
}

test('an operator opens a terminal in production, runs a command, and splits a second one beside it', async ({ page }) => {
  const host = await freshHost();
  await page.goto(host.url);
  await createEnvironment(page, 'Production', 'production');
  await makeCurrent(page, 'Production');

  await goTo(page, 'Terminals');
  await openNewTerminal(page, 'Local shell');
  const first = terminalPanes(page).first();
  await expect(first).toBeVisible();
  await expect(first.locator('header')).toContainText('Production');
  await expect(first.locator('header')).toContainText('local');

  await typeInTerminal(page, first, 'echo watchfloor-$((6*7))');
  await expect(terminalRows(first)).toContainText('watchfloor-42');

  // Ctrl+K inside a terminal is readline's kill-line, not the palette: the half-typed line is
  // killed and only the second command runs. Ctrl+Shift+K still opens the palette from there.
  await page.keyboard.type('echo should-not-run');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+K');
  await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeHidden();
  await page.keyboard.type('echo after-kill-$((2*3))');
  await page.keyboard.press('Enter');
  await expect(terminalRows(first)).toContainText('after-kill-6');
  await expect(terminalRows(first)).not.toContainText('should-not-run');
  await page.keyboard.press('Control+Shift+K');
  await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeHidden();

  await page.getByRole('button', { name: 'Split' }).click();
  await expect(terminalPanes(page)).toHaveCount(2);
  const right = terminalPanes(page).nth(1);
  await typeInTerminal(page, right, 'echo second-$((20+1))');
  await expect(terminalRows(right)).toContainText('second-21');
  await expect(page.getByRole('tab')).toHaveCount(2);

  await tidyForScreenshot(page);
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
  await expect(terminalRows(terminalPanes(page).first())).toContainText('watchfloor-42');
  await expect(terminalRows(terminalPanes(page).nth(1))).toContainText('second-21');

  // Two shells in one environment share a title: the second is numbered, so names stay unique.
  const second = (await page.getByRole('tab').nth(1).innerText()).trim();
  await page.getByRole('button', { name: `Close terminal ${second}`, exact: true }).click();
  await expect(page.getByRole('tab')).toHaveCount(1);
  await expect(terminalPanes(page)).toHaveCount(1);
});

test('an operator trusts an SSH host key once, then works in a local and an SSH shell side by side', async ({ page }) => {
  test.skip(!existsSync(SSHD), 'needs OpenSSH server (/usr/sbin/sshd)');
  const host = await freshHost();
  const keyDir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-key-'));
  dirs.push(keyDir);
  const key = generateKey(join(keyDir, 'id_ed25519'));
  sshd = await startSshd({ authorizedKeys: [key.publicKey] });
  const fingerprint = sshKeygenFingerprint(join(sshd.dir, 'host_ed25519.pub'));

  // The environment, as the Environments page would save it.
  const client = await host.connect();
  await client.api.call('environments.create', {
    name: 'Production',
    tier: 'production',
    color: '#e5484d',
    sshHosts: [{ name: 'web-1', host: sshd.host, port: sshd.port, user: sshd.username, auth: 'key', keyPath: key.privateKeyPath }],
  });
  client.close();

  await page.goto(host.url);
  await makeCurrent(page, 'Production');
  await goTo(page, 'Terminals');
  await openNewTerminal(page, 'Local shell');
  const local = terminalPanes(page).first();
  await typeInTerminal(page, local, 'echo local-$((6*7))');
  await expect(terminalRows(local)).toContainText('local-42');

  // First contact: the key is shown, and Esc leaves without trusting it or opening anything.
  await openNewTerminal(page, /^SSH: web-1/);
  const question = page.getByRole('alertdialog', { name: /^Unknown host key for 127\.0\.0\.1/ });
  await expect(question).toBeVisible();
  await expect(question.getByLabel('Fingerprint')).toHaveText(fingerprint);
  await expect(question).toContainText('ssh-ed25519');
  await expect(question).toContainText(`127.0.0.1:${sshd.port}`);
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(question).toBeHidden();
  await expect(page.getByRole('tab')).toHaveCount(1);

  await openNewTerminal(page, /^SSH: web-1/);
  await expect(question).toBeVisible();
  await tidyForScreenshot(page);
  await page.screenshot({ path: join(shots, 'host-key.png') });
  await question.getByRole('button', { name: 'Trust and connect' }).click();
  await expect(question).toBeHidden();
  await expect(page.getByRole('tab')).toHaveCount(2);

  // The SSH shell comes up in the main pane; Split puts the local one beside it.
  const ssh = terminalPanes(page).first();
  await expect(ssh.locator('header')).toContainText('SSH');
  await expect(ssh.locator('header')).toContainText(`${sshd.port}`);
  await page.getByRole('button', { name: 'Split' }).click();
  await expect(terminalPanes(page)).toHaveCount(2);
  // $SSH_CONNECTION is set only in a shell sshd started: the command ran on the server.
  await typeInTerminal(page, ssh, 'echo "over ssh: $SSH_CONNECTION"');
  await expect(terminalRows(ssh)).toContainText(new RegExp(`over ssh: 127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}`));
  await expect(terminalRows(terminalPanes(page).nth(1))).toContainText('local-42');
  await typeInTerminal(page, terminalPanes(page).nth(1), 'echo "still local: ${SSH_CONNECTION:-none}"');
  await expect(terminalRows(terminalPanes(page).nth(1))).toContainText('still local: none');

  await tidyForScreenshot(page);
  await page.screenshot({ path: join(shots, 'terminals-split.png') });

  // The palette opens the same terminals: the key is known now, so no question this time.
  await page.keyboard.press('Control+Shift+K');
  await page.getByRole('textbox', { name: 'Search commands and runbooks' }).fill('open ssh web');
  await page.getByRole('option', { name: /Open SSH: web-1 \(Production\)/ }).click();
  await expect(page.getByRole('tab')).toHaveCount(3);
  await expect(question).toBeHidden();
  await expect(terminalPanes(page).first().locator('header')).toContainText('SSH');

  // The server's key changes: the next connection is refused with the reason, and nothing offers
  // to trust the new key.
  await sshd.rotateHostKey();
  await openNewTerminal(page, /^SSH: web-1/);
  await expect(page.getByRole('alert').filter({ hasText: 'Opening SSH: web-1 failed' })).toBeVisible();
  await expect(question).toBeHidden();
  await expect(page.getByRole('tab')).toHaveCount(3);
});
