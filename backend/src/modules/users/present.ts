import type { UserPublic } from "@skyriff/contracts";
import type { UserRow } from "./repository.js";

export const DEFAULT_AVATAR_PATH = "/static/default-avatar.svg";

export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

export function presentUser(u: UserRow): UserPublic {
  return {
    user_id: u.id,
    nickname: u.nickname,
    avatar_url: u.avatarUrl ?? DEFAULT_AVATAR_PATH,
    bio: u.bio,
    phone_masked: u.phone ? maskPhone(u.phone) : null,
    has_phone: u.phone !== null,
    wechat_bound: u.wechatOpenid !== null,
    is_creator: u.isCreator,
    is_promoter: u.isPromoter,
    created_at: u.createdAt.toISOString(),
  };
}
