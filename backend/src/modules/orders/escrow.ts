import { ErrorCode } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import {
  accountsOf,
  escrowOfOrder,
  InsufficientBalanceError,
  type PostingInput,
  pendingShard,
  platform,
  post,
} from "../../ledger/index.js";
import { AppError } from "../../lib/errors.js";
import { formatCoins, splitFee } from "../../lib/money.js";
import { DAY_MS } from "../../lib/time.js";
import type { OrderRow } from "./repository.js";

/**
 * The money of an order (SPEC §6). The budget moves into `escrow:order:{id}` when the order is created
 * (`order:{id}:hold`) and leaves it exactly once, under the one key `order:{id}:settle`, whatever the
 * outcome: all to the creator (accept, auto-accept, a dispute paid), all back to the publisher (every
 * cancellation), or a split. A second, different ending of the same order is a BusinessKeyConflictError,
 * so even code that skipped the status compare-and-set could not empty an escrow twice.
 */

type Ctx = Pick<AppContext, "economy">;

/** Moves the budget from the publisher's available coins into the escrow; the new available balance. */
export async function holdBudget(tx: Tx, order: OrderRow, now: Date): Promise<bigint> {
  const available = accountsOf(order.publisherId).coinsAvailable;
  try {
    const result = await post(tx, {
      businessKey: `order:${order.id}:hold`,
      type: "order_escrow_hold",
      refType: "order",
      refId: order.id,
      description: `商单托管：${order.title}`,
      at: now,
      postings: [
        { account: available, amount: -order.budgetMilli, entryType: "order_escrow_hold" },
        { account: escrowOfOrder(order.id), amount: order.budgetMilli, entryType: "order_escrow_hold" },
      ],
    });
    return result.entries.find((e) => e.accountId === available.id)?.balanceAfter ?? 0n;
  } catch (err) {
    if (err instanceof InsufficientBalanceError) {
      throw new AppError(ErrorCode.INSUFFICIENT_COINS, {
        available: formatCoins(err.balance),
        required: formatCoins(order.budgetMilli),
      });
    }
    throw err;
  }
}

export interface Settlement {
  /** The creator's gross share of the budget (the 5 % fee is taken from it). */
  creatorShare: bigint;
  creatorPaid: bigint;
  fee: bigint;
  refunded: bigint;
}

/** How a creator share splits: the creator's 95 % rounded down to 0.001 coin, the platform the rest. */
export function settlementOf(ctx: Ctx, order: OrderRow, creatorShare: bigint): Settlement {
  if (creatorShare < 0n || creatorShare > order.budgetMilli) throw new RangeError("share outside the budget");
  const split = splitFee(creatorShare, ctx.economy.ORDER_PLATFORM_FEE_PERCENT);
  return {
    creatorShare,
    creatorPaid: split.creator,
    fee: split.platform,
    refunded: order.budgetMilli - creatorShare,
  };
}

/**
 * Empties the escrow: the creator's net share as a pending lot (`order_payout_income`, unlocking after
 * the freeze), the fee to the platform, the rest back to the publisher's available coins
 * (`order_escrow_refund`). The escrow ends at zero.
 */
export async function settleEscrow(ctx: Ctx, tx: Tx, order: OrderRow, s: Settlement, now: Date) {
  const unlockAt = new Date(now.getTime() + ctx.economy.FREEZE_DAYS * DAY_MS);
  const postings: PostingInput[] = [
    { account: escrowOfOrder(order.id), amount: -order.budgetMilli, entryType: entryOf(s) },
  ];
  if (s.creatorShare > 0n) {
    if (!order.awardedUserId) throw new Error(`order ${order.id} pays a creator it never awarded`);
    postings.push(
      {
        account: pendingShard(order.awardedUserId, order.id),
        amount: s.creatorPaid,
        entryType: "order_payout_income",
        status: "pending",
        unlockAt,
      },
      { account: platform.coinsFeeIncome(order.id), amount: s.fee, entryType: "order_payout_income" },
    );
  }
  if (s.refunded > 0n) {
    postings.push({
      account: accountsOf(order.publisherId).coinsAvailable,
      amount: s.refunded,
      entryType: "order_escrow_refund",
    });
  }
  return post(tx, {
    businessKey: `order:${order.id}:settle`,
    type: s.creatorShare === 0n ? "order_escrow_refund" : s.refunded === 0n ? "order_payout" : "order_split",
    refType: "order",
    refId: order.id,
    description: s.creatorShare === 0n ? `商单托管退回：${order.title}` : `商单收入：${order.title}`,
    metadata: {
      publisher_user_id: order.publisherId,
      creator_user_id: order.awardedUserId,
      creator_share: s.creatorShare.toString(),
      fee: s.fee.toString(),
      refunded: s.refunded.toString(),
    },
    at: now,
    postings: postings.filter((p) => p.amount !== 0n),
  });
}

const entryOf = (s: Settlement) => (s.creatorShare === 0n ? "order_escrow_refund" : "order_payout_income");
