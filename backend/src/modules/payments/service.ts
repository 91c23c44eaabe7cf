import {
  ErrorCode,
  type Page,
  type PayChannel,
  type PayClient,
  type Payment,
  type PaymentCreateResult,
} from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import {
  AlreadyAnsweredError,
  accountsOf,
  findAnswer,
  type IdempotencyHandle,
  platform,
  post,
  withIdempotency,
} from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { AppError, type Locale } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { formatCny, formatCoins } from "../../lib/money.js";
import { shanghaiDayStart } from "../../lib/time.js";
import {
  type GatewayTrade,
  type NotifyAnswer,
  type NotifyRequest,
  PayGatewayError,
  type PayProvider,
} from "../../providers/pay/index.js";
import { findPromoter } from "../promoter/repository.js";
import { activateFromPayment, postCommission, referralOf } from "../promoter/service.js";
import { extendSubscription } from "../subscriptions/service.js";
import { findUser } from "../users/service.js";
import * as repo from "./repository.js";

const ORDER_TTL_MS = 15 * 60_000;

export interface CreateRequest {
  /** Absent on the product-specific routes: the active product of `requiredType` is sold. */
  productId?: string;
  channel: PayChannel;
  client: PayClient;
  payerIp: string;
  /** Set by the product-specific routes (`/subscriptions/buy` …): the product must be of this type. */
  requiredType?: repo.ProductRow["type"];
}

const channelRefused = (channel: string) =>
  new AppError(ErrorCode.VALIDATION, { fields: { pay_channel: `channel ${channel} is not offered` } });

/** The provider of an offered channel (400 when the deployment does not offer it). */
function providerOf(ctx: AppContext, channel: PayChannel): PayProvider {
  const provider = ctx.pay.providers.get(channel);
  if (!provider) throw channelRefused(channel);
  return provider;
}

async function productFor(ctx: AppContext, req: CreateRequest): Promise<repo.ProductRow> {
  const product = req.productId
    ? await repo.findActiveProduct(ctx.db, req.productId)
    : req.requiredType
      ? await repo.findActiveProductOfType(ctx.db, req.requiredType)
      : null;
  if (!product || (req.requiredType && product.type !== req.requiredType)) {
    throw new AppError(ErrorCode.NOT_FOUND, null, { zh: "商品不存在或已下架", en: "Product not found" });
  }
  return product;
}

async function assertCanBuy(ctx: AppContext, userId: string, product: repo.ProductRow): Promise<void> {
  if (product.type === "promoter_activation" && (await findPromoter(ctx.db, userId))) {
    throw new AppError(ErrorCode.STATE_CONFLICT, null, {
      zh: "你已经是推广员",
      en: "You are already a promoter",
    });
  }
}

/** Refuses an order that would take the user past ¥10,000 of paid or payable orders this Shanghai day. */
async function assertWithinDailyLimit(
  ctx: AppContext,
  ex: Tx | AppContext["db"],
  userId: string,
  fen: number,
) {
  const limit = ctx.economy.RECHARGE_DAILY_LIMIT_FEN;
  const used = await repo.committedFenSince(ex, userId, shanghaiDayStart(ctx.clock.now()));
  if (used + fen > limit) {
    throw new AppError(
      ErrorCode.PAYMENT_FAILED,
      { limit_cny: formatCny(limit), used_cny: formatCny(used) },
      {
        zh: `每日充值上限 ¥${formatCny(limit)}，今日已充值 ¥${formatCny(used)}`,
        en: `Daily top-up limit is ¥${formatCny(limit)}; ¥${formatCny(used)} used today`,
      },
    );
  }
}

const notifyUrlOf = (ctx: AppContext, channel: PayChannel) =>
  `${ctx.config.publicBaseUrl}/api/v1/payments/callback/${channel}`;

/** The sandbox cashier is same-origin, so it returns relatively (the browser keeps its host). */
const returnUrlOf = (ctx: AppContext, channel: PayChannel, paymentId: string) =>
  channel === "sandbox" ? `/pay/result/${paymentId}` : `${ctx.config.publicBaseUrl}/pay/result/${paymentId}`;

/**
 * Opens an order: the gateway's prepay first (an external call, never inside a transaction), then one
 * transaction that re-checks the daily limit under the user's lock and stores the order with what the
 * client needs to pay. An Idempotency-Key retry gets the first order back without a second prepay.
 */
export async function createPayment(
  ctx: AppContext,
  userId: string,
  req: CreateRequest,
  idempotency?: IdempotencyHandle<PaymentCreateResult>,
): Promise<PaymentCreateResult> {
  if (idempotency) {
    const answer = await findAnswer(ctx.db, idempotency.scope);
    if (answer) throw new AlreadyAnsweredError(answer);
  }
  const provider = providerOf(ctx, req.channel);
  const product = await productFor(ctx, req);
  await assertCanBuy(ctx, userId, product);
  await assertWithinDailyLimit(ctx, ctx.db, userId, product.priceFen);
  const user = await findUser(ctx.db, userId);
  if (req.client === "jsapi" && req.channel === "wechat" && !user?.wechatOpenid) {
    throw new AppError(ErrorCode.VALIDATION, { fields: { client: "jsapi needs a WeChat login (openid)" } });
  }
  const now = ctx.clock.now();
  const id = newId();
  const outTradeNo = id.replaceAll("-", "");
  const expireAt = new Date(now.getTime() + ORDER_TTL_MS);
  const payParams = await provider
    .prepay({
      outTradeNo,
      amountFen: product.priceFen,
      description: `SkyRiff ${product.name}`,
      client: req.client,
      expireAt,
      payerOpenid: user?.wechatOpenid ?? null,
      payerIp: req.payerIp,
      notifyUrl: notifyUrlOf(ctx, req.channel),
      returnUrl: returnUrlOf(ctx, req.channel, id),
    })
    .catch((err: unknown) => {
      ctx.log.error({ err, channel: req.channel }, "prepay failed");
      throw new AppError(
        ErrorCode.PAYMENT_FAILED,
        null,
        {
          zh: "支付渠道暂时不可用，请稍后再试",
          en: "The payment channel is unavailable, please try again later",
        },
        502,
      );
    });
  try {
    return await withIdempotency(ctx.db, idempotency, async (tx) => {
      await repo.lockUserPayments(tx, userId);
      await assertWithinDailyLimit(ctx, tx, userId, product.priceFen);
      const order = await repo.insertOrder(tx, {
        id,
        outTradeNo,
        userId,
        productId: product.id,
        productType: product.type,
        productSnapshot: repo.snapshotOf(product),
        amountFen: product.priceFen,
        channel: req.channel,
        client: req.client,
        payParams,
        expireAt,
        createdAt: now,
        updatedAt: now,
      });
      return {
        payment_id: order.id,
        amount_cny: formatCny(order.amountFen),
        pay_channel: req.channel,
        pay_params: payParams,
        expire_at: expireAt.toISOString(),
      };
    });
  } catch (err) {
    // The gateway holds an order nobody will see: close it so it can never be paid.
    provider.close(outTradeNo).catch(() => undefined);
    throw err;
  }
}

export function presentPayment(row: repo.PaymentRow, locale: Locale = "zh-CN"): Payment {
  const snapshot = row.productSnapshot as repo.ProductSnapshot;
  return {
    payment_id: row.id,
    product_id: row.productId,
    product_type: snapshot.type,
    product_name: locale === "en" ? snapshot.nameEn : snapshot.name,
    amount_cny: formatCny(row.amountFen),
    credits_amount: snapshot.creditsAmount,
    coins_amount: formatCoins(BigInt(snapshot.coinsMilli)),
    pay_channel: row.channel,
    client: row.client,
    status: row.status,
    fulfilled: row.fulfilledAt !== null,
    created_at: row.createdAt.toISOString(),
    expire_at: row.expireAt.toISOString(),
    paid_at: row.paidAt?.toISOString() ?? null,
  };
}

/** The owner's order; another user's id is 404 like an unknown one. */
export async function getPayment(
  ctx: AppContext,
  userId: string,
  paymentId: string,
  locale?: Locale,
): Promise<Payment> {
  const row = await repo.findOrder(ctx.db, paymentId);
  if (!row || row.userId !== userId) throw new AppError(ErrorCode.PAYMENT_NOT_FOUND);
  return presentPayment(row, locale);
}

export async function listPayments(
  ctx: AppContext,
  userId: string,
  cursor: string | undefined,
  limit: number,
  locale?: Locale,
): Promise<Page<Payment>> {
  const rows = await repo.listOrders(ctx.db, userId, decodeCursor(cursor), limit);
  return toPage(rows, limit, (row) => presentPayment(row, locale));
}

/** What does not match between our order and what the gateway proved; null when everything does. */
function mismatchOf(order: repo.PaymentRow, trade: GatewayTrade, provider: PayProvider): string | null {
  if (!provider.appIds.includes(trade.appId)) return `app id ${trade.appId} is not ours`;
  if (trade.merchantId !== provider.merchantId) return `merchant ${trade.merchantId} is not ours`;
  if (trade.currency !== order.currency) return `currency ${trade.currency}, order in ${order.currency}`;
  if (trade.amountFen !== order.amountFen)
    return `amount ${trade.amountFen} fen, order is ${order.amountFen} fen`;
  return null;
}

/** Grants what the product is, inside the transaction that marked the order paid. */
async function grantProduct(ctx: AppContext, tx: Tx, order: repo.PaymentRow, now: Date): Promise<void> {
  const snapshot = order.productSnapshot as repo.ProductSnapshot;
  const key = `payment:${order.id}:fulfil`;
  const base = { businessKey: key, refType: "payment", refId: order.id, at: now };
  switch (snapshot.type) {
    case "credits_pack": {
      const credits = BigInt(snapshot.creditsAmount);
      await post(tx, {
        ...base,
        type: "recharge",
        description: `充值 ¥${formatCny(order.amountFen)}`,
        postings: [
          { account: accountsOf(order.userId).credits, amount: credits, entryType: "recharge" },
          { account: platform.creditsSold(order.userId), amount: -credits, entryType: "recharge" },
        ],
      });
      return;
    }
    case "coins_pack": {
      const coins = BigInt(snapshot.coinsMilli);
      await post(tx, {
        ...base,
        type: "coins_recharge",
        description: `金币充值 ¥${formatCny(order.amountFen)}`,
        postings: [
          { account: accountsOf(order.userId).coinsAvailable, amount: coins, entryType: "coins_recharge" },
          { account: platform.coinsCashIn, amount: -coins, entryType: "coins_recharge" },
        ],
      });
      return;
    }
    case "subscription_monthly":
      await extendSubscription(
        tx,
        order.userId,
        order.id,
        snapshot.durationDays || ctx.economy.MONTHLY_CARD_DAYS,
        now,
      );
      return;
    case "promoter_activation":
      await activateFromPayment(ctx, tx, order.userId, order.id, now);
      return;
  }
}

interface Evidence {
  source: "notify" | "query";
  channel: PayChannel;
  rawBody: string;
  eventId?: string;
  payload?: unknown;
}

type FulfilOutcome = "fulfilled" | "duplicate" | "late";

/**
 * pending → paid and the grant, the commission and the evidence in one transaction. The status
 * compare-and-set lets exactly one of any number of racing callbacks and query runs through; the
 * business keys (`payment:{id}:fulfil`, `payment:{id}:commission`) would refuse a second posting anyway.
 */
async function fulfil(
  ctx: AppContext,
  order: repo.PaymentRow,
  trade: GatewayTrade,
  evidence: Evidence,
): Promise<FulfilOutcome> {
  const now = ctx.clock.now();
  const log = {
    channel: evidence.channel,
    paymentId: order.id,
    eventId: evidence.eventId ?? null,
    verifiedPayload: evidence.payload ?? null,
    rawBody: evidence.rawBody,
    receivedAt: now,
  };
  // Most repeats (gateway retries, duplicates) find the order already paid: no transaction for them.
  if (order.status === "paid") {
    await repo.logNotification(ctx.db, { ...log, outcome: "duplicate", reason: evidence.source });
    return "duplicate";
  }
  const referral = await referralOf(ctx, order.userId);
  const fulfilled = await ctx.db.transaction(async (tx) => {
    const paid = await repo.markPaid(tx, order.id, trade.gatewayTradeNo, trade.paidAt ?? now, now);
    if (!paid) return false;
    await grantProduct(ctx, tx, paid, now);
    await postCommission(ctx, tx, paid, referral, now);
    await repo.logNotification(tx, { ...log, outcome: "fulfilled", reason: evidence.source });
    return true;
  });
  if (fulfilled) return "fulfilled";
  const current = await repo.findOrder(ctx.db, order.id);
  if (current?.status === "paid") {
    await repo.logNotification(ctx.db, { ...log, outcome: "duplicate", reason: evidence.source });
    return "duplicate";
  }
  // Paid at the gateway after we closed or failed the order: nothing is granted; finance refunds it.
  ctx.log.error(
    { paymentId: order.id, status: current?.status },
    "payment paid after it was closed: refund it",
  );
  await repo.logNotification(ctx.db, {
    ...log,
    outcome: "rejected",
    reason: "late",
    detail: `paid at the gateway while the order is ${current?.status}`,
  });
  return "late";
}

async function reject(
  ctx: AppContext,
  provider: PayProvider,
  entry: {
    channel: PayChannel;
    paymentId: string | null;
    reason: string;
    detail: string;
    rawBody: string;
    payload?: unknown;
  },
): Promise<NotifyAnswer> {
  ctx.log.warn(
    { channel: entry.channel, paymentId: entry.paymentId, reason: entry.reason, detail: entry.detail },
    "payment notification refused",
  );
  await repo.logNotification(ctx.db, {
    channel: entry.channel,
    paymentId: entry.paymentId,
    outcome: "rejected",
    reason: entry.reason,
    detail: entry.detail,
    verifiedPayload: entry.payload ?? null,
    rawBody: entry.rawBody,
    receivedAt: ctx.clock.now(),
  });
  return provider.answer(false);
}

/**
 * One gateway notification: the provider proves it (signature, freshness, decryption), then the order is
 * matched (ours, same channel, app id, merchant, currency, amount) before anything is granted. Anything
 * unproven or mismatched is logged, grants nothing and is answered as not accepted.
 */
export async function handleNotification(
  ctx: AppContext,
  channel: PayChannel,
  req: NotifyRequest,
): Promise<NotifyAnswer | null> {
  const provider = ctx.pay.providers.get(channel);
  if (!provider) return null;
  const verdict = provider.verifyNotify(req, ctx.clock.now());
  const base = { channel, rawBody: req.rawBody };
  if (!verdict.ok)
    return reject(ctx, provider, {
      ...base,
      paymentId: null,
      reason: verdict.reason,
      detail: verdict.detail,
    });
  const { trade } = verdict;
  const order = await repo.findOrderByTradeNo(ctx.db, trade.outTradeNo);
  if (!order || order.channel !== channel) {
    return reject(ctx, provider, {
      ...base,
      paymentId: order?.id ?? null,
      reason: "unknown_order",
      detail: `no ${channel} order ${trade.outTradeNo}`,
      payload: verdict.payload,
    });
  }
  const mismatch = mismatchOf(order, trade, provider);
  if (mismatch) {
    return reject(ctx, provider, {
      ...base,
      paymentId: order.id,
      reason: "mismatch",
      detail: mismatch,
      payload: verdict.payload,
    });
  }
  if (trade.state === "paid") {
    await fulfil(ctx, order, trade, {
      ...base,
      source: "notify",
      eventId: verdict.eventId,
      payload: verdict.payload,
    });
  } else if (trade.state === "closed") {
    await endUnpaid(ctx, order, trade);
  }
  return provider.answer(true);
}

/** The gateway says the order will never be paid: failed (payment error) or closed. */
async function endUnpaid(ctx: AppContext, order: repo.PaymentRow, trade: GatewayTrade): Promise<void> {
  const status = trade.rawState === "PAYERROR" ? "failed" : "closed";
  await repo.markUnpaid(ctx.db, order.id, status, `gateway: ${trade.rawState}`, ctx.clock.now());
}

export interface QueryRunSummary {
  checked: number;
  fulfilled: number;
  closed: number;
  errors: number;
}

/** Orders younger than this are left to their callback (most arrive within seconds). */
const QUERY_GRACE_MS = 10_000;
const QUERY_BATCH = 200;

/**
 * `payments.query_pending`: asks each gateway about orders still pending, so a lost callback cannot lose
 * a purchase (paid → fulfilled, exactly as a callback would) and an order past its 15 minutes is closed
 * at the gateway first, then here (closed, nothing granted). Gateway calls run outside any transaction.
 */
export async function queryPendingPayments(ctx: AppContext): Promise<QueryRunSummary> {
  const now = ctx.clock.now();
  const orders = await repo.pendingOrders(ctx.db, new Date(now.getTime() - QUERY_GRACE_MS), QUERY_BATCH);
  const summary: QueryRunSummary = { checked: 0, fulfilled: 0, closed: 0, errors: 0 };
  for (const order of orders) {
    const provider = ctx.pay.providers.get(order.channel);
    if (!provider) continue;
    summary.checked++;
    try {
      const outcome = await settleFromGateway(ctx, provider, order, now);
      if (outcome === "fulfilled") summary.fulfilled++;
      if (outcome === "closed") summary.closed++;
    } catch (err) {
      summary.errors++;
      ctx.log.warn({ err, paymentId: order.id }, "payment query failed; retried on the next run");
    }
  }
  return summary;
}

async function settleFromGateway(
  ctx: AppContext,
  provider: PayProvider,
  order: repo.PaymentRow,
  now: Date,
): Promise<"fulfilled" | "closed" | "open" | "refused"> {
  const trade = await provider.query(order.outTradeNo);
  if (trade?.state === "paid") {
    const mismatch = mismatchOf(order, trade, provider);
    if (mismatch) {
      await reject(ctx, provider, {
        channel: order.channel,
        paymentId: order.id,
        reason: "mismatch",
        detail: `query: ${mismatch}`,
        rawBody: "",
      });
      return "refused";
    }
    const outcome = await fulfil(ctx, order, trade, {
      source: "query",
      channel: order.channel,
      rawBody: "",
      payload: trade,
    });
    return outcome === "fulfilled" ? "fulfilled" : "refused";
  }
  if (trade?.state === "closed") {
    await endUnpaid(ctx, order, trade);
    return "closed";
  }
  if (order.expireAt > now) return "open";
  try {
    await provider.close(order.outTradeNo);
  } catch (err) {
    // Paid in the last moment (WeChat ORDER_PAID): the next run finds it paid and fulfils it.
    if (err instanceof PayGatewayError && !err.retryable) return "open";
    throw err;
  }
  await repo.markUnpaid(ctx.db, order.id, "closed", "expired", now);
  return "closed";
}

/**
 * `POST /dev/payments/{id}/complete`: the sandbox gateway decides the payment and delivers its signed
 * notification to our callback; answers once the callback answered.
 */
export async function completeSandboxPayment(
  ctx: AppContext,
  paymentId: string,
  result: "success" | "fail",
  deliver: Parameters<NonNullable<AppContext["pay"]["sandbox"]>["complete"]>[2],
) {
  const order = await repo.findOrder(ctx.db, paymentId);
  if (!order) throw new AppError(ErrorCode.PAYMENT_NOT_FOUND);
  if (order.channel !== "sandbox" || !ctx.pay.sandbox) {
    throw new AppError(ErrorCode.STATE_CONFLICT, null, {
      zh: "只有沙箱订单可以模拟支付",
      en: "Only sandbox payments can be completed here",
    });
  }
  const done = await ctx.pay.sandbox.complete(order.outTradeNo, result, deliver);
  const after = await repo.findOrder(ctx.db, paymentId);
  return {
    payment_id: paymentId,
    callback_status: done?.answer?.status ?? 0,
    callback_body: done?.answer?.body ?? "",
    status: after?.status ?? order.status,
    fulfilled: after?.fulfilledAt != null,
  };
}

/**
 * 重新查询 (finance): asks the gateway about one order now, outside any transaction, and settles it the
 * way the query job would (a paid order is fulfilled once; an expired one closed). A finished order is
 * left as it is. Returns the order as it stands afterwards.
 */
export async function requeryPayment(ctx: AppContext, paymentId: string): Promise<repo.PaymentRow> {
  const order = await repo.findOrder(ctx.db, paymentId);
  if (!order) throw new AppError(ErrorCode.PAYMENT_NOT_FOUND);
  const provider = ctx.pay.providers.get(order.channel);
  if (order.status === "pending" && provider) await settleFromGateway(ctx, provider, order, ctx.clock.now());
  return (await repo.findOrder(ctx.db, paymentId)) ?? order;
}
