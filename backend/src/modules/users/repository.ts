import { eq, or } from "drizzle-orm";
import type { Executor, Tx } from "../../db/client.js";
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
    Pick<
      UserRow,
      "nickname" | "bio" | "avatarUrl" | "avatarStorageKey" | "phone" | "wechatUnionid" | "wechatOpenid"
    >
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

/** The user row, locked until the transaction ends (an account closure waits for nothing else). */
export async function lockUser(tx: Tx, id: string): Promise<UserRow | null> {
  const rows = await tx.select().from(users).where(eq(users.id, id)).for("update");
  return rows[0] ?? null;
}

/**
 * Closes the account: the row stays (ledger rows, tasks and assets keep pointing at it) but nothing in it
 * identifies the person any more; phone and WeChat ids are freed so they can sign up again.
 */
export async function anonymiseUser(tx: Tx, id: string, nickname: string, at: Date): Promise<UserRow | null> {
  const rows = await tx
    .update(users)
    .set({
      nickname,
      avatarUrl: null,
      avatarStorageKey: null,
      bio: "",
      phone: null,
      wechatUnionid: null,
      wechatOpenid: null,
      status: "deleted",
      deletedAt: at,
      updatedAt: at,
    })
    .where(eq(users.id, id))
    .returning();
  return rows[0] ?? null;
}

/** The user becomes a creator with their first published work (stays one). */
export async function markCreator(ex: Executor, id: string): Promise<void> {
  await ex.update(users).set({ isCreator: true }).where(eq(users.id, id));
}

/** The user becomes a promoter when the activation payment is fulfilled (stays one). */
export async function markPromoter(ex: Executor, id: string): Promise<void> {
  await ex.update(users).set({ isPromoter: true }).where(eq(users.id, id));
}
