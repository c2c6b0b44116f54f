/**
 * Environments: the places an operator works in (production, staging...), with their variables
 * and targets (SSH hosts, Kubernetes contexts, Cloudflare accounts, health URLs). Secrets are the
 * vault's; a target names the secret it needs.
 */
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import {
  ApiError,
  EnvironmentInput,
  type Environment,
  type Variable,
} from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { importKubeconfig, importSshConfig, type ConfigLocations } from './imports';

interface Row {
  id: string;
  name: string;
  tier: Environment['tier'];
  color: string;
  description: string;
  variables: string;
  ssh_hosts: string;
  kubernetes: string;
  cloudflare: string;
  health_urls: string;
  created_at: string;
  updated_at: string;
}

type ParsedInput = ReturnType<typeof EnvironmentInput.parse>;
type Targets = Pick<Environment, 'sshHosts' | 'kubernetes' | 'cloudflare' | 'healthUrls'>;

export class EnvironmentService {
  private readonly locations: ConfigLocations;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Where the operator's ssh and kube configs are; tests pass a temp home. */
    locations: Partial<ConfigLocations> = {},
  ) {
    this.locations = {
      homeDir: locations.homeDir ?? homedir(),
      kubeconfigEnv: locations.kubeconfigEnv !== undefined ? locations.kubeconfigEnv : (process.env.KUBECONFIG ?? null),
    };
  }

  list(): Environment[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM environments
         ORDER BY CASE tier WHEN 'production' THEN 0 WHEN 'staging' THEN 1 WHEN 'development' THEN 2 ELSE 3 END,
                  name COLLATE NOCASE`,
      )
      .all() as Row[];
    return rows.map(toEnvironment);
  }

  get(id: string): Environment {
    const row = this.db.prepare('SELECT * FROM environments WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new ApiError({ code: 'not_found', message: `No environment with id ${id}; it may have been deleted.` });
    return toEnvironment(row);
  }

  create(input: ParsedInput): Environment {
    const now = this.clock.now().toISOString();
    const id = randomUUID();
    this.assertNameFree(input.name, null);
    checkVariables(input.variables);
    const t = targetColumns(withIds(input));
    this.db
      .prepare(
        `INSERT INTO environments (id, name, tier, color, description, variables, ssh_hosts, kubernetes, cloudflare, health_urls, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.name, input.tier, input.color, input.description, JSON.stringify(input.variables), t.sshHosts, t.kubernetes, t.cloudflare, t.healthUrls, now, now);
    return this.get(id);
  }

  update(id: string, patch: Partial<ParsedInput>): Environment {
    const current = this.get(id);
    const next = EnvironmentInput.parse({ ...current, ...stripUndefined(patch) });
    if (next.name.toLowerCase() !== current.name.toLowerCase()) this.assertNameFree(next.name, id);
    checkVariables(next.variables);
    const t = targetColumns(withIds(next));
    this.db
      .prepare(
        `UPDATE environments SET name = ?, tier = ?, color = ?, description = ?, variables = ?,
           ssh_hosts = ?, kubernetes = ?, cloudflare = ?, health_urls = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(next.name, next.tier, next.color, next.description, JSON.stringify(next.variables), t.sshHosts, t.kubernetes, t.cloudflare, t.healthUrls, this.clock.now().toISOString(), id);
    return this.get(id);
  }

  duplicate(id: string): Environment {
    const source = this.get(id);
    let name = `${source.name} copy`;
    for (let n = 2; this.nameTaken(name, null); n++) name = `${source.name} copy ${n}`;
    return this.create({ ...source, ...freshIds(source), name });
  }

  /** Candidate hosts from an ssh config; nothing is saved. */
  importSshConfig(path: string | undefined) {
    return importSshConfig(path, this.locations);
  }

  /** Candidate contexts from the operator's kubeconfig(s); nothing is saved. */
  importKubeconfig(path: string | undefined) {
    return importKubeconfig(path, this.locations);
  }

  delete(id: string): void {
    const result = this.db.prepare('DELETE FROM environments WHERE id = ?').run(id);
    if (result.changes === 0) throw new ApiError({ code: 'not_found', message: `No environment with id ${id}; it may already be deleted.` });
  }

  private nameTaken(name: string, exceptId: string | null): boolean {
    const row = this.db
      .prepare('SELECT id FROM environments WHERE name = ? COLLATE NOCASE AND id IS NOT ?')
      .get(name, exceptId);
    return row !== undefined;
  }

  private assertNameFree(name: string, exceptId: string | null): void {
    if (this.nameTaken(name, exceptId)) {
      throw new ApiError({
        code: 'conflict',
        message: `An environment named "${name}" already exists. Pick another name, or edit that one.`,
        issues: [{ path: 'name', message: 'already used by another environment' }],
      });
    }
  }
}

function checkVariables(variables: Variable[]): void {
  const seen = new Set<string>();
  for (const [i, v] of variables.entries()) {
    if (seen.has(v.key)) {
      throw new ApiError({
        code: 'invalid_arguments',
        message: `The variable ${v.key} is defined twice; keep one.`,
        issues: [{ path: `variables.${i}.key`, message: 'defined twice' }],
      });
    }
    seen.add(v.key);
  }
}

/** Gives every target without an id (a new one) its own. */
function withIds(input: Pick<ParsedInput, keyof Targets>): Targets {
  const id = <T extends { id?: string | undefined }>(t: T): T & { id: string } => ({ ...t, id: t.id ?? randomUUID() });
  return {
    sshHosts: (input.sshHosts ?? []).map(id),
    kubernetes: (input.kubernetes ?? []).map(id),
    cloudflare: (input.cloudflare ?? []).map(id),
    healthUrls: (input.healthUrls ?? []).map(id),
  };
}

/** A copy's targets get new ids; its jump hosts point at the copies of theirs. */
function freshIds(source: Targets): Targets {
  const hostIds = new Map(source.sshHosts.map((h) => [h.id, randomUUID()]));
  const fresh = <T extends { id: string }>(t: T): T => ({ ...t, id: randomUUID() });
  return {
    sshHosts: source.sshHosts.map((h) => ({
      ...h,
      id: hostIds.get(h.id)!,
      jumpHostId: h.jumpHostId === null ? null : (hostIds.get(h.jumpHostId) ?? null),
    })),
    kubernetes: source.kubernetes.map(fresh),
    cloudflare: source.cloudflare.map(fresh),
    healthUrls: source.healthUrls.map(fresh),
  };
}

function targetColumns(t: Targets): Record<keyof Targets, string> {
  return {
    sshHosts: JSON.stringify(t.sshHosts),
    kubernetes: JSON.stringify(t.kubernetes),
    cloudflare: JSON.stringify(t.cloudflare),
    healthUrls: JSON.stringify(t.healthUrls),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toEnvironment(row: Row): Environment {
  return {
    id: row.id,
    name: row.name,
    tier: row.tier,
    color: row.color,
    description: row.description,
    variables: JSON.parse(row.variables) as Variable[],
    sshHosts: JSON.parse(row.ssh_hosts) as Environment['sshHosts'],
    kubernetes: JSON.parse(row.kubernetes) as Environment['kubernetes'],
    cloudflare: JSON.parse(row.cloudflare) as Environment['cloudflare'],
    healthUrls: JSON.parse(row.health_urls) as Environment['healthUrls'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
