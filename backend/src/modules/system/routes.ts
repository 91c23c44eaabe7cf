import { ErrorCode } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";

const DEFAULT_AVATAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="#1f1f2e"/><circle cx="48" cy="38" r="16" fill="#7c5cff"/><path d="M18 84c4-18 16-26 30-26s26 8 30 26" fill="#7c5cff"/></svg>`;

export async function systemRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  // Readiness in the envelope; a failing dependency is named, its error goes to the log only.
  app.get("/readyz", { schema: { hide: true } }, async (req, reply) => {
    const checks: Record<string, "ok" | "failed"> = {};
    const probe = async (name: string, check: () => Promise<void>) => {
      checks[name] = await check().then(
        () => "ok" as const,
        (err: unknown) => {
          req.log.warn({ err, check: name }, "readiness check failed");
          return "failed" as const;
        },
      );
    };
    await probe("database", () => ctx.database.ping());
    if (ctx.jobs.ping) await probe("redis", () => ctx.jobs.ping?.() ?? Promise.resolve());
    const ready = Object.values(checks).every((v) => v === "ok");
    // A vendor that is down does not make the process unready: it is reported, and its models are off.
    const vendors = vendorDetail(ctx);
    const body = ready
      ? { code: 0, message: "ok", data: { status: "ready", checks, vendors } }
      : { code: ErrorCode.INTERNAL, message: "not ready", data: { status: "not_ready", checks, vendors } };
    return reply.code(ready ? 200 : 503).send(body);
  });

  app.get("/static/default-avatar.svg", { schema: { hide: true } }, async (_req, reply) =>
    reply.header("cache-control", "public, max-age=86400").type("image/svg+xml").send(DEFAULT_AVATAR_SVG),
  );
}

/** Per configured vendor: down (this process's breaker or another worker's record), error rate, latency. */
function vendorDetail(ctx: AppContext) {
  const seen = ctx.vendorHealth.report();
  const downElsewhere = ctx.catalog.vendorsDown();
  return Object.fromEntries(
    [...ctx.vendors.keys()].map((name) => {
      const local = seen[name];
      const down = local?.state === "open" || downElsewhere.has(name);
      return [name, { status: down ? "down" : "up", ...(local ?? { state: "closed" }) }];
    }),
  );
}
