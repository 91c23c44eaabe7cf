import {
  type AdminAdjustBody,
  type AdminRole,
  type AdminUser,
  type AdminUserDetail,
  type AdminWork,
  type Dashboard,
  ErrorCode,
  type Reconciliation,
} from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { lockKey } from "../../db/locks.js";
import {
  accountsOf,
  type IdempotencyHandle,
  InsufficientBalanceError,
  latestReconciliation,
  platform,
  post,
  type ReconciliationReport,
  reconcileAndRecord,
  withIdempotency,
} from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { AppError, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { formatCny, formatCoins, parseCoins } from "../../lib/money.js";
import { DAY_MS, shanghaiDate, shanghaiDayStart } from "../../lib/time.js";
import { revokeUserSessions } from "../auth/repository.js";
import { loadWords, replaceWords } from "../moderation/repository.js";
import { DEFAULT_SENSITIVE_WORDS, refreshModeration } from "../moderation/service.js";
import { notify } from "../notifications/repository.js";
import { findOrder as findPayment, searchForAdmin, verifiedCallbackOf } from "../payments/repository.js";
import { presentPayment, requeryPayment } from "../payments/service.js";
import { avatarUrlOf } from "../users/present.js";
import { listLedger } from "../wallet/service.js";
import * as works from "../works/repository.js";
import { type AdminActor, audit } from "./audit.js";
import * as repo from "./repository.js";
import { rolesOf, setRoles as setUserRoles } from "./roles.js";

type Ctx = AppContext;

const milliOrZero = (v: string | null) => BigInt(v ?? "0");
const iso = (v: Date | string) => new Date(v).toISOString();
const rolesList = (v: repo.AdminUserRow["roles"]): AdminRole[] =>
  (typeof v === "string" ? JSON.parse(v) : (v ?? [])) as AdminRole[];

export async function me(ctx: Ctx, userId: string) {
  const user = await repo.findAdminUser(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  const roles = await rolesOf(ctx.db, ctx.config.adminPhones, userId);
  return { user_id: userId, nickname: user.nickname, roles: [...roles].sort() };
}

async function presentUser(ctx: Ctx, u: repo.AdminUserRow): Promise<AdminUser> {
  return {
    user_id: u.id,
    nickname: u.nickname,
    avatar_url: await avatarUrlOf(ctx, { avatarUrl: u.avatar_url, avatarStorageKey: u.avatar_storage_key }),
    phone: u.phone,
    status: u.status,
    ban_reason: u.ban_reason,
    roles: rolesList(u.roles),
    credits: Number(u.credits ?? 0),
    coins_available: formatCoins(milliOrZero(u.coins_available)),
    coins_pending: formatCoins(milliOrZero(u.coins_pending)),
    created_at: iso(u.created_at),
  };
}

export async function searchUsers(
  ctx: Ctx,
  q: { q?: string; status?: string; cursor?: string; limit: number },
) {
  const rows = await repo.searchUsers(ctx.db, {
    text: q.q,
    status: q.status,
    after: decodeCursor(q.cursor),
    limit: q.limit,
  });
  const keyed = rows.map((r) => ({ ...r, createdAt: new Date(r.created_at) }));
  const page = toPage(keyed, q.limit, (r) => r);
  return { ...page, items: await Promise.all(page.items.map((r) => presentUser(ctx, r))) };
}

async function adminUser(ctx: Ctx, userId: string): Promise<AdminUser> {
  const row = await repo.findAdminUser(ctx.db, userId);
  if (!row) throw new AppError(ErrorCode.USER_NOT_FOUND);
  return presentUser(ctx, row);
}

export async function userDetail(ctx: Ctx, adminId: string, userId: string): Promise<AdminUserDetail> {
  const user = await adminUser(ctx, userId);
  const now = ctx.clock.now();
  const [credits, coins, activity, payments, limits] = await Promise.all([
    listLedger(ctx.db, userId, { type: "credits", limit: 20 }),
    listLedger(ctx.db, userId, { type: "coins", limit: 20 }),
    repo.userActivity(ctx.db, userId, shanghaiDate(now)),
    searchForAdmin(ctx.db, { text: userId, after: null, limit: 10 }),
    adjustLimitsLeft(ctx, adminId),
  ]);
  const ledger = [...credits.items, ...coins.items]
    .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
    .slice(0, 30);
  return {
    ...user,
    ledger,
    tasks: activity.tasks.map((t) => ({
      task_id: t.id,
      status: t.status,
      prompt: t.prompt,
      model: t.model,
      cost_credits: Number(t.cost_credits),
      created_at: iso(t.created_at),
    })),
    works: activity.works.map((w) => ({
      work_id: w.id,
      title: w.title,
      status: w.status,
      created_at: iso(w.created_at),
    })),
    payments: payments.slice(0, 10).map((p) => presentPayment(p)),
    withdrawals: activity.withdrawals.map((w) => ({
      withdrawal_id: w.id,
      amount_cny: formatCny(BigInt(w.amount_fen)),
      status: w.status,
      created_at: iso(w.created_at),
    })),
    daily_tasks: activity.daily.map((d) => ({
      task_key: d.task_key,
      status: d.claimed_at ? "claimed" : d.completed_at ? "completed" : "in_progress",
    })),
    adjust_limits: { credits: Number(limits.credits), coins: formatCoins(limits.coins) },
  };
}

/** 封禁: the user's sessions end in the same transaction, so its very next call answers 403/1004. */
export async function ban(ctx: Ctx, actor: AdminActor, userId: string, reason: string): Promise<AdminUser> {
  if (actor.userId === userId)
    throw new AppError(ErrorCode.NOT_ALLOWED, null, { zh: "不能封禁自己", en: "You cannot ban yourself" });
  const revoked = await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    if (!(await repo.setUserStatus(tx, userId, "active", "banned", reason, now))) {
      throw (await repo.findAdminUser(tx, userId))
        ? new AppError(ErrorCode.STATE_CONFLICT, null, {
            zh: "该用户当前不可封禁",
            en: "The user is not active",
          })
        : new AppError(ErrorCode.USER_NOT_FOUND);
    }
    const sessions = await revokeUserSessions(tx, userId, "banned", now);
    audit(
      tx,
      actor,
      {
        action: "user.ban",
        targetType: "user",
        targetId: userId,
        before: { status: "active" },
        after: { status: "banned", sessions_revoked: sessions.length },
        reason,
      },
      now,
    );
    return sessions;
  });
  for (const id of revoked) ctx.sessions.forget(id);
  return adminUser(ctx, userId);
}

export async function unban(ctx: Ctx, actor: AdminActor, userId: string, reason: string): Promise<AdminUser> {
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    if (!(await repo.setUserStatus(tx, userId, "banned", "active", null, now))) {
      throw (await repo.findAdminUser(tx, userId))
        ? new AppError(ErrorCode.STATE_CONFLICT, null, { zh: "该用户未被封禁", en: "The user is not banned" })
        : new AppError(ErrorCode.USER_NOT_FOUND);
    }
    audit(
      tx,
      actor,
      {
        action: "user.unban",
        targetType: "user",
        targetId: userId,
        before: { status: "banned" },
        after: { status: "active" },
        reason,
      },
      now,
    );
  });
  return adminUser(ctx, userId);
}

export async function setRoles(
  ctx: Ctx,
  actor: AdminActor,
  userId: string,
  roles: AdminRole[],
): Promise<AdminUser> {
  await setUserRoles(ctx, actor, userId, roles);
  return adminUser(ctx, userId);
}

/** Today's (Shanghai) adjustments an admin may still make, per asset, in absolute units. */
async function adjustLimitsLeft(ctx: Ctx, adminId: string): Promise<{ credits: bigint; coins: bigint }> {
  const used = await repo.adjustedSince(ctx.db, adminId, shanghaiDayStart(ctx.clock.now()));
  const max = adjustLimits(ctx);
  const left = (limit: bigint, spent: bigint) => (limit > spent ? limit - spent : 0n);
  return { credits: left(max.credits, used.credits), coins: left(max.coins, used.coins) };
}

const adjustLimits = (ctx: Ctx) => ({
  credits: BigInt(ctx.config.ADMIN_ADJUST_DAILY_CREDITS),
  coins: BigInt(ctx.config.ADMIN_ADJUST_DAILY_COINS) * 1000n,
});

function parseAdjustment(body: AdminAdjustBody): bigint {
  if (body.asset === "credits") {
    if (!/^-?\d+$/.test(body.amount)) {
      throw new AppError(ErrorCode.VALIDATION, { fields: { amount: "credits are whole numbers" } });
    }
    return BigInt(body.amount);
  }
  return parseCoins(body.amount);
}

/**
 * 调整积分 / 金币 (`admin_adjust`): one ledger transaction against the platform's grant account, with
 * the reason and the admin in its metadata and an audit row beside it, within the admin's daily limit
 * (held under an advisory lock per admin, so two tabs cannot both use the last of it).
 */
export async function adjust(
  ctx: Ctx,
  actor: AdminActor,
  userId: string,
  body: AdminAdjustBody,
  idempotency?: IdempotencyHandle<{ ledger_id: string; balance_after: number | string }>,
) {
  const amount = parseAdjustment(body);
  if (amount === 0n) throw new AppError(ErrorCode.VALIDATION, { fields: { amount: "not zero" } });
  await adminUser(ctx, userId);
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    await lockKey(tx, `admin-adjust:${actor.userId}`);
    const used = await repo.adjustedSince(tx, actor.userId, shanghaiDayStart(now));
    const limits = adjustLimits(ctx);
    const abs = amount < 0n ? -amount : amount;
    const credits = body.asset === "credits";
    if ((credits ? used.credits : used.coins) + abs > (credits ? limits.credits : limits.coins)) {
      throw new AppError(
        ErrorCode.NOT_ALLOWED,
        { limit: credits ? Number(limits.credits) : formatCoins(limits.coins) },
        { zh: "超出今日调整额度", en: "Over today's adjustment limit" },
      );
    }
    const account = credits ? accountsOf(userId).credits : accountsOf(userId).coinsAvailable;
    const source = credits ? platform.creditsGranted(userId) : platform.coinsAdjustments;
    try {
      const result = await post(tx, {
        businessKey: `admin:${actor.userId}:adjust:${newId()}`,
        type: "admin_adjust",
        refType: "user",
        refId: userId,
        description: `后台调整：${body.reason}`,
        metadata: { admin_id: actor.userId, reason: body.reason, request_id: actor.requestId },
        at: now,
        postings: [
          { account, amount, entryType: "admin_adjust" },
          { account: source, amount: -amount, entryType: "admin_adjust" },
        ],
      });
      const entry = result.entries.find((e) => e.accountId === account.id);
      const after = entry?.balanceAfter ?? 0n;
      audit(
        tx,
        actor,
        {
          action: "user.adjust",
          targetType: "user",
          targetId: userId,
          before: { asset: body.asset, balance: (after - amount).toString() },
          after: {
            asset: body.asset,
            balance: after.toString(),
            amount: amount.toString(),
            ledger_transaction_id: result.transactionId,
          },
          reason: body.reason,
        },
        now,
      );
      return {
        ledger_id: entry?.id ?? result.transactionId,
        balance_after: credits ? Number(after) : formatCoins(after),
      };
    } catch (err) {
      if (err instanceof InsufficientBalanceError) {
        throw credits
          ? new AppError(ErrorCode.INSUFFICIENT_CREDITS, {
              current_balance: Number(err.balance),
              required: Number(-amount),
            })
          : new AppError(ErrorCode.INSUFFICIENT_COINS, {
              available: formatCoins(err.balance),
              required: formatCoins(-amount),
            });
      }
      throw err;
    }
  });
}

// --- dashboard ---

export async function dashboard(ctx: Ctx, days: 7 | 30 | 90): Promise<Dashboard> {
  const now = ctx.clock.now();
  const fromDay = shanghaiDate(new Date(now.getTime() - (days - 1) * DAY_MS));
  const [rows, totals] = await Promise.all([
    repo.dashboardDays(ctx.db, fromDay, days, shanghaiDate(now)),
    repo.dashboardTotals(ctx.db),
  ]);
  return {
    days,
    series: rows.map((r) => {
      const wechat = BigInt(r.gmv_wechat);
      const alipay = BigInt(r.gmv_alipay);
      const sandbox = BigInt(r.gmv_sandbox);
      return {
        day: r.day,
        new_users: Number(r.new_users),
        dau: Number(r.dau),
        generations: Number(r.generations),
        generations_succeeded: Number(r.generations_succeeded),
        generations_failed: Number(r.generations_failed),
        generations_refunded: Number(r.generations_refunded),
        generation_credits: Number(r.generation_credits),
        gmv_cny: {
          wechat: formatCny(wechat),
          alipay: formatCny(alipay),
          sandbox: formatCny(sandbox),
          total: formatCny(wechat + alipay + sandbox),
        },
        fee_coins: formatCoins(BigInt(r.fee_milli)),
        commission_coins: formatCoins(BigInt(r.commission_milli)),
      };
    }),
    totals: {
      users: Number(totals.users),
      coins_pending: formatCoins(BigInt(totals.coins_pending)),
      coins_available: formatCoins(BigInt(totals.coins_available)),
      withdrawals_waiting: {
        count: Number(totals.withdrawals_waiting),
        amount_cny: formatCny(BigInt(totals.withdrawals_waiting_fen)),
      },
      disputes_open: Number(totals.disputes_open),
    },
    generated_at: now.toISOString(),
  };
}

// --- payments ---

async function adminPayment(ctx: Ctx, row: Awaited<ReturnType<typeof findPayment>> & object) {
  const [user, callback] = await Promise.all([
    repo.findAdminUser(ctx.db, row.userId),
    verifiedCallbackOf(ctx.db, row.id),
  ]);
  return {
    ...presentPayment(row),
    user_id: row.userId,
    nickname: user?.nickname ?? "",
    gateway_trade_no: row.gatewayTradeNo,
    raw_callback: callback,
  };
}

export async function payments(
  ctx: Ctx,
  q: { status?: "pending" | "paid" | "failed" | "closed"; q?: string; cursor?: string; limit: number },
) {
  const rows = await searchForAdmin(ctx.db, {
    status: q.status,
    text: q.q,
    after: decodeCursor(q.cursor),
    limit: q.limit,
  });
  const page = toPage(rows, q.limit, (r) => r);
  return { ...page, items: await Promise.all(page.items.map((r) => adminPayment(ctx, r))) };
}

export async function payment(ctx: Ctx, id: string) {
  const row = await findPayment(ctx.db, id);
  if (!row) throw new AppError(ErrorCode.PAYMENT_NOT_FOUND);
  return adminPayment(ctx, row);
}

export async function requery(ctx: Ctx, actor: AdminActor, id: string) {
  const before = await findPayment(ctx.db, id);
  if (!before) throw new AppError(ErrorCode.PAYMENT_NOT_FOUND);
  const after = await requeryPayment(ctx, id);
  await ctx.db.transaction(async (tx) => {
    audit(
      tx,
      actor,
      {
        action: "payment.requery",
        targetType: "payment",
        targetId: id,
        before: { status: before.status },
        after: { status: after.status },
      },
      ctx.clock.now(),
    );
  });
  return adminPayment(ctx, after);
}

// --- reconciliation ---

function presentReport(report: ReconciliationReport & { ranAt: Date }): Reconciliation {
  return {
    ok: report.ok,
    accounts_checked: report.accountsChecked,
    account_mismatches: report.accountMismatches.map((m) => ({
      account_id: m.accountId,
      cached: m.cached,
      posted: m.posted,
    })),
    asset_totals: report.assetTotals,
    unbalanced_transactions: report.unbalancedTransactions.map((u) => ({
      transaction_id: u.transactionId,
      asset: u.asset,
      total: u.total,
    })),
    escrow_mismatches: (report.escrowMismatches ?? []).map((e) => ({
      order_id: e.orderId,
      status: e.status,
      escrow: e.escrow,
      expected: e.expected,
    })),
    ran_at: report.ranAt.toISOString(),
  };
}

/** 立即对账: runs the reconciliation now and keeps its report, as the daily job does. */
export async function runReconciliation(ctx: Ctx, actor: AdminActor): Promise<Reconciliation> {
  const now = ctx.clock.now();
  const report = await reconcileAndRecord(ctx.db, actor.userId, now);
  await ctx.db.transaction(async (tx) => {
    audit(
      tx,
      actor,
      { action: "reconciliation.run", targetType: "ledger", targetId: "all", after: { ok: report.ok } },
      now,
    );
  });
  return presentReport(report);
}

export async function latestReconciliationReport(ctx: Ctx): Promise<Reconciliation> {
  const report = await latestReconciliation(ctx.db);
  if (!report) throw notFound("reconciliation run");
  return presentReport(report);
}

// --- moderation ---

async function presentWork(ctx: Ctx, w: works.AdminWorkRow): Promise<AdminWork> {
  const [cover, play] = await Promise.all([
    ctx.storage.signedUrl(w.thumb_key, { expiresInSec: 3600 }),
    ctx.storage.signedUrl(w.play_key, { expiresInSec: 3600 }),
  ]);
  return {
    work_id: w.id,
    title: w.title,
    status: w.status,
    takedown_reason: w.takedown_reason,
    creator: { user_id: w.creator_user_id, nickname: w.nickname },
    cover_url: cover.url,
    play_url: play.url,
    like_count: Number(w.like_count ?? 0),
    tip_count: Number(w.tip_count ?? 0),
    created_at: iso(w.created_at),
  };
}

export async function listWorks(
  ctx: Ctx,
  q: { status?: string; q?: string; cursor?: string; limit: number },
) {
  const rows = await works.listWorksForAdmin(ctx.db, {
    status: q.status,
    text: q.q,
    after: decodeCursor(q.cursor),
    limit: q.limit,
  });
  const keyed = rows.map((r) => ({ ...r, createdAt: new Date(r.created_at) }));
  const page = toPage(keyed, q.limit, (r) => r);
  return { ...page, items: await Promise.all(page.items.map((r) => presentWork(ctx, r))) };
}

async function adminWork(ctx: Ctx, id: string): Promise<AdminWork> {
  const row = await works.findWorkForAdmin(ctx.db, id);
  if (!row) throw notFound("work");
  return presentWork(ctx, row);
}

/** 下架: gone from every feed, profile and favorite list at once (they all read published works only). */
export async function takeDown(ctx: Ctx, actor: AdminActor, id: string, reason: string): Promise<AdminWork> {
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const before = await works.findWork(tx, id);
    if (!before) throw notFound("work");
    const moved = await works.takeDownWork(tx, id, reason, now);
    if (!moved) throw new AppError(ErrorCode.STATE_CONFLICT, { status: before.status });
    if (before.status === "published") await works.addWorksCount(tx, before.creatorUserId, -1);
    notify(
      tx,
      {
        userId: before.creatorUserId,
        kind: "work_taken_down",
        refType: "work",
        refId: id,
        data: { work_title: before.title, reason },
      },
      now,
    );
    audit(
      tx,
      actor,
      {
        action: "work.take_down",
        targetType: "work",
        targetId: id,
        before: { status: before.status },
        after: { status: "taken_down" },
        reason,
      },
      now,
    );
  });
  return adminWork(ctx, id);
}

export async function restore(ctx: Ctx, actor: AdminActor, id: string, reason: string): Promise<AdminWork> {
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const moved = await works.restoreWork(tx, id, now);
    if (!moved) {
      const current = await works.findWork(tx, id);
      throw current ? new AppError(ErrorCode.STATE_CONFLICT, { status: current.status }) : notFound("work");
    }
    await works.addWorksCount(tx, moved.creatorUserId, 1);
    notify(
      tx,
      {
        userId: moved.creatorUserId,
        kind: "work_restored",
        refType: "work",
        refId: id,
        data: { work_title: moved.title },
      },
      now,
    );
    audit(
      tx,
      actor,
      {
        action: "work.restore",
        targetType: "work",
        targetId: id,
        before: { status: "taken_down" },
        after: { status: "published" },
        reason,
      },
      now,
    );
  });
  return adminWork(ctx, id);
}

export async function sensitiveWords(ctx: Ctx) {
  const words = await loadWords(ctx.db);
  return { words: words.sort(), builtin: [...DEFAULT_SENSITIVE_WORDS] };
}

/** Replaces the editable list; this process uses it at once, the others within their refresh period. */
export async function replaceSensitiveWords(ctx: Ctx, actor: AdminActor, words: string[]) {
  const before = await loadWords(ctx.db);
  await ctx.db.transaction(async (tx) => {
    await replaceWords(tx, words);
    const next = new Set(words);
    const added = words.filter((w) => !before.includes(w));
    const removed = before.filter((w) => !next.has(w));
    audit(
      tx,
      actor,
      {
        action: "sensitive_words.update",
        targetType: "sensitive_words",
        targetId: "all",
        before: { removed },
        after: { added },
      },
      ctx.clock.now(),
    );
  });
  await refreshModeration(ctx.db, true);
  return sensitiveWords(ctx);
}
