import {
  type AdminWithdrawal,
  ErrorCode,
  type Withdrawal,
  type WithdrawalCreateBody,
  type WithdrawalCreateResult,
  type WithdrawalMethod,
  type WithdrawalRules,
} from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import { lockKey } from "../../db/locks.js";
import { enqueue } from "../../jobs/repository.js";
import {
  accountsOf,
  balancesOf,
  type IdempotencyHandle,
  InsufficientBalanceError,
  platform,
  post,
  withIdempotency,
} from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { AppError, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { formatCny, formatCoins } from "../../lib/money.js";
import { shanghaiDate } from "../../lib/time.js";
import { bankBatchCsv, payoutChannelFor } from "../../providers/payout/index.js";
import { type AdminActor, audit } from "../admin/audit.js";
import { notify } from "../notifications/repository.js";
import { findUserById } from "../users/repository.js";
import { maskAccount, maskName, normalizeAccount, sealAccount, unsealAccount } from "./account.js";
import * as repo from "./repository.js";

/** SPEC §1: ≥ ¥100, ≤ ¥5000 each, at most 3 a Shanghai day, whole fen, no fee; 1 coin = ¥1. */
export const WITHDRAWAL_RULES = { minFen: 10_000n, maxFen: 500_000n, dailyCount: 3 };
const MILLI_PER_FEN = 10n;

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "payouts" | "jobs" | "walletCache" | "storage">;

const ruleError = (rule: string, zh: string, en: string, data: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.WITHDRAW_AMOUNT, { rule, ...data }, { zh, en });

/** "100.00" / "100.5" / "100" → fen, with integer math only; anything else is not a whole-fen amount. */
export function parseCnyToFen(text: string): bigint | null {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return BigInt(m[1] ?? "0") * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
}

export function present(w: repo.WithdrawalRow): Withdrawal {
  return {
    withdrawal_id: w.id,
    amount_cny: formatCny(w.amountFen),
    method: w.method,
    account_masked: w.accountMasked,
    name_masked: w.nameMasked,
    bank_name: w.bankName,
    status: w.status,
    reason: w.reason,
    created_at: w.createdAt.toISOString(),
    processed_at: w.processedAt?.toISOString() ?? null,
    finished_at: w.finishedAt?.toISOString() ?? null,
  };
}

export function presentForReview(w: repo.AdminWithdrawalRow): AdminWithdrawal {
  return {
    ...present(w),
    user_id: w.userId,
    nickname: w.nickname,
    phone_masked: w.phone ? `${w.phone.slice(0, 3)}****${w.phone.slice(-4)}` : null,
    payout_channel: w.payoutChannel,
    payout_status: w.payoutStatus,
    payout_ref: w.payoutRef,
    reviewer_id: w.reviewerId,
  };
}

function offeredMethods(ctx: Pick<AppContext, "payouts">): WithdrawalMethod[] {
  const all: WithdrawalMethod[] = ["alipay", "bank_card", "wechat"];
  return all.filter((m) => payoutChannelFor(m, ctx.payouts) !== null);
}

export async function rulesFor(ctx: Ctx, userId: string): Promise<WithdrawalRules> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  const acc = accountsOf(userId).coinsAvailable;
  const [balances, used] = await Promise.all([
    balancesOf(ctx.db, [acc.id]),
    repo.countOnDay(ctx.db, userId, shanghaiDate(ctx.clock.now())),
  ]);
  return {
    min_cny: formatCny(WITHDRAWAL_RULES.minFen),
    max_cny: formatCny(WITHDRAWAL_RULES.maxFen),
    daily_count_max: WITHDRAWAL_RULES.dailyCount,
    used_today: used,
    coins_available: formatCoins(balances.get(acc.id) ?? 0n),
    phone_bound: user.phone !== null,
    wechat_bound: user.wechatOpenid !== null,
    methods: offeredMethods(ctx),
    fee_cny: "0.00",
  };
}

/**
 * 申请提现: checks the rules, then in one transaction (under the user's withdrawal lock, so the daily
 * count holds under concurrency) debits the coins at once (`withdraw`; the conditional update refuses
 * a balance below the amount) and stores the account sealed.
 */
export async function createWithdrawal(
  ctx: Ctx,
  userId: string,
  body: WithdrawalCreateBody,
  idempotency?: IdempotencyHandle<WithdrawalCreateResult>,
): Promise<WithdrawalCreateResult> {
  const fen = parseCnyToFen(body.amount_cny);
  if (fen === null) throw ruleError("whole_fen", "提现金额须精确到分", "The amount must be in whole fen");
  if (fen < WITHDRAWAL_RULES.minFen || fen > WITHDRAWAL_RULES.maxFen) {
    throw ruleError("range", "单笔提现金额须在 ¥100 到 ¥5000 之间", "Each withdrawal must be ¥100–¥5000", {
      min_cny: formatCny(WITHDRAWAL_RULES.minFen),
      max_cny: formatCny(WITHDRAWAL_RULES.maxFen),
    });
  }
  if (!offeredMethods(ctx).includes(body.method)) {
    throw new AppError(ErrorCode.VALIDATION, { fields: { method: "not offered" } });
  }
  const account = normalizeAccount(body.method, body.account_info);
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  if (!user.phone)
    throw ruleError("phone_required", "请先绑定手机号再提现", "Bind a phone number before withdrawing");
  if (body.method === "wechat" && !user.wechatOpenid) {
    throw ruleError(
      "wechat_required",
      "请先绑定微信再提现到微信",
      "Link WeChat before withdrawing to WeChat",
    );
  }

  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const day = shanghaiDate(now);
    await lockKey(tx, `withdraw:${userId}`);
    const used = await repo.countOnDay(tx, userId, day);
    if (used >= WITHDRAWAL_RULES.dailyCount) {
      throw ruleError("daily_count", "每天最多提现 3 次", "At most 3 withdrawals a day", {
        daily_count_max: WITHDRAWAL_RULES.dailyCount,
      });
    }
    const id = newId();
    const row = await repo.insertWithdrawal(tx, {
      id,
      userId,
      amountFen: fen,
      method: body.method,
      accountSealed: sealAccount(ctx.config.withdrawalAccountKey, id, {
        ...account,
        openid: user.wechatOpenid,
      }),
      accountMasked: maskAccount(body.method, account.account),
      nameMasked: maskName(account.name),
      bankName: account.bankName,
      day,
      createdAt: now,
    });
    const available = await debit(tx, row, now);
    return { withdrawal: present(row), coins_available: formatCoins(available) };
  });
}

async function debit(tx: Tx, w: repo.WithdrawalRow, now: Date): Promise<bigint> {
  const milli = w.amountFen * MILLI_PER_FEN;
  const acc = accountsOf(w.userId).coinsAvailable;
  try {
    const result = await post(tx, {
      businessKey: `withdrawal:${w.id}:debit`,
      type: "withdraw",
      refType: "withdrawal",
      refId: w.id,
      description: "提现",
      at: now,
      postings: [
        { account: acc, amount: -milli, entryType: "withdraw" },
        { account: platform.coinsWithdrawing, amount: milli, entryType: "withdraw" },
      ],
    });
    return result.entries.find((e) => e.accountId === acc.id)?.balanceAfter ?? 0n;
  } catch (err) {
    if (err instanceof InsufficientBalanceError) {
      throw new AppError(ErrorCode.INSUFFICIENT_COINS, {
        available: formatCoins(err.balance),
        required: formatCoins(milli),
      });
    }
    throw err;
  }
}

export async function listMine(ctx: Ctx, userId: string, query: { cursor?: string; limit: number }) {
  const rows = await repo.listOfUser(ctx.db, userId, decodeCursor(query.cursor), query.limit);
  return toPage(rows, query.limit, present);
}

/** The coins go back (`withdraw_refund`) in the transaction that rejects or fails the withdrawal. */
export async function refund(tx: Tx, w: repo.WithdrawalRow, now: Date): Promise<void> {
  const milli = w.amountFen * MILLI_PER_FEN;
  await post(tx, {
    businessKey: `withdrawal:${w.id}:refund`,
    type: "withdraw_refund",
    refType: "withdrawal",
    refId: w.id,
    description: "提现退回",
    at: now,
    postings: [
      { account: platform.coinsWithdrawing, amount: -milli, entryType: "withdraw_refund" },
      { account: accountsOf(w.userId).coinsAvailable, amount: milli, entryType: "withdraw_refund" },
    ],
  });
}

/** The money left us: the in-flight coins become paid out. No user posting: the user paid at request. */
export async function settlePaid(tx: Tx, w: repo.WithdrawalRow, now: Date): Promise<void> {
  const milli = w.amountFen * MILLI_PER_FEN;
  await post(tx, {
    businessKey: `withdrawal:${w.id}:paid`,
    type: "withdraw_paid",
    refType: "withdrawal",
    refId: w.id,
    description: "提现打款",
    at: now,
    postings: [
      { account: platform.coinsWithdrawing, amount: -milli, entryType: "withdraw_paid" },
      { account: platform.coinsCashOut, amount: milli, entryType: "withdraw_paid" },
    ],
  });
}

export function tell(
  tx: Tx,
  w: repo.WithdrawalRow,
  kind: "withdrawal_approved" | "withdrawal_paid" | "withdrawal_rejected" | "withdrawal_failed",
  now: Date,
): void {
  notify(
    tx,
    {
      userId: w.userId,
      kind,
      refType: "withdrawal",
      refId: w.id,
      data: { amount_cny: formatCny(w.amountFen), account_masked: w.accountMasked, reason: w.reason },
      dedupeKey: `withdrawal:${w.id}:${kind}`,
    },
    now,
  );
}

const reviewAudit = (
  action: string,
  before: Pick<repo.WithdrawalRow, "status">,
  after: repo.WithdrawalRow,
) => ({
  action,
  targetType: "withdrawal",
  targetId: after.id,
  before: { status: before.status },
  after: {
    status: after.status,
    amount_cny: formatCny(after.amountFen),
    payout_channel: after.payoutChannel,
  },
});

const stateConflict = (w: repo.WithdrawalRow | null) =>
  w
    ? new AppError(ErrorCode.STATE_CONFLICT, { status: w.status, payout_status: w.payoutStatus })
    : notFound("withdrawal");

async function reviewView(ctx: Ctx, id: string): Promise<AdminWithdrawal> {
  const row = await repo.findForReview(ctx.db, id);
  if (!row) throw notFound("withdrawal");
  return presentForReview(row);
}

/** 审核通过: applied → approved, and the transfer starts through the outbox (never inside the transaction). */
export async function approve(ctx: Ctx, actor: AdminActor, id: string): Promise<AdminWithdrawal> {
  const reviewerId = actor.userId;
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const current = await repo.findWithdrawal(tx, id);
    if (!current) throw notFound("withdrawal");
    const channel = payoutChannelFor(current.method, ctx.payouts);
    if (!channel) throw stateConflict(current);
    const manual = channel === "bank_csv";
    const moved = await repo.transition(
      tx,
      id,
      { status: "applied" },
      {
        status: "approved",
        reviewerId,
        processedAt: now,
        payoutChannel: channel,
        payoutStatus: manual ? "manual" : "pending",
        payoutNextQueryAt: manual ? null : new Date(now.getTime() + 60_000),
      },
    );
    if (!moved) throw stateConflict(current);
    if (!manual)
      await enqueue(tx, "withdrawals.payout", { withdrawalId: id }, { id: `withdrawal:${id}:payout` });
    tell(tx, moved, "withdrawal_approved", now);
    audit(tx, actor, reviewAudit("withdrawal.approve", current, moved), now);
  });
  ctx.jobs.kick();
  return reviewView(ctx, id);
}

/** 驳回: applied → rejected with the reason; the coins come back in the same transaction. */
export async function reject(
  ctx: Ctx,
  actor: AdminActor,
  id: string,
  reason: string,
): Promise<AdminWithdrawal> {
  const reviewerId = actor.userId;
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const moved = await repo.transition(
      tx,
      id,
      { status: "applied" },
      { status: "rejected", reviewerId, reason, processedAt: now, finishedAt: now },
    );
    if (!moved) throw stateConflict(await repo.findWithdrawal(tx, id));
    await refund(tx, moved, now);
    tell(tx, moved, "withdrawal_rejected", now);
    audit(tx, actor, { ...reviewAudit("withdrawal.reject", { status: "applied" }, moved), reason }, now);
  });
  return reviewView(ctx, id);
}

/** 标记已打款: finance transferred a bank-card withdrawal by hand (the CSV batch). */
export async function markPaid(ctx: Ctx, actor: AdminActor, id: string): Promise<AdminWithdrawal> {
  const reviewerId = actor.userId;
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const moved = await repo.transition(
      tx,
      id,
      { status: "approved", payoutStatus: ["manual"] },
      { status: "paid", payoutStatus: "success", finishedAt: now, payoutRef: `manual:${reviewerId}` },
    );
    if (!moved) throw stateConflict(await repo.findWithdrawal(tx, id));
    await settlePaid(tx, moved, now);
    tell(tx, moved, "withdrawal_paid", now);
    audit(tx, actor, reviewAudit("withdrawal.mark_paid", { status: "approved" }, moved), now);
  });
  return reviewView(ctx, id);
}

export async function listForReview(
  ctx: Ctx,
  query: { status?: repo.WithdrawalStatusValue; cursor?: string; limit: number },
) {
  const rows = await repo.listForReview(ctx.db, query.status, decodeCursor(query.cursor), query.limit);
  return toPage(rows, query.limit, presentForReview);
}

/** The approved bank-card withdrawals as the CSV batch finance transfers by hand (full accounts). */
export async function bankBatch(ctx: Pick<AppContext, "db" | "config">): Promise<string> {
  const rows = await repo.manualPayouts(ctx.db);
  return bankBatchCsv(
    rows.map((w) => {
      const payee = unsealAccount(ctx.config.withdrawalAccountKey, w.id, w.accountSealed);
      return {
        withdrawalId: w.id,
        createdAt: w.createdAt,
        amountFen: w.amountFen,
        name: payee.name,
        account: payee.account,
        bankName: payee.bankName ?? w.bankName,
      };
    }),
  );
}
