import { and, eq, lte, sql } from "drizzle-orm";
import type { Executor, Tx } from "../../db/client.js";
import { subscriptionClaims, subscriptionPeriods, subscriptions } from "../../db/schema/index.js";

export type SubscriptionRow = typeof subscriptions.$inferSelect;

export async function findSubscription(ex: Executor, userId: string): Promise<SubscriptionRow | null> {
  const [row] = await ex.select().from(subscriptions).where(eq(subscriptions.userId, userId));
  return row ?? null;
}

/** Records that `paymentId` extended the card; false when it already had (a replayed fulfilment). */
export async function insertPeriod(
  tx: Tx,
  row: {
    paymentId: string;
    userId: string;
    days: number;
    endAtBefore: Date | null;
    endAtAfter: Date;
    at: Date;
  },
): Promise<boolean> {
  const inserted = await tx
    .insert(subscriptionPeriods)
    .values({
      paymentId: row.paymentId,
      userId: row.userId,
      days: row.days,
      endAtBefore: row.endAtBefore,
      endAtAfter: row.endAtAfter,
      createdAt: row.at,
    })
    .onConflictDoNothing()
    .returning({ paymentId: subscriptionPeriods.paymentId });
  return inserted.length > 0;
}

/** Locks the user's card row (if any) for an extension computed from it. */
export async function lockSubscription(tx: Tx, userId: string): Promise<SubscriptionRow | null> {
  const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.userId, userId)).for("update");
  return row ?? null;
}

export async function saveSubscription(
  tx: Tx,
  row: { userId: string; startAt: Date; endAt: Date; at: Date },
): Promise<void> {
  await tx
    .insert(subscriptions)
    .values({
      userId: row.userId,
      startAt: row.startAt,
      endAt: row.endAt,
      status: "active",
      updatedAt: row.at,
    })
    .onConflictDoUpdate({
      target: subscriptions.userId,
      set: { startAt: row.startAt, endAt: row.endAt, status: "active", updatedAt: row.at },
    });
}

/** The day's claim, once: false when the user already claimed this Shanghai day. */
export async function insertClaim(
  tx: Tx,
  userId: string,
  day: string,
  credits: number,
  at: Date,
): Promise<boolean> {
  const inserted = await tx
    .insert(subscriptionClaims)
    .values({ userId, day, credits, claimedAt: at })
    .onConflictDoNothing()
    .returning({ day: subscriptionClaims.day });
  return inserted.length > 0;
}

export async function hasClaimed(ex: Executor, userId: string, day: string): Promise<boolean> {
  const rows = await ex
    .select({ day: subscriptionClaims.day })
    .from(subscriptionClaims)
    .where(and(eq(subscriptionClaims.userId, userId), eq(subscriptionClaims.day, day)));
  return rows.length > 0;
}

/** Marks cards whose last day has passed as expired; returns how many. */
export async function expireEndedBefore(ex: Executor, now: Date): Promise<number> {
  const rows = await ex
    .update(subscriptions)
    .set({ status: "expired", updatedAt: now })
    .where(and(eq(subscriptions.status, "active"), lte(subscriptions.endAt, now)))
    .returning({ userId: subscriptions.userId });
  return rows.length;
}

/**
 * 月卡即将到期: one notification per card end (the dedupe key names it, so the daily job tells each
 * user once, and again after a renewal moves the end), for cards ending within `withinMs`.
 */
export async function notifyEndingBefore(ex: Executor, now: Date, withinMs: number): Promise<number> {
  const until = new Date(now.getTime() + withinMs);
  const result = await ex.execute(sql`
    insert into notifications (id, user_id, kind, ref_type, ref_id, data, dedupe_key, created_at)
    select gen_random_uuid()::text, s.user_id, 'subscription_expiring', 'subscription', s.user_id,
      jsonb_build_object('last_day', to_char(((s.end_at at time zone 'UTC') + interval '8 hours' - interval '1 second')::date, 'YYYY-MM-DD')),
      'subscription:' || s.user_id || ':' || s.end_at::text || ':expiring', ${now.toISOString()}::timestamptz
    from subscriptions s
    where s.status = 'active' and s.end_at > ${now.toISOString()}::timestamptz
      and s.end_at <= ${until.toISOString()}::timestamptz
    on conflict (dedupe_key) do nothing`);
  const counts = result as unknown as { rowCount?: number | null; affectedRows?: number };
  return counts.rowCount ?? counts.affectedRows ?? 0;
}
