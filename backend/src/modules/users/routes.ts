import { envelope, meHome, profilePatchBody, userPublic } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { getHome, getMe, updateProfile } from "./service.js";

const tags = ["me"];
const security = [{ bearerAuth: [] }];

export async function userRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);

  app.get(
    "/me",
    {
      preValidation,
      schema: { tags, summary: "The current user", security, response: { 200: envelope(userPublic) } },
    },
    async (req) => ok(await getMe(ctx, currentUser(req).userId)),
  );

  app.patch(
    "/me/profile",
    {
      preValidation,
      schema: {
        tags,
        summary: "Edit nickname, avatar, bio",
        security,
        body: profilePatchBody,
        response: { 200: envelope(userPublic) },
      },
    },
    async (req) => ok(await updateProfile(ctx, currentUser(req).userId, req.body)),
  );

  app.get(
    "/me/home",
    {
      preValidation,
      schema: {
        tags,
        summary: "Everything the 我的 page shows",
        security,
        response: { 200: envelope(meHome) },
      },
    },
    async (req) => ok(await getHome(ctx, currentUser(req).userId)),
  );
}
