import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ErrorCode, type MeHome, type UserPublic } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { AppError } from "../../lib/errors.js";
import { countVideos } from "../assets/service.js";
import { unfinishedTaskCount } from "../generation/service.js";
import { ownImage } from "../media/service.js";
import { assertClean } from "../moderation/service.js";
import { countProjects } from "../projects/service.js";
import { socialCounts } from "../social/service.js";
import { homeCard } from "../subscriptions/service.js";
import { touch as touchTasks } from "../task-center/service.js";
import { getWallets } from "../wallet/service.js";
import { presentUser } from "./present.js";
import { findUserById, updateUser } from "./repository.js";

async function requireUser(ctx: AppContext, userId: string) {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  return user;
}

export async function getMe(ctx: AppContext, userId: string): Promise<UserPublic> {
  return presentUser(ctx, await requireUser(ctx, userId));
}

const AVATAR_EXTENSION: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
};

/**
 * Copies one of the user's own uploads to `avatars/<userId>/<assetId>.<ext>`: the avatar then lives on its
 * own (the upload may be cleaned up later, and closing the account deletes just this copy). Another
 * user's asset id is 404, as if it did not exist.
 */
async function copyAvatar(ctx: AppContext, userId: string, assetId: string): Promise<string> {
  const image = await ownImage(ctx, assetId, userId);
  const key = `avatars/${userId}/${image.id}.${AVATAR_EXTENSION[image.mime] ?? "img"}`;
  if (await ctx.storage.exists(key)) return key;
  const dir = await mkdtemp(path.join(tmpdir(), "skyriff-avatar-"));
  try {
    const file = path.join(dir, "avatar");
    await ctx.storage.getToFile(image.storageKey, file);
    await ctx.storage.putFile(key, file, image.mime);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return key;
}

export async function updateProfile(
  ctx: AppContext,
  userId: string,
  patch: { nickname?: string; bio?: string; avatar_asset_id?: string | null },
): Promise<UserPublic> {
  assertClean({ nickname: patch.nickname, bio: patch.bio });
  const before = await requireUser(ctx, userId);
  // Storage I/O happens before (and outside) the database write.
  const avatarKey = patch.avatar_asset_id ? await copyAvatar(ctx, userId, patch.avatar_asset_id) : undefined;
  const avatar =
    avatarKey !== undefined
      ? { avatarStorageKey: avatarKey, avatarUrl: null }
      : patch.avatar_asset_id === null
        ? { avatarStorageKey: null, avatarUrl: null }
        : {};
  const updated = await updateUser(
    ctx.db,
    userId,
    { nickname: patch.nickname, bio: patch.bio, ...avatar },
    ctx.clock.now(),
  );
  if (!updated) throw new AppError(ErrorCode.USER_NOT_FOUND);
  if (before.avatarStorageKey && before.avatarStorageKey !== updated.avatarStorageKey) {
    await ctx.storage.delete(before.avatarStorageKey).catch(() => undefined);
  }
  return presentUser(ctx, updated);
}

/** One call for the 我的 page. */
export async function getHome(ctx: AppContext, userId: string): Promise<MeHome> {
  const [user, wallets, videos, projects, unfinished, social, card] = await Promise.all([
    requireUser(ctx, userId),
    getWallets(ctx, userId),
    countVideos(ctx, userId),
    countProjects(ctx, userId),
    unfinishedTaskCount(ctx, userId),
    socialCounts(ctx, userId),
    homeCard(ctx, userId),
    // Opening 我的 is the user's touch of the day (login_daily).
    touchTasks(ctx, userId),
  ]);
  const { favorites, ...stats } = social;
  return {
    user: await presentUser(ctx, user),
    stats,
    wallets,
    subscription: card,
    counts: { videos, projects, favorites, unfinished_tasks: unfinished },
  };
}

// What other modules may do with users (auth creates, finds and closes them; jobs read a nickname): the
// users table itself stays behind this module.
export { DELETED_NICKNAME, presentUser } from "./present.js";
export {
  anonymiseUser,
  findUserById as findUser,
  findUserByPhone,
  findUserByWechat,
  insertUser,
  lockUser,
  markCreator,
  markPromoter,
  type UserRow,
  updateUser as setUserFields,
} from "./repository.js";
