// postinstall: Electron-ABI builds of the native addons, kept beside npm's Node-ABI builds.
//
// Why a separate tree: an addon (better-sqlite3 now, node-pty later) only loads in the runtime
// whose ABI it was compiled for. The CLI, the headless host and every test run on Node 20; the
// desktop app's core host runs on Electron. @electron/rebuild's default rebuilds build/Release in
// place, which would break every Node user of the checkout (and electron-builder's npmRebuild does
// the same). So each addon's package is copied to node_modules/.electron-abi/node_modules/<name>
// and only the copy is rebuilt for Electron. The core host loads addons from that tree
// (electron/main/core-host-link.ts: electronAbiCounterpart); packaging ships it as
// resources/electron-abi (electron-builder.yml, npmRebuild off).
//
// It runs only where it can work: Electron's binary installed (without it there is no desktop app
// to serve) and Electron's headers reachable (cached by an earlier build, or downloadable).
// Otherwise it prints one line saying why it skipped and exits 0: it must never fail `npm install`.
// A stamp file makes the common case (already built for this Electron and these addon versions)
// a few file reads.
//
// --require: exit 1 instead of skipping (for `npm run dist`, which must not package without it).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { findElectron, repoRoot } from './electron-binary.mjs';

const ADDONS = ['better-sqlite3', 'node-pty'];
const required = process.argv.includes('--require');
const nodeModules = join(repoRoot, 'node_modules');
const tree = join(nodeModules, '.electron-abi');
const stampFile = join(tree, 'stamp.json');

function done(message, ok = true) {
  console.log(`postinstall: ${message}`);
  process.exit(ok || !required ? 0 : 1);
}

const packageVersion = (dir) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version ?? null;
  } catch {
    return null;
  }
};

async function headersReachable(version) {
  if (existsSync(join(homedir(), '.electron-gyp', version, 'include', 'node', 'node.h'))) return null;
  const base = process.env.ELECTRON_REBUILD_DIST_URL || 'https://www.electronjs.org/headers';
  const url = `${base}/v${version}/node-v${version}-headers.tar.gz`;
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    return res.ok ? null : `${url} answered ${res.status}`;
  } catch (error) {
    return `${new URL(url).host} could not be reached (${error.cause?.code ?? error.name})`;
  }
}

async function main() {
  const addons = ADDONS.filter((name) => packageVersion(join(nodeModules, name)) !== null);
  if (addons.length === 0) done('no native addons to build for Electron.');

  const electron = findElectron();
  if (!electron.path) {
    done(`skipped the Electron-ABI rebuild of ${addons.join(', ')}: Electron's binary is not installed here (${electron.reason}). Node's builds are unchanged.`, false);
  }
  const stamp = {
    electron: electron.version,
    platform: process.platform,
    arch: process.arch,
    addons: Object.fromEntries(addons.map((name) => [name, packageVersion(join(nodeModules, name))])),
  };
  try {
    if (readFileSync(stampFile, 'utf8') === JSON.stringify(stamp)) done(`Electron-ABI builds of ${addons.join(', ')} are up to date.`);
  } catch {
    // no stamp yet: build
  }

  const unreachable = await headersReachable(electron.version);
  if (unreachable) {
    done(`skipped the Electron-ABI rebuild of ${addons.join(', ')}: Electron ${electron.version}'s headers are not reachable (${unreachable}). Node's builds are unchanged.`, false);
  }

  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, 'node_modules'), { recursive: true });
  writeFileSync(
    join(tree, 'package.json'),
    JSON.stringify({ name: 'watchfloor-electron-abi', private: true, dependencies: stamp.addons }, null, 2),
  );
  for (const name of addons) {
    const from = join(nodeModules, name);
    // Sources only: the copy's build/ is made fresh, for Electron.
    cpSync(from, join(tree, 'node_modules', name), {
      recursive: true,
      dereference: true,
      filter: (src) => relative(from, src).split(/[\\/]/)[0] !== 'build',
    });
  }

  try {
    const { rebuild } = await import('@electron/rebuild');
    await rebuild({ buildPath: tree, electronVersion: electron.version, onlyModules: addons, force: true, mode: 'sequential' });
  } catch (error) {
    rmSync(tree, { recursive: true, force: true });
    done(`the Electron-ABI rebuild of ${addons.join(', ')} failed (${String(error?.message ?? error).split('\n')[0]}); the desktop app cannot open its store until it succeeds (run node scripts/postinstall.mjs again). Node's builds are unchanged.`, false);
  }
  writeFileSync(stampFile, JSON.stringify(stamp));
  done(`built ${addons.join(', ')} for Electron ${electron.version} in node_modules/.electron-abi; Node's builds are unchanged.`);
}

main().catch((error) => done(`skipped the Electron-ABI rebuild: ${error?.message ?? error}.`, false));
