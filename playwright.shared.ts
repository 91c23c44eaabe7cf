/**
 * What the app's and the console's Playwright suites share: one fresh database directory per run,
 * Debian's Chromium, and the backend started with the dev tools on (app/ and admin/ playwright.config.ts).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlaywrightTestConfig } from "@playwright/test";

/**
 * The run's data directory. The config is evaluated again in each worker process; the env var makes
 * them all agree on the directory the main process created, which removes it when the run ends
 * (E2E_KEEP_DATA=1 keeps it for inspection).
 */
export function e2eDataDir(prefix: string): string {
  if (!process.env.SKYRIFF_E2E_DATA_DIR) {
    const created = mkdtempSync(join(tmpdir(), prefix));
    process.env.SKYRIFF_E2E_DATA_DIR = created;
    if (!process.env.E2E_KEEP_DATA)
      process.on("exit", () => rmSync(created, { recursive: true, force: true }));
  }
  return process.env.SKYRIFF_E2E_DATA_DIR;
}

/** Throws with the command to run when a build the suite serves is missing. */
export function requireBuild(dir: string, workspace: "app" | "admin"): void {
  if (!existsSync(join(dir, "index.html")))
    throw new Error(
      `${dir} is missing: run \`npm run build -w ${workspace}\` (or \`npm run e2e -w ${workspace}\`) first`,
    );
}

export const chromiumLaunchOptions = {
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
};

/** The backend the suite runs against, on `port`, with `env` added to the defaults. */
export function backendServer(
  cwd: string,
  port: number,
  env: Record<string, string>,
): NonNullable<PlaywrightTestConfig["webServer"]> {
  const baseURL = `http://127.0.0.1:${port}`;
  return {
    // E2E_SERVER_COMMAND lets the suite run against another build of the server (default: the backend).
    command: process.env.E2E_SERVER_COMMAND ?? "node --import tsx ../backend/src/main.ts all",
    cwd,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      NODE_ENV: "development",
      // API logins in e2e/helpers.ts each come "from" their own address (SMS limits are per IP).
      TRUST_PROXY: "true",
      LOG_LEVEL: "warn",
      PUBLIC_BASE_URL: baseURL,
      // The simulated vendor's clip takes this long per task (default 20 s); short keeps the suite quick.
      SIMULATED_VENDOR_SECONDS: "6",
      ...env,
    },
  };
}
