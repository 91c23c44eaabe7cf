import {
  adminAdjustBody,
  adminAdjustResult,
  adminPayment,
  adminPaymentsQuery,
  adminReasonBody,
  adminRole,
  adminRolesBody,
  adminUser,
  adminUserDetail,
  adminUsersQuery,
  adminWork,
  adminWorksQuery,
  auditEntry,
  auditQuery,
  dashboard,
  dashboardQuery,
  envelope,
  page,
  reconciliation,
  sensitiveWords,
  sensitiveWordsBody,
} from "@skyriff/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import { type AdminActor, listAudit } from "./audit.js";
import { requireRole } from "./roles.js";
import * as service from "./service.js";

const security = [{ bearerAuth: [] }];
const tags = ["admin"];
const params = z.strictObject({ id: z.string().min(1).max(64) });
const headers = z.object({ "idempotency-key": z.string().max(128).optional() });

const actorOf = (req: FastifyRequest): AdminActor => ({ userId: currentUser(req).userId, requestId: req.id });

/**
 * The admin console's API (SPEC §7). Roles per route: admin holds everything; finance the money pages
 * (payments, reconciliation, adjustments, the audit log); moderator the works and bans.
 */
export async function adminRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);
  const anyRole = requireRole(ctx, "finance", "moderator");
  const finance = requireRole(ctx, "finance");
  const moderator = requireRole(ctx, "moderator");
  const adminOnly = requireRole(ctx);
  // The role is checked before the body is validated: without it, every admin route answers 403 alike.
  const as = (role: ReturnType<typeof requireRole>, idempotentRoute?: string) =>
    idempotentRoute ? [preValidation, role, idempotencyKey(ctx.db, idempotentRoute)] : [preValidation, role];

  app.get(
    "/admin/me",
    {
      preValidation: as(anyRole),
      schema: {
        tags,
        summary: "Who is signed in to the console, with the roles",
        security,
        response: {
          200: envelope(z.object({ user_id: z.string(), nickname: z.string(), roles: z.array(adminRole) })),
        },
      },
    },
    async (req) => ok(await service.me(ctx, currentUser(req).userId)),
  );

  app.get(
    "/admin/dashboard",
    {
      preValidation: as(anyRole),
      schema: {
        tags,
        summary: "Users, generations, GMV by channel, platform income by Shanghai day",
        security,
        querystring: dashboardQuery,
        response: { 200: envelope(dashboard) },
      },
    },
    async (req) => ok(await service.dashboard(ctx, req.query.days)),
  );

  app.get(
    "/admin/users",
    {
      preValidation: as(anyRole),
      schema: {
        tags,
        summary: "Search users by phone, nickname or id",
        security,
        querystring: adminUsersQuery,
        response: { 200: envelope(page(adminUser)) },
      },
    },
    async (req) => ok(await service.searchUsers(ctx, req.query)),
  );

  app.get(
    "/admin/users/:id",
    {
      preValidation: as(anyRole),
      schema: {
        tags,
        summary: "A user with wallets, ledger, tasks, works, payments and withdrawals",
        security,
        params,
        response: { 200: envelope(adminUserDetail) },
      },
    },
    async (req) => ok(await service.userDetail(ctx, currentUser(req).userId, req.params.id)),
  );

  app.post(
    "/admin/users/:id/ban",
    {
      preValidation: as(moderator),
      schema: {
        tags,
        summary: "Ban a user with a reason: its sessions end at once (next call 403/1004)",
        security,
        params,
        body: adminReasonBody,
        response: { 200: envelope(adminUser) },
      },
    },
    async (req) => ok(await service.ban(ctx, actorOf(req), req.params.id, req.body.reason)),
  );

  app.post(
    "/admin/users/:id/unban",
    {
      preValidation: as(moderator),
      schema: {
        tags,
        summary: "Lift a ban",
        security,
        params,
        body: adminReasonBody,
        response: { 200: envelope(adminUser) },
      },
    },
    async (req) => ok(await service.unban(ctx, actorOf(req), req.params.id, req.body.reason)),
  );

  app.post(
    "/admin/users/:id/adjust",
    {
      preValidation: as(finance, "admin.users.adjust"),
      schema: {
        tags,
        summary: "Adjust credits or available coins with a reason (admin_adjust), within a daily limit",
        security,
        headers,
        params,
        body: adminAdjustBody,
        response: { 200: envelope(adminAdjustResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) => service.adjust(ctx, actorOf(req), req.params.id, req.body, idem)),
  );

  app.put(
    "/admin/users/:id/roles",
    {
      preValidation: as(adminOnly),
      schema: {
        tags,
        summary: "Set a user's back-office roles",
        security,
        params,
        body: adminRolesBody,
        response: { 200: envelope(adminUser) },
      },
    },
    async (req) => ok(await service.setRoles(ctx, actorOf(req), req.params.id, req.body.roles)),
  );

  app.get(
    "/admin/payments",
    {
      preValidation: as(finance),
      schema: {
        tags,
        summary: "Payments by status, id, gateway trade number or user",
        security,
        querystring: adminPaymentsQuery,
        response: { 200: envelope(page(adminPayment)) },
      },
    },
    async (req) => ok(await service.payments(ctx, req.query)),
  );

  app.get(
    "/admin/payments/:id",
    {
      preValidation: as(finance),
      schema: {
        tags,
        summary: "A payment with its verified callback",
        security,
        params,
        response: { 200: envelope(adminPayment) },
      },
    },
    async (req) => ok(await service.payment(ctx, req.params.id)),
  );

  app.post(
    "/admin/payments/:id/requery",
    {
      preValidation: as(finance),
      schema: {
        tags,
        summary: "Ask the gateway about a pending payment now (fulfils a paid one whose callback was lost)",
        security,
        params,
        response: { 200: envelope(adminPayment) },
      },
    },
    async (req) => ok(await service.requery(ctx, actorOf(req), req.params.id)),
  );

  app.get(
    "/admin/reconciliation",
    {
      preValidation: as(finance),
      schema: {
        tags,
        summary: "The latest reconciliation report",
        security,
        response: { 200: envelope(reconciliation) },
      },
    },
    async () => ok(await service.latestReconciliationReport(ctx)),
  );

  app.post(
    "/admin/reconciliation/run",
    {
      preValidation: as(finance),
      schema: {
        tags,
        summary: "Run the reconciliation now: balances vs postings, zero-sum per asset, escrows",
        security,
        response: { 200: envelope(reconciliation) },
      },
    },
    async (req) => ok(await service.runReconciliation(ctx, actorOf(req))),
  );

  app.get(
    "/admin/works",
    {
      preValidation: as(moderator),
      schema: {
        tags,
        summary: "Works for moderation by status, title or id",
        security,
        querystring: adminWorksQuery,
        response: { 200: envelope(page(adminWork)) },
      },
    },
    async (req) => ok(await service.listWorks(ctx, req.query)),
  );

  app.post(
    "/admin/works/:id/take_down",
    {
      preValidation: as(moderator),
      schema: {
        tags,
        summary: "Take a work down with a reason: gone from every feed; the creator is told",
        security,
        params,
        body: adminReasonBody,
        response: { 200: envelope(adminWork) },
      },
    },
    async (req) => ok(await service.takeDown(ctx, actorOf(req), req.params.id, req.body.reason)),
  );

  app.post(
    "/admin/works/:id/restore",
    {
      preValidation: as(moderator),
      schema: {
        tags,
        summary: "Restore a taken-down work",
        security,
        params,
        body: adminReasonBody,
        response: { 200: envelope(adminWork) },
      },
    },
    async (req) => ok(await service.restore(ctx, actorOf(req), req.params.id, req.body.reason)),
  );

  app.get(
    "/admin/sensitive_words",
    {
      preValidation: as(moderator),
      schema: {
        tags,
        summary: "The editable sensitive-word list",
        security,
        response: { 200: envelope(sensitiveWords) },
      },
    },
    async () => ok(await service.sensitiveWords(ctx)),
  );

  app.put(
    "/admin/sensitive_words",
    {
      preValidation: as(moderator),
      schema: {
        tags,
        summary: "Replace the editable sensitive-word list (in force within seconds)",
        security,
        body: sensitiveWordsBody,
        response: { 200: envelope(sensitiveWords) },
      },
    },
    async (req) => ok(await service.replaceSensitiveWords(ctx, actorOf(req), req.body.words)),
  );

  app.get(
    "/admin/audit",
    {
      preValidation: as(finance),
      schema: {
        tags,
        summary: "The audit log, newest first",
        security,
        querystring: auditQuery,
        response: { 200: envelope(page(auditEntry)) },
      },
    },
    async (req) => ok(await listAudit(ctx.db, req.query)),
  );
}
