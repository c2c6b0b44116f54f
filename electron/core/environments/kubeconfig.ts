/**
 * Contexts from a kubeconfig, as candidates an operator may add to an environment.
 * Pure: text in, candidates out.
 */
import { parse } from 'yaml';
import type { KubeconfigCandidate } from '../../../shared/contract';

interface Named<T> {
  name?: unknown;
  context?: T;
  cluster?: T;
}

export function parseKubeconfig(text: string, kubeconfigPath: string): KubeconfigCandidate[] {
  const doc = (parse(text) ?? {}) as { contexts?: Named<Record<string, unknown>>[]; clusters?: Named<Record<string, unknown>>[] };
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const servers = new Map<string, string | null>();
  for (const c of Array.isArray(doc.clusters) ? doc.clusters : []) {
    const name = str(c?.name);
    if (name) servers.set(name, str(c.cluster?.server));
  }
  const out: KubeconfigCandidate[] = [];
  for (const c of Array.isArray(doc.contexts) ? doc.contexts : []) {
    const name = str(c?.name);
    if (!name) continue;
    const cluster = str(c.context?.cluster);
    out.push({
      name,
      cluster,
      namespace: str(c.context?.namespace),
      server: cluster ? (servers.get(cluster) ?? null) : null,
      kubeconfigPath,
    });
  }
  return out;
}
