import { defineConfig } from "vitest/config";

// Tests that need real PostgreSQL (concurrency) join the integration project only when DATABASE_URL is set;
// `.ci/run` sets it, so CI always runs them.
const realPostgres = Boolean(process.env.DATABASE_URL);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "src/**/*.test.ts",
            "test/providers/**/*.test.ts",
            "test/storage/**/*.test.ts",
            "test/vendors/**/*.test.ts",
            "test/media/**/*.test.ts",
          ],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          globalSetup: ["test/helpers/global-setup.ts"],
          include: ["test/integration/**/*.test.ts", ...(realPostgres ? ["test/postgres/**/*.test.ts"] : [])],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
