import { adminJobs, envelope } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { BullmqRunner } from "../../jobs/bullmq.js";
import { jobsOverview } from "./jobs.js";
import { mountQueueBoard, type QueueBoard } from "./queue-board.js";
import { requireRole } from "./roles.js";

/**
 * Jobs (SPEC §7): the overview for admin and finance; with Redis also the bull-board UI at
 * `/admin/queues`, for admins only (see queue-board.ts for how a browser gets in).
 */
export async function adminJobRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const board: QueueBoard | null =
    ctx.jobs instanceof BullmqRunner ? await mountQueueBoard(fastify, ctx, ctx.jobs.queue) : null;

  app.get(
    "/admin/jobs",
    {
      preValidation: [authGuard(ctx), requireRole(ctx, "finance")],
      schema: {
        tags: ["admin"],
        summary:
          "Queue depths, failures and retries (BullMQ with Redis, else the outbox); board_url opens bull-board (admins, Redis only)",
        security: [{ bearerAuth: [] }],
        response: { 200: envelope(adminJobs) },
      },
    },
    async (req) => ok(await jobsOverview(ctx, currentUser(req), board)),
  );
}
