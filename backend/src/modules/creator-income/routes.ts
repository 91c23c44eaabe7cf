import {
  earnings,
  earningsQuery,
  envelope,
  promptUnlockResult,
  promptView,
  remixBody,
  remixResult,
  tipBody,
  tipResult,
} from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser, optionalAuth, viewerOf } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import { earningsOf } from "./earnings.js";
import * as service from "./service.js";

const tags = ["creator-income"];
const security = [{ bearerAuth: [] }];
const params = z.strictObject({ id: z.string().min(1).max(64) });
const headers = z.object({ "idempotency-key": z.string().max(128).optional() });

/** The money actions on a work: tip and favorite, prompt unlock, remix (SPEC §4). */
export async function creatorIncomeRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);

  app.post(
    "/works/:id/tip_and_favorite",
    {
      preValidation: [preValidation, idempotencyKey(ctx.db, "works.tip_and_favorite")],
      schema: {
        tags,
        summary:
          "Tip 10/20/50/100 credits and favorite the work (creator earns 90 % of ×0.05 coin, pending 7 days)",
        security,
        params,
        headers,
        body: tipBody,
        response: { 200: envelope(tipResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.tipAndFavorite(ctx, currentUser(req).userId, req.params.id, req.body.amount_credits, idem),
      ),
  );

  app.get(
    "/works/:id/prompt",
    {
      preValidation: optionalAuth(ctx),
      schema: {
        tags,
        summary: "The prompt (creator, unlocked, or public) or its unlock price",
        params,
        response: { 200: envelope(promptView) },
      },
    },
    async (req) => ok(await service.viewPrompt(ctx, viewerOf(req), req.params.id)),
  );

  app.post(
    "/works/:id/prompt/unlock",
    {
      preValidation: [preValidation, idempotencyKey(ctx.db, "works.prompt_unlock")],
      schema: {
        tags,
        summary: "Unlock the prompt once (charges its price; free when repeated, own or public)",
        security,
        params,
        headers,
        response: { 200: envelope(promptUnlockResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.unlockPrompt(ctx, currentUser(req).userId, req.params.id, idem),
      ),
  );

  app.get(
    "/creator/earnings",
    {
      preValidation,
      schema: {
        tags,
        summary: "我的收益: daily income by source over 7 or 30 days, against the period before",
        security,
        querystring: earningsQuery,
        response: { 200: envelope(earnings) },
      },
    },
    async (req) => ok(await earningsOf(ctx, currentUser(req).userId, req.query.days as 7 | 30)),
  );

  app.post(
    "/works/:id/remix",
    {
      preValidation: [preValidation, idempotencyKey(ctx.db, "works.remix")],
      schema: {
        tags,
        summary: "Remix: pay the remix fee and create a generation task from the work's prompt + a delta",
        security,
        params,
        headers,
        body: remixBody,
        response: { 200: envelope(remixResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.remixWork(ctx, currentUser(req).userId, req.params.id, req.body, idem),
      ),
  );
}
