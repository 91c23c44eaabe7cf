import { creatorRanking, envelope, feedQuery, page, work } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { optionalAuth, viewerOf } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import * as service from "./service.js";

const optionalSecurity: Record<string, string[]>[] = [{}, { bearerAuth: [] }];

export async function feedRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = optionalAuth(ctx);

  app.get(
    "/feed",
    {
      preValidation,
      schema: {
        tags: ["feed"],
        summary: "发现 (score) / 热门 (24 h likes) / 关注 (followed creators; sign-in required)",
        description:
          "discover and hot page through a pinned ranking snapshot (cursor = version + position), so a scroll never repeats or skips a work while scores change; following is newest first.",
        security: optionalSecurity,
        querystring: feedQuery,
        response: { 200: envelope(page(work)) },
      },
    },
    async (req) => ok(await service.getFeed(ctx, viewerOf(req), req.query)),
  );
  app.get(
    "/rankings/creators/tips",
    {
      schema: {
        tags: ["feed"],
        summary: "Creators ranked by credits tipped to them (排行)",
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(50).default(10) }),
        response: { 200: envelope(z.object({ items: z.array(creatorRanking) })) },
      },
    },
    async (req) => ok(await service.creatorTipRanking(ctx, req.query.limit)),
  );
}
