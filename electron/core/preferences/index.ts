/**
 * The operator's preferences (current environment, theme), kept in the store so they survive a
 * restart on either host.
 */
import { ApiError, Preferences } from '../../../shared/contract';
import type { Db } from '../db';

const DEFAULTS: Preferences = { currentEnvironmentId: null, theme: 'system' };

export class PreferenceService {
  constructor(private readonly db: Db) {}

  get(): Preferences {
    const rows = this.db.prepare('SELECT key, value FROM preferences').all() as { key: string; value: string }[];
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    // A value an older or newer version wrote that no longer parses falls back to the default.
    const parsed = Preferences.partial().safeParse(stored);
    const prefs = { ...DEFAULTS, ...(parsed.success ? parsed.data : {}) };
    if (prefs.currentEnvironmentId && !this.environmentExists(prefs.currentEnvironmentId)) prefs.currentEnvironmentId = null;
    return prefs;
  }

  update(patch: Partial<Preferences>): Preferences {
    if (patch.currentEnvironmentId && !this.environmentExists(patch.currentEnvironmentId)) {
      throw new ApiError({ code: 'not_found', message: 'That environment no longer exists; pick another one.', issues: [{ path: 'currentEnvironmentId', message: 'no such environment' }] });
    }
    const write = this.db.prepare('INSERT INTO preferences (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) if (value !== undefined) write.run(key, JSON.stringify(value));
    })();
    return this.get();
  }

  private environmentExists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM environments WHERE id = ?').get(id) !== undefined;
  }
}
