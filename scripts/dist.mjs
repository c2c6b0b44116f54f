// `npm run dist`: the installable packages (electron-builder.yml: Linux AppImage and deb, macOS dmg,
// Windows nsis) in dist/. Three steps: electron-vite build; the Electron-ABI native addons
// (scripts/postinstall.mjs --require); electron-builder, which packages the Electron binary that
// npm install downloaded. Where that download could not happen, say so in one line and stop
// before building anything.
//   npm run dist [-- <electron-builder arguments, e.g. --linux deb>]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findElectron, repoRoot } from './electron-binary.mjs';

const electron = findElectron();
if (!electron.path) {
  process.stderr.write(
    `npm run dist needs the Electron binary, which is not installed here (${electron.reason}): run \`node node_modules/electron/install.js\` where the network allows, then npm run dist again\n`,
  );
  process.exit(1);
}

const steps = [
  ['electron-vite build', [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']],
  ['the Electron-ABI native addons', [join(repoRoot, 'scripts', 'postinstall.mjs'), '--require']],
  ['electron-builder', [join(repoRoot, 'node_modules', 'electron-builder', 'cli.js'), ...process.argv.slice(2)]],
];
for (const [name, args] of steps) {
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`npm run dist: ${name} failed (see above); nothing further was built\n`);
    process.exit(result.status ?? 1);
  }
}
process.stdout.write('npm run dist: the packages are in dist/\n');
