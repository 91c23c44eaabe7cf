import { ErrorCode, type MeHome, type UserPublic } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { AppError, notFound } from "../../lib/errors.js";
import { countVideos } from "../assets/service.js";
import { unfinishedTaskCount } from "../generation/service.js";
import { countProjects } from "../projects/service.js";
import { getWallets } from "../wallet/service.js";
import { presentUser } from "./present.js";
import { findUserById, updateUser } from "./repository.js";

async function requireUser(ctx: AppContext, userId: string) {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  return user;
}

export async function getMe(ctx: AppContext, userId: string): Promise<UserPublic> {
  return presentUser(await requireUser(ctx, userId));
}

export async function updateProfile(
  ctx: AppContext,
  userId: string,
  patch: { nickname?: string; bio?: string; avatar_asset_id?: string | null },
): Promise<UserPublic> {
  if (patch.avatar_asset_id) {
    // Media assets arrive with the generation loop; until then no asset id can be owned by the user.
    throw notFound("avatar asset");
  }
  const updated = await updateUser(
    ctx.db,
    userId,
    {
      nickname: patch.nickname,
      bio: patch.bio,
      ...(patch.avatar_asset_id === null ? { avatarUrl: null } : {}),
    },
    ctx.clock.now(),
  );
  if (!updated) throw new AppError(ErrorCode.USER_NOT_FOUND);
  return presentUser(updated);
}

/** One call for the 我的 page. Social counts, works, favorites and the monthly card arrive with their phases. */
export async function getHome(ctx: AppContext, userId: string): Promise<MeHome> {
  const [user, wallets, videos, projects, unfinished] = await Promise.all([
    requireUser(ctx, userId),
    getWallets(ctx, userId),
    countVideos(ctx, userId),
    countProjects(ctx, userId),
    unfinishedTaskCount(ctx, userId),
  ]);
  return {
    user: presentUser(user),
    stats: { followers_count: 0, following_count: 0, likes_received_count: 0, works_count: 0 },
    wallets,
    subscription: null,
    counts: { videos, projects, favorites: 0, unfinished_tasks: unfinished },
  };
}

// What other modules may do with users (auth creates and finds them; jobs read a nickname): the users
// table itself stays behind this module.
export {
  findUserById as findUser,
  findUserByPhone,
  findUserByWechat,
  insertUser,
  type UserRow,
  updateUser as setUserFields,
} from "./repository.js";
