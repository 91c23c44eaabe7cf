import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../../db/client.js";
import { ledgerTransactions, postings, promoters, referrals, users } from "../../db/schema/index.js";
import type { Keyset } from "../../lib/cursor.js";

export type PromoterRow = typeof promoters.$inferSelect;
export type ReferralRow = typeof referrals.$inferSelect;

export async function findPromoter(ex: Executor, userId: string): Promise<PromoterRow | null> {
  const [row] = await ex.select().from(promoters).where(eq(promoters.userId, userId));
  return row ?? null;
}

export async function findPromoterByCode(ex: Executor, code: string): Promise<PromoterRow | null> {
  const [row] = await ex.select().from(promoters).where(eq(promoters.referralCode, code));
  return row ?? null;
}

/** Inserts the promoter with `code`: "inserted", "taken" (code in use) or "exists" (already a promoter). */
export async function insertPromoter(
  tx: Tx,
  row: { userId: string; referralCode: string; paymentId: string; at: Date },
): Promise<"inserted" | "taken" | "exists"> {
  const inserted = await tx
    .insert(promoters)
    .values({
      userId: row.userId,
      referralCode: row.referralCode,
      paymentId: row.paymentId,
      activatedAt: row.at,
    })
    .onConflictDoNothing()
    .returning({ userId: promoters.userId });
  if (inserted.length) return "inserted";
  return (await findPromoter(tx, row.userId)) ? "exists" : "taken";
}

export async function findReferral(ex: Executor, userId: string): Promise<ReferralRow | null> {
  const [row] = await ex.select().from(referrals).where(eq(referrals.userId, userId));
  return row ?? null;
}

/** Binds the invitee once; false when already bound (a concurrent bind that committed first). */
export async function insertReferral(
  tx: Tx,
  row: { userId: string; promoterUserId: string; code: string; via: "login" | "bind"; at: Date },
): Promise<boolean> {
  const inserted = await tx
    .insert(referrals)
    .values({
      userId: row.userId,
      promoterUserId: row.promoterUserId,
      code: row.code,
      via: row.via,
      boundAt: row.at,
    })
    .onConflictDoNothing()
    .returning({ userId: referrals.userId });
  return inserted.length > 0;
}

export async function countInvites(ex: Executor, promoterUserId: string): Promise<number> {
  const [row] = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(referrals)
    .where(eq(referrals.promoterUserId, promoterUserId));
  return row?.n ?? 0;
}

export interface InviteRow {
  userId: string;
  nickname: string;
  avatarUrl: string | null;
  avatarStorageKey: string | null;
  createdAt: Date;
  id: string;
}

/** Invitees, newest first (keyset on bound_at, user id). */
export async function listInvites(
  ex: Executor,
  promoterUserId: string,
  after: Keyset | null,
  limit: number,
): Promise<InviteRow[]> {
  const keyset = after
    ? sql`(${referrals.boundAt}, ${referrals.userId}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id})`
    : sql`true`;
  return ex
    .select({
      userId: referrals.userId,
      nickname: users.nickname,
      avatarUrl: users.avatarUrl,
      avatarStorageKey: users.avatarStorageKey,
      createdAt: referrals.boundAt,
      id: referrals.userId,
    })
    .from(referrals)
    .innerJoin(users, eq(users.id, referrals.userId))
    .where(and(eq(referrals.promoterUserId, promoterUserId), keyset))
    .orderBy(desc(referrals.boundAt), desc(referrals.userId))
    .limit(limit + 1);
}

export interface CommissionRow {
  id: string;
  amount: bigint;
  status: "settled" | "pending";
  unlockAt: Date | null;
  createdAt: Date;
  metadata: unknown;
  released: boolean;
}

/**
 * The promoter's commission lots (one pending posting each), newest first. `released` says whether the
 * lot was moved to available (a `lot:{posting}:release` transaction names it).
 */
export async function listCommissions(
  ex: Executor,
  accountIds: string[],
  after: Keyset | null,
  limit: number,
): Promise<CommissionRow[]> {
  const keyset = after
    ? sql`(${postings.createdAt}, ${postings.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id})`
    : sql`true`;
  return ex
    .select({
      id: postings.id,
      amount: postings.amount,
      status: postings.status,
      unlockAt: postings.unlockAt,
      createdAt: postings.createdAt,
      metadata: ledgerTransactions.metadata,
      released: sql<boolean>`exists (select 1 from ledger_transactions e where e.ref_type = 'lot' and e.ref_id = ${postings.id})`,
    })
    .from(postings)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, postings.transactionId))
    .where(
      and(
        inArray(postings.accountId, accountIds),
        eq(postings.entryType, "referral_commission_income"),
        sql`${postings.amount} > 0`,
        keyset,
      ),
    )
    .orderBy(desc(postings.createdAt), desc(postings.id))
    .limit(limit + 1);
}

/** Total and still-pending commission (milli-coins) of a promoter, per invitee when `byInvitee`. */
export async function commissionTotals(
  ex: Executor,
  accountIds: string[],
): Promise<{ total: bigint; pending: bigint }> {
  const [row] = await ex
    .select({
      total: sql<string>`coalesce(sum(${postings.amount}), 0)`,
      pending: sql<string>`coalesce(sum(${postings.amount}) filter (where not exists (select 1 from ledger_transactions e where e.ref_type = 'lot' and e.ref_id = ${postings.id})), 0)`,
    })
    .from(postings)
    .where(
      and(
        inArray(postings.accountId, accountIds),
        eq(postings.entryType, "referral_commission_income"),
        sql`${postings.amount} > 0`,
      ),
    );
  return { total: BigInt(row?.total ?? 0), pending: BigInt(row?.pending ?? 0) };
}

/** Commission per invitee (milli-coins), from the commission transactions' metadata. */
export async function commissionByInvitee(
  ex: Executor,
  promoterUserId: string,
  inviteeIds: string[],
): Promise<Map<string, bigint>> {
  if (inviteeIds.length === 0) return new Map();
  const rows = await ex
    .select({
      invitee: sql<string>`${ledgerTransactions.metadata}->>'payer_user_id'`,
      total: sql<string>`sum(${postings.amount})`,
    })
    .from(ledgerTransactions)
    .innerJoin(postings, eq(postings.transactionId, ledgerTransactions.id))
    .where(
      and(
        eq(ledgerTransactions.type, "referral_commission_income"),
        sql`${ledgerTransactions.metadata}->>'promoter_user_id' = ${promoterUserId}`,
        inArray(sql`${ledgerTransactions.metadata}->>'payer_user_id'`, inviteeIds),
        sql`${postings.amount} > 0`,
      ),
    )
    .groupBy(sql`${ledgerTransactions.metadata}->>'payer_user_id'`);
  return new Map(rows.map((r) => [r.invitee, BigInt(r.total)]));
}

export interface SecondLevelTotal {
  promoterUserId: string;
  paymentsFen: bigint;
  payers: number;
}

/**
 * Second level (SPEC §5): for each A with A → B → C, the sum of C's payments paid in [from, to), by A,
 * in promoter id order after `after` (a batch; the job walks them all).
 */
export async function secondLevelTotals(
  ex: Executor,
  range: { from: Date; to: Date },
  after: string | null,
  limit: number,
): Promise<SecondLevelTotal[]> {
  const rows = await queryRows<{ promoter_user_id: string; payments_fen: string; payers: string | number }>(
    ex,
    sql`
    select b.promoter_user_id, sum(o.amount_fen)::text as payments_fen, count(distinct o.user_id) as payers
    from referrals b
    join referrals c on c.promoter_user_id = b.user_id
    join payment_orders o on o.user_id = c.user_id and o.status = 'paid'
      and o.paid_at >= ${range.from.toISOString()}::timestamptz and o.paid_at < ${range.to.toISOString()}::timestamptz
    where c.user_id <> b.promoter_user_id ${after === null ? sql`` : sql`and b.promoter_user_id > ${after}`}
    group by b.promoter_user_id
    order by b.promoter_user_id
    limit ${limit}`,
  );
  return rows.map((r) => ({
    promoterUserId: r.promoter_user_id,
    paymentsFen: BigInt(r.payments_fen),
    payers: Number(r.payers),
  }));
}
