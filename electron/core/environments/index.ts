/**
 * Environments: the places an operator works in (production, staging...). Hosts, clusters,
 * accounts and secrets join this model in the terminals issue; variables already live here.
 */
import { randomUUID } from 'node:crypto';
import {
  ApiError,
  EnvironmentInput,
  type Environment,
  type Variable,
} from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';

interface Row {
  id: string;
  name: string;
  tier: Environment['tier'];
  color: string;
  description: string;
  variables: string;
  created_at: string;
  updated_at: string;
}

type ParsedInput = ReturnType<typeof EnvironmentInput.parse>;

export class EnvironmentService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

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
    this.db
      .prepare(
        `INSERT INTO environments (id, name, tier, color, description, variables, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.name, input.tier, input.color, input.description, JSON.stringify(input.variables), now, now);
    return this.get(id);
  }

  update(id: string, patch: Partial<ParsedInput>): Environment {
    const current = this.get(id);
    const next = EnvironmentInput.parse({ ...current, ...stripUndefined(patch) });
    if (next.name.toLowerCase() !== current.name.toLowerCase()) this.assertNameFree(next.name, id);
    checkVariables(next.variables);
    this.db
      .prepare(
        `UPDATE environments SET name = ?, tier = ?, color = ?, description = ?, variables = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(next.name, next.tier, next.color, next.description, JSON.stringify(next.variables), this.clock.now().toISOString(), id);
    return this.get(id);
  }

  duplicate(id: string): Environment {
    const source = this.get(id);
    let name = `${source.name} copy`;
    for (let n = 2; this.nameTaken(name, null); n++) name = `${source.name} copy ${n}`;
    return this.create({ ...source, name });
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
