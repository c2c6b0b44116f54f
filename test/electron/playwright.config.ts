import { defineConfig } from '@playwright/test';

// The desktop app itself, through Playwright's Electron driver, where Electron's binary is
// installed (app.spec.ts skips, saying why, where it is not).
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../../test-results/electron',
});
