import {
  adminOrdersQuery,
  envelope,
  order,
  orderApplyBody,
  orderAwardBody,
  orderCancelDecideBody,
  orderCancelRequestBody,
  orderCreateBody,
  orderCreateResult,
  orderDeliverBody,
  orderDisputeBody,
  orderListQuery,
  orderSettleBody,
  page,
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
const tags = ["orders"];

/** 商单 (SPEC §6). */
export async function orderRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);
  const spend = (route: string) => [preValidation, idempotencyKey(ctx.db, route)];

  app.post(
    "/orders/create",
    {
      preValidation: spend("orders.create"),
      schema: {
        tags,
        summary: "Publish an order: the budget (≥ 10 coins) moves from available coins into its escrow",
        security,
        headers,
        body: orderCreateBody,
        response: { 200: envelope(orderCreateResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) => service.create(ctx, currentUser(req).userId, req.body, idem)),
  );

  app.get(
    "/orders/list",
    {
      preValidation,
      schema: {
        tags,
        summary: "The hall (role=open) or my orders as publisher or applicant, newest first",
        security,
        querystring: orderListQuery,
        response: { 200: envelope(page(order)) },
      },
    },
    async (req) => ok(await service.list(ctx, currentUser(req).userId, req.query)),
  );

  app.get(
    "/orders/:id",
    {
      preValidation,
      schema: {
        tags,
        summary: "An order: the publisher sees every application, an applicant its own",
        security,
        params,
        response: { 200: envelope(order) },
      },
    },
    async (req) => ok(await service.view(ctx, currentUser(req).userId, req.params.id)),
  );

  app.post(
    "/orders/:id/apply",
    {
      preValidation,
      schema: {
        tags,
        summary: "Apply with a proposal (once; not to your own order)",
        security,
        params,
        body: orderApplyBody,
        response: { 200: envelope(order) },
      },
    },
    async (req) =>
      ok(await service.apply(ctx, currentUser(req).userId, req.params.id, req.body.proposal_text)),
  );

  app.post(
    "/orders/:id/award",
    {
      preValidation,
      schema: {
        tags,
        summary: "The publisher picks an applicant → awarded",
        security,
        params,
        body: orderAwardBody,
        response: { 200: envelope(order) },
      },
    },
    async (req) =>
      ok(await service.award(ctx, currentUser(req).userId, req.params.id, req.body.creator_user_id)),
  );

  app.post(
    "/orders/:id/deliver",
    {
      preValidation,
      schema: {
        tags,
        summary: "The awarded creator delivers one of its own published works → delivered",
        security,
        params,
        body: orderDeliverBody,
        response: { 200: envelope(order) },
      },
    },
    async (req) => ok(await service.deliver(ctx, currentUser(req).userId, req.params.id, req.body.work_id)),
  );

  app.post(
    "/orders/:id/accept",
    {
      preValidation: spend("orders.accept"),
      schema: {
        tags,
        summary: "The publisher accepts → completed: 95 % to the creator (pending 7 days), 5 % fee",
        security,
        headers,
        params,
        response: { 200: envelope(order) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) => service.accept(ctx, currentUser(req).userId, req.params.id, idem)),
  );

  app.post(
    "/orders/:id/cancel_request",
    {
      preValidation: spend("orders.cancel_request"),
      schema: {
        tags,
        summary: "Cancel: at once before the award (refunded); after it, asks the creator's consent",
        security,
        headers,
        params,
        body: orderCancelRequestBody,
        response: { 200: envelope(order) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.cancelRequest(ctx, currentUser(req).userId, req.params.id, req.body.reason, idem),
      ),
  );

  app.post(
    "/orders/:id/cancel_decide",
    {
      preValidation: spend("orders.cancel_decide"),
      schema: {
        tags,
        summary: "The awarded creator approves (refund, cancelled) or rejects (back to awarded) a cancel",
        security,
        headers,
        params,
        body: orderCancelDecideBody,
        response: { 200: envelope(order) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.cancelDecide(ctx, currentUser(req).userId, req.params.id, req.body.decision, idem),
      ),
  );

  app.post(
    "/orders/:id/dispute",
    {
      preValidation,
      schema: {
        tags,
        summary: "The publisher disputes a delivery (before the automatic acceptance); an admin settles it",
        security,
        params,
        body: orderDisputeBody,
        response: { 200: envelope(order) },
      },
    },
    async (req) => ok(await service.dispute(ctx, currentUser(req).userId, req.params.id, req.body.reason)),
  );
}

/** Orders in the admin console (SPEC §7): the list and the settlement of disputes. */
export async function adminOrderRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);
  const preHandler = requireRole(ctx);
  const adminTags = ["admin"];

  app.get(
    "/admin/orders",
    {
      preValidation: [preValidation, preHandler],
      schema: {
        tags: adminTags,
        summary: "Every order, newest first (by status; `disputed` is the dispute queue)",
        security,
        querystring: adminOrdersQuery,
        response: { 200: envelope(page(order)) },
      },
    },
    async (req) => ok(await service.adminList(ctx, req.query)),
  );

  app.get(
    "/admin/orders/:id",
    {
      preValidation: [preValidation, preHandler],
      schema: {
        tags: adminTags,
        summary: "An order with every application",
        security,
        params,
        response: { 200: envelope(order) },
      },
    },
    async (req) => ok(await service.adminView(ctx, req.params.id)),
  );

  app.post(
    "/admin/orders/:id/settle",
    {
      preValidation: [preValidation, preHandler, idempotencyKey(ctx.db, "admin.orders.settle")],
      schema: {
        tags: adminTags,
        summary: "Settle a dispute: pay the creator, refund the publisher, or split the budget",
        security,
        headers,
        params,
        body: orderSettleBody,
        response: { 200: envelope(order) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.settle(
          ctx,
          { userId: currentUser(req).userId, requestId: req.id },
          req.params.id,
          req.body,
          idem,
        ),
      ),
  );
}
