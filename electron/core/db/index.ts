/**
 * The local store: one SQLite file in the data dir. WAL with synchronous=FULL, so anything the UI
 * shows as saved is on disk; foreign keys on; numbered migrations applied in one transaction.
 * A file that is not a readable SQLite database is never deleted or overwritten: it is moved
 * aside with a timestamp and a fresh store is started, and the operator is told.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoreNotice } from '../../../shared/contract';
import { migrations } from './migrations';

export type Db = Database.Database;

export const STORE_FILE = 'watchfloor.db';

export interface OpenedStore {
  db: Db;
  path: string;
  notice: StoreNotice | null;
}

export function openStore(dataDir: string, now: () => Date = () => new Date()): OpenedStore {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, STORE_FILE);
  try {
    return { db: openAndMigrate(path), path, notice: null };
  } catch (error) {
    if (!isDamagedDatabase(error)) throw error;
    const movedTo = moveAside(path, now());
    const db = openAndMigrate(path);
    return {
      db,
      path,
      notice: {
        kind: 'recovered',
        movedTo,
        message:
          `The database at ${path} could not be read (${(error as Error).message}). ` +
          `It was kept, unchanged, at ${movedTo}, and Watchfloor started with a fresh store. ` +
          `Re-import your runbooks, or send the kept file to your team to recover it.`,
      },
    };
  }
}

function openAndMigrate(path: string): Db {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `this database was written by a newer Watchfloor (schema ${current}, this one knows ${migrations.length}); update Watchfloor to open it`,
    );
  }
  if (current === migrations.length) return;
  db.transaction(() => {
    for (let i = current; i < migrations.length; i++) {
      db.exec(migrations[i]!);
    }
    db.pragma(`user_version = ${migrations.length}`);
  })();
}

function isDamagedDatabase(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT');
}

function moveAside(path: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  let target = `${path}.damaged-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${path}.damaged-${stamp}-${n}`;
  renameSync(path, target);
  // The WAL and shared-memory files belong to the damaged database; keep them beside it.
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}
