import { z } from "zod";
import { id, isoDateTime } from "./common.js";
import { visibleText } from "./text.js";

/** Mainland mobile, optionally with a +86 / 86 prefix (normalized server-side). */
export const phone = z.string().trim().min(1).max(20);

export const smsSendBody = z.strictObject({ phone });
export const smsSendResult = z.object({ expire_in: z.number().int(), resend_after: z.number().int() });

export const smsVerifyBody = z.strictObject({
  phone,
  code: z.string().trim().min(1).max(10),
  referral_code: z.string().trim().max(32).optional(),
});

export const userPublic = z.object({
  user_id: id,
  nickname: z.string(),
  avatar_url: z.string().nullable(),
  bio: z.string(),
  phone_masked: z.string().nullable(),
  has_phone: z.boolean(),
  wechat_bound: z.boolean(),
  is_creator: z.boolean(),
  is_promoter: z.boolean(),
  created_at: isoDateTime,
});
export type UserPublic = z.infer<typeof userPublic>;

export const tokenPair = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number().int().describe("access token lifetime in seconds"),
  refresh_expires_in: z.number().int(),
  token_type: z.literal("Bearer"),
});
export const loginResult = tokenPair.extend({ user: userPublic, is_new_user: z.boolean() });
export type LoginResult = z.infer<typeof loginResult>;

export const refreshBody = z.strictObject({ refresh_token: z.string().min(1).max(512) });
export const logoutBody = z.strictObject({ refresh_token: z.string().min(1).max(512).optional() });

export const wechatInitBody = z.strictObject({
  platform: z.enum(["app", "h5", "web"]),
  redirect_uri: z.string().url().max(1024).optional(),
});
export const wechatInitResult = z.object({
  app_id: z.string(),
  state: z.string(),
  authorize_url: z.string().nullable(),
});
export const wechatCallbackBody = z.strictObject({
  code: z.string().min(1).max(256),
  state: z.string().min(1).max(128),
  /** A promoter's code: binds a new account at its first login, like `/auth/sms/verify`. */
  referral_code: z.string().trim().max(32).optional(),
});

export const bindPhoneBody = z.strictObject({ phone, code: z.string().trim().min(1).max(10) });

export const profilePatchBody = z
  .strictObject({
    nickname: visibleText(1, 20, { singleLine: true }).optional(),
    avatar_asset_id: id.nullable().optional(),
    bio: z.string().max(200).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: "nothing to update" });
