import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3199);
const baseURL = `http://127.0.0.1:${port}`;

// One fresh database per run. The config is evaluated again in each worker process; the env var makes
// them all agree on the directory the main process created, which removes it when the run ends
// (E2E_KEEP_DATA=1 keeps it for inspection).
if (!process.env.SKYRIFF_E2E_DATA_DIR) {
  const created = mkdtempSync(join(tmpdir(), "skyriff-e2e-"));
  process.env.SKYRIFF_E2E_DATA_DIR = created;
  if (!process.env.E2E_KEEP_DATA) process.on("exit", () => rmSync(created, { recursive: true, force: true }));
}
const dataDir = process.env.SKYRIFF_E2E_DATA_DIR;

// APP_DIST_DIR lets two suites run side by side on their own builds (with their own E2E_PORT).
const appDist = process.env.APP_DIST_DIR ?? join(import.meta.dirname, "dist");
if (!existsSync(join(appDist, "index.html"))) {
  throw new Error(`${appDist} is missing: run \`npm run build -w app\` (or \`npm run e2e -w app\`) first`);
}

export default defineConfig({
  testDir: "./e2e",
  // E2E_OUTPUT_DIR keeps side-by-side runs from wiping each other's artifacts.
  outputDir: process.env.E2E_OUTPUT_DIR ?? "./test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium-mobile" }],
  webServer: {
    // E2E_SERVER_COMMAND lets the suite run against another build of the server (default: the backend).
    command: process.env.E2E_SERVER_COMMAND ?? "node --import tsx ../backend/src/main.ts all",
    cwd: import.meta.dirname,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      DATA_DIR: dataDir,
      APP_DIST_DIR: appDist,
      NODE_ENV: "development",
      // API logins in e2e/helpers.ts each come "from" their own address (SMS limits are per IP).
      TRUST_PROXY: "true",
      LOG_LEVEL: "warn",
      PUBLIC_BASE_URL: baseURL,
      // The simulated vendor's clip takes this long per task (default 20 s); short keeps the suite quick.
      SIMULATED_VENDOR_SECONDS: "6",
    },
  },
});
