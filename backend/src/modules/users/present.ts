import type { UserPublic } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { UserRow } from "./repository.js";

export const DEFAULT_AVATAR_PATH = "/static/default-avatar.svg";
/** What a closed (注销) account is called from then on; the app shows "Deleted user" in English. */
export const DELETED_NICKNAME = "已注销用户";

const DAY_MS = 24 * 3600_000;
/** S3-style presigned links cannot outlive 7 days. */
const AVATAR_LINK_DAYS = 7;

export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/**
 * Seconds until the avatar link expires: the start of the current UTC day + 7 days. Every read signs a
 * fresh link valid 6–7 days, and on local storage the link stays byte-identical for the whole day (the
 * expiry is the same instant), so the browser cache keeps the image instead of re-downloading it.
 */
export function avatarLinkSeconds(now: Date): number {
  const dayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return Math.ceil((dayStart + AVATAR_LINK_DAYS * DAY_MS - now.getTime()) / 1000);
}

/** The URL the app shows: the user's own avatar copy (signed), WeChat's avatar, or the default. */
export async function avatarUrlOf(
  ctx: Pick<AppContext, "storage" | "clock">,
  u: Pick<UserRow, "avatarUrl" | "avatarStorageKey">,
): Promise<string> {
  if (u.avatarStorageKey) {
    const link = await ctx.storage.signedUrl(u.avatarStorageKey, {
      expiresInSec: avatarLinkSeconds(ctx.clock.now()),
    });
    return link.url;
  }
  return u.avatarUrl ?? DEFAULT_AVATAR_PATH;
}

export async function presentUser(
  ctx: Pick<AppContext, "storage" | "clock">,
  u: UserRow,
): Promise<UserPublic> {
  return {
    user_id: u.id,
    nickname: u.nickname,
    avatar_url: await avatarUrlOf(ctx, u),
    bio: u.bio,
    phone_masked: u.phone ? maskPhone(u.phone) : null,
    has_phone: u.phone !== null,
    wechat_bound: u.wechatOpenid !== null,
    is_creator: u.isCreator,
    is_promoter: u.isPromoter,
    created_at: u.createdAt.toISOString(),
  };
}
