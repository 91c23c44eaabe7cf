import { join } from "node:path";
import { defineConfig } from "@playwright/test";
import { backendServer, chromiumLaunchOptions, e2eDataDir, requireBuild } from "../playwright.shared.ts";

const port = Number(process.env.E2E_PORT ?? 3199);
const dataDir = e2eDataDir("skyriff-e2e-");

// APP_DIST_DIR lets two suites run side by side on their own builds (with their own E2E_PORT).
const appDist = process.env.APP_DIST_DIR ?? join(import.meta.dirname, "dist");
requireBuild(appDist, "app");

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
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  projects: [{ name: "chromium-mobile" }],
  webServer: backendServer(import.meta.dirname, port, { DATA_DIR: dataDir, APP_DIST_DIR: appDist }),
});
