import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    phone: text("phone"),
    nickname: text("nickname").notNull(),
    /** An external avatar (WeChat's headimgurl); null when none or when `avatarStorageKey` is set. */
    avatarUrl: text("avatar_url"),
    /** The user's own avatar copy in object storage (`avatars/<userId>/<assetId>.<ext>`), served signed. */
    avatarStorageKey: text("avatar_storage_key"),
    bio: text("bio").notNull().default(""),
    /** `deleted`: the account was closed (注销) and anonymised; its tokens are refused with 401. */
    status: text("status", { enum: ["active", "banned", "deleted"] })
      .notNull()
      .default("active"),
    /** Why an admin banned the user (cleared on unban). */
    banReason: text("ban_reason"),
    isCreator: boolean("is_creator").notNull().default(false),
    isPromoter: boolean("is_promoter").notNull().default(false),
    wechatUnionid: text("wechat_unionid"),
    wechatOpenid: text("wechat_openid"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    check("users_status_check", sql`${t.status} in ('active', 'banned', 'deleted')`),
    uniqueIndex("users_phone_uq").on(t.phone),
    uniqueIndex("users_wechat_unionid_uq").on(t.wechatUnionid),
    uniqueIndex("users_wechat_openid_uq").on(t.wechatOpenid),
    /** The admin dashboard's new users by day. */
    index("users_created_idx").on(t.createdAt),
  ],
);

/** A login session = one refresh-token family. Revoking it ends every token issued in it. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: ts("created_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
    revokedAt: ts("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id),
    tokenHash: text("token_hash").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
    /** The pair this token was rotated into, sealed: a second tab within the grace window gets it too. */
    successorSealed: text("successor_sealed"),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_uq").on(t.tokenHash),
    index("refresh_tokens_session_idx").on(t.sessionId),
  ],
);

export const smsCodes = pgTable(
  "sms_codes",
  {
    id: text("id").primaryKey(),
    phone: text("phone").notNull(),
    codeHash: text("code_hash").notNull(),
    ip: text("ip").notNull(),
    attempts: integer("attempts").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
    consumedAt: ts("consumed_at"),
  },
  (t) => [
    index("sms_codes_phone_created_idx").on(t.phone, t.createdAt),
    index("sms_codes_ip_created_idx").on(t.ip, t.createdAt),
  ],
);

/** What the console SMS provider "sent": read by the dev-only outbox endpoint. */
export const devSmsOutbox = pgTable(
  "dev_sms_outbox",
  {
    id: text("id").primaryKey(),
    phone: text("phone").notNull(),
    code: text("code").notNull(),
    provider: text("provider").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("dev_sms_outbox_phone_idx").on(t.phone, t.createdAt)],
);

export const oauthStates = pgTable("oauth_states", {
  state: text("state").primaryKey(),
  provider: text("provider").notNull(),
  platform: text("platform").notNull(),
  redirectUri: text("redirect_uri"),
  createdAt: ts("created_at").notNull().defaultNow(),
  expiresAt: ts("expires_at").notNull(),
  consumedAt: ts("consumed_at"),
});
