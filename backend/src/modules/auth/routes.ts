import {
  bindPhoneBody,
  deleteAccountResult,
  envelope,
  loginResult,
  logoutBody,
  refreshBody,
  smsSendBody,
  smsSendResult,
  smsVerifyBody,
  tokenPair,
  userPublic,
  wechatCallbackBody,
  wechatInitBody,
  wechatInitResult,
} from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { ok } from "../../http/envelope.js";
import { idempotencyKey, sendIdempotent } from "../../http/idempotency.js";
import * as service from "./service.js";

const tags = ["auth"];
const secured = [{ bearerAuth: [] }];

export async function authRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const requireAuth = authGuard(ctx);

  app.post(
    "/auth/sms/send",
    {
      schema: {
        tags,
        summary: "Send a login code by SMS",
        body: smsSendBody,
        response: { 200: envelope(smsSendResult) },
      },
    },
    async (req) => ok(await service.sendSmsCode(ctx, req.body.phone, req.ip)),
  );

  app.post(
    "/auth/sms/verify",
    {
      schema: {
        tags,
        summary: "Log in (or sign up) with an SMS code",
        body: smsVerifyBody,
        response: { 200: envelope(loginResult) },
      },
    },
    async (req) =>
      ok(await service.verifySmsLogin(ctx, req.body.phone, req.body.code, req.body.referral_code)),
  );

  app.post(
    "/auth/refresh",
    {
      schema: {
        tags,
        summary: "Rotate the token pair",
        body: refreshBody,
        response: { 200: envelope(tokenPair) },
      },
    },
    async (req) => ok(await service.refreshSession(ctx, req.body.refresh_token)),
  );

  app.post(
    "/auth/logout",
    {
      preValidation: requireAuth,
      schema: {
        tags,
        summary: "Revoke the current session",
        security: secured,
        body: logoutBody.nullish(),
        response: { 200: envelope(z.object({ logged_out: z.boolean() })) },
      },
    },
    async (req) => ok(await service.logout(ctx, currentUser(req).sessionId, req.body?.refresh_token)),
  );

  app.post(
    "/auth/wechat/init",
    {
      schema: {
        tags,
        summary: "Start WeChat OAuth",
        body: wechatInitBody,
        response: { 200: envelope(wechatInitResult) },
      },
    },
    async (req) => ok(await service.wechatInit(ctx, req.body.platform, req.body.redirect_uri)),
  );

  app.post(
    "/auth/wechat/callback",
    {
      schema: {
        tags,
        summary: "Finish WeChat OAuth",
        body: wechatCallbackBody,
        response: { 200: envelope(loginResult) },
      },
    },
    async (req) =>
      ok(await service.wechatCallback(ctx, req.body.code, req.body.state, req.body.referral_code)),
  );

  app.post(
    "/me/bind_phone",
    {
      preValidation: requireAuth,
      schema: {
        tags: ["me"],
        summary: "Bind a phone to the current account",
        security: secured,
        body: bindPhoneBody,
        response: { 200: envelope(userPublic) },
      },
    },
    async (req) => ok(await service.bindPhone(ctx, currentUser(req).userId, req.body.phone, req.body.code)),
  );

  app.post(
    "/me/delete_account",
    {
      preValidation: [requireAuth, idempotencyKey(ctx.db, "me.delete_account")],
      schema: {
        tags: ["me"],
        summary:
          "Close (注销) the account: forfeit its balances (ledger rows kept), anonymise it, free phone and WeChat, end every session",
        security: secured,
        headers: z.object({ "idempotency-key": z.string().max(128).optional() }),
        body: z.strictObject({}).nullish(),
        response: { 200: envelope(deleteAccountResult) },
      },
    },
    async (req, reply) =>
      sendIdempotent(req, reply, (idem) => service.deleteAccount(ctx, currentUser(req).userId, idem)),
  );
}
