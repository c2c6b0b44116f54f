// `npm test`: every check, in the order that fails fastest. Stops at the first failing stage
// and exits non-zero; prints one closing line `stages: N passed, N failed`.
import { spawnSync } from 'node:child_process';

const stages = [
  ['type-check (node, electron, shared, tests)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['type-check (renderer)', 'npx', ['tsc', '-p', 'tsconfig.web.json', '--noEmit']],
  ['lint and layer boundaries', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['build', 'npx', ['electron-vite', 'build']],
  ['unit and integration tests', 'npx', ['vitest', 'run']],
  ['end-to-end tests (Chromium against watchfloor serve)', 'npx', ['playwright', 'test', '--config', 'test/e2e/playwright.config.ts']],
  ['Electron end-to-end tests', 'npx', ['playwright', 'test', '--config', 'test/electron/playwright.config.ts']],
  ['Electron security review (electronegativity)', 'node', ['scripts/electronegativity.mjs']],
];

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const [name, cmd, args] of stages) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const started = Date.now();
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status === 0) {
    passed++;
    console.log(`=== ${name}: ok (${secs} s)`);
  } else {
    failed++;
    console.log(`=== ${name}: FAILED (${secs} s, exit ${r.status ?? r.signal})`);
    break;
  }
}
console.log(`\nstages: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
