import { and, eq, lte } from "drizzle-orm";
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
