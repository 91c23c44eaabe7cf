import { join } from "node:path";
import { defineConfig } from "@playwright/test";
import { backendServer, chromiumLaunchOptions, e2eDataDir, requireBuild } from "../playwright.shared.ts";

const port = Number(process.env.E2E_PORT ?? 3198);
const dataDir = e2eDataDir("skyriff-admin-e2e-");

// The backend serves the console (ADMIN_DIST_DIR) at /admin/ and the H5 app (APP_DIST_DIR) at /: the
// suite checks a few effects of admin actions in the app (发现, 创作).
const adminDist = process.env.ADMIN_DIST_DIR ?? join(import.meta.dirname, "dist");
const appDist = process.env.APP_DIST_DIR ?? join(import.meta.dirname, "..", "app", "dist");
requireBuild(adminDist, "admin");
requireBuild(appDist, "app");

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
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    acceptDownloads: true,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  projects: [{ name: "chromium-desktop" }],
  webServer: backendServer(import.meta.dirname, port, {
    DATA_DIR: dataDir,
    APP_DIST_DIR: appDist,
    ADMIN_DIST_DIR: adminDist,
  }),
});
