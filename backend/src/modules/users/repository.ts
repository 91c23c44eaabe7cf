import { eq, or } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { users } from "../../db/schema/index.js";

export type UserRow = typeof users.$inferSelect;

export async function findUserById(ex: Executor, id: string): Promise<UserRow | null> {
  const rows = await ex.select().from(users).where(eq(users.id, id));
  return rows[0] ?? null;
}

export async function findUserByPhone(ex: Executor, phone: string): Promise<UserRow | null> {
  const rows = await ex.select().from(users).where(eq(users.phone, phone));
  return rows[0] ?? null;
}

export async function findUserByWechat(
  ex: Executor,
  unionid: string | null,
  openid: string,
): Promise<UserRow | null> {
  const match = unionid
    ? or(eq(users.wechatUnionid, unionid), eq(users.wechatOpenid, openid))
    : eq(users.wechatOpenid, openid);
  const rows = await ex.select().from(users).where(match).limit(1);
  return rows[0] ?? null;
}

export async function insertUser(ex: Executor, row: typeof users.$inferInsert): Promise<UserRow> {
  const rows = await ex.insert(users).values(row).returning();
  return rows[0] as UserRow;
}

export async function updateUser(
  ex: Executor,
  id: string,
  patch: Partial<
    Pick<UserRow, "nickname" | "bio" | "avatarUrl" | "phone" | "wechatUnionid" | "wechatOpenid">
  >,
  at: Date,
): Promise<UserRow | null> {
  const rows = await ex
    .update(users)
    .set({ ...patch, updatedAt: at })
    .where(eq(users.id, id))
    .returning();
  return rows[0] ?? null;
}
