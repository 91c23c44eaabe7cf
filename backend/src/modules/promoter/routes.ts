import {
  commissionItem,
  envelope,
  inviteItem,
  page,
  paginationQuery,
  promoterMe,
  referralBindBody,
  referralBindResult,
} from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import * as service from "./service.js";

const tags = ["promoter"];
const security = [{ bearerAuth: [] }];

/** 推广员 (SPEC §5); activation is paid through `/promoter/activate` in the payments module. */
export async function promoterRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const guard = authGuard(ctx);

  app.get(
    "/promoter/me",
    {
      preValidation: guard,
      schema: {
        tags,
        summary: "Promoter status, referral code and commission totals",
        security,
        response: { 200: envelope(promoterMe) },
      },
    },
    async (req) => ok(await service.promoterOf(ctx, currentUser(req).userId)),
  );

  app.get(
    "/promoter/invites",
    {
      preValidation: guard,
      schema: {
        tags,
        summary: "Users who signed up with the promoter's code, newest first",
        security,
        querystring: paginationQuery,
        response: { 200: envelope(page(inviteItem)) },
      },
    },
    async (req) =>
      ok(await service.invitesOf(ctx, currentUser(req).userId, req.query.cursor, req.query.limit)),
  );

  app.get(
    "/promoter/commissions",
    {
      preValidation: guard,
      schema: {
        tags,
        summary: "The promoter's commissions (pending 7 days, then settled), newest first",
        security,
        querystring: paginationQuery,
        response: { 200: envelope(page(commissionItem)) },
      },
    },
    async (req) =>
      ok(await service.commissionsOf(ctx, currentUser(req).userId, req.query.cursor, req.query.limit)),
  );

  app.post(
    "/referrals/bind",
    {
      preValidation: [guard, idempotencyKey(ctx.db, "referrals.bind")],
      schema: {
        tags,
        summary: "Bind to a promoter's code within 7 days of sign-up (+50 credits, once)",
        security,
        headers: z.object({ "idempotency-key": z.string().max(128).optional() }),
        body: referralBindBody,
        response: { 200: envelope(referralBindResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.bindReferral(ctx, currentUser(req).userId, req.body.code, idem),
      ),
  );
}
