import { and, desc, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../../db/client.js";
import { orderApplications, orders } from "../../db/schema/index.js";
import type { Keyset } from "../../lib/cursor.js";

export type OrderRow = typeof orders.$inferSelect;
export type OrderStatusValue = OrderRow["status"];
export type ApplicationRow = typeof orderApplications.$inferSelect;

export const ACTIVE_STATUSES: OrderStatusValue[] = [
  "published",
  "awarded",
  "cancel_requested",
  "delivered",
  "disputed",
];
export const FINISHED_STATUSES: OrderStatusValue[] = ["completed", "cancelled", "split"];

/** An order with the names and pictures its views show, and whether the viewer applied. */
export interface OrderView extends OrderRow {
  publisherNickname: string;
  publisherAvatarUrl: string | null;
  publisherAvatarKey: string | null;
  awardedNickname: string | null;
  awardedAvatarUrl: string | null;
  awardedAvatarKey: string | null;
  workTitle: string | null;
  workThumbKey: string | null;
  viewerApplied: boolean;
}

export async function insertOrder(tx: Tx, row: typeof orders.$inferInsert): Promise<OrderRow> {
  const [created] = await tx.insert(orders).values(row).returning();
  if (!created) throw new Error("order insert returned nothing");
  return created;
}

export async function findOrder(ex: Executor, id: string): Promise<OrderRow | null> {
  const [row] = await ex.select().from(orders).where(eq(orders.id, id));
  return row ?? null;
}

export interface TransitionGuard {
  from: OrderStatusValue[];
  /** Extra conditions of the compare-and-set (the actor, a deadline). */
  where?: SQL;
}

/**
 * The one way an order moves: a compare-and-set of its status (and the guard's extra conditions).
 * Null when the order was not in a `from` state (another request moved it first, or never could).
 */
export async function transition(
  tx: Tx,
  id: string,
  guard: TransitionGuard,
  set: Partial<typeof orders.$inferInsert>,
): Promise<OrderRow | null> {
  const [row] = await tx
    .update(orders)
    .set({ ...set, updatedAt: set.updatedAt ?? sql`now()` })
    .where(and(eq(orders.id, id), inArray(orders.status, guard.from), guard.where))
    .returning();
  return row ?? null;
}

/** The order still open for applications, counting one more; null once it left `published`. */
export async function countApplication(tx: Tx, id: string, now: Date): Promise<OrderRow | null> {
  const [row] = await tx
    .update(orders)
    .set({ applicationsCount: sql`${orders.applicationsCount} + 1` })
    .where(
      and(
        eq(orders.id, id),
        eq(orders.status, "published"),
        sql`${orders.deadlineAt} > ${now.toISOString()}::timestamptz`,
      ),
    )
    .returning();
  return row ?? null;
}

/** Null when this user had applied already. */
export async function insertApplication(
  tx: Tx,
  row: typeof orderApplications.$inferInsert,
): Promise<ApplicationRow | null> {
  const [created] = await tx.insert(orderApplications).values(row).onConflictDoNothing().returning();
  return created ?? null;
}

export async function findApplication(
  ex: Executor,
  orderId: string,
  applicantId: string,
): Promise<ApplicationRow | null> {
  const [row] = await ex
    .select()
    .from(orderApplications)
    .where(and(eq(orderApplications.orderId, orderId), eq(orderApplications.applicantId, applicantId)));
  return row ?? null;
}

/** The award decides every application of the order: the chosen one `awarded`, the rest `not_selected`. */
export async function decideApplications(tx: Tx, orderId: string, awardedUserId: string): Promise<void> {
  await tx
    .update(orderApplications)
    .set({
      status: sql`case when ${orderApplications.applicantId} = ${awardedUserId} then 'awarded' else 'not_selected' end`,
    })
    .where(eq(orderApplications.orderId, orderId));
}

export interface ApplicationView extends ApplicationRow {
  nickname: string;
  avatarUrl: string | null;
  avatarKey: string | null;
}

/** The applications a viewer may see: all of them (the publisher) or only the viewer's own. */
export async function applicationsOf(
  ex: Executor,
  orderId: string,
  onlyApplicantId: string | null,
): Promise<ApplicationView[]> {
  const rows = await ex
    .select({
      a: orderApplications,
      nickname: sql<string>`u.nickname`,
      avatarUrl: sql<string | null>`u.avatar_url`,
      avatarKey: sql<string | null>`u.avatar_storage_key`,
    })
    .from(orderApplications)
    .innerJoin(sql`users u`, sql`u.id = ${orderApplications.applicantId}`)
    .where(
      and(
        eq(orderApplications.orderId, orderId),
        onlyApplicantId ? eq(orderApplications.applicantId, onlyApplicantId) : undefined,
      ),
    )
    .orderBy(orderApplications.createdAt, orderApplications.id)
    .limit(200);
  return rows.map((r) => ({ ...r.a, nickname: r.nickname, avatarUrl: r.avatarUrl, avatarKey: r.avatarKey }));
}

function viewColumns(viewerId: string | null) {
  return {
    o: orders,
    publisherNickname: sql<string>`pu.nickname`,
    publisherAvatarUrl: sql<string | null>`pu.avatar_url`,
    publisherAvatarKey: sql<string | null>`pu.avatar_storage_key`,
    awardedNickname: sql<string | null>`au.nickname`,
    awardedAvatarUrl: sql<string | null>`au.avatar_url`,
    awardedAvatarKey: sql<string | null>`au.avatar_storage_key`,
    workTitle: sql<string | null>`w.title`,
    workThumbKey: sql<string | null>`v.thumb_key`,
    viewerApplied: viewerId
      ? sql<boolean>`exists (select 1 from order_applications oa where oa.order_id = ${orders.id} and oa.applicant_id = ${viewerId})`
      : sql<boolean>`false`,
  };
}

type ViewSelection = Awaited<ReturnType<typeof selectViews>>[number];

function selectViews(ex: Executor, viewerId: string | null, where: SQL | undefined, limit: number) {
  return ex
    .select(viewColumns(viewerId))
    .from(orders)
    .innerJoin(sql`users pu`, sql`pu.id = ${orders.publisherId}`)
    .leftJoin(sql`users au`, sql`au.id = ${orders.awardedUserId}`)
    .leftJoin(sql`works w`, sql`w.id = ${orders.deliveredWorkId}`)
    .leftJoin(sql`video_assets v`, sql`v.id = w.video_id`)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit);
}

const toView = (r: ViewSelection): OrderView => ({
  ...r.o,
  publisherNickname: r.publisherNickname,
  publisherAvatarUrl: r.publisherAvatarUrl,
  publisherAvatarKey: r.publisherAvatarKey,
  awardedNickname: r.awardedNickname,
  awardedAvatarUrl: r.awardedAvatarUrl,
  awardedAvatarKey: r.awardedAvatarKey,
  workTitle: r.workTitle,
  workThumbKey: r.workThumbKey,
  viewerApplied: Boolean(r.viewerApplied),
});

export async function findOrderView(
  ex: Executor,
  id: string,
  viewerId: string | null,
): Promise<OrderView | null> {
  const [row] = await selectViews(ex, viewerId, eq(orders.id, id), 1);
  return row ? toView(row) : null;
}

const keysetAfter = (after: Keyset | null) =>
  after
    ? or(
        lt(orders.createdAt, after.createdAt),
        and(eq(orders.createdAt, after.createdAt), lt(orders.id, after.id)),
      )
    : undefined;

export type ListScope =
  | { kind: "open"; now: Date; category?: string }
  | { kind: "publisher"; userId: string; statuses?: OrderStatusValue[] }
  | { kind: "applicant"; userId: string; statuses?: OrderStatusValue[] }
  | { kind: "all"; statuses?: OrderStatusValue[] };

function scopeWhere(scope: ListScope): SQL | undefined {
  const statusIn = (statuses?: OrderStatusValue[]) =>
    statuses?.length ? inArray(orders.status, statuses) : undefined;
  switch (scope.kind) {
    case "open":
      return and(
        eq(orders.status, "published"),
        sql`${orders.deadlineAt} > ${scope.now.toISOString()}::timestamptz`,
        scope.category ? eq(orders.category, scope.category) : undefined,
      );
    case "publisher":
      return and(eq(orders.publisherId, scope.userId), statusIn(scope.statuses));
    case "applicant":
      return and(
        sql`${orders.id} in (select order_id from order_applications where applicant_id = ${scope.userId})`,
        statusIn(scope.statuses),
      );
    case "all":
      return statusIn(scope.statuses);
  }
}

/** A page of orders, newest first (limit + 1 rows, so the caller knows whether more follow). */
export async function listOrderViews(
  ex: Executor,
  viewerId: string | null,
  scope: ListScope,
  after: Keyset | null,
  limit: number,
): Promise<OrderView[]> {
  const rows = await selectViews(ex, viewerId, and(scopeWhere(scope), keysetAfter(after)), limit + 1);
  return rows.map(toView);
}

/** Ids of orders a deadline sweep must look at, oldest due first. */
export async function dueOrderIds(
  ex: Executor,
  sweep: "expire_published" | "notify_overdue" | "cancel_overdue_request" | "auto_accept",
  now: Date,
  limit: number,
): Promise<string[]> {
  const t = now.toISOString();
  const where = {
    expire_published: sql`status = 'published' and deadline_at <= ${t}::timestamptz order by deadline_at`,
    notify_overdue: sql`status = 'awarded' and deadline_notified_at is null and deadline_at <= ${t}::timestamptz
      order by deadline_at`,
    cancel_overdue_request: sql`status = 'cancel_requested' and deadline_at <= ${t}::timestamptz order by deadline_at`,
    auto_accept: sql`status = 'delivered' and auto_accept_at <= ${t}::timestamptz order by auto_accept_at`,
  }[sweep];
  const rows = await queryRows<{ id: string }>(ex, sql`select id from orders where ${where} limit ${limit}`);
  return rows.map((r) => r.id);
}

/** Orders not finished yet in which the user is the publisher or the awarded creator. */
export async function activeOrderCount(ex: Executor, userId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from orders
        where status in ('published', 'awarded', 'cancel_requested', 'delivered', 'disputed')
          and (publisher_id = ${userId} or awarded_user_id = ${userId})`,
  );
  return row?.n ?? 0;
}
