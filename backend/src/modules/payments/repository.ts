import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Executor, Tx } from "../../db/client.js";
import { paymentNotifications, paymentOrders, products } from "../../db/schema/index.js";
import type { Keyset } from "../../lib/cursor.js";
import { newId } from "../../lib/ids.js";

export type PaymentRow = typeof paymentOrders.$inferSelect;
export type ProductRow = typeof products.$inferSelect;

/** What an order grants, frozen at purchase (the product row may change later in admin). */
export interface ProductSnapshot {
  id: string;
  type: ProductRow["type"];
  name: string;
  nameEn: string;
  priceFen: number;
  creditsAmount: number;
  coinsMilli: string;
  durationDays: number;
}

export const snapshotOf = (p: ProductRow): ProductSnapshot => ({
  id: p.id,
  type: p.type,
  name: p.name,
  nameEn: p.nameEn,
  priceFen: p.priceFen,
  creditsAmount: p.creditsAmount,
  coinsMilli: p.coinsMilli.toString(),
  durationDays: p.durationDays,
});

export async function findActiveProduct(ex: Executor, productId: string): Promise<ProductRow | null> {
  const [row] = await ex
    .select()
    .from(products)
    .where(and(eq(products.id, productId), eq(products.active, true)));
  return row ?? null;
}

export async function findActiveProductOfType(
  ex: Executor,
  type: ProductRow["type"],
): Promise<ProductRow | null> {
  const [row] = await ex
    .select()
    .from(products)
    .where(and(eq(products.type, type), eq(products.active, true)))
    .orderBy(products.sortOrder)
    .limit(1);
  return row ?? null;
}

/** Serializes one user's order creation so the daily limit is counted on committed rows only. */
export async function lockUserPayments(tx: Tx, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`payments:${userId}`}))`);
}

/** Fen the user paid or may still pay since `since` (paid orders plus live pending ones). */
export async function committedFenSince(ex: Executor, userId: string, since: Date): Promise<number> {
  const [row] = await ex
    .select({ total: sql<string>`coalesce(sum(${paymentOrders.amountFen}), 0)` })
    .from(paymentOrders)
    .where(
      and(
        eq(paymentOrders.userId, userId),
        sql`${paymentOrders.createdAt} >= ${since.toISOString()}::timestamptz`,
        or(eq(paymentOrders.status, "paid"), eq(paymentOrders.status, "pending")),
      ),
    );
  return Number(row?.total ?? 0);
}

export async function insertOrder(tx: Tx, row: typeof paymentOrders.$inferInsert): Promise<PaymentRow> {
  const [inserted] = await tx.insert(paymentOrders).values(row).returning();
  if (!inserted) throw new Error("payment order not inserted");
  return inserted;
}

export async function findOrder(ex: Executor, id: string): Promise<PaymentRow | null> {
  const [row] = await ex.select().from(paymentOrders).where(eq(paymentOrders.id, id));
  return row ?? null;
}

export async function findOrderByTradeNo(ex: Executor, outTradeNo: string): Promise<PaymentRow | null> {
  const [row] = await ex.select().from(paymentOrders).where(eq(paymentOrders.outTradeNo, outTradeNo));
  return row ?? null;
}

export async function listOrders(
  ex: Executor,
  userId: string,
  after: Keyset | null,
  limit: number,
): Promise<PaymentRow[]> {
  const keyset = after
    ? sql`(${paymentOrders.createdAt}, ${paymentOrders.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id})`
    : sql`true`;
  return ex
    .select()
    .from(paymentOrders)
    .where(and(eq(paymentOrders.userId, userId), keyset))
    .orderBy(desc(paymentOrders.createdAt), desc(paymentOrders.id))
    .limit(limit + 1);
}

/**
 * pending → paid, once: the compare-and-set that makes a second callback, the query job and a racing
 * callback fulfil one time (the loser gets null and grants nothing).
 */
export async function markPaid(
  tx: Tx,
  id: string,
  gatewayTradeNo: string | null,
  paidAt: Date,
  now: Date,
): Promise<PaymentRow | null> {
  const [row] = await tx
    .update(paymentOrders)
    .set({ status: "paid", gatewayTradeNo, paidAt, fulfilledAt: now, updatedAt: now })
    .where(and(eq(paymentOrders.id, id), eq(paymentOrders.status, "pending")))
    .returning();
  return row ?? null;
}

/** pending → failed | closed; null when the order had already left pending. */
export async function markUnpaid(
  ex: Executor,
  id: string,
  status: "failed" | "closed",
  reason: string,
  now: Date,
): Promise<PaymentRow | null> {
  const [row] = await ex
    .update(paymentOrders)
    .set({ status, closedReason: reason, updatedAt: now })
    .where(and(eq(paymentOrders.id, id), eq(paymentOrders.status, "pending")))
    .returning();
  return row ?? null;
}

export async function savePayParams(ex: Executor, id: string, params: Record<string, string>): Promise<void> {
  await ex.update(paymentOrders).set({ payParams: params }).where(eq(paymentOrders.id, id));
}

/** Pending orders older than `olderThan`, oldest first: what the query job asks the gateways about. */
export async function pendingOrders(ex: Executor, olderThan: Date, limit: number): Promise<PaymentRow[]> {
  return ex
    .select()
    .from(paymentOrders)
    .where(and(eq(paymentOrders.status, "pending"), lt(paymentOrders.createdAt, olderThan)))
    .orderBy(paymentOrders.createdAt)
    .limit(limit);
}

export interface NotificationLog {
  channel: string;
  paymentId: string | null;
  outcome: string;
  reason?: string | null;
  detail?: string | null;
  eventId?: string | null;
  verifiedPayload?: unknown;
  rawBody: string;
  receivedAt: Date;
}

export async function logNotification(ex: Executor, n: NotificationLog): Promise<void> {
  await ex.insert(paymentNotifications).values({
    id: newId(),
    channel: n.channel,
    paymentId: n.paymentId,
    outcome: n.outcome,
    reason: n.reason ?? null,
    detail: n.detail ?? null,
    eventId: n.eventId ?? null,
    verifiedPayload: n.verifiedPayload ?? null,
    rawBody: n.rawBody,
    receivedAt: n.receivedAt,
  });
}

/** Payments for finance: by status and a payment id, gateway trade number or user id; newest first. */
export async function searchForAdmin(
  ex: Executor,
  q: { status?: PaymentRow["status"]; text?: string; after: Keyset | null; limit: number },
): Promise<PaymentRow[]> {
  const text = q.text?.trim();
  const keyset = q.after
    ? sql`(${paymentOrders.createdAt}, ${paymentOrders.id}) < (${q.after.createdAt.toISOString()}::timestamptz, ${q.after.id})`
    : undefined;
  return ex
    .select()
    .from(paymentOrders)
    .where(
      and(
        q.status ? eq(paymentOrders.status, q.status) : undefined,
        text
          ? or(
              eq(paymentOrders.id, text),
              eq(paymentOrders.outTradeNo, text),
              eq(paymentOrders.gatewayTradeNo, text),
              eq(paymentOrders.userId, text),
            )
          : undefined,
        keyset,
      ),
    )
    .orderBy(desc(paymentOrders.createdAt), desc(paymentOrders.id))
    .limit(q.limit + 1);
}

/** The verified payload of the latest notification that fulfilled (or confirmed) the payment. */
export async function verifiedCallbackOf(
  ex: Executor,
  paymentId: string,
): Promise<Record<string, unknown> | null> {
  const [row] = await ex
    .select({ payload: paymentNotifications.verifiedPayload })
    .from(paymentNotifications)
    .where(
      and(
        eq(paymentNotifications.paymentId, paymentId),
        sql`${paymentNotifications.verifiedPayload} is not null`,
      ),
    )
    .orderBy(desc(paymentNotifications.receivedAt))
    .limit(1);
  return (row?.payload as Record<string, unknown> | undefined) ?? null;
}
