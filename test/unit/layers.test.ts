import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layering rules live in eslint.config.js; these prove each one fires on a forbidden import
// (linting text as if it were at that path) and stays quiet on an allowed one.
const eslint = new ESLint({ cwd: process.cwd() });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries', () => {
  it('electron/core may not import electron', async () => {
    expect((await violations('electron/core/runbooks/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).length).toBeGreaterThan(0);
  });

  it('electron/core may not import a host', async () => {
    expect((await violations('electron/core/probe.ts', "import { startServer } from '../server';\nexport const x = startServer;\n")).length).toBeGreaterThan(0);
  });

  it('renderer may not import Node built-ins or electron/', async () => {
    expect((await violations('renderer/src/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).length).toBeGreaterThan(0);
    expect((await violations('renderer/src/probe.ts', "import fs from 'fs';\nexport const x = fs;\n")).length).toBeGreaterThan(0);
    expect((await violations('renderer/src/probe.ts', "import { createCore } from '../../electron/core';\nexport const x = createCore;\n")).length).toBeGreaterThan(0);
    expect((await violations('renderer/src/probe.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n")).length).toBeGreaterThan(0);
  });

  it('shared may import neither side', async () => {
    expect((await violations('shared/probe.ts', "import { createCore } from '../electron/core';\nexport const x = createCore;\n")).length).toBeGreaterThan(0);
    expect((await violations('shared/probe.ts', "import { join } from 'node:path';\nexport const x = join;\n")).length).toBeGreaterThan(0);
  });

  it('allows what each layer may use', async () => {
    expect(await violations('renderer/src/probe.ts', "import { calls } from '@shared/contract';\nexport const x = calls;\n")).toEqual([]);
    expect(await violations('electron/core/probe.ts', "import { join } from 'node:path';\nexport const x = join;\n")).toEqual([]);
    expect(await violations('electron/main/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).toEqual([]);
  });
});
