/**
 * kubectl and wrangler terminals through the core's contract (terminals.open, terminal.output,
 * terminals.close), with the real kubectl and the real wrangler typed into a real shell. The
 * Kubernetes and Cloudflare APIs they talk to are loopback stand-ins (test/support/fake-apis.ts)
 * that record what arrived.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { CloudflareTargetInput, Environment, KubernetesTargetInput, TerminalInfo, TerminalKind } from '../../shared/contract';
import { useTestCore } from '../support/core';
import { startConnectionCounter, startFakeCloudflareApi, startFakeKubeApi } from '../support/fake-apis';
import { tempDir } from '../support/temp';
import { until, watchTerminal } from '../support/terminal-output';

const t = useTestCore();
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const environment = async (fields: { kubernetes?: KubernetesTargetInput[]; cloudflare?: CloudflareTargetInput[] }) =>
  (await t.call('environments.create', { name: 'Payments prod', tier: 'production', color: '#dc2626', ...fields })) as unknown as Environment;
const open = (env: Environment, kind: TerminalKind, targetId: string | null = null) =>
  t.call('terminals.open', { kind, environmentId: env.id, targetId, cols: 120, rows: 30 }) as unknown as Promise<TerminalInfo>;
const write = (id: string, data: string) => t.call('terminals.write', { id, data });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the terminal to be refused');
    },
    (error: unknown) => error as { code: string; message: string },
  );
/** Type a command and wait for the shell to run it: its output ends with `done-<exit code>`. */
async function run(out: { text: string }, id: string, command: string): Promise<{ output: string; code: number }> {
  const from = out.text.length;
  const marker = `done-${Math.random().toString(36).slice(2, 8)}`;
  await write(id, `${command}; echo "${marker}-$?"\r`);
  // The shell echoes what was typed (`...-$?`); only the output has the exit code after the marker.
  const done = new RegExp(`${marker}-(\\d+)\\r\\n`);
  await until(`\`${command}\` to finish`, () => done.test(out.text.slice(from)), 15_000);
  const output = out.text.slice(from);
  return { output, code: Number(done.exec(output)![1]) };
}

describe('kubectl terminals', () => {
  // Made in beforeAll, so a run that skips these tests leaves no folder behind.
  let home: ReturnType<typeof tempDir>;
  let privateBase: string;
  let api: Awaited<ReturnType<typeof startFakeKubeApi>>;
  let other: Awaited<ReturnType<typeof startConnectionCounter>>;

  beforeAll(async () => {
    home = tempDir('watchfloor-test-kube-home-');
    privateBase = join(home.path, 'tmp');
    mkdirSync(join(home.path, '.kube'));
    mkdirSync(privateBase);
    [api, other] = await Promise.all([startFakeKubeApi(join(home.path, '.kube')), startConnectionCounter()]);
    // The operator's own kubeconfig: two clusters, the other one current, a CA file given by a relative path.
    writeFileSync(
      join(home.path, '.kube', 'config'),
      `apiVersion: v1
kind: Config
current-context: other
clusters:
- name: prod-cluster
  cluster: { server: "https://127.0.0.1:${api.port}", certificate-authority: apiserver.crt }
- name: other-cluster
  cluster: { server: "https://127.0.0.1:${other.port}", insecure-skip-tls-verify: true }
users:
- name: prod-user
  user: { token: prod-token }
- name: other-user
  user: { token: other-token }
contexts:
- name: prod
  context: { cluster: prod-cluster, user: prod-user, namespace: default }
- name: other
  context: { cluster: other-cluster, user: other-user }
`,
    );
  });

  beforeEach(() => {
    vi.stubEnv('HOME', home.path);
    vi.stubEnv('KUBECONFIG', join(home.path, '.kube', 'config'));
    vi.stubEnv('TMPDIR', privateBase);
  });
  afterEach(() => void vi.unstubAllEnvs());
  afterAll(async () => {
    await Promise.all([api?.close(), other?.close()]);
    home?.cleanup();
  });

  const prodTarget: KubernetesTargetInput = { id: 'prod-eu', name: 'Prod EU', kubeconfigPath: '~/.kube/config', context: 'prod', namespace: 'payments' };
  const privateDirs = () => readdirSync(privateBase).filter((name) => name.startsWith('watchfloor-kube-'));
  const kubeconfigOf = async (out: { text: string }, id: string) => /K=(\/\S+)\r\n/.exec((await run(out, id, 'echo "K=$KUBECONFIG"')).output)![1]!;

  it('pins the shell to one context and namespace through a private kubeconfig', async () => {
    const env = await environment({ kubernetes: [prodTarget] });
    const terminal = await open(env, 'kubectl', 'prod-eu');
    expect(terminal).toMatchObject({ kind: 'kubectl', title: 'Payments prod · kubectl', target: 'prod / payments', targetId: 'prod-eu', status: 'running' });
    const out = watchTerminal(t.core, terminal.id);

    const file = await kubeconfigOf(out, terminal.id);
    expect(dirname(dirname(file))).toBe(privateBase);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    const config = parse(readFileSync(file, 'utf8')) as {
      'current-context': string;
      contexts: { name: string; context: { namespace: string } }[];
      clusters: { cluster: Record<string, string> }[];
      users: { user: { token: string } }[];
    };
    expect(config['current-context']).toBe('prod');
    expect(config.contexts.map((c) => [c.name, c.context.namespace])).toEqual([['prod', 'payments']]);
    expect(config.clusters.map((c) => c.cluster.server)).toEqual([`https://127.0.0.1:${api.port}`]);
    expect(config.clusters[0]!.cluster['certificate-authority-data']).toBeTruthy(); // flattened: no path back to the operator's files
    expect(config.users.map((u) => u.user.token)).toEqual(['prod-token']);

    const get = await run(out, terminal.id, 'kubectl -v=6 get pods');
    expect(get.code).toBe(0);
    expect(get.output).toContain(`GET https://127.0.0.1:${api.port}/api/v1/namespaces/payments/pods`);
    expect(get.output).toContain('No resources found in payments namespace.');
    expect(api.requests).toContainEqual(expect.objectContaining({ url: expect.stringMatching(/^\/api\/v1\/namespaces\/payments\/pods\b/), authorization: 'Bearer prod-token' }));

    // The operator's other context is out of reach, whichever way it is asked for.
    const byFlag = await run(out, terminal.id, 'kubectl --context other get pods');
    expect(byFlag.code).not.toBe(0);
    expect(byFlag.output).toMatch(/context was not found for specified context: other/);
    const bySwitch = await run(out, terminal.id, 'kubectl config use-context other');
    expect(bySwitch.code).not.toBe(0);
    expect(other.connections()).toBe(0);
    expect(readFileSync(join(home.path, '.kube', 'config'), 'utf8')).toContain('current-context: other');

    await t.call('terminals.close', { id: terminal.id });
    await until('the private kubeconfig to be removed', () => !existsSync(dirname(file)));
    expect(privateDirs()).toEqual([]);
  });

  it('removes the private kubeconfig when the shell exits', async () => {
    const env = await environment({ kubernetes: [prodTarget] });
    const terminal = await open(env, 'kubectl');
    const out = watchTerminal(t.core, terminal.id);
    const file = await kubeconfigOf(out, terminal.id);
    expect(existsSync(file)).toBe(true);
    await write(terminal.id, 'exit\r');
    await until('the shell to exit', () => out.ended !== undefined);
    expect(out.ended).toBe('exited with code 0');
    await until('the private kubeconfig to be removed', () => !existsSync(dirname(file)));
  });

  it('sweeps away private kubeconfigs a crashed Watchfloor left behind, and only those', async () => {
    // Beyond any pid_max: no such process can exist. The other belongs to this (live) process.
    const orphan = join(privateBase, 'watchfloor-kube-999999999-AbC123');
    const live = join(privateBase, `watchfloor-kube-${process.pid}-XyZ789`);
    for (const dir of [orphan, live]) {
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(dir, 'config'), 'users: [{ name: u, user: { token: leaked } }]\n', { mode: 0o600 });
    }
    const env = await environment({ kubernetes: [prodTarget] });
    const terminal = await open(env, 'kubectl');
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(live)).toBe(true);
    await t.call('terminals.close', { id: terminal.id });
    rmSync(live, { recursive: true });
  });

  it('refuses an unknown context, a missing kubeconfig or a missing kubectl, and leaves nothing behind', async () => {
    const env = await environment({
      kubernetes: [
        { id: 'typo', name: 'Typo', kubeconfigPath: '~/.kube/config', context: 'staging', namespace: 'payments' },
        { id: 'gone', name: 'Gone', kubeconfigPath: '~/.kube/removed-config', context: 'prod' },
        prodTarget,
      ],
    });
    const unknown = await refusal(open(env, 'kubectl', 'typo'));
    expect(unknown.code).toBe('not_found');
    expect(unknown.message).toBe(`There is no context "staging" in ${join(home.path, '.kube', 'config')}. Nothing was started; pick one of its contexts for Typo under Environments (Import from kubeconfig lists them).`);

    const missing = await refusal(open(env, 'kubectl', 'gone'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain(`${join(home.path, '.kube', 'removed-config')}, does not exist. Nothing was started`);

    vi.stubEnv('PATH', join(home.path, 'no-such-bin'));
    const noKubectl = await refusal(open(env, 'kubectl', 'prod-eu'));
    expect(noKubectl.code).toBe('not_found');
    expect(noKubectl.message).toMatch(/^kubectl is not installed here \(no "kubectl" on the PATH\).*Nothing was started; install kubectl/);

    expect(await t.call('terminals.list', {})).toEqual([]);
    expect(privateDirs()).toEqual([]);
  });
});

describe('wrangler terminals', () => {
  const ACCOUNT = '0123abcd4567ef890123abcd4567ef89';
  const TOKEN = 'cf-token-from-the-vault-5d0b6e';
  let home: ReturnType<typeof tempDir>;
  let api: Awaited<ReturnType<typeof startFakeCloudflareApi>>;

  beforeAll(async () => {
    home = tempDir('watchfloor-test-wrangler-home-');
    api = await startFakeCloudflareApi();
    const project = join(home.path, 'worker');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src', 'index.js'), 'export default { fetch: () => new Response("ok") };\n');
    writeFileSync(join(project, 'wrangler.toml'), 'name = "api"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\n\n[env.staging]\nname = "api-staging"\n');
  });

  beforeEach(() => {
    api.requests.length = 0;
    vi.stubEnv('HOME', home.path);
    vi.stubEnv('XDG_CONFIG_HOME', join(home.path, '.config'));
    vi.stubEnv('PATH', `${join(repoRoot, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`);
    // The test seam: the Cloudflare API cannot run here, so wrangler is pointed at the stand-in.
    vi.stubEnv('CLOUDFLARE_API_BASE_URL', `http://127.0.0.1:${api.port}/client/v4`);
    // Nothing else may leave the machine: no telemetry, no error reports, no update check (the banner's).
    vi.stubEnv('WRANGLER_SEND_METRICS', 'false');
    vi.stubEnv('WRANGLER_SEND_ERROR_REPORTS', 'false');
    vi.stubEnv('WRANGLER_HIDE_BANNER', 'true');
    // The operator's own session points elsewhere; none of it may leak into the terminal.
    vi.stubEnv('CLOUDFLARE_ENV', 'production');
    vi.stubEnv('CLOUDFLARE_API_TOKEN', 'operator-own-token');
    vi.stubEnv('CLOUDFLARE_API_KEY', 'operator-global-key');
    vi.stubEnv('CLOUDFLARE_EMAIL', 'operator@example.com');
  });
  afterEach(() => void vi.unstubAllEnvs());
  afterAll(async () => {
    await api?.close();
    home?.cleanup();
  });

  const accounts: CloudflareTargetInput[] = [
    { id: 'cf-staging', name: 'Edge staging', accountId: ACCOUNT, wranglerEnv: 'staging', apiTokenSecret: 'CF_API_TOKEN' },
    { id: 'cf-top', name: 'Edge top level', accountId: ACCOUNT, wranglerEnv: null, apiTokenSecret: 'CF_API_TOKEN' },
  ];
  const withVault = async (cloudflare: CloudflareTargetInput[], token: string | null) => {
    await t.call('secrets.setup', { passphrase: 'vault passphrase for the test' });
    const env = await environment({ cloudflare });
    if (token !== null) await t.call('secrets.set', { environmentId: env.id, name: 'CF_API_TOKEN', value: token });
    return env;
  };

  it('gives wrangler the account, its token from the vault, and the environment as the --env default', async () => {
    const env = await withVault(accounts, TOKEN);
    const staging = await open(env, 'wrangler', 'cf-staging');
    expect(staging).toMatchObject({ kind: 'wrangler', title: 'Payments prod · wrangler', target: 'account 0123abcd… env staging', targetId: 'cf-staging' });
    const out = watchTerminal(t.core, staging.id);
    const listed = await run(out, staging.id, 'cd worker && wrangler secret list');
    expect(listed.code).toBe(0);
    expect(listed.output).toContain('"name": "DB_PASSWORD"');
    // The staging worker's name, not the top-level one: CLOUDFLARE_ENV did what `--env staging` would.
    expect(api.requests).toEqual([{ method: 'GET', url: `/client/v4/accounts/${ACCOUNT}/workers/scripts/api-staging/secrets`, authorization: `Bearer ${TOKEN}` }]);

    api.requests.length = 0;
    const top = await open(env, 'wrangler', 'cf-top');
    expect(top.target).toBe('account 0123abcd… env top-level');
    const topOut = watchTerminal(t.core, top.id);
    expect((await run(topOut, top.id, 'cd worker && wrangler secret list')).code).toBe(0);
    expect(api.requests).toEqual([{ method: 'GET', url: `/client/v4/accounts/${ACCOUNT}/workers/scripts/api/secrets`, authorization: `Bearer ${TOKEN}` }]);

    expect(JSON.stringify(await t.call('terminals.list', {}))).not.toContain(TOKEN);
    expect(readFileSync(join(t.dataDir, 'logs', 'watchfloor.log'), 'utf8')).not.toContain(TOKEN);
  });

  it('starts nothing while the vault is locked or the token secret is missing', async () => {
    const env = await withVault(accounts, null);
    const missing = await refusal(open(env, 'wrangler', 'cf-staging'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toBe(
      'Payments prod has no secret CF_API_TOKEN, which Edge staging names as its API token. Nothing was started; add the secret under Environments, or clear the token field to use your own wrangler login.',
    );
    await t.call('secrets.set', { environmentId: env.id, name: 'CF_API_TOKEN', value: TOKEN });
    await t.call('secrets.lock', {});
    const locked = await refusal(open(env, 'wrangler', 'cf-staging'));
    expect(locked.code).toBe('conflict');
    expect(locked.message).toMatch(/^The vault is locked, so the API token of Edge staging \(CF_API_TOKEN\) cannot be read\. Nothing was started/);
    expect(await t.call('terminals.list', {})).toEqual([]);
  });

  it('opens without a token when the account names none, and says so', async () => {
    const env = await environment({ cloudflare: [{ name: 'Edge', accountId: ACCOUNT }] });
    const terminal = await open(env, 'wrangler');
    expect(terminal.target).toBe('account 0123abcd… env top-level · no API token: your wrangler login');
    const out = watchTerminal(t.core, terminal.id);
    const shown = await run(out, terminal.id, 'echo "A=$CLOUDFLARE_ACCOUNT_ID T=${CLOUDFLARE_API_TOKEN-unset} K=${CLOUDFLARE_API_KEY-unset} E=${CLOUDFLARE_ENV-unset}"');
    expect(shown.output).toContain(`A=${ACCOUNT} T=unset K=unset E=unset\r\n`);
  });
});
