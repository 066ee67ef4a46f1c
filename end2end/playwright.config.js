// Browser tests against the release build, in Debian's Chromium (never a downloaded browser).
// The server is started by Playwright on its own port with a throwaway SQLite database and the
// demo data; scripts/test builds it first.
const { defineConfig } = require('@playwright/test');
const os = require('os');
const path = require('path');
const fs = require('fs');

const port = Number(process.env.E2E_PORT || 3900);
const shortIdlePort = port + 1;
const policiesPort = port + 2;
const serverBin = process.env.EPEP_SERVER_BIN ||
  path.join(os.homedir(), '.cache/epep/target/release/server');
// Made once by the main process; the workers (which load this file again) inherit it.
const dbDir = process.env.EPEP_E2E_DIR ||
  (process.env.EPEP_E2E_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'epep-e2e-')));
// Outgoing email lands here as .eml files; tests read invitations from it.
const mailDir = path.join(dbDir, 'mail');
process.env.EPEP_E2E_MAIL_DIR = mailDir;

/** The release server with the demo data on its own SQLite file. */
function demoServer(serverPort, database, extraEnv) {
  return {
    command: `"${serverBin}" serve --demo`,
    url: `http://127.0.0.1:${serverPort}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    cwd: path.join(__dirname, '..'),
    env: {
      DATABASE_URL: `sqlite://${dbDir}/${database}`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${serverPort}`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT || path.join(__dirname, '..', 'target', 'site'),
      RUST_LOG: 'warn',
      EPEP_MAIL_DIR: mailDir,
      EPEP_PUBLIC_URL: `http://127.0.0.1:${serverPort}`,
      ...extraEnv,
    },
  };
}
process.env.EPEP_E2E_SHORT_IDLE_URL = `http://127.0.0.1:${shortIdlePort}`;
process.env.EPEP_E2E_POLICIES_URL = `http://127.0.0.1:${policiesPort}`;

module.exports = defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'mobile', use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
  ],
  webServer: [
    demoServer(port, 'epep.db', {}),
    // A second server whose sessions end after one idle minute, for the time-out warning.
    demoServer(shortIdlePort, 'short-idle.db', { EPEP_SESSION_IDLE_MINUTES: '1' }),
    // A third for tests that change the council's policies or its people (a deactivation ends
    // sessions), which every other test would meet.
    demoServer(policiesPort, 'policies.db', {}),
  ],
});
