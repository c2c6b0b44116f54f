// Where Electron's binary is, found without loading node_modules/electron/index.js: that module
// starts a download when the binary is missing, and the download cannot happen everywhere (this
// machine, for one). Used by `npm start`, the postinstall rebuild and the Electron tests.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const platformExecutable = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

/**
 * @param {string} [root] the package whose node_modules/electron to look in
 * @returns {{ path: string, version: string } | { path: null, version: string | null, reason: string }}
 *   `reason`: why there is no binary, to follow "Electron's binary is not installed here: ".
 */
export function findElectron(root = repoRoot, env = process.env) {
  const pkgDir = join(root, 'node_modules', 'electron');
  let version = null;
  try {
    version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return { path: null, version, reason: "the electron package is not installed (run npm install)" };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;

  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    // As node_modules/electron/index.js resolves it.
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable || platformExecutable[process.platform] || 'electron');
    return existsSync(path)
      ? { path, version }
      : { path: null, version, reason: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${path} does not exist` };
  }
  if (!executable) {
    return { path: null, version, reason: 'it was not downloaded: node_modules/electron/path.txt is missing' };
  }
  const path = join(pkgDir, 'dist', executable);
  return existsSync(path)
    ? { path, version }
    : { path: null, version, reason: `${path} is missing` };
}
