import {
  channelOnlyBody,
  envelope,
  type PayChannel,
  type PayClient,
  page,
  paginationQuery,
  payChannel,
  payment,
  paymentCreateBody,
  paymentCreateResult,
} from "@skyriff/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { notFound } from "../../http/error-handler.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import { localeFrom } from "../../lib/errors.js";
import type { NotifyAnswer } from "../../providers/pay/index.js";
import * as service from "./service.js";

const tags = ["payments"];
const security = [{ bearerAuth: [] }];
const headers = z.object({ "idempotency-key": z.string().max(128).optional() });

/** `/payments/*`, `/subscriptions/buy`, `/promoter/activate`, `/coins/recharge/create_payment` (SPEC §5). */
export async function paymentRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const guard = authGuard(ctx);
  /** One order-opening route; `requiredType` pins the product type (and, without a product_id, the product). */
  const createRoute = (
    url: string,
    route: string,
    summary: string,
    body: typeof paymentCreateBody | typeof channelOnlyBody,
    requiredType?: service.CreateRequest["requiredType"],
  ) =>
    app.post(
      url,
      {
        preValidation: [guard, idempotencyKey(ctx.db, route)],
        schema: { tags, summary, security, headers, body, response: { 200: envelope(paymentCreateResult) } },
      },
      async (req, reply) => {
        const b = req.body as { product_id?: string; pay_channel: PayChannel; client: PayClient };
        const request = {
          productId: b.product_id,
          channel: b.pay_channel,
          client: b.client,
          payerIp: req.ip,
          requiredType,
        };
        return sendIdempotent(req, reply, (idem) =>
          service.createPayment(ctx, currentUser(req).userId, request, idem),
        );
      },
    );

  createRoute(
    "/payments/create",
    "payments.create",
    "Open a payment order for a product (15-minute expiry); pay_params by channel and client",
    paymentCreateBody,
  );
  createRoute(
    "/coins/recharge/create_payment",
    "coins.recharge",
    "Buy a coins pack (for order publishers; coins are available at once)",
    paymentCreateBody,
    "coins_pack",
  );
  createRoute(
    "/subscriptions/buy",
    "subscriptions.buy",
    "Buy (or extend) the 30-day monthly card, ¥29",
    channelOnlyBody,
    "subscription_monthly",
  );
  createRoute(
    "/promoter/activate",
    "promoter.activate",
    "Pay ¥30 to become a promoter (+600 credits and a referral code)",
    channelOnlyBody,
    "promoter_activation",
  );

  app.get(
    "/payments/me",
    {
      preValidation: guard,
      schema: {
        tags,
        summary: "The user's payment orders, newest first",
        security,
        querystring: paginationQuery,
        response: { 200: envelope(page(payment)) },
      },
    },
    async (req) =>
      ok(
        await service.listPayments(
          ctx,
          currentUser(req).userId,
          req.query.cursor,
          req.query.limit,
          localeFrom(req.headers["accept-language"]),
        ),
      ),
  );

  app.get(
    "/payments/:id",
    {
      preValidation: guard,
      schema: {
        tags,
        summary: "One of the user's payment orders (the app polls it after the cashier)",
        security,
        params: z.strictObject({ id: z.string().min(1).max(64) }),
        response: { 200: envelope(payment) },
      },
    },
    async (req) =>
      ok(
        await service.getPayment(
          ctx,
          currentUser(req).userId,
          req.params.id,
          localeFrom(req.headers["accept-language"]),
        ),
      ),
  );

  await app.register(async (callbacks) => callbackRoutes(callbacks, ctx));
}

/**
 * Gateway notifications: no session, the raw body kept exactly as signed (JSON for WeChat and the sandbox,
 * a form for Alipay), answered in the channel's own format.
 */
async function callbackRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", { parseAs: "string", bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  const answer = (reply: FastifyReply, a: NotifyAnswer) =>
    reply.code(a.status).type(a.contentType).send(a.body);
  const handle = async (
    req: FastifyRequest,
    reply: FastifyReply,
    channel: z.infer<typeof payChannel> | null,
  ) => {
    const rawBody = typeof req.body === "string" ? req.body : "";
    const result = channel
      ? await service.handleNotification(ctx, channel, { headers: req.headers, rawBody })
      : null;
    return result ? answer(reply, result) : notFound(req, reply);
  };

  app.post(
    "/payments/callback/:channel",
    {
      schema: {
        tags,
        summary:
          "Gateway payment notification (WeChat Pay v3 JSON, Alipay form, sandbox); answered in the channel's format",
        params: z.strictObject({ channel: payChannel }),
      },
    },
    async (req, reply) => handle(req, reply, req.params.channel),
  );

  app.post(
    "/payments/callback",
    { schema: { tags, summary: "The seed's callback: dispatches by the message's format" } },
    async (req, reply) => handle(req, reply, channelOfMessage(ctx, req)),
  );
}

/** WeChat-format messages carry Wechatpay-* headers (the sandbox's key id says which); Alipay posts a form. */
function channelOfMessage(ctx: AppContext, req: FastifyRequest): z.infer<typeof payChannel> | null {
  const serial = req.headers["wechatpay-serial"];
  if (typeof serial === "string") {
    return serial.startsWith("PUB_KEY_ID_SANDBOX") && ctx.pay.providers.has("sandbox") ? "sandbox" : "wechat";
  }
  return typeof req.body === "string" && /(^|&)sign_type=/.test(req.body) ? "alipay" : null;
}
