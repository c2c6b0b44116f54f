/**
 * An environment's targets as the form edits them (every cell a string, as inputs hold them) and
 * back to what the core takes. The core validates; a value that does not parse here (a port of
 * "ssh") is sent as is, so its error comes back beside its field.
 */
import type {
  CloudflareTargetInput,
  Environment,
  HealthUrlInput,
  KubeconfigCandidate,
  KubernetesTargetInput,
  SshConfigCandidate,
  SshHostInput,
} from '@shared/contract';

export interface SshHostRow {
  id: string;
  name: string;
  host: string;
  port: string;
  user: string;
  auth: string;
  keyPath: string;
  jumpHostId: string;
  keepaliveSeconds: string;
}
export interface KubernetesRow {
  id: string;
  name: string;
  kubeconfigPath: string;
  context: string;
  namespace: string;
}
export interface CloudflareRow {
  id: string;
  name: string;
  accountId: string;
  wranglerEnv: string;
  apiTokenSecret: string;
}
export interface HealthUrlRow {
  id: string;
  name: string;
  url: string;
  expectedStatus: string;
}

export interface TargetDrafts {
  sshHosts: SshHostRow[];
  kubernetes: KubernetesRow[];
  cloudflare: CloudflareRow[];
  healthUrls: HealthUrlRow[];
}
export type TargetList = keyof TargetDrafts;

let seq = 0;
/** A new target's id, made here so a jump host can point at a host not saved yet. */
export function newTargetId(): string {
  return `t${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export const blankRow = {
  sshHosts: (): SshHostRow => ({ id: newTargetId(), name: '', host: '', port: '22', user: '', auth: 'agent', keyPath: '', jumpHostId: '', keepaliveSeconds: '30' }),
  kubernetes: (): KubernetesRow => ({ id: newTargetId(), name: '', kubeconfigPath: '~/.kube/config', context: '', namespace: 'default' }),
  cloudflare: (): CloudflareRow => ({ id: newTargetId(), name: '', accountId: '', wranglerEnv: '', apiTokenSecret: '' }),
  healthUrls: (): HealthUrlRow => ({ id: newTargetId(), name: '', url: 'https://', expectedStatus: '200' }),
} satisfies { [L in TargetList]: () => TargetDrafts[L][number] };

export function targetDraftsOf(env: Environment | null): TargetDrafts {
  return {
    sshHosts: (env?.sshHosts ?? []).map((h) => ({
      ...h,
      port: String(h.port),
      keyPath: h.keyPath ?? '',
      jumpHostId: h.jumpHostId ?? '',
      keepaliveSeconds: String(h.keepaliveSeconds),
    })),
    kubernetes: (env?.kubernetes ?? []).map((k) => ({ ...k })),
    cloudflare: (env?.cloudflare ?? []).map((c) => ({ ...c, wranglerEnv: c.wranglerEnv ?? '', apiTokenSecret: c.apiTokenSecret ?? '' })),
    healthUrls: (env?.healthUrls ?? []).map((u) => ({ ...u, expectedStatus: String(u.expectedStatus) })),
  };
}

/** A whole number as typed, or the text itself for the core to refuse beside its field. */
const num = (s: string): number => (/^\s*\d+\s*$/.test(s) ? Number(s) : (s as unknown as number));
const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

export function targetInputsOf(d: TargetDrafts): {
  sshHosts: SshHostInput[];
  kubernetes: KubernetesTargetInput[];
  cloudflare: CloudflareTargetInput[];
  healthUrls: HealthUrlInput[];
} {
  return {
    sshHosts: d.sshHosts.map((h) => ({
      id: h.id,
      name: h.name,
      host: h.host,
      port: num(h.port),
      user: h.user,
      auth: h.auth as SshHostInput['auth'],
      keyPath: orNull(h.keyPath),
      jumpHostId: orNull(h.jumpHostId),
      keepaliveSeconds: num(h.keepaliveSeconds),
    })),
    kubernetes: d.kubernetes.map((k) => ({ ...k })),
    cloudflare: d.cloudflare.map((c) => ({ ...c, wranglerEnv: orNull(c.wranglerEnv), apiTokenSecret: orNull(c.apiTokenSecret) })),
    healthUrls: d.healthUrls.map((u) => ({ ...u, expectedStatus: num(u.expectedStatus) })),
  };
}

/** Rows for the hosts the operator picked from an ssh config. A `ProxyJump` naming another host
 * (already in the list, or picked with it) becomes that host's jump host. */
export function sshRowsFrom(picked: SshConfigCandidate[], existing: SshHostRow[]): SshHostRow[] {
  const rows = picked.map((c) => ({
    ...blankRow.sshHosts(),
    name: c.name,
    host: c.host,
    port: String(c.port),
    user: c.user ?? '',
    auth: c.keyPath ? 'key' : 'agent',
    keyPath: c.keyPath ?? '',
  }));
  const all = [...existing, ...rows];
  for (const [i, c] of picked.entries()) {
    if (!c.jumpHost) continue;
    const jump = all.find((r) => r.name === c.jumpHost) ?? all.find((r) => r.host === c.jumpHost);
    if (jump && jump !== rows[i]) rows[i]!.jumpHostId = jump.id;
  }
  return rows;
}

export function kubernetesRowsFrom(picked: KubeconfigCandidate[]): KubernetesRow[] {
  return picked.map((c) => ({
    ...blankRow.kubernetes(),
    name: c.name,
    kubeconfigPath: c.kubeconfigPath,
    context: c.name,
    namespace: c.namespace ?? 'default',
  }));
}
