import { randomInt } from "node:crypto";
import {
  type CommissionItem,
  ErrorCode,
  type InviteItem,
  type Page,
  type PromoterMe,
  type ReferralBindResult,
} from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import {
  accountsOf,
  type IdempotencyHandle,
  pendingShard,
  pendingShardsOf,
  platform,
  post,
  withIdempotency,
} from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { AppError } from "../../lib/errors.js";
import { formatCny, formatCoins } from "../../lib/money.js";
import { notify } from "../notifications/repository.js";
import { avatarUrlOf } from "../users/present.js";
import { findUser, markPromoter, type UserRow } from "../users/service.js";
import * as repo from "./repository.js";

const DAY_MS = 24 * 3600_000;
/** No 0/O, 1/I: a code read aloud or copied by hand stays unambiguous. */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_ATTEMPTS = 8;

/** `SKY` + the Shanghai year + 4 letters/digits, e.g. `SKY2026K7QD` (32⁴ ≈ 1M codes a year). */
function newReferralCode(now: Date): string {
  const year = new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
  let tail = "";
  for (let i = 0; i < 4; i++) tail += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `SKY${year}${tail}`;
}

const grantPostings = (userId: string, credits: number, entryType: string) => {
  const amount = BigInt(credits);
  return [
    { account: accountsOf(userId).credits, amount, entryType },
    { account: platform.creditsGranted(userId), amount: -amount, entryType },
  ];
};

/**
 * Fulfils a paid promoter activation inside the payment's transaction: a unique referral code,
 * is_promoter, and +600 credits (`bonus`, 成为推广员奖励). A second activation payment (two orders paid
 * before either was fulfilled) still grants its credits but keeps the first code.
 */
export async function activateFromPayment(
  ctx: AppContext,
  tx: Tx,
  userId: string,
  paymentId: string,
  now: Date,
): Promise<void> {
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const outcome = await repo.insertPromoter(tx, {
      userId,
      referralCode: newReferralCode(now),
      paymentId,
      at: now,
    });
    if (outcome !== "taken") break;
    if (attempt === CODE_ATTEMPTS - 1) throw new Error("no free referral code after several attempts");
  }
  await markPromoter(tx, userId);
  await post(tx, {
    businessKey: `payment:${paymentId}:fulfil`,
    type: "bonus",
    refType: "payment",
    refId: paymentId,
    description: "成为推广员奖励",
    at: now,
    postings: grantPostings(userId, ctx.economy.PROMOTER_ACTIVATION_CREDITS, "bonus"),
  });
}

/** Who invited the payer (a binding never changes once made), read before the fulfilment transaction. */
export const referralOf = (ctx: AppContext, userId: string) => repo.findReferral(ctx.db, userId);

/**
 * The direct commission (5 % of the payment, in coins: 1 fen = 10 milli-coins) as a pending lot of the
 * promoter who invited the payer, unlocking after the freeze; nothing when the payer was not invited.
 */
export async function postCommission(
  ctx: AppContext,
  tx: Tx,
  payment: { id: string; userId: string; amountFen: number },
  referral: repo.ReferralRow | null,
  now: Date,
): Promise<void> {
  if (!referral) return;
  const milli = (BigInt(payment.amountFen) * 10n * BigInt(ctx.economy.DIRECT_COMMISSION_PERCENT)) / 100n;
  if (milli === 0n) return;
  const promoter = referral.promoterUserId;
  await post(tx, {
    businessKey: `payment:${payment.id}:commission`,
    type: "referral_commission_income",
    refType: "payment",
    refId: payment.id,
    description: "推广佣金",
    metadata: {
      promoter_user_id: promoter,
      payer_user_id: payment.userId,
      payment_amount_fen: payment.amountFen,
    },
    at: now,
    postings: [
      {
        account: pendingShard(promoter, payment.userId),
        amount: milli,
        entryType: "referral_commission_income",
        status: "pending",
        unlockAt: new Date(now.getTime() + ctx.economy.FREEZE_DAYS * DAY_MS),
      },
      {
        account: platform.coinsCommission(payment.userId),
        amount: -milli,
        entryType: "referral_commission_income",
      },
    ],
  });
  notify(
    tx,
    {
      userId: promoter,
      kind: "commission_received",
      actorUserId: payment.userId,
      refType: "payment",
      refId: payment.id,
      data: { level: 1, coins: formatCoins(milli), amount_cny: formatCny(payment.amountFen) },
      dedupeKey: `payment:${payment.id}:commission`,
    },
    now,
  );
}

export type BindOutcome = { ok: true; result: ReferralBindResult } | { ok: false; error: AppError };

const invalidCode = (zh: string, en: string) =>
  ({ ok: false, error: new AppError(ErrorCode.INVALID_REFERRAL, null, { zh, en }) }) as const;

/**
 * Binds `user` to the promoter owning `code` and grants the new-user bonus (+50, 新用户邀请奖励), once,
 * within 7 days of registration; own, unknown or late codes → 2004, already bound → 2007. Returns the
 * refusal instead of throwing so a first login with a bad code still logs in.
 */
export async function bindInTx(
  ctx: AppContext,
  tx: Tx,
  user: UserRow,
  rawCode: string,
  via: "login" | "bind",
  now: Date,
): Promise<BindOutcome> {
  const code = rawCode.trim().toUpperCase();
  const promoter = await repo.findPromoterByCode(tx, code);
  if (!promoter) return invalidCode("邀请码不存在", "Unknown referral code");
  if (promoter.userId === user.id) return invalidCode("不能填写自己的邀请码", "You cannot use your own code");
  if (now.getTime() - user.createdAt.getTime() > ctx.economy.REFERRAL_BIND_WINDOW_DAYS * DAY_MS) {
    return invalidCode(
      "邀请码仅限注册7天内填写",
      "A referral code can only be entered within 7 days of sign-up",
    );
  }
  const bound = await repo.insertReferral(tx, {
    userId: user.id,
    promoterUserId: promoter.userId,
    code,
    via,
    at: now,
  });
  if (!bound) {
    return {
      ok: false,
      error: new AppError(ErrorCode.STATE_CONFLICT, null, {
        zh: "已绑定邀请人",
        en: "Already bound to an inviter",
      }),
    };
  }
  const credits = ctx.economy.REFERRAL_NEW_USER_BONUS_CREDITS;
  const posted = await post(tx, {
    businessKey: `referral:${user.id}:bonus`,
    type: "bonus",
    refType: "referral",
    refId: promoter.userId,
    description: "新用户邀请奖励",
    at: now,
    postings: grantPostings(user.id, credits, "bonus"),
  });
  const inviter = await findUser(tx, promoter.userId);
  const own = posted.entries.find((e) => e.accountId === accountsOf(user.id).credits.id);
  return {
    ok: true,
    result: {
      bonus_credits: credits,
      balance_after: Number(own?.balanceAfter ?? 0n),
      promoter: { user_id: promoter.userId, nickname: inviter?.nickname ?? "" },
    },
  };
}

/** `POST /referrals/bind {code}`. */
export async function bindReferral(
  ctx: AppContext,
  userId: string,
  code: string,
  idempotency?: IdempotencyHandle<ReferralBindResult>,
): Promise<ReferralBindResult> {
  const user = await findUser(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const outcome = await bindInTx(ctx, tx, user, code, "bind", ctx.clock.now());
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  });
}

export async function promoterOf(ctx: AppContext, userId: string): Promise<PromoterMe> {
  const [promoter, referral, invites, totals] = await Promise.all([
    repo.findPromoter(ctx.db, userId),
    repo.findReferral(ctx.db, userId),
    repo.countInvites(ctx.db, userId),
    repo.commissionTotals(
      ctx.db,
      pendingShardsOf(userId).map((a) => a.id),
    ),
  ]);
  const inviter = referral ? await findUser(ctx.db, referral.promoterUserId) : null;
  return {
    is_promoter: promoter !== null,
    referral_code: promoter?.referralCode ?? null,
    activated_at: promoter?.activatedAt.toISOString() ?? null,
    promo_credits: ctx.economy.PROMOTER_ACTIVATION_CREDITS,
    stats: {
      total_invites: invites,
      total_commission_coins: formatCoins(totals.total),
      pending_commission_coins: formatCoins(totals.pending),
    },
    invited_by: referral && inviter ? { user_id: inviter.id, nickname: inviter.nickname } : null,
  };
}

export async function invitesOf(
  ctx: AppContext,
  userId: string,
  cursor: string | undefined,
  limit: number,
): Promise<Page<InviteItem>> {
  const rows = await repo.listInvites(ctx.db, userId, decodeCursor(cursor), limit);
  const earned = await repo.commissionByInvitee(
    ctx.db,
    userId,
    rows.map((r) => r.userId),
  );
  const avatars = await Promise.all(
    rows.map((r) =>
      avatarUrlOf(ctx, { avatarUrl: r.avatarUrl, avatarStorageKey: r.avatarStorageKey } as UserRow),
    ),
  );
  const avatarOf = new Map(rows.map((r, i) => [r.userId, avatars[i] ?? null]));
  return toPage(rows, limit, (r) => ({
    user_id: r.userId,
    nickname: r.nickname,
    avatar_url: avatarOf.get(r.userId) ?? null,
    bound_at: r.createdAt.toISOString(),
    commission_coins: formatCoins(earned.get(r.userId) ?? 0n),
  }));
}

export async function commissionsOf(
  ctx: AppContext,
  userId: string,
  cursor: string | undefined,
  limit: number,
): Promise<Page<CommissionItem>> {
  const rows = await repo.listCommissions(
    ctx.db,
    pendingShardsOf(userId).map((a) => a.id),
    decodeCursor(cursor),
    limit,
  );
  const payerIds = [...new Set(rows.map((r) => metaOf(r.metadata).payer_user_id).filter(Boolean))];
  const payers = await Promise.all(payerIds.map((id) => findUser(ctx.db, id)));
  const nickname = new Map(payers.filter((p) => p !== null).map((p) => [p.id, p.nickname]));
  return toPage(rows, limit, (r) => {
    const meta = metaOf(r.metadata);
    return {
      ledger_id: r.id,
      amount: formatCoins(r.amount),
      status: r.released ? "settled" : "pending",
      unlock_at: r.unlockAt?.toISOString() ?? null,
      payer_nickname: nickname.get(meta.payer_user_id) ?? "",
      payment_amount_cny: formatCny(meta.payment_amount_fen),
      created_at: r.createdAt.toISOString(),
    };
  });
}

const metaOf = (metadata: unknown): { payer_user_id: string; payment_amount_fen: number } => {
  const m = (metadata ?? {}) as { payer_user_id?: unknown; payment_amount_fen?: unknown };
  return {
    payer_user_id: typeof m.payer_user_id === "string" ? m.payer_user_id : "",
    payment_amount_fen: typeof m.payment_amount_fen === "number" ? m.payment_amount_fen : 0,
  };
};
