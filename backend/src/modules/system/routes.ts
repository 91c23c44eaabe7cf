import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";

const DEFAULT_AVATAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="#1f1f2e"/><circle cx="48" cy="38" r="16" fill="#7c5cff"/><path d="M18 84c4-18 16-26 30-26s26 8 30 26" fill="#7c5cff"/></svg>`;

export async function systemRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    checks.database = await probe(() => ctx.database.ping());
    if (ctx.jobs.ping) checks.redis = await probe(() => ctx.jobs.ping?.() ?? Promise.resolve());
    const ready = Object.values(checks).every((v) => v === "ok");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", checks });
  });

  app.get("/static/default-avatar.svg", { schema: { hide: true } }, async (_req, reply) =>
    reply.header("cache-control", "public, max-age=86400").type("image/svg+xml").send(DEFAULT_AVATAR_SVG),
  );
}

async function probe(check: () => Promise<void>): Promise<string> {
  try {
    await check();
    return "ok";
  } catch (err) {
    return err instanceof Error ? err.message : "failed";
  }
}
