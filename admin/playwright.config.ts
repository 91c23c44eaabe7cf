import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3198);
const baseURL = `http://127.0.0.1:${port}`;

// One fresh database per run (see app/playwright.config.ts): the main process creates the directory,
// the workers find it through the env var, and it is removed when the run ends (E2E_KEEP_DATA=1 keeps it).
if (!process.env.SKYRIFF_E2E_DATA_DIR) {
  const created = mkdtempSync(join(tmpdir(), "skyriff-admin-e2e-"));
  process.env.SKYRIFF_E2E_DATA_DIR = created;
  if (!process.env.E2E_KEEP_DATA) process.on("exit", () => rmSync(created, { recursive: true, force: true }));
}
const dataDir = process.env.SKYRIFF_E2E_DATA_DIR;

// The backend serves the console (ADMIN_DIST_DIR) at /admin/ and the H5 app (APP_DIST_DIR) at /: the
// suite checks a few effects of admin actions in the app (发现, 创作).
const adminDist = process.env.ADMIN_DIST_DIR ?? join(import.meta.dirname, "dist");
const appDist = process.env.APP_DIST_DIR ?? join(import.meta.dirname, "..", "app", "dist");
for (const [dir, build] of [
  [adminDist, "npm run build -w admin` (or `npm run e2e -w admin"],
  [appDist, "npm run build -w app"],
] as const) {
  if (!existsSync(join(dir, "index.html"))) throw new Error(`${dir} is missing: run \`${build}\` first`);
}

export default defineConfig({
  testDir: "./e2e",
  outputDir: process.env.E2E_OUTPUT_DIR ?? "./test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    acceptDownloads: true,
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
  projects: [{ name: "chromium-desktop" }],
  webServer: {
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
      ADMIN_DIST_DIR: adminDist,
      NODE_ENV: "development",
      // API logins in e2e/helpers.ts each come "from" their own address (SMS limits are per IP).
      TRUST_PROXY: "true",
      LOG_LEVEL: "warn",
      PUBLIC_BASE_URL: baseURL,
      SIMULATED_VENDOR_SECONDS: "6",
    },
  },
});
