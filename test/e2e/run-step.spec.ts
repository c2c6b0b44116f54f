import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  goTo,
  importRunbookFile,
  libraryItem,
  makeCurrent,
  repoRoot,
  terminalPanes,
  terminalRows,
  tidyForScreenshot,
} from '../support/operator';
import { startHost, type Host } from './host';

// Running a runbook step: the Run dialog fills the placeholder, shows the exact command, sends it
// to a new terminal of the real host, and the step-runs list records what came back. In
// production, a destructive command waits until the environment's name is typed.

const shots = resolve(repoRoot, 'docs/screenshots');
const dirs: string[] = [];
const hosts: Host[] = [];

test.beforeAll(() => {
  mkdirSync(shots, { recursive: true });
});
test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh host with the drill runbook and two environments, as the Environments page would save
 * them (each with a `region` variable), `current` being the one worked in.
 */
async function setUp(page: Page, current: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'watchfloor-e2e-run-step-'));
  dirs.push(dir);
  const host = await startHost(dir);
  hosts.push(host);
  const client = await host.connect();
  await client.api.call('environments.create', { name: 'Staging', tier: 'staging', color: '#f76b15', variables: [{ key: 'region', value: 'eu-west-1' }] });
  await client.api.call('environments.create', { name: 'Production', tier: 'production', color: '#e5484d', variables: [{ key: 'region', value: 'us-east-2' }] });
  client.close();
  await page.goto(host.url);
  await makeCurrent(page, current);
  await importRunbookFile(page, 'greeter-drill.md', drill);
}

const drill = `# Greeter drill

A small runbook for the run-a-step tests.

## RB-01 Greet the service

1. Say hello to a service

   \`\`\`bash {name="Greet the service"}
   echo "hello <service> in <region>" && echo sum-$((6*7))
   \`\`\`

2. Restart the greeter

   \`\`\`bash {name="Restart the greeter" confirm}
   echo restart greeter <service>
   \`\`\`
`;
// The opening fences of the two commands.
const GREET_LINE = 9;
const RESTART_LINE = 15;

async function openRun(page: Page, line: number) {
  await goTo(page, 'Runbooks');
  // Toasts sit under a modal dialog, out of reach: clear them first.
  await tidyForScreenshot(page);
  await libraryItem(page, /greeter-drill\.md/).click();
  await page.getByRole('button', { name: `Run command from line ${line}` }).click();
  return page.getByRole('dialog', { name: /^Run “/ });
}

test('an operator runs a step with a placeholder into a new terminal and sees its transcript', async ({ page }) => {
  await setUp(page, 'Staging');

  const dialog = await openRun(page, GREET_LINE);
  await expect(dialog).toContainText('Greet the service');
  await expect(dialog.getByLabel('Environment')).toHaveValue(/.+/);
  await expect(dialog.getByLabel('Environment').locator('option:checked')).toHaveText(/Staging/);
  await expect(dialog.getByLabel('Run in')).toHaveValue('new:local:');

  // The first placeholder has the focus; `region` comes from the environment's variable. The
  // preview follows what is typed, quoted for the shell.
  const field = dialog.getByRole('textbox', { name: 'service' });
  await expect(field).toBeFocused();
  await expect(dialog.getByText('needed')).toBeVisible();
  const region = dialog.getByRole('textbox', { name: 'region' });
  await expect(region).toHaveAttribute('placeholder', 'from variable region');
  await expect(region).toHaveAccessibleDescription('leave empty to use it, or type to override');
  await page.keyboard.type('api gateway');
  const preview = dialog.getByRole('figure', { name: 'Command to send' });
  await expect(preview).toContainText(`'api gateway'`);
  await expect(preview).toContainText('eu-west-1');
  await expect(preview).not.toContainText('<');

  await page.mouse.move(1200, 880);
  await page.screenshot({ path: join(shots, 'run-step.png') });

  await dialog.getByRole('button', { name: 'Run' }).click();
  await expect(dialog).toBeHidden();

  // The Terminals page, on the new terminal, where the shell ran exactly that.
  await expect(page.getByRole('main', { name: 'Terminals' })).toBeVisible();
  const terminal = terminalPanes(page).first();
  await expect(terminal.locator('header')).toContainText('Staging');
  await expect(terminalRows(terminal)).toContainText('hello api gateway in eu-west-1');
  await expect(terminalRows(terminal)).toContainText('sum-42');
  await expect(terminal.locator('.xterm-helper-textarea')).toBeFocused();

  // The step-runs list has it, with its output once the shell reported it.
  const runs = page.getByRole('list', { name: 'Step runs' });
  const run = runs.getByRole('listitem').filter({ hasText: 'api gateway' });
  await expect(run).toHaveCount(1);
  await expect(run).toContainText('Staging');
  await run.locator('summary').click();
  await expect(run.locator('.step-run-output')).toContainText('hello api gateway in eu-west-1');
  await expect(run.locator('.step-run-output')).toContainText('sum-42');
  await expect(run).toContainText('exit 0');
});

test('in production a destructive step runs only once the environment name is typed', async ({ page }) => {
  await setUp(page, 'Production');

  const dialog = await openRun(page, RESTART_LINE);
  await expect(dialog.getByLabel('Environment').locator('option:checked')).toHaveText(/Production/);
  await dialog.getByRole('textbox', { name: 'service' }).fill('greeter');
  await expect(dialog.getByRole('figure', { name: 'Command to send' })).toContainText('echo restart greeter greeter');
  await expect(dialog.getByRole('note', { name: 'Destructive command' })).toContainText('restart');

  const run = dialog.getByRole('button', { name: 'Run' });
  const confirm = dialog.getByRole('textbox', { name: 'Type Production to run' });
  await expect(confirm).toBeVisible();
  await expect(run).toBeDisabled();
  await confirm.fill('Prod');
  await expect(run).toBeDisabled();
  await confirm.fill('Production');
  await expect(run).toBeEnabled();

  // Ctrl+Enter runs, from the keyboard.
  await confirm.press('Control+Enter');
  await expect(dialog).toBeHidden();
  const terminal = terminalPanes(page).first();
  await expect(terminal.locator('header')).toContainText('Production');
  // The command line, then what it printed.
  await expect(terminalRows(terminal)).toContainText(/echo restart greeter greeter.*restart greeter greeter/);
  await expect(page.getByRole('list', { name: 'Step runs' }).getByRole('listitem')).toHaveCount(1);
});
