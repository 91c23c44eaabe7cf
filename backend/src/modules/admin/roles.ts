import { type AdminRole, ErrorCode } from "@skyriff/contracts";
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../../context.js";
import type { Executor } from "../../db/client.js";
import { currentUser } from "../../http/auth-guard.js";
import { AppError } from "../../lib/errors.js";
import * as repo from "./repository.js";

/** The user's back-office roles: granted rows, plus admin for a phone in ADMIN_PHONES (SPEC §7). */
export async function rolesOf(ex: Executor, adminPhones: string[], userId: string): Promise<Set<AdminRole>> {
  const found = await repo.grantedRoles(ex, userId);
  const roles = new Set(found?.roles ?? []);
  if (found?.phone && adminPhones.includes(found.phone)) roles.add("admin");
  return roles;
}

/**
 * preHandler after the auth guard: the caller holds one of `allowed` (admin always does), else
 * 403/2002 — the same answer whether or not the target exists.
 */
export function requireRole(ctx: AppContext, ...allowed: AdminRole[]) {
  return async (req: FastifyRequest): Promise<void> => {
    const roles = await rolesOf(ctx.db, ctx.config.adminPhones, currentUser(req).userId);
    if (roles.has("admin") || allowed.some((r) => roles.has(r))) return;
    throw new AppError(ErrorCode.NOT_ALLOWED, null, {
      zh: "没有后台权限",
      en: "This needs a back-office role",
    });
  };
}

/** Replaces a user's granted roles (the console in the admin issue; `/dev/roles` in development). */
export async function setRoles(
  ctx: Pick<AppContext, "db">,
  userId: string,
  roles: AdminRole[],
  grantedBy: string | null,
): Promise<AdminRole[]> {
  const unique = [...new Set(roles)];
  await ctx.db.transaction(async (tx) => {
    if (!(await repo.grantedRoles(tx, userId))) throw new AppError(ErrorCode.USER_NOT_FOUND);
    await repo.replaceRoles(tx, userId, unique, grantedBy);
  });
  return unique;
}
