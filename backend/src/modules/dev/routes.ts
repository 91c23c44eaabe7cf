import {
  devGrantBody,
  devGrantResult,
  devJobRunBody,
  devJobRunResult,
  devPaymentCompleteBody,
  devPaymentCompleteResult,
  devRolesBody,
  devRolesResult,
  envelope,
  isoDateTime,
} from "@skyriff/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { notFound } from "../../http/error-handler.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import { DEV_ACTOR_ID, setRoles } from "../admin/roles.js";
import { devSmsOutbox } from "../auth/service.js";
import { completeSandboxPayment } from "../payments/service.js";
import { grantCredits, runJobAt } from "./service.js";

const tags = ["dev"];

/**
 * Registered only when NODE_ENV is not production: in production these routes do not exist. Otherwise
 * they answer loopback clients only (as the server sees the client: behind a trusted proxy, the
 * forwarded address), unless DEV_TOOLS=1 opens them to the network on purpose.
 */
export async function devRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const onRequest = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!ctx.config.DEV_TOOLS && !isLoopback(req.ip)) return notFound(req, reply);
  };

  app.get(
    "/dev/sms/outbox",
    {
      onRequest,
      schema: {
        tags,
        summary: "Codes the console SMS provider sent (dev only)",
        querystring: z.strictObject({ phone: z.string().min(1).max(20) }),
        response: {
          200: envelope(
            z.object({
              items: z.array(
                z.object({
                  phone: z.string(),
                  code: z.string(),
                  provider: z.string(),
                  created_at: isoDateTime,
                }),
              ),
            }),
          ),
        },
      },
    },
    async (req) => {
      const rows = await devSmsOutbox(ctx, req.query.phone);
      return ok({
        items: rows.map((r) => ({
          phone: r.phone,
          code: r.code,
          provider: r.provider,
          created_at: r.createdAt.toISOString(),
        })),
      });
    },
  );

  app.post(
    "/dev/grant",
    {
      onRequest,
      preValidation: idempotencyKey(ctx.db, "dev.grant", (req) => {
        const userId = (req.body as { user_id?: unknown } | undefined)?.user_id;
        return typeof userId === "string" ? userId : undefined;
      }),
      schema: {
        tags,
        summary: "Grant credits as a bonus through the ledger (dev only)",
        headers: z.object({ "idempotency-key": z.string().max(128).optional() }),
        body: devGrantBody,
        response: { 200: envelope(devGrantResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) => grantCredits(ctx, req.body.user_id, req.body.credits, idem)),
  );

  app.post(
    "/dev/payments/:id/complete",
    {
      onRequest,
      schema: {
        tags,
        summary: "The sandbox gateway pays (or fails) the order and delivers its signed callback (dev only)",
        params: z.strictObject({ id: z.string().min(1).max(64) }),
        body: devPaymentCompleteBody,
        response: { 200: envelope(devPaymentCompleteResult) },
      },
    },
    async (req) =>
      ok(
        await completeSandboxPayment(ctx, req.params.id, req.body.result, (url, h, body) =>
          ctx.pay.deliver(url, h, body),
        ),
      ),
  );

  app.post(
    "/dev/roles",
    {
      onRequest,
      schema: {
        tags,
        summary: "Grant back-office roles (admin, finance, moderator) to a user, replacing theirs (dev only)",
        body: devRolesBody,
        response: { 200: envelope(devRolesResult) },
      },
    },
    async (req) =>
      ok({
        user_id: req.body.user_id,
        roles: await setRoles(
          ctx,
          { userId: DEV_ACTOR_ID, requestId: req.id },
          req.body.user_id,
          req.body.roles,
        ),
      }),
  );

  app.post(
    "/dev/jobs/:name/run",
    {
      onRequest,
      schema: {
        tags,
        summary: "Run one registered job once, now, with its clock set to `at` (dev only)",
        params: z.strictObject({ name: z.string().min(1).max(64) }),
        body: devJobRunBody,
        response: { 200: envelope(devJobRunResult) },
      },
    },
    async (req) => ok(await runJobAt(ctx, req.params.name, req.body.at, req.log)),
  );
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  return v4.startsWith("127.") || ip === "::1";
}
