import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);
// A data folder of its own, so the e2e run never touches the data of `npm run dev`.
export const e2eDataRoot = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `expand-contract-e2e-${port}`);
const systemChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e-artifacts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium where it is installed (CI), Playwright's own browser elsewhere.
      executablePath: existsSync(systemChromium) ? systemChromium : undefined,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    // The production build, started the way users start it, on a fresh embedded database.
    command: `rm -rf "${e2eDataRoot}" && exec node bin/expand-contract.mjs start --port ${port}`,
    url: `http://127.0.0.1:${port}/api/health`,
    // The demo policy, shortened further so the walk to a contract fits in a test; a step gives up
    // its lock after 3 tries rather than 8, so a test of a held lock takes seconds, not half a minute.
    env: {
      EC_DATA_DIR: e2eDataRoot,
      EC_PG_PORT: String(port + 20000),
      NEXT_TELEMETRY_DISABLED: '1',
      EC_BUFFER_MINUTES: '1',
      EC_OBSERVATION_MINUTES: '1',
      EC_LOCK_ATTEMPTS: '3',
    },
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
