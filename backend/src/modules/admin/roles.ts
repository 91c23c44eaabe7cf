import { type AdminRole, ErrorCode } from "@skyriff/contracts";
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../../context.js";
import type { Executor, Tx } from "../../db/client.js";
import { currentUser } from "../../http/auth-guard.js";
import { AppError } from "../../lib/errors.js";
import { type AdminActor, audit } from "./audit.js";
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

/** Replaces a user's granted roles inside `tx`; the roles held before. */
async function setRolesIn(
  tx: Tx,
  userId: string,
  roles: AdminRole[],
  grantedBy: string | null,
): Promise<AdminRole[]> {
  const found = await repo.grantedRoles(tx, userId);
  if (!found) throw new AppError(ErrorCode.USER_NOT_FOUND);
  await repo.replaceRoles(tx, userId, [...new Set(roles)], grantedBy);
  return found.roles;
}

/** The actor of `/dev/roles` in the audit log: development grants are audited too, under this name. */
export const DEV_ACTOR_ID = "dev";

/** Replaces a user's granted roles and audits it in the same transaction (the console, `/dev/roles`). */
export async function setRoles(
  ctx: Pick<AppContext, "db" | "clock">,
  actor: AdminActor,
  userId: string,
  roles: AdminRole[],
): Promise<AdminRole[]> {
  const unique = [...new Set(roles)];
  const grantedBy = actor.userId === DEV_ACTOR_ID ? null : actor.userId;
  await ctx.db.transaction(async (tx) => {
    const before = await setRolesIn(tx, userId, unique, grantedBy);
    audit(
      tx,
      actor,
      {
        action: "user.roles",
        targetType: "user",
        targetId: userId,
        before: { roles: before },
        after: { roles: unique },
      },
      ctx.clock.now(),
    );
  });
  return unique;
}
