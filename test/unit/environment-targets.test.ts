import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentService } from '../../electron/core/environments';
import { useTestCore } from '../support/core';

const t = useTestCore();
const call = t.call;

const bastion = { id: 'bastion', name: 'Bastion', host: 'bastion.example.net', user: 'ops' };
const web = { id: 'web', name: 'Web 1', host: '10.0.4.12', port: 2222, user: 'deploy', auth: 'key', keyPath: '~/.ssh/id_web', jumpHostId: 'bastion' };
const prod = {
  name: 'Production',
  tier: 'production',
  color: '#dc2626',
  sshHosts: [bastion, web],
  kubernetes: [{ name: 'EU cluster', kubeconfigPath: '~/.kube/config', context: 'prod-eu', namespace: 'payments' }],
  cloudflare: [{ name: 'Edge', accountId: '0123456789abcdef0123456789abcdef', wranglerEnv: 'production', apiTokenSecret: 'CLOUDFLARE_API_TOKEN' }],
  healthUrls: [{ name: 'API', url: 'https://api.example.net/healthz' }],
};

function issuePaths(error: unknown): string[] {
  return ((error as { issues?: { path: string }[] }).issues ?? []).map((i) => i.path);
}

async function refusal(method: string, params: unknown): Promise<{ code: string; paths: string[] }> {
  try {
    await call(method, params);
  } catch (error) {
    return { code: (error as { code: string }).code, paths: issuePaths(error) };
  }
  throw new Error(`${method} was accepted`);
}

describe('environment targets', () => {
  it('stores hosts, clusters, accounts and health URLs with defaults and ids', async () => {
    const env = await call('environments.create', prod);
    expect(env.sshHosts).toEqual([
      { ...bastion, port: 22, auth: 'agent', keyPath: null, jumpHostId: null, keepaliveSeconds: 30, secret: null },
      { ...web, keepaliveSeconds: 30, secret: null },
    ]);
    expect(env.kubernetes).toEqual([expect.objectContaining({ context: 'prod-eu', namespace: 'payments', id: expect.any(String) })]);
    expect(env.cloudflare).toEqual([expect.objectContaining({ accountId: prod.cloudflare[0]!.accountId, apiTokenSecret: 'CLOUDFLARE_API_TOKEN' })]);
    expect(env.healthUrls).toEqual([expect.objectContaining({ url: 'https://api.example.net/healthz', expectedStatus: 200 })]);
    expect(await call('environments.get', { id: env.id })).toEqual(env);
  });

  it('keeps targets when a patch leaves them out, and replaces a list a patch names', async () => {
    const env = await call('environments.create', { ...prod, variables: [{ key: 'REGION', value: 'eu' }] });
    const described = await call('environments.update', { id: env.id, patch: { description: 'moved' } });
    expect(described).toMatchObject({ variables: env.variables, sshHosts: env.sshHosts, kubernetes: env.kubernetes, healthUrls: env.healthUrls });
    const fewer = await call('environments.update', { id: env.id, patch: { sshHosts: [bastion] } });
    expect((fewer.sshHosts as unknown[]).length).toBe(1);
  });

  it('refuses a bad port, a hostile host, an unknown jump host and a bad URL, each at its field', async () => {
    expect(await refusal('environments.create', { ...prod, sshHosts: [{ ...bastion, port: 70_000 }] })).toEqual({ code: 'invalid_arguments', paths: ['sshHosts.0.port'] });
    expect(await refusal('environments.create', { ...prod, sshHosts: [{ ...bastion, port: 0 }] })).toMatchObject({ paths: ['sshHosts.0.port'] });
    expect(await refusal('environments.create', { ...prod, sshHosts: [{ ...bastion, host: 'a;rm -rf /' }] })).toMatchObject({ paths: ['sshHosts.0.host'] });
    expect(await refusal('environments.create', { ...prod, sshHosts: [{ ...bastion, host: '-oProxyCommand=sh' }] })).toMatchObject({ paths: ['sshHosts.0.host'] });
    expect(await refusal('environments.create', { ...prod, sshHosts: [{ ...bastion, host: '$(reboot)' }] })).toMatchObject({ paths: ['sshHosts.0.host'] });
    expect(await refusal('environments.create', { ...prod, sshHosts: [web] })).toMatchObject({ paths: ['sshHosts.0.jumpHostId'] });
    expect(await refusal('environments.create', { ...prod, sshHosts: [{ ...bastion, jumpHostId: 'bastion' }] })).toMatchObject({ paths: ['sshHosts.0.jumpHostId'] });
    expect(await refusal('environments.create', { ...prod, healthUrls: [{ name: 'x', url: 'not a url' }] })).toMatchObject({ paths: ['healthUrls.0.url'] });
    expect(await refusal('environments.create', { ...prod, healthUrls: [{ name: 'x', url: 'file:///etc/passwd' }] })).toMatchObject({ paths: ['healthUrls.0.url'] });
    expect(await refusal('environments.create', { ...prod, cloudflare: [{ name: 'x', accountId: 'nope' }] })).toMatchObject({ paths: ['cloudflare.0.accountId'] });
    expect(await refusal('environments.create', { ...prod, sshHosts: [{ ...bastion, auth: 'key' }] })).toMatchObject({ paths: ['sshHosts.0.keyPath'] });
  });

  it('refuses the same mistakes in an update, under patch., and keeps what was saved', async () => {
    const env = await call('environments.create', prod);
    expect(await refusal('environments.update', { id: env.id, patch: { sshHosts: [{ ...bastion, port: 'ssh' }] } })).toMatchObject({ paths: ['patch.sshHosts.0.port'] });
    // A patch replaces the host list whole: a jump host it leaves out is gone.
    expect(await refusal('environments.update', { id: env.id, patch: { sshHosts: [web] } })).toMatchObject({ paths: ['patch.sshHosts.0.jumpHostId'] });
    expect(await call('environments.get', { id: env.id })).toEqual(env);
  });

  it('duplicates targets with fresh ids, the jump host pointing at the copy of its host', async () => {
    const env = await call('environments.create', prod);
    const copy = await call('environments.duplicate', { id: env.id });
    const [b, w] = copy.sshHosts as { id: string; jumpHostId: string | null; name: string }[];
    expect([b!.name, w!.name]).toEqual(['Bastion', 'Web 1']);
    expect(b!.id).not.toBe('bastion');
    expect(w!.id).not.toBe('web');
    expect(w!.jumpHostId).toBe(b!.id);
    for (const list of ['kubernetes', 'cloudflare', 'healthUrls'] as const) {
      const [original, copied] = [(env[list] as { id: string }[])[0]!, (copy[list] as { id: string }[])[0]!];
      expect({ ...copied, id: original.id }).toEqual(original);
      expect(copied.id).not.toBe(original.id);
    }
  });
});

describe('importing from the operator’s configs', () => {
  it('offers the hosts of an ssh config, following Include, without saving anything', async () => {
    const home = join(t.dataDir, 'home');
    mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
    writeFileSync(
      join(home, '.ssh', 'config'),
      [
        'Include conf.d/*.conf',
        'Host bastion',
        '  HostName bastion.example.net',
        '  User ops',
        'Host web-1 web-2',
        '  HostName 10.0.4.12',
        '  Port 2222',
        '  User deploy',
        '  IdentityFile ~/.ssh/id_web',
        '  ProxyJump bastion',
        'Host *.internal',
        '  User nobody',
        'Host *',
        '  ServerAliveInterval 20',
        '',
      ].join('\n'),
    );
    writeFileSync(join(home, '.ssh', 'conf.d', 'db.conf'), 'Host db\n  HostName db.example.net\n');
    const service = new EnvironmentService(t.core.db, { now: () => new Date() }, { homeDir: home, kubeconfigEnv: null });
    const { path, hosts } = service.importSshConfig(undefined);
    expect(path).toBe(join(home, '.ssh', 'config'));
    expect(hosts).toEqual([
      { name: 'db', host: 'db.example.net', port: 22, user: null, keyPath: null, jumpHost: null },
      { name: 'bastion', host: 'bastion.example.net', port: 22, user: 'ops', keyPath: null, jumpHost: null },
      { name: 'web-1', host: '10.0.4.12', port: 2222, user: 'deploy', keyPath: '~/.ssh/id_web', jumpHost: 'bastion' },
      { name: 'web-2', host: '10.0.4.12', port: 2222, user: 'deploy', keyPath: '~/.ssh/id_web', jumpHost: 'bastion' },
    ]);
    expect(service.list()).toEqual([]);
  });

  it('reads a given ssh config path through the contract, and says which path was missing', async () => {
    const file = join(t.dataDir, 'ssh_config');
    writeFileSync(file, 'Host api\n  HostName api.example.net\n  Port 22022\n');
    expect(await call('environments.importSshConfig', { path: file })).toEqual({
      path: file,
      hosts: [{ name: 'api', host: 'api.example.net', port: 22022, user: null, keyPath: null, jumpHost: null }],
    });
    const missing = join(t.dataDir, 'nope', 'config');
    await expect(call('environments.importSshConfig', { path: missing })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining(missing) });
  });

  it('offers the contexts of a kubeconfig with cluster, namespace and server', async () => {
    const file = join(t.dataDir, 'kubeconfig.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: staging',
        'clusters:',
        '  - name: eu-prod',
        '    cluster: { server: "https://10.0.0.1:6443" }',
        '  - name: eu-staging',
        '    cluster: { server: "https://10.0.1.1:6443" }',
        'contexts:',
        '  - name: prod-eu',
        '    context: { cluster: eu-prod, user: admin, namespace: payments }',
        '  - name: staging',
        '    context: { cluster: eu-staging, user: admin }',
        'users:',
        '  - name: admin',
        '    user: { token: not-read }',
        '',
      ].join('\n'),
    );
    const expected = {
      paths: [file],
      contexts: [
        { name: 'prod-eu', cluster: 'eu-prod', namespace: 'payments', server: 'https://10.0.0.1:6443', kubeconfigPath: file },
        { name: 'staging', cluster: 'eu-staging', namespace: null, server: 'https://10.0.1.1:6443', kubeconfigPath: file },
      ],
    };
    expect(await call('environments.importKubeconfig', { path: file })).toEqual(expected);
    // $KUBECONFIG, as kubectl reads it: a colon-separated list, missing files skipped.
    const service = new EnvironmentService(t.core.db, { now: () => new Date() }, { homeDir: t.dataDir, kubeconfigEnv: `${join(t.dataDir, 'missing')}:${file}` });
    expect(service.importKubeconfig(undefined)).toEqual(expected);
  });

  it('says which kubeconfig it read when there is none', () => {
    const home = join(t.dataDir, 'empty-home');
    const service = new EnvironmentService(t.core.db, { now: () => new Date() }, { homeDir: home, kubeconfigEnv: null });
    expect(() => service.importKubeconfig(undefined)).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining(join(home, '.kube', 'config')) }));
  });
});

describe('the form’s target rows', () => {
  it('link a picked host’s ProxyJump to the host it names, and send numbers as numbers', async () => {
    const { sshRowsFrom, targetInputsOf } = await import('../../renderer/src/features/environments/targetDrafts');
    const rows = sshRowsFrom(
      [
        { name: 'bastion', host: 'bastion.example.net', port: 22, user: 'ops', keyPath: null, jumpHost: null },
        { name: 'web-1', host: '10.0.4.12', port: 2222, user: 'deploy', keyPath: '~/.ssh/id_web', jumpHost: 'bastion' },
      ],
      [],
    );
    const env = await call('environments.create', { name: 'from ssh config', tier: 'staging', color: '#16a34a', ...targetInputsOf({ sshHosts: rows, kubernetes: [], cloudflare: [], healthUrls: [] }) });
    const [b, w] = env.sshHosts as { id: string; port: number; auth: string; jumpHostId: string | null }[];
    expect(w).toMatchObject({ port: 2222, auth: 'key', jumpHostId: b!.id });
    expect(b).toMatchObject({ port: 22, auth: 'agent', jumpHostId: null });
    // A port typed as words reaches the core as typed and is refused beside its field.
    const bad = targetInputsOf({ sshHosts: [{ ...rows[0]!, port: 'ssh' }], kubernetes: [], cloudflare: [], healthUrls: [] });
    expect(await refusal('environments.create', { name: 'x', tier: 'staging', color: '#16a34a', ...bad })).toMatchObject({ paths: ['sshHosts.0.port'] });
  });
});
