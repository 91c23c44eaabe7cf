import { claimDailyResult, envelope, subscriptionMe } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import * as service from "./service.js";

const tags = ["subscriptions"];
const security = [{ bearerAuth: [] }];

/** 月卡 (SPEC §5); buying is `/subscriptions/buy` in the payments module. */
export async function subscriptionRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const guard = authGuard(ctx);

  app.get(
    "/subscriptions/me",
    {
      preValidation: guard,
      schema: {
        tags,
        summary: "The user's monthly card, or null",
        security,
        response: { 200: envelope(subscriptionMe) },
      },
    },
    async (req) => ok(await service.subscriptionOf(ctx, currentUser(req).userId)),
  );

  app.post(
    "/subscriptions/claim_daily",
    {
      preValidation: [guard, idempotencyKey(ctx.db, "subscriptions.claim_daily")],
      schema: {
        tags,
        summary: "Claim today's 30 credits (once per Shanghai day; 409/2003 with next_claim_at)",
        security,
        headers: z.object({ "idempotency-key": z.string().max(128).optional() }),
        response: { 200: envelope(claimDailyResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) => service.claimDaily(ctx, currentUser(req).userId, idem)),
  );
}
