import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, STORE_FILE } from '../../electron/core/db';
import { migrations } from '../../electron/core/db/migrations';
import { tempDir } from '../support/temp';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((c) => c()));
const fresh = () => {
  const d = tempDir();
  dirs.push(d.cleanup);
  return d.path;
};

describe('the store', () => {
  it('opens in WAL mode with synchronous=FULL and foreign keys, migrated to the latest version', () => {
    const { db, notice } = openStore(fresh());
    expect(notice).toBeNull();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.close();
  });

  it('keeps a garbage database file aside, unchanged, reports it and starts fresh', () => {
    const dir = fresh();
    const garbage = Buffer.from('this is not a database, it is an operator note that must never be lost\n'.repeat(200));
    writeFileSync(join(dir, STORE_FILE), garbage);
    const at = new Date('2026-11-25T03:14:15.000Z');
    const { db, notice } = openStore(dir, () => at);
    expect(notice?.kind).toBe('recovered');
    expect(notice?.movedTo).toBe(join(dir, `${STORE_FILE}.damaged-2026-11-25T03-14-15-000Z`));
    expect(readFileSync(notice!.movedTo).equals(garbage)).toBe(true);
    expect(notice?.message).toContain(notice!.movedTo);
    expect(db.prepare('SELECT count(*) AS n FROM environments').get()).toEqual({ n: 0 });
    db.close();
    // A second damaged file the same second never overwrites the first.
    writeFileSync(join(dir, STORE_FILE), 'garbage again');
    const second = openStore(dir, () => at);
    expect(second.notice?.movedTo).not.toBe(notice?.movedTo);
    expect(readdirSync(dir).filter((f) => f.includes('.damaged-')).length).toBe(2);
    second.db.close();
  });

  it('refuses a database written by a newer Watchfloor instead of damaging it', () => {
    const dir = fresh();
    const db = new Database(join(dir, STORE_FILE));
    db.pragma(`user_version = ${migrations.length + 5}`);
    db.close();
    expect(() => openStore(dir)).toThrow(/newer Watchfloor/);
    expect(existsSync(join(dir, STORE_FILE))).toBe(true);
  });

  it('keeps data across reopen', () => {
    const dir = fresh();
    const first = openStore(dir);
    first.db.prepare(`INSERT INTO environments (id, name, tier, color, created_at, updated_at) VALUES ('e1', 'Prod', 'production', '#dc2626', 'x', 'x')`).run();
    first.db.close();
    const again = openStore(dir);
    expect(again.db.prepare('SELECT name FROM environments').all()).toEqual([{ name: 'Prod' }]);
    again.db.close();
  });
});
