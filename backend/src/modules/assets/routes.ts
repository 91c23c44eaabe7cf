import { downloadResult, envelope, page, videoAsset, videoPatchBody, videosQuery } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import * as service from "./service.js";

const tags = ["assets"];
const security = [{ bearerAuth: [] }];
const params = z.strictObject({ id: z.string().min(1).max(64) });

export async function assetRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);

  app.get(
    "/assets/videos",
    {
      preValidation,
      schema: {
        tags,
        summary: "My videos (project_id=none: 未分类)",
        security,
        querystring: videosQuery,
        response: { 200: envelope(page(videoAsset)) },
      },
    },
    async (req) => ok(await service.listVideos(ctx, currentUser(req).userId, req.query)),
  );
  app.get(
    "/assets/videos/:id",
    {
      preValidation,
      schema: {
        tags,
        summary: "One of my videos",
        security,
        params,
        response: { 200: envelope(videoAsset) },
      },
    },
    async (req) => ok(await service.getVideo(ctx, currentUser(req).userId, req.params.id)),
  );
  app.patch(
    "/assets/videos/:id",
    {
      preValidation,
      schema: {
        tags,
        summary: "Move a video to a project",
        security,
        params,
        body: videoPatchBody,
        response: { 200: envelope(videoAsset) },
      },
    },
    async (req) =>
      ok(await service.moveVideo(ctx, currentUser(req).userId, req.params.id, req.body.project_id)),
  );
  app.delete(
    "/assets/videos/:id",
    {
      preValidation,
      schema: {
        tags,
        summary: "Delete a video (soft)",
        security,
        params,
        response: { 200: envelope(z.object({ deleted: z.boolean() })) },
      },
    },
    async (req) => ok(await service.deleteVideo(ctx, currentUser(req).userId, req.params.id)),
  );
  app.post(
    "/assets/videos/:id/download_no_watermark",
    {
      preValidation: [preValidation, idempotencyKey(ctx.db, "assets.download_no_watermark")],
      schema: {
        tags,
        summary:
          "Buy a 1-hour link to the clean source (6 credits per call; Idempotency-Key retries are free)",
        security,
        params,
        headers: z.object({ "idempotency-key": z.string().max(128).optional() }),
        response: { 200: envelope(downloadResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) =>
        service.downloadNoWatermark(ctx, currentUser(req).userId, req.params.id, idem),
      ),
  );
}
