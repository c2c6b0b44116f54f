import { afterEach, beforeEach } from 'vitest';
import { createCore, type Core, type CoreOptions } from '../../electron/core';
import { dispatch } from '../../electron/core/api/dispatch';
import { tempDir } from './temp';

export interface TestCore {
  /** The core of the current test (a fresh one, on a fresh temp data dir, for each test). */
  readonly core: Core;
  readonly dataDir: string;
  /** A call through the same validated entry point as the hosts; rejects with the ApiError shape. */
  call(method: string, params: unknown): Promise<Record<string, unknown>>;
}

/** A real core for each test, with no bundled runbooks and no source watching unless asked. */
export function useTestCore(options: Partial<CoreOptions> = {}): TestCore {
  let current: { core: Core; dataDir: string; cleanup: () => void } | null = null;
  beforeEach(() => {
    const dir = tempDir();
    const dataDir = dir.path;
    const core = createCore({ dataDir, host: 'headless', bundledRunbooksDir: null, watchSources: false, ...options });
    current = { core, dataDir, cleanup: dir.cleanup };
  });
  afterEach(() => {
    current?.core.close();
    current?.cleanup();
    current = null;
  });
  const live = () => {
    if (!current) throw new Error('useTestCore: only inside a test');
    return current;
  };
  return {
    get core() {
      return live().core;
    },
    get dataDir() {
      return live().dataDir;
    },
    async call(method, params) {
      const r = await dispatch(live().core, method, params);
      if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
      return r.value as Record<string, unknown>;
    },
  };
}
