import {
  envelope,
  favoriteResult,
  followResult,
  likeResult,
  page,
  paginationQuery,
  profile,
  userListItem,
  work,
} from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser, optionalAuth, viewerOf } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import * as service from "./service.js";

const security = [{ bearerAuth: [] }];
const optionalSecurity: Record<string, string[]>[] = [{}, { bearerAuth: [] }];
const params = z.strictObject({ id: z.string().min(1).max(64) });

export async function socialRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);
  const optional = optionalAuth(ctx);
  const users = ["users"];
  const works = ["works"];

  const followActions = { follow: service.follow, unfollow: service.unfollow };
  const likeActions = { like: service.like, unlike: service.unlike };
  for (const action of ["follow", "unfollow"] as const) {
    app.post(
      `/users/:id/${action}`,
      {
        preValidation,
        schema: {
          tags: users,
          summary: action === "follow" ? "Follow a user (idempotent)" : "Unfollow a user (idempotent)",
          security,
          params,
          response: { 200: envelope(followResult) },
        },
      },
      async (req) => ok(await followActions[action](ctx, currentUser(req).userId, req.params.id)),
    );
  }
  app.get(
    "/users/:id/profile",
    {
      preValidation: optional,
      schema: {
        tags: users,
        summary: "A user's profile: stats and whether I follow them",
        security: optionalSecurity,
        params,
        response: { 200: envelope(profile) },
      },
    },
    async (req) => ok(await service.getProfile(ctx, req.params.id, viewerOf(req))),
  );
  app.get(
    "/users/:id/works",
    {
      preValidation: optional,
      schema: {
        tags: users,
        summary: "A user's published works, newest first",
        security: optionalSecurity,
        params,
        querystring: paginationQuery,
        response: { 200: envelope(page(work)) },
      },
    },
    async (req) => ok(await service.userWorks(ctx, req.params.id, viewerOf(req), req.query)),
  );
  for (const side of ["followers", "following"] as const) {
    app.get(
      `/users/:id/${side}`,
      {
        preValidation: optional,
        schema: {
          tags: users,
          summary: side === "followers" ? "Who follows this user" : "Whom this user follows",
          security: optionalSecurity,
          params,
          querystring: paginationQuery,
          response: { 200: envelope(page(userListItem)) },
        },
      },
      async (req) => ok(await service.followList(ctx, req.params.id, side, viewerOf(req), req.query)),
    );
  }
  for (const action of ["like", "unlike"] as const) {
    app.post(
      `/works/:id/${action}`,
      {
        preValidation,
        schema: {
          tags: works,
          summary: action === "like" ? "Like a work (idempotent)" : "Unlike a work (idempotent)",
          security,
          params,
          response: { 200: envelope(likeResult) },
        },
      },
      async (req) => ok(await likeActions[action](ctx, currentUser(req).userId, req.params.id)),
    );
  }
  app.post(
    "/works/:id/favorite",
    {
      preValidation,
      schema: {
        tags: works,
        summary: "Favorite a work (idempotent)",
        security,
        params,
        response: { 200: envelope(favoriteResult) },
      },
    },
    async (req) => ok(await service.favorite(ctx, currentUser(req).userId, req.params.id)),
  );
  app.delete(
    "/works/:id/favorite",
    {
      preValidation,
      schema: {
        tags: works,
        summary: "Remove a favorite (idempotent)",
        security,
        params,
        response: { 200: envelope(favoriteResult) },
      },
    },
    async (req) => ok(await service.unfavorite(ctx, currentUser(req).userId, req.params.id)),
  );
  app.get(
    "/me/favorites",
    {
      preValidation,
      schema: {
        tags: ["me"],
        summary: "My favorites (资产 · 收藏), newest first; only works still published",
        security,
        querystring: paginationQuery,
        response: { 200: envelope(page(work)) },
      },
    },
    async (req) => ok(await service.listFavorites(ctx, currentUser(req).userId, req.query)),
  );
}
