/**
 * The packaging configuration, checked where packaging itself cannot run (no Electron binary):
 * electron-builder.yml is valid against the JSON schema electron-builder ships, names a package
 * for every desktop platform, and flips every Electron fuse the security review relies on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const require = createRequire(import.meta.url);

function loadSchemaValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as { $schema: string };
  // The schema says which draft it is; ajv's default build is draft-07.
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  // strict: false because the schema uses keywords ajv does not know (e.g. typeof-style annotations).
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

const validate = loadSchemaValidator();
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;

type Targets = { target: (string | { target: string })[] };
const targetNames = (platform: unknown) => ((platform as Targets | undefined)?.target ?? []).map((t) => (typeof t === 'string' ? t : t.target));

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json', () => {
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('names every target: Linux AppImage and deb, macOS dmg, Windows nsis', () => {
    expect(targetNames(config.linux).sort()).toEqual(['AppImage', 'deb']);
    expect(targetNames(config.mac)).toEqual(['dmg']);
    expect(targetNames(config.win)).toEqual(['nsis']);
  });

  it('sets every fuse: no running as Node, cookie encryption, ASAR integrity, app only from ASAR', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('is checked by a validator that refuses what electron-builder would refuse', () => {
    expect(validate({ ...config, notAnOption: true })).toBe(false);
    expect(validate({ ...config, electronFuses: { ...(config.electronFuses as object), runAsNod: false } })).toBe(false);
    expect(validate({ ...config, linux: { target: 42 } })).toBe(false);
    expect(validate({ ...config, asar: 'yes' })).toBe(false);
  });

  it('is what npm run dist packages', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.dist).toBe('node scripts/dist.mjs');
    expect(readFileSync(join(root, 'scripts', 'dist.mjs'), 'utf8')).toContain('electron-builder');
  });
});
