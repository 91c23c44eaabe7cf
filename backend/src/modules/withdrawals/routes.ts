import {
  adminWithdrawal,
  adminWithdrawalsQuery,
  envelope,
  page,
  withdrawal,
  withdrawalCreateBody,
  withdrawalCreateResult,
  withdrawalRejectBody,
  withdrawalRules,
} from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import { requireRole } from "../admin/roles.js";
import * as service from "./service.js";

const security = [{ bearerAuth: [] }];
const headers = z.object({ "idempotency-key": z.string().max(128).optional() });
const params = z.strictObject({ id: z.string().min(1).max(64) });

/** 提现 (SPEC §5): the user's side. */
export async function withdrawalRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);
  const tags = ["withdrawals"];

  app.get(
    "/withdrawals/rules",
    {
      preValidation,
      schema: {
        tags,
        summary: "The withdrawal rules and today's use",
        security,
        response: { 200: envelope(withdrawalRules) },
      },
    },
    async (req) => ok(await service.rulesFor(ctx, currentUser(req).userId)),
  );

  app.post(
    "/withdrawals/create",
    {
      preValidation: [preValidation, idempotencyKey(ctx.db, "withdrawals.create")],
      schema: {
        tags,
        summary: "Withdraw available coins (¥100–¥5000, ≤ 3 a day, bound phone); debited at once",
        security,
        headers,
        body: withdrawalCreateBody,
        response: { 200: envelope(withdrawalCreateResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.createWithdrawal(ctx, currentUser(req).userId, req.body, idem),
      ),
  );

  app.get(
    "/withdrawals/me",
    {
      preValidation,
      schema: {
        tags,
        summary: "My withdrawals, newest first (accounts masked)",
        security,
        querystring: z.strictObject({
          cursor: z.string().max(512).optional(),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: { 200: envelope(page(withdrawal)) },
      },
    },
    async (req) => ok(await service.listMine(ctx, currentUser(req).userId, req.query)),
  );
}

/** The finance review of withdrawals (SPEC §7): finance or admin only. */
export async function adminWithdrawalRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);
  const preHandler = requireRole(ctx, "finance");
  const tags = ["admin"];

  app.get(
    "/admin/withdrawals",
    {
      preValidation: [preValidation, preHandler],
      schema: {
        tags,
        summary: "The withdrawal review queue (by status, newest first)",
        security,
        querystring: adminWithdrawalsQuery,
        response: { 200: envelope(page(adminWithdrawal)) },
      },
    },
    async (req) => ok(await service.listForReview(ctx, req.query)),
  );

  app.post(
    "/admin/withdrawals/:id/approve",
    {
      preValidation: [preValidation, preHandler],
      schema: {
        tags,
        summary: "Approve: starts the payout through the method's channel",
        security,
        params,
        response: { 200: envelope(adminWithdrawal) },
      },
    },
    async (req) =>
      ok(await service.approve(ctx, { userId: currentUser(req).userId, requestId: req.id }, req.params.id)),
  );

  app.post(
    "/admin/withdrawals/:id/reject",
    {
      preValidation: [preValidation, preHandler],
      schema: {
        tags,
        summary: "Reject with a reason: the coins go back (withdraw_refund)",
        security,
        params,
        body: withdrawalRejectBody,
        response: { 200: envelope(adminWithdrawal) },
      },
    },
    async (req) =>
      ok(
        await service.reject(
          ctx,
          { userId: currentUser(req).userId, requestId: req.id },
          req.params.id,
          req.body.reason,
        ),
      ),
  );

  app.post(
    "/admin/withdrawals/:id/mark_paid",
    {
      preValidation: [preValidation, preHandler],
      schema: {
        tags,
        summary: "Mark a manually transferred (bank card) withdrawal paid",
        security,
        params,
        response: { 200: envelope(adminWithdrawal) },
      },
    },
    async (req) =>
      ok(await service.markPaid(ctx, { userId: currentUser(req).userId, requestId: req.id }, req.params.id)),
  );

  app.get(
    "/admin/withdrawals/bank_batch.csv",
    {
      preValidation: [preValidation, preHandler],
      schema: {
        tags,
        summary: "The approved bank-card withdrawals as a CSV batch for the manual transfer",
        security,
        produces: ["text/csv"],
      },
    },
    async (_req, reply) => {
      const csv = await service.bankBatch(ctx);
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("cache-control", "no-store")
        .header("content-disposition", 'attachment; filename="bank-batch.csv"')
        .send(csv);
    },
  );
}
