import { envelope, notification, notificationsReadBody, page, unreadCount } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { localeFrom } from "../../lib/errors.js";
import * as service from "./service.js";

const tags = ["notifications"];
const security = [{ bearerAuth: [] }];

/** 消息 (SPEC §9): the user's notifications, newest first, with an unread count. */
export async function notificationRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = authGuard(ctx);

  app.get(
    "/notifications",
    {
      preValidation,
      schema: {
        tags,
        summary: "My notifications, newest first",
        security,
        querystring: z.strictObject({
          cursor: z.string().max(512).optional(),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: { 200: envelope(page(notification)) },
      },
    },
    async (req) =>
      ok(
        await service.listNotifications(
          ctx,
          currentUser(req).userId,
          req.query,
          localeFrom(req.headers["accept-language"]),
        ),
      ),
  );

  app.get(
    "/notifications/unread_count",
    {
      preValidation,
      schema: {
        tags,
        summary: "How many notifications are unread",
        security,
        response: { 200: envelope(unreadCount) },
      },
    },
    async (req) => ok(await service.unread(ctx, currentUser(req).userId)),
  );

  app.post(
    "/notifications/read",
    {
      preValidation,
      schema: {
        tags,
        summary: "Mark the given notifications (or all) read",
        security,
        body: notificationsReadBody,
        response: { 200: envelope(unreadCount) },
      },
    },
    async (req) => ok(await service.markRead(ctx, currentUser(req).userId, req.body.ids)),
  );
}
