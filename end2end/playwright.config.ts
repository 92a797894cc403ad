import { defineConfig, devices } from '@playwright/test';

// The release binary serves a store imported from the real Book-Crossing files
// (`make test` prepares both). Debian's Chromium is used: Playwright's own browser download
// is not reachable from these machines.
const port = Number(process.env.SHELFWISE_E2E_PORT ?? 3100);
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions: chromium } },
    { name: 'mobile', use: { ...devices['Pixel 7'], launchOptions: chromium } },
  ],
  webServer: {
    command: `../target/release/shelfwise serve --addr 127.0.0.1:${port} --site-root ../target/site`,
    // Ready once the recommendation model is loaded, not only when the port answers.
    url: `http://127.0.0.1:${port}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      SHELFWISE_DATA_DIR: process.env.SHELFWISE_DATA_DIR ?? '../target/e2e-data',
      SHELFWISE_LOG: 'warn',
      // Every journey, on both devices, signs up and rates from 127.0.0.1, and the counters
      // live in the store across runs: the per-address limits would stop the suite, not a
      // reader. Their own tests are in the server's integration tests.
      SHELFWISE_SIGN_UPS_PER_HOUR: '10000',
      SHELFWISE_ANONYMOUS_PER_HOUR: '10000',
    },
  },
});
