import { envelope, taskClaimBody, taskClaimResult, tasksToday } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import { localeFrom } from "../../lib/errors.js";
import * as service from "./service.js";

const tags = ["tasks_center"];
const security = [{ bearerAuth: [] }];

/** 任务中心 (SPEC §5): today's three tasks and their +2 rewards. */
export async function taskCenterRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const guard = authGuard(ctx);
  await service.primeDefinitions(ctx.db);

  app.get(
    "/tasks_center/today",
    {
      preValidation: guard,
      schema: {
        tags,
        summary:
          "Today's tasks (login_daily + one create + one interact); this request completes login_daily",
        security,
        response: { 200: envelope(tasksToday) },
      },
    },
    async (req) =>
      ok(await service.today(ctx, currentUser(req).userId, localeFrom(req.headers["accept-language"]))),
  );

  app.post(
    "/tasks_center/claim",
    {
      preValidation: [guard, idempotencyKey(ctx.db, "tasks_center.claim")],
      schema: {
        tags,
        summary:
          "Claim a completed task's reward (`bonus`); not today's / not completed / claimed → 409/2007",
        security,
        headers: z.object({ "idempotency-key": z.string().max(128).optional() }),
        body: taskClaimBody,
        response: { 200: envelope(taskClaimResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.claim(ctx, currentUser(req).userId, req.body.task_key, idem),
      ),
  );
}
