import {
  ErrorCode,
  type Order,
  type OrderCreateBody,
  type OrderCreateResult,
  type OrderListQuery,
  type OrderSettleBody,
  type OrderStatusFilter,
} from "@skyriff/contracts";
import { sql } from "drizzle-orm";
import type { AppContext } from "../../context.js";
import type { Executor, Tx } from "../../db/client.js";
import { type IdempotencyHandle, withIdempotency } from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { AppError, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { formatCoins, parseCoins } from "../../lib/money.js";
import { DAY_MS } from "../../lib/time.js";
import { type AdminActor, audit } from "../admin/audit.js";
import { assertClean } from "../moderation/service.js";
import { notify } from "../notifications/repository.js";
import { findWork } from "../works/repository.js";
import { holdBudget, type Settlement, settleEscrow, settlementOf } from "./escrow.js";
import { presentOrder, presentOrders } from "./present.js";
import * as repo from "./repository.js";

type Ctx = Pick<AppContext, "db" | "clock" | "economy" | "storage">;
type OrderKind =
  | "order_applied"
  | "order_awarded"
  | "order_delivered"
  | "order_accepted"
  | "order_cancel_requested"
  | "order_cancel_decided"
  | "order_cancelled"
  | "order_deadline_passed"
  | "order_disputed"
  | "order_dispute_settled";

const HOUR_MS = 3600_000;
const MIN_LEAD_MS = HOUR_MS;
const MAX_LEAD_MS = 90 * DAY_MS;

const ruleError = (rule: string, zh: string, en: string, data: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.ORDER_RULE, { rule, ...data }, { zh, en });
const notAllowed = (zh: string, en: string) => new AppError(ErrorCode.NOT_ALLOWED, null, { zh, en });
const conflict = (
  order: repo.OrderRow | null,
  zh = "商单当前状态不允许该操作",
  en = "Not possible in the order's state",
) =>
  order ? new AppError(ErrorCode.STATE_CONFLICT, { status: order.status }, { zh, en }) : notFound("order");

/** A party may always see its order; anyone may see an order that is open for applications. */
async function visibleOrder(ctx: Ctx, userId: string, id: string): Promise<repo.OrderRow> {
  const order = await repo.findOrder(ctx.db, id);
  if (!order) throw notFound("order");
  if (order.publisherId === userId || order.awardedUserId === userId || order.status === "published")
    return order;
  if (await repo.findApplication(ctx.db, id, userId)) return order;
  throw notFound("order");
}

function requirePublisher(order: repo.OrderRow, userId: string): void {
  if (order.publisherId !== userId)
    throw notAllowed("只有发布者可以这样做", "Only the publisher can do this");
}

function requireAwarded(order: repo.OrderRow, userId: string): void {
  if (order.awardedUserId !== userId)
    throw notAllowed("只有中选的创作者可以这样做", "Only the awarded creator can do this");
}

/**
 * Tells the other party, in the transition's transaction. No dedupe key: only the transaction that won
 * the compare-and-set gets here, so every event is written exactly once.
 */
function tell(
  tx: Tx,
  order: repo.OrderRow,
  to: string | null,
  kind: OrderKind,
  actor: string | null,
  now: Date,
  data = {},
) {
  if (!to) return;
  notify(
    tx,
    {
      userId: to,
      kind,
      actorUserId: actor,
      refType: "order",
      refId: order.id,
      data: { order_title: order.title, budget_coins: formatCoins(order.budgetMilli), ...data },
    },
    now,
  );
}

/** The order as `viewerId` sees it, read through `ex` (inside an action's transaction, its own writes). */
async function orderView(ctx: Ctx, ex: Executor, viewerId: string, id: string): Promise<Order> {
  const row = await repo.findOrderView(ex, id, viewerId);
  if (!row) throw notFound("order");
  const isPublisher = row.publisherId === viewerId;
  const applications =
    isPublisher || row.viewerApplied ? await repo.applicationsOf(ex, id, isPublisher ? null : viewerId) : [];
  return presentOrder(ctx, row, viewerId, applications);
}

export async function view(ctx: Ctx, viewerId: string, id: string): Promise<Order> {
  await visibleOrder(ctx, viewerId, id);
  return orderView(ctx, ctx.db, viewerId, id);
}

/** 发布商单: the budget moves from available coins into the order's escrow in the same transaction. */
export async function create(
  ctx: Ctx,
  userId: string,
  body: OrderCreateBody,
  idempotency?: IdempotencyHandle<OrderCreateResult>,
): Promise<OrderCreateResult> {
  const budgetMilli = parseCoins(String(body.budget_coins));
  if (budgetMilli < BigInt(ctx.economy.ORDER_MIN_BUDGET_MILLI)) {
    const min = formatCoins(BigInt(ctx.economy.ORDER_MIN_BUDGET_MILLI));
    // "10.000" → "10", "10.500" → "10.5": the decimal string trimmed, never through a float.
    const shown = min.replace(/\.?0+$/, "");
    throw ruleError(
      "min_budget",
      `商单预算至少 ${shown} 金币`,
      `The budget must be at least ${shown} coins`,
      {
        min_budget_coins: min,
      },
    );
  }
  const now = ctx.clock.now();
  const deadline = new Date(body.deadline_at);
  if (deadline.getTime() < now.getTime() + MIN_LEAD_MS || deadline.getTime() > now.getTime() + MAX_LEAD_MS) {
    throw ruleError(
      "deadline",
      "截止时间须在 1 小时后、90 天以内",
      "The deadline must be 1 hour to 90 days away",
    );
  }
  assertClean({ title: body.title, brief: body.brief });
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const order = await repo.insertOrder(tx, {
      id: newId(),
      publisherId: userId,
      title: body.title,
      brief: body.brief,
      category: body.category,
      budgetMilli,
      deadlineAt: deadline,
      createdAt: now,
      updatedAt: now,
    });
    const available = await holdBudget(tx, order, now);
    return { order: await orderView(ctx, tx, userId, order.id), coins_available: formatCoins(available) };
  });
}

export async function apply(ctx: Ctx, userId: string, id: string, proposal: string): Promise<Order> {
  const order = await visibleOrder(ctx, userId, id);
  if (order.publisherId === userId)
    throw notAllowed("不能投稿自己发布的商单", "You cannot apply to your own order");
  assertClean({ proposal_text: proposal });
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const application = await repo.insertApplication(tx, {
      id: newId(),
      orderId: id,
      applicantId: userId,
      proposalText: proposal,
      createdAt: now,
    });
    if (!application) throw conflict(order, "你已投稿过这个商单", "You have applied to this order already");
    const counted = await repo.countApplication(tx, id, now);
    if (!counted) throw conflict(order, "商单已截止或不再接受投稿", "The order no longer takes applications");
    tell(tx, counted, counted.publisherId, "order_applied", userId, now, { applicant_id: userId });
    return orderView(ctx, tx, userId, id);
  });
}

/** 选定: the publisher picks one applicant before the deadline. */
export async function award(ctx: Ctx, userId: string, id: string, creatorId: string): Promise<Order> {
  const order = await visibleOrder(ctx, userId, id);
  requirePublisher(order, userId);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    if (!(await repo.findApplication(tx, id, creatorId))) {
      throw new AppError(ErrorCode.VALIDATION, {
        fields: { creator_user_id: "not an applicant of this order" },
      });
    }
    const moved = await repo.transition(
      tx,
      id,
      { from: ["published"], where: sql`deadline_at > ${now.toISOString()}::timestamptz` },
      { status: "awarded", awardedUserId: creatorId, awardedAt: now },
    );
    if (!moved) throw conflict(await repo.findOrder(tx, id));
    await repo.decideApplications(tx, id, creatorId);
    tell(tx, moved, creatorId, "order_awarded", userId, now);
    return orderView(ctx, tx, userId, id);
  });
}

/** 交付: the awarded creator hands in one of its own published works. */
export async function deliver(ctx: Ctx, userId: string, id: string, workId: string): Promise<Order> {
  const order = await visibleOrder(ctx, userId, id);
  requireAwarded(order, userId);
  const work = await findWork(ctx.db, workId);
  if (!work) throw notFound("work");
  if (work.creatorUserId !== userId)
    throw notAllowed("只能交付你自己的作品", "You can only deliver your own work");
  if (work.status !== "published") throw conflict(order, "请交付已发布的作品", "Deliver a published work");
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const moved = await repo.transition(
      tx,
      id,
      { from: ["awarded"], where: sql`awarded_user_id = ${userId}` },
      {
        status: "delivered",
        deliveredWorkId: workId,
        deliveredAt: now,
        autoAcceptAt: new Date(now.getTime() + ctx.economy.ORDER_AUTO_ACCEPT_DAYS * DAY_MS),
      },
    );
    if (!moved) throw conflict(await repo.findOrder(tx, id));
    tell(tx, moved, moved.publisherId, "order_delivered", userId, now, { work_title: work.title });
    return orderView(ctx, tx, userId, id);
  });
}

/** Ends an order and empties its escrow in one transaction; null when the compare-and-set lost. */
async function finish(
  ctx: Ctx,
  tx: Tx,
  id: string,
  guard: repo.TransitionGuard,
  end: { status: "completed" | "cancelled" | "split"; outcome: NonNullable<repo.OrderRow["outcome"]> },
  share: (order: repo.OrderRow) => bigint,
  extra: Partial<repo.OrderRow> = {},
): Promise<{ order: repo.OrderRow; settlement: Settlement } | null> {
  const now = ctx.clock.now();
  const current = await repo.findOrder(tx, id);
  if (!current) return null;
  const settlement = settlementOf(ctx, current, share(current));
  const moved = await repo.transition(tx, id, guard, {
    ...extra,
    status: end.status,
    outcome: end.outcome,
    creatorShareMilli: settlement.creatorShare,
    creatorPaidMilli: settlement.creatorPaid,
    refundedMilli: settlement.refunded,
    finishedAt: now,
  });
  if (!moved) return null;
  await settleEscrow(ctx, tx, moved, settlement, now);
  return { order: moved, settlement };
}

const whole = (o: repo.OrderRow) => o.budgetMilli;
const nothing = () => 0n;
const paidData = (s: Settlement) => ({
  creator_paid_coins: formatCoins(s.creatorPaid),
  fee_coins: formatCoins(s.fee),
  refunded_coins: formatCoins(s.refunded),
});

/** 验收: 95 % to the creator as a pending lot, 5 % to the platform. */
export async function accept(ctx: Ctx, userId: string, id: string, idempotency?: IdempotencyHandle<Order>) {
  const order = await visibleOrder(ctx, userId, id);
  requirePublisher(order, userId);
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const done = await finish(
      ctx,
      tx,
      id,
      { from: ["delivered"] },
      { status: "completed", outcome: "accepted" },
      whole,
    );
    if (!done) throw conflict(await repo.findOrder(tx, id));
    tell(
      tx,
      done.order,
      done.order.awardedUserId,
      "order_accepted",
      userId,
      ctx.clock.now(),
      paidData(done.settlement),
    );
    return orderView(ctx, tx, userId, id);
  });
}

/**
 * 取消商单 (publisher): before the award it cancels at once with a refund; after the award it asks the
 * creator's consent, unless the deadline passed undelivered, which cancels at once. Delivered: never.
 */
export async function cancelRequest(
  ctx: Ctx,
  userId: string,
  id: string,
  reason: string | undefined,
  idempotency?: IdempotencyHandle<Order>,
) {
  const order = await visibleOrder(ctx, userId, id);
  requirePublisher(order, userId);
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const extra = { cancelReason: reason ?? null };
    const before = await finish(
      ctx,
      tx,
      id,
      { from: ["published"] },
      { status: "cancelled", outcome: "cancelled_by_publisher" },
      nothing,
      extra,
    );
    if (before) return orderView(ctx, tx, userId, id);
    const overdue = await finish(
      ctx,
      tx,
      id,
      { from: ["awarded"], where: sql`deadline_at <= ${now.toISOString()}::timestamptz` },
      { status: "cancelled", outcome: "cancelled_after_deadline" },
      nothing,
      extra,
    );
    if (overdue) {
      tell(
        tx,
        overdue.order,
        overdue.order.awardedUserId,
        "order_cancelled",
        userId,
        now,
        paidData(overdue.settlement),
      );
      return orderView(ctx, tx, userId, id);
    }
    const asked = await repo.transition(
      tx,
      id,
      { from: ["awarded"] },
      { status: "cancel_requested", cancelRequestedAt: now, ...extra },
    );
    if (!asked) throw conflict(await repo.findOrder(tx, id));
    tell(tx, asked, asked.awardedUserId, "order_cancel_requested", userId, now, { reason: reason ?? "" });
    return orderView(ctx, tx, userId, id);
  });
}

/** 同意 / 拒绝取消 (the awarded creator). */
export async function cancelDecide(
  ctx: Ctx,
  userId: string,
  id: string,
  decision: "approve" | "reject",
  idempotency?: IdempotencyHandle<Order>,
) {
  const order = await visibleOrder(ctx, userId, id);
  requireAwarded(order, userId);
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    if (decision === "approve") {
      const done = await finish(
        ctx,
        tx,
        id,
        { from: ["cancel_requested"] },
        { status: "cancelled", outcome: "cancelled_by_consent" },
        nothing,
      );
      if (!done) throw conflict(await repo.findOrder(tx, id));
      tell(tx, done.order, done.order.publisherId, "order_cancel_decided", userId, now, {
        decision,
        ...paidData(done.settlement),
      });
    } else {
      const back = await repo.transition(
        tx,
        id,
        { from: ["cancel_requested"] },
        { status: "awarded", cancelRequestedAt: null },
      );
      if (!back) throw conflict(await repo.findOrder(tx, id));
      tell(tx, back, back.publisherId, "order_cancel_decided", userId, now, { decision });
    }
    return orderView(ctx, tx, userId, id);
  });
}

/** 发起争议 (publisher), instead of accepting, before the automatic acceptance. */
export async function dispute(ctx: Ctx, userId: string, id: string, reason: string): Promise<Order> {
  const order = await visibleOrder(ctx, userId, id);
  requirePublisher(order, userId);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const moved = await repo.transition(
      tx,
      id,
      { from: ["delivered"], where: sql`auto_accept_at > ${now.toISOString()}::timestamptz` },
      { status: "disputed", disputeReason: reason, disputedAt: now },
    );
    if (!moved) throw conflict(await repo.findOrder(tx, id));
    tell(tx, moved, moved.awardedUserId, "order_disputed", userId, now, { reason });
    return orderView(ctx, tx, userId, id);
  });
}

/** An admin settles a dispute: pay the creator, refund the publisher, or split the budget. */
export async function settle(
  ctx: Ctx,
  actor: AdminActor,
  id: string,
  body: OrderSettleBody,
  idempotency?: IdempotencyHandle<Order>,
): Promise<Order> {
  const order = await repo.findOrder(ctx.db, id);
  if (!order) throw notFound("order");
  const share = shareOf(order, body);
  const end = {
    pay: { status: "completed", outcome: "dispute_paid" },
    refund: { status: "cancelled", outcome: "dispute_refunded" },
    split: { status: "split", outcome: "dispute_split" },
  } as const;
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const done = await finish(ctx, tx, id, { from: ["disputed"] }, end[body.resolution], () => share, {
      settledBy: actor.userId,
      settleNote: body.note,
    });
    if (!done) throw conflict(await repo.findOrder(tx, id));
    const data = { resolution: body.resolution, note: body.note, ...paidData(done.settlement) };
    tell(tx, done.order, done.order.publisherId, "order_dispute_settled", null, now, data);
    tell(tx, done.order, done.order.awardedUserId, "order_dispute_settled", null, now, data);
    audit(
      tx,
      actor,
      {
        action: "order.settle",
        targetType: "order",
        targetId: id,
        before: { status: "disputed", escrow: formatCoins(done.order.budgetMilli) },
        after: { status: done.order.status, ...paidData(done.settlement) },
        reason: body.note,
      },
      now,
    );
    return adminView(ctx, id, tx);
  });
}

function shareOf(order: repo.OrderRow, body: OrderSettleBody): bigint {
  if (body.resolution === "pay") return order.budgetMilli;
  if (body.resolution === "refund") return 0n;
  const share = body.creator_share_coins === undefined ? null : parseCoins(String(body.creator_share_coins));
  if (share === null || share <= 0n || share >= order.budgetMilli) {
    throw new AppError(ErrorCode.VALIDATION, {
      fields: {
        creator_share_coins: `a split needs a share between 0 and ${formatCoins(order.budgetMilli)}`,
      },
    });
  }
  return share;
}

const STATUS_GROUPS: Record<string, repo.OrderStatusValue[]> = {
  active: repo.ACTIVE_STATUSES,
  finished: repo.FINISHED_STATUSES,
  done: ["completed", "split"],
};

const statusesOf = (filter: OrderStatusFilter | undefined): repo.OrderStatusValue[] | undefined =>
  filter === undefined ? undefined : (STATUS_GROUPS[filter] ?? [filter as repo.OrderStatusValue]);

export async function list(
  ctx: Ctx,
  userId: string,
  q: Required<Pick<OrderListQuery, "role" | "limit">> & OrderListQuery,
) {
  const scope: repo.ListScope =
    q.role === "open"
      ? { kind: "open", now: ctx.clock.now(), category: q.category }
      : { kind: q.role, userId, statuses: statusesOf(q.status) };
  const rows = await repo.listOrderViews(ctx.db, userId, scope, decodeCursor(q.cursor ?? undefined), q.limit);
  const page = toPage(rows, q.limit, (r) => r);
  return { ...page, items: await presentOrders(ctx, page.items, userId) };
}

export async function adminList(ctx: Ctx, q: { status?: OrderStatusFilter; cursor?: string; limit: number }) {
  const rows = await repo.listOrderViews(
    ctx.db,
    null,
    { kind: "all", statuses: statusesOf(q.status) },
    decodeCursor(q.cursor),
    q.limit,
  );
  const page = toPage(rows, q.limit, (r) => r);
  return { ...page, items: await presentOrders(ctx, page.items, null) };
}

/** An admin sees every application. */
export async function adminView(ctx: Ctx, id: string, ex: Executor = ctx.db): Promise<Order> {
  const row = await repo.findOrderView(ex, id, null);
  if (!row) throw notFound("order");
  return presentOrder(ctx, row, null, await repo.applicationsOf(ex, id, null));
}

export interface DeadlineSummary {
  expired: number;
  overdueNotified: number;
  overdueRequestsCancelled: number;
  autoAccepted: number;
}

const SWEEP_BATCH = 200;

/**
 * orders.deadlines (every minute): each due order moves in its own transaction, through the same
 * compare-and-set as a user's action, so a sweep racing a user ends in one outcome.
 */
export async function runDeadlines(ctx: Ctx): Promise<DeadlineSummary> {
  const summary: DeadlineSummary = {
    expired: 0,
    overdueNotified: 0,
    overdueRequestsCancelled: 0,
    autoAccepted: 0,
  };
  const now = ctx.clock.now();
  const at = sql`${now.toISOString()}::timestamptz`;
  await sweep(ctx, "expire_published", now, async (tx, id) => {
    const done = await finish(
      ctx,
      tx,
      id,
      { from: ["published"], where: sql`deadline_at <= ${at}` },
      { status: "cancelled", outcome: "expired" },
      nothing,
    );
    if (!done) return false;
    tell(tx, done.order, done.order.publisherId, "order_cancelled", null, now, paidData(done.settlement));
    summary.expired++;
    return true;
  });
  await sweep(ctx, "notify_overdue", now, async (tx, id) => {
    const moved = await repo.transition(
      tx,
      id,
      { from: ["awarded"], where: sql`deadline_at <= ${at} and deadline_notified_at is null` },
      { deadlineNotifiedAt: now },
    );
    if (!moved) return false;
    tell(tx, moved, moved.publisherId, "order_deadline_passed", null, now, { role: "publisher" });
    tell(tx, moved, moved.awardedUserId, "order_deadline_passed", null, now, { role: "creator" });
    summary.overdueNotified++;
    return true;
  });
  await sweep(ctx, "cancel_overdue_request", now, async (tx, id) => {
    const done = await finish(
      ctx,
      tx,
      id,
      { from: ["cancel_requested"], where: sql`deadline_at <= ${at}` },
      { status: "cancelled", outcome: "cancelled_after_deadline" },
      nothing,
    );
    if (!done) return false;
    const data = paidData(done.settlement);
    tell(tx, done.order, done.order.publisherId, "order_cancelled", null, now, data);
    tell(tx, done.order, done.order.awardedUserId, "order_cancelled", null, now, data);
    summary.overdueRequestsCancelled++;
    return true;
  });
  await sweep(ctx, "auto_accept", now, async (tx, id) => {
    const done = await finish(
      ctx,
      tx,
      id,
      { from: ["delivered"], where: sql`auto_accept_at <= ${at}` },
      { status: "completed", outcome: "auto_accepted" },
      whole,
    );
    if (!done) return false;
    const data = { auto: true, ...paidData(done.settlement) };
    tell(tx, done.order, done.order.awardedUserId, "order_accepted", null, now, data);
    tell(tx, done.order, done.order.publisherId, "order_accepted", null, now, data);
    summary.autoAccepted++;
    return true;
  });
  return summary;
}

async function sweep(
  ctx: Ctx,
  kind: Parameters<typeof repo.dueOrderIds>[1],
  now: Date,
  move: (tx: Tx, id: string) => Promise<boolean>,
): Promise<void> {
  for (;;) {
    const ids = await repo.dueOrderIds(ctx.db, kind, now, SWEEP_BATCH);
    let moved = 0;
    for (const id of ids) if (await ctx.db.transaction((tx) => move(tx, id))) moved++;
    // A batch in which nothing moved is all raced away by users: stop rather than spin on it.
    if (ids.length < SWEEP_BATCH || moved === 0) return;
  }
}

/** Open orders of a user as publisher or awarded creator (注销 waits for them: their escrow must land somewhere). */
export const activeOrdersOf = (ctx: Pick<AppContext, "db">, userId: string) =>
  repo.activeOrderCount(ctx.db, userId);
