import { Boxes, Cloud, Server, SquareTerminal, type LucideIcon } from 'lucide-react';
import type { Environment, TerminalKind } from '@shared/contract';

/** What the operator can open a terminal on: a local shell, or one target of an environment. */
export interface TerminalChoice {
  kind: TerminalKind;
  /** The SSH host, Kubernetes target or Cloudflare account; null for a local shell. */
  targetId: string | null;
  /** "Local shell", "SSH: web-1", "Kubernetes: prod-eu"... */
  label: string;
  /** Where it points, in small print: `deploy@10.0.0.5:22`, `prod-eu / payments`. */
  detail: string | null;
}

export const kindIcons: Record<TerminalKind, LucideIcon> = {
  local: SquareTerminal,
  ssh: Server,
  kubectl: Boxes,
  wrangler: Cloud,
};

/** The kind as the header and the pickers name it. */
export const kindLabels: Record<TerminalKind, string> = {
  local: 'local',
  ssh: 'SSH',
  kubectl: 'Kubernetes',
  wrangler: 'Cloudflare',
};

/** Everything a new terminal can be for this environment (or a plain local shell without one). */
export function terminalChoices(environment: Environment | null): TerminalChoice[] {
  const choices: TerminalChoice[] = [{ kind: 'local', targetId: null, label: 'Local shell', detail: null }];
  if (!environment) return choices;
  for (const h of environment.sshHosts) {
    choices.push({ kind: 'ssh', targetId: h.id, label: `SSH: ${h.name}`, detail: `${h.user}@${h.host}:${h.port}` });
  }
  for (const k of environment.kubernetes) {
    choices.push({ kind: 'kubectl', targetId: k.id, label: `Kubernetes: ${k.name}`, detail: `${k.context} / ${k.namespace}` });
  }
  for (const c of environment.cloudflare) {
    choices.push({ kind: 'wrangler', targetId: c.id, label: `Cloudflare: ${c.name}`, detail: c.wranglerEnv ? `env ${c.wranglerEnv}` : null });
  }
  return choices;
}
