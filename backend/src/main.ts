import { ConfigError, loadConfig } from "./config/env.js";
import type { RunnerRoles } from "./jobs/index.js";
import { createServer } from "./server.js";

type Role = "api" | "worker" | "all";

const rolesFor = (role: Role, hasRedis: boolean, jobsDisabled: boolean): RunnerRoles => {
  if (jobsDisabled) return { dispatch: false, work: false, schedule: false };
  if (role === "all") return { dispatch: true, work: true, schedule: true };
  if (role === "worker") return { dispatch: true, work: true, schedule: true };
  // Without Redis the outbox is the queue, so an API process works it too (SKIP LOCKED keeps it safe).
  return { dispatch: true, work: !hasRedis, schedule: false };
};

async function main(): Promise<void> {
  const role = (process.argv[2] ?? "all") as Role;
  if (!["api", "worker", "all"].includes(role))
    throw new ConfigError(`unknown role ${role}: use api, worker or all`);
  const config = loadConfig();
  const { app, ctx } = await createServer(config, {
    roles: rolesFor(role, Boolean(config.REDIS_URL), config.JOBS_DISABLED),
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  if (role === "worker") {
    app.log.info({ jobs: ctx.jobs.kind }, "worker started");
    await app.ready();
    return;
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info(
    { database: ctx.database.kind, jobs: ctx.jobs.kind, sms: ctx.sms.name },
    `SkyRiff ready: app ${config.publicBaseUrl}/  api ${config.publicBaseUrl}/api/v1  docs ${config.publicBaseUrl}/docs`,
  );
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
