import {
  ErrorCode,
  type PendingLot,
  type PromptUnlockResult,
  type PromptView,
  type RemixBody,
  type RemixResult,
  type TipResult,
} from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import { inOrder } from "../../db/statements.js";
import {
  accountsOf,
  balancesOf,
  type IdempotencyHandle,
  InsufficientBalanceError,
  type OpenLot,
  type PostingInput,
  pendingShard,
  platform,
  post,
  withIdempotency,
} from "../../ledger/index.js";
import { AppError, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { formatCoins, splitFee } from "../../lib/money.js";
import { recordActivity } from "../activity/repository.js";
import { insertTaskWithHold, prepareTask, remixFeeKey } from "../generation/service.js";
import { assertClean } from "../moderation/service.js";
import { notify } from "../notifications/repository.js";
import { avatarUrlOf } from "../users/present.js";
import * as repo from "./repository.js";

const DAY_MS = 24 * 3600_000;

type IncomeSource = "tip" | "prompt" | "remix";
const INCOME_ENTRY: Record<IncomeSource, string> = {
  tip: "creator_tip_income",
  prompt: "creator_prompt_income",
  remix: "creator_remix_income",
};
const SPEND_ENTRY: Record<IncomeSource, string> = {
  tip: "tip_spend",
  prompt: "paid_prompt_spend",
  remix: "remix_spend",
};

/**
 * The postings of one paid action that earns a creator income (SPEC §1, ARCHITECTURE §3):
 *   credits: payer −credits → platform:credits:spent (shard of the payer);
 *   coins:   gross = credits × 0.05 coin (integer milli-coins), minted from platform:coins:creator_payable
 *            (shard of the payer); creator share = gross × 90 % rounded down to 0.001 coin, pending for
 *            FREEZE_DAYS on the creator's pending shard picked by the payer (the lot); the platform fee
 *            shard takes the remainder, so creator + platform = gross exactly.
 */
export function incomePostings(
  ctx: Pick<AppContext, "economy">,
  source: IncomeSource,
  payerUserId: string,
  creatorUserId: string,
  credits: number,
  at: Date,
): { postings: PostingInput[]; creatorMilli: bigint; unlockAt: Date } {
  const { CREDIT_TO_MILLICOINS, CREATOR_PLATFORM_FEE_PERCENT, FREEZE_DAYS } = ctx.economy;
  const amount = BigInt(credits);
  const gross = amount * BigInt(CREDIT_TO_MILLICOINS);
  const split = splitFee(gross, CREATOR_PLATFORM_FEE_PERCENT);
  const unlockAt = new Date(at.getTime() + FREEZE_DAYS * DAY_MS);
  const spend = SPEND_ENTRY[source];
  const income = INCOME_ENTRY[source];
  const postings: PostingInput[] = [
    { account: accountsOf(payerUserId).credits, amount: -amount, entryType: spend },
    { account: platform.creditsSpent(payerUserId), amount, entryType: spend },
    {
      account: pendingShard(creatorUserId, payerUserId),
      amount: split.creator,
      entryType: income,
      status: "pending",
      unlockAt,
    },
    { account: platform.coinsFeeIncome(payerUserId), amount: split.platform, entryType: income },
    { account: platform.coinsCreatorPayable(payerUserId), amount: -gross, entryType: income },
  ];
  return { postings: postings.filter((p) => p.amount !== 0n), creatorMilli: split.creator, unlockAt };
}

const incomeMetadata = (source: IncomeSource, payerUserId: string, workId: string, extra = {}) => ({
  source,
  payer_user_id: payerUserId,
  work_id: workId,
  ...extra,
});

const notAllowed = (zh: string, en: string) => new AppError(ErrorCode.NOT_ALLOWED, null, { zh, en });

/** A published work whose creator still has an account, or 404 (a removed work never takes money). */
async function publishedWork(ctx: AppContext, workId: string): Promise<repo.WorkTerms> {
  const work = await repo.findWork(ctx.db, workId);
  if (work?.status !== "published" || !work.creatorActive) throw notFound("work");
  return work;
}

const creditsAfter = (entries: { accountId: string; balanceAfter: bigint }[], userId: string) =>
  Number(entries.find((e) => e.accountId === accountsOf(userId).credits.id)?.balanceAfter ?? 0n);

/**
 * 打赏并收藏: one transaction moves the credits and the creator's pending lot, records the tip, creates the
 * favorite if absent and bumps the counters (the hot per-work and per-creator counter rows last, so they
 * stay locked only through the commit).
 */
export async function tipAndFavorite(
  ctx: AppContext,
  payerUserId: string,
  workId: string,
  amountCredits: number,
  idempotency?: IdempotencyHandle<TipResult>,
): Promise<TipResult> {
  if (!ctx.economy.TIP_AMOUNTS.includes(amountCredits)) {
    throw new AppError(ErrorCode.VALIDATION, {
      fields: { amount_credits: `one of ${ctx.economy.TIP_AMOUNTS.join(", ")}` },
    });
  }
  const work = await publishedWork(ctx, workId);
  if (work.creatorUserId === payerUserId)
    throw notAllowed("不能打赏自己的作品", "You cannot tip your own work");
  const creatorUserId = work.creatorUserId;
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const tipId = newId();
    recordActivity(tx, payerUserId, "tip_and_favorite", workId, now);
    const income = incomePostings(ctx, "tip", payerUserId, creatorUserId, amountCredits, now);
    notify(
      tx,
      {
        userId: creatorUserId,
        kind: "tip_received",
        actorUserId: payerUserId,
        refType: "work",
        refId: workId,
        data: {
          work_title: work.title,
          amount_credits: amountCredits,
          coins: formatCoins(income.creatorMilli),
        },
        dedupeKey: `tip:${tipId}`,
      },
      now,
    );
    const [spend, tipped, counters] = await inOrder([
      post(tx, {
        businessKey: `tip:${tipId}`,
        type: "tip_spend",
        refType: "work",
        refId: workId,
        description: `打赏作品 ${amountCredits} 积分`,
        metadata: incomeMetadata("tip", payerUserId, workId, { tip_id: tipId }),
        at: now,
        postings: income.postings,
      }),
      repo.insertTip(tx, { id: tipId, workId, payerUserId, amountCredits, createdAt: now }),
      repo.countTip(tx, payerUserId, workId, amountCredits, now),
      repo.addCreatorTipped(tx, creatorUserId, amountCredits),
    ] as const);
    if (!tipped) throw notFound("work");
    return {
      tip_id: tipId,
      amount_credits: amountCredits,
      balance_after: creditsAfter(spend.entries, payerUserId),
      creator_income: formatCoins(income.creatorMilli),
      is_favorited: true as const,
      tip_count: counters.tipCount,
      favorite_count: counters.favoriteCount,
    };
  });
}

/** A price of 0 or an unlocked work makes the prompt public. */
const isPublicPrompt = (work: repo.WorkTerms) => !work.isPromptLocked || work.promptPriceCredits <= 0;

/** The prompt for the creator, a viewer who unlocked it and a public prompt; otherwise its price. */
export async function viewPrompt(
  ctx: AppContext,
  viewerId: string | null,
  workId: string,
): Promise<PromptView> {
  const work = await repo.findWork(ctx.db, workId);
  const own = viewerId !== null && work?.creatorUserId === viewerId;
  if (!work || (!own && (work.status !== "published" || !work.creatorActive))) throw notFound("work");
  if (own || isPublicPrompt(work) || (viewerId && (await repo.hasUnlocked(ctx.db, viewerId, workId)))) {
    return { locked: false, prompt_text: work.prompt };
  }
  return { locked: true, price_credits: work.promptPriceCredits };
}

/**
 * 提示词解锁, once per user and work: the first unlock charges the price (`paid_prompt_spend`, the creator's
 * 90 % as a pending lot, business key `prompt:{work}:{user}:unlock`); a repeat, the creator and a public
 * prompt get it for 0 with no ledger row.
 */
export async function unlockPrompt(
  ctx: AppContext,
  userId: string,
  workId: string,
  idempotency?: IdempotencyHandle<PromptUnlockResult>,
): Promise<PromptUnlockResult> {
  const work = await publishedWork(ctx, workId);
  const alreadyFree =
    work.creatorUserId === userId || isPublicPrompt(work) || (await repo.hasUnlocked(ctx.db, userId, workId));
  const price = work.promptPriceCredits;
  // Free answers go through the key too: a retry of a paid unlock replays its first answer (cost 5), not 0.
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    // A concurrent unlock by the same user that committed first makes this one free.
    if (!alreadyFree && (await repo.insertUnlock(tx, userId, workId, price, now))) {
      const income = incomePostings(ctx, "prompt", userId, work.creatorUserId, price, now);
      notify(
        tx,
        {
          userId: work.creatorUserId,
          kind: "prompt_unlocked",
          actorUserId: userId,
          refType: "work",
          refId: workId,
          data: { work_title: work.title, price_credits: price, coins: formatCoins(income.creatorMilli) },
          dedupeKey: `prompt:${workId}:${userId}:unlock`,
        },
        now,
      );
      const spend = await post(tx, {
        businessKey: `prompt:${workId}:${userId}:unlock`,
        type: "paid_prompt_spend",
        refType: "work",
        refId: workId,
        description: `解锁提示词 ${price} 积分`,
        metadata: incomeMetadata("prompt", userId, workId),
        at: now,
        postings: income.postings,
      });
      return {
        locked: false as const,
        prompt_text: work.prompt,
        cost_credits: price,
        balance_after: creditsAfter(spend.entries, userId),
      };
    }
    const credits = accountsOf(userId).credits.id;
    const balances = await balancesOf(tx, [credits]);
    return {
      locked: false as const,
      prompt_text: work.prompt,
      cost_credits: 0,
      balance_after: Number(balances.get(credits) ?? 0n),
    };
  });
}

const insufficient = (balance: bigint, required: number) =>
  new AppError(ErrorCode.INSUFFICIENT_CREDITS, { current_balance: Number(balance), required });

/**
 * 二创: one transaction debits the remix fee (`remix_spend`, the creator's 90 % as a pending lot, business
 * key `remix:{task}:fee`) and creates the generation task with its hold through generation's own create
 * path. Not covered in total → 402 with required = fee + cost and nothing charged. The task's prompt is
 * the original + " " + the delta; if the remixer may not read the original, the task (and its video)
 * shows only the delta. A failed generation refunds both and reverses the lot (generation's settle).
 * The creator remixing their own work pays no fee (and may, even with remix turned off for others).
 */
export async function remixWork(
  ctx: AppContext,
  userId: string,
  workId: string,
  body: RemixBody,
  idempotency?: IdempotencyHandle<RemixResult>,
): Promise<RemixResult> {
  const work = await publishedWork(ctx, workId);
  const own = work.creatorUserId === userId;
  if (!work.allowRemix && !own)
    throw notAllowed("作者未开放二创", "The creator does not allow remixes of this work");
  const delta = body.prompt_delta?.trim() ?? "";
  assertClean({ prompt_delta: delta });
  const prompt = delta ? `${work.prompt} ${delta}` : work.prompt;
  if ([...prompt].length > ctx.economy.PROMPT_MAX_CHARS) {
    throw new AppError(ErrorCode.VALIDATION, {
      fields: {
        prompt_delta: `original + delta must stay within ${ctx.economy.PROMPT_MAX_CHARS} characters`,
      },
    });
  }
  const readable = own || isPublicPrompt(work) || (await repo.hasUnlocked(ctx.db, userId, workId));
  const prepared = await prepareTask(ctx, userId, {
    prompt,
    duration_sec: body.duration_sec,
    ratio: body.ratio,
    model: body.model,
    project_id: body.project_id ?? null,
  });
  const fee = own ? 0 : work.remixFeeCredits;
  const required = fee + prepared.cost;
  const result = await withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const taskId = newId();
    const creatorMilli =
      fee > 0 ? await chargeRemixFee(ctx, tx, { userId, work, taskId, fee, required, now }) : 0n;
    let created: Awaited<ReturnType<typeof insertTaskWithHold>>;
    try {
      created = await insertTaskWithHold(ctx, tx, userId, prepared, taskId, now, {
        sourceType: "remix",
        sourceWorkId: workId,
        remixFeeCredits: fee,
        displayPrompt: readable ? null : delta,
      });
    } catch (err) {
      // The fee was taken in this transaction: the balance the user had is the one reported plus the fee.
      if (err instanceof InsufficientBalanceError) throw insufficient(err.balance + BigInt(fee), required);
      throw err;
    }
    recordActivity(tx, userId, "remix_work", taskId, now);
    notify(
      tx,
      {
        userId: work.creatorUserId,
        kind: "work_remixed",
        actorUserId: userId,
        refType: "work",
        refId: workId,
        data: {
          work_title: work.title,
          fee_credits: fee,
          coins: fee > 0 ? formatCoins(creatorMilli) : null,
        },
        dedupeKey: `remix:${taskId}`,
      },
      now,
    );
    return {
      task_id: taskId,
      remix_fee_credits: fee,
      cost_credits: created.cost_credits,
      balance_after: created.balance_after,
      estimated_seconds: created.estimated_seconds,
    };
  });
  ctx.jobs.kick();
  return result;
}

async function chargeRemixFee(
  ctx: AppContext,
  tx: Tx,
  a: { userId: string; work: repo.WorkTerms; taskId: string; fee: number; required: number; now: Date },
): Promise<bigint> {
  const income = incomePostings(ctx, "remix", a.userId, a.work.creatorUserId, a.fee, a.now);
  try {
    await post(tx, {
      businessKey: remixFeeKey(a.taskId),
      type: "remix_spend",
      refType: "task",
      refId: a.taskId,
      description: `二创费 ${a.fee} 积分`,
      metadata: incomeMetadata("remix", a.userId, a.work.id, { task_id: a.taskId }),
      at: a.now,
      postings: income.postings,
    });
  } catch (err) {
    if (err instanceof InsufficientBalanceError) throw insufficient(err.balance, a.required);
    throw err;
  }
  return income.creatorMilli;
}

const LOT_SOURCES = new Set<PendingLot["source"]>(["tip", "prompt", "remix", "order", "commission", "other"]);
const SOURCE_OF_ENTRY: Record<string, PendingLot["source"]> = {
  creator_tip_income: "tip",
  creator_prompt_income: "prompt",
  creator_remix_income: "remix",
  order_payout_income: "order",
  referral_commission_income: "commission",
};

/** Lots as `pending_details`: the payer presented like any user (one statement for all of them). */
export async function presentLots(
  ctx: Pick<AppContext, "db" | "storage" | "clock">,
  lots: OpenLot[],
): Promise<PendingLot[]> {
  const payerOf = (l: OpenLot) =>
    typeof l.metadata?.payer_user_id === "string" ? l.metadata.payer_user_id : null;
  const payerIds = [...new Set(lots.map(payerOf).filter((id): id is string => id !== null))];
  const payers = await repo.usersByIds(ctx.db, payerIds);
  return Promise.all(
    lots.map(async (l): Promise<PendingLot> => {
      const given = l.metadata?.source as PendingLot["source"] | undefined;
      const payer = payers.get(payerOf(l) ?? "");
      const workId = l.metadata?.work_id;
      return {
        lot_id: l.postingId,
        amount: formatCoins(l.amount),
        unlock_at: (l.unlockAt ?? l.createdAt).toISOString(),
        source: given && LOT_SOURCES.has(given) ? given : (SOURCE_OF_ENTRY[l.entryType] ?? "other"),
        source_user: payer
          ? { user_id: payer.id, nickname: payer.nickname, avatar_url: await avatarUrlOf(ctx, payer) }
          : null,
        work_id: typeof workId === "string" ? workId : null,
        created_at: l.createdAt.toISOString(),
      };
    }),
  );
}
