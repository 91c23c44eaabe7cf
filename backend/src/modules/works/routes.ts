import { envelope, publishBody, shareResult, work } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser, optionalAuth, viewerOf } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { startModeration } from "../moderation/service.js";
import * as service from "./service.js";

const tags = ["works"];
const security = [{ bearerAuth: [] }];
/** Auth optional: signed in, the viewer flags are the user's; anonymous, they are all false. */
const optionalSecurity: Record<string, string[]>[] = [{}, { bearerAuth: [] }];
const params = z.strictObject({ id: z.string().min(1).max(64) });

export async function worksRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);
  const optional = optionalAuth(ctx);
  // The sensitive-word list is loaded once at boot and kept fresh by a timer (moderation/service.ts).
  const stopModeration = await startModeration(ctx);
  fastify.addHook("onClose", async () => stopModeration());

  app.post(
    "/works/publish",
    {
      preValidation,
      schema: {
        tags,
        summary: "Publish one of my draft videos as a work",
        security,
        body: publishBody,
        response: { 200: envelope(work) },
      },
    },
    async (req) => ok(await service.publish(ctx, currentUser(req).userId, req.body)),
  );
  app.get(
    "/works/:id",
    {
      preValidation: optional,
      schema: {
        tags,
        summary: "A work with stats, viewer flags and lineage (counts one view per viewer per day)",
        security: optionalSecurity,
        params,
        response: { 200: envelope(work) },
      },
    },
    async (req) => ok(await service.getWork(ctx, req.params.id, viewerOf(req), req.ip)),
  );
  app.delete(
    "/works/:id",
    {
      preValidation,
      schema: {
        tags,
        summary: "Unpublish my work (it leaves every feed at once)",
        security,
        params,
        response: {
          200: envelope(z.object({ work_id: z.string(), status: work.shape.status })),
        },
      },
    },
    async (req) => ok(await service.unpublish(ctx, currentUser(req).userId, req.params.id)),
  );
  app.post(
    "/works/:id/share",
    {
      preValidation: optional,
      schema: {
        tags,
        summary: "Count a share and get the public share link",
        security: optionalSecurity,
        params,
        response: { 200: envelope(shareResult) },
      },
    },
    async (req) => ok(await service.share(ctx, req.params.id)),
  );
}

export { shareRoutes } from "./share-page.js";
