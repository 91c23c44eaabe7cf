import { devGrantBody, devGrantResult, envelope, isoDateTime } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { listDevSms } from "../auth/repository.js";
import { normalizePhone } from "../auth/sms-codes.js";
import { grantCredits } from "./service.js";

const tags = ["dev"];

/** Registered only when NODE_ENV is not production: in production these routes do not exist. */
export async function devRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    "/dev/sms/outbox",
    {
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
      const rows = await listDevSms(ctx.db, normalizePhone(req.query.phone));
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
      schema: {
        tags,
        summary: "Grant credits as a bonus through the ledger (dev only)",
        headers: z.object({ "idempotency-key": z.string().max(128).optional() }),
        body: devGrantBody,
        response: { 200: envelope(devGrantResult) },
      },
    },
    async (req) =>
      ok(await grantCredits(ctx, req.body.user_id, req.body.credits, req.headers["idempotency-key"])),
  );
}
