import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../../db/client.js";
import { withdrawals } from "../../db/schema/index.js";
import type { Keyset } from "../../lib/cursor.js";

export type WithdrawalRow = typeof withdrawals.$inferSelect;
export type WithdrawalStatusValue = WithdrawalRow["status"];
export type PayoutStatusValue = WithdrawalRow["payoutStatus"];

export async function insertWithdrawal(tx: Tx, row: typeof withdrawals.$inferInsert): Promise<WithdrawalRow> {
  const [created] = await tx.insert(withdrawals).values(row).returning();
  if (!created) throw new Error("withdrawal insert returned nothing");
  return created;
}

export async function countOnDay(ex: Executor, userId: string, day: string): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(
    ex,
    sql`select count(*) as n from withdrawals where user_id = ${userId} and day = ${day}::date`,
  );
  return Number(row?.n ?? 0);
}

export async function findWithdrawal(ex: Executor, id: string): Promise<WithdrawalRow | null> {
  const [row] = await ex.select().from(withdrawals).where(eq(withdrawals.id, id));
  return row ?? null;
}

const keysetAfter = (after: Keyset | null) =>
  after
    ? or(
        lt(withdrawals.createdAt, after.createdAt),
        and(eq(withdrawals.createdAt, after.createdAt), lt(withdrawals.id, after.id)),
      )
    : undefined;

export async function listOfUser(ex: Executor, userId: string, after: Keyset | null, limit: number) {
  return ex
    .select()
    .from(withdrawals)
    .where(and(eq(withdrawals.userId, userId), keysetAfter(after)))
    .orderBy(desc(withdrawals.createdAt), desc(withdrawals.id))
    .limit(limit + 1);
}

export interface AdminWithdrawalRow extends WithdrawalRow {
  nickname: string;
  phone: string | null;
}

export async function listForReview(
  ex: Executor,
  status: WithdrawalStatusValue | undefined,
  after: Keyset | null,
  limit: number,
): Promise<AdminWithdrawalRow[]> {
  const rows = await ex
    .select({ w: withdrawals, nickname: sql<string>`u.nickname`, phone: sql<string | null>`u.phone` })
    .from(withdrawals)
    .innerJoin(sql`users u`, sql`u.id = ${withdrawals.userId}`)
    .where(and(status ? eq(withdrawals.status, status) : undefined, keysetAfter(after)))
    .orderBy(desc(withdrawals.createdAt), desc(withdrawals.id))
    .limit(limit + 1);
  return rows.map((r) => ({ ...r.w, nickname: r.nickname, phone: r.phone }));
}

export async function findForReview(ex: Executor, id: string): Promise<AdminWithdrawalRow | null> {
  const [row] = await ex
    .select({ w: withdrawals, nickname: sql<string>`u.nickname`, phone: sql<string | null>`u.phone` })
    .from(withdrawals)
    .innerJoin(sql`users u`, sql`u.id = ${withdrawals.userId}`)
    .where(eq(withdrawals.id, id));
  return row ? { ...row.w, nickname: row.nickname, phone: row.phone } : null;
}

/**
 * Compare-and-set of the status (and, when given, the payout status): the one way a withdrawal moves.
 * Null when another request moved it first.
 */
export async function transition(
  tx: Tx,
  id: string,
  from: { status: WithdrawalStatusValue; payoutStatus?: PayoutStatusValue[] },
  set: Partial<typeof withdrawals.$inferInsert>,
): Promise<WithdrawalRow | null> {
  const payoutGuard = from.payoutStatus?.length
    ? sql`${withdrawals.payoutStatus} in (${sql.join(
        from.payoutStatus.map((s) => sql`${s}`),
        sql`, `,
      )})`
    : undefined;
  const [row] = await tx
    .update(withdrawals)
    .set(set)
    .where(and(eq(withdrawals.id, id), eq(withdrawals.status, from.status), payoutGuard))
    .returning();
  return row ?? null;
}

/** Approved withdrawals whose transfer is due for a (re)query, oldest first. */
export async function duePayouts(ex: Executor, now: Date, limit: number): Promise<WithdrawalRow[]> {
  return ex
    .select()
    .from(withdrawals)
    .where(
      and(
        eq(withdrawals.status, "approved"),
        sql`${withdrawals.payoutStatus} in ('pending', 'processing')`,
        sql`${withdrawals.payoutNextQueryAt} <= ${now.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(withdrawals.payoutNextQueryAt)
    .limit(limit);
}

/** Approved bank-card withdrawals waiting for the manual transfer (the CSV batch). */
export async function manualPayouts(ex: Executor): Promise<WithdrawalRow[]> {
  return ex
    .select()
    .from(withdrawals)
    .where(and(eq(withdrawals.status, "approved"), eq(withdrawals.payoutStatus, "manual")))
    .orderBy(withdrawals.createdAt);
}
