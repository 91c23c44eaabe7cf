import type { AppContext } from "../../context.js";
import type { PayoutProvider, PayoutRequest, PayoutResult } from "../../providers/payout/index.js";
import { unsealAccount } from "./account.js";
import * as repo from "./repository.js";
import { refund, settlePaid, tell } from "./service.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "payouts" | "log">;

/** Re-ask the gateway this long after an unfinished or unanswered transfer. */
const QUERY_AFTER_MS = { processing: 60_000, unknown: 30_000 };
const QUERY_BATCH = 100;

function requestOf(ctx: Ctx, w: repo.WithdrawalRow): PayoutRequest {
  const payee = unsealAccount(ctx.config.withdrawalAccountKey, w.id, w.accountSealed);
  return {
    outBizNo: w.id.replaceAll("-", ""),
    amountFen: w.amountFen,
    method: w.method,
    payee,
    remark: "天空即兴创作收益提现",
  };
}

function providerOf(ctx: Ctx, w: repo.WithdrawalRow): PayoutProvider | null {
  return w.payoutChannel ? (ctx.payouts.get(w.payoutChannel as PayoutProvider["channel"]) ?? null) : null;
}

/**
 * Starts an approved withdrawal's transfer (outside any transaction), then records what the gateway
 * said. The out-biz-no is the withdrawal id, so sending it again is the same transfer, never a second.
 */
export async function runPayout(ctx: Ctx, withdrawalId: string): Promise<string> {
  const w = await repo.findWithdrawal(ctx.db, withdrawalId);
  if (w?.status !== "approved" || w.payoutStatus !== "pending") return "nothing to send";
  const provider = providerOf(ctx, w);
  if (!provider) return `no payout channel ${w.payoutChannel}`;
  const result = await provider.transfer(requestOf(ctx, w));
  await applyResult(ctx, w, result);
  return result.state;
}

/** The payout job's safety net: every transfer in progress or unanswered is queried, then settled. */
export async function queryPayouts(ctx: Ctx): Promise<{ checked: number; settled: number }> {
  const due = await repo.duePayouts(ctx.db, ctx.clock.now(), QUERY_BATCH);
  let settled = 0;
  for (const w of due) {
    const provider = providerOf(ctx, w);
    if (!provider) continue;
    const req = requestOf(ctx, w);
    let result: PayoutResult | { state: "not_found" } = await provider.query(req);
    // The gateway never got it (the create's answer and the request were lost): the same out-biz-no again.
    if (result.state === "not_found") result = await provider.transfer(req);
    if (await applyResult(ctx, w, result)) settled++;
  }
  return { checked: due.length, settled };
}

/** Records one gateway answer with a compare-and-set; true when the withdrawal reached paid or failed. */
async function applyResult(ctx: Ctx, w: repo.WithdrawalRow, result: PayoutResult): Promise<boolean> {
  const open = {
    status: "approved" as const,
    payoutStatus: ["pending", "processing"] as repo.PayoutStatusValue[],
  };
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    switch (result.state) {
      case "success": {
        const moved = await repo.transition(tx, w.id, open, {
          status: "paid",
          payoutStatus: "success",
          payoutRef: result.gatewayRef,
          payoutError: null,
          finishedAt: now,
          payoutNextQueryAt: null,
        });
        if (!moved) return false;
        await settlePaid(tx, moved, now);
        tell(tx, moved, "withdrawal_paid", now);
        return true;
      }
      case "failed": {
        const moved = await repo.transition(tx, w.id, open, {
          status: "failed",
          payoutStatus: "failed",
          payoutError: `${result.code}: ${result.reason}`,
          reason: result.reason,
          finishedAt: now,
          payoutNextQueryAt: null,
        });
        if (!moved) return false;
        await refund(tx, moved, now);
        tell(tx, moved, "withdrawal_failed", now);
        return true;
      }
      case "manual":
        await repo.transition(tx, w.id, open, { payoutStatus: "manual", payoutNextQueryAt: null });
        return false;
      case "processing":
      case "unknown": {
        const ref = result.state === "processing" ? result.gatewayRef : w.payoutRef;
        const error = result.state === "unknown" ? result.reason : null;
        await repo.transition(tx, w.id, open, {
          payoutStatus: "processing",
          payoutRef: ref,
          payoutError: error,
          payoutAttempts: w.payoutAttempts + 1,
          payoutNextQueryAt: new Date(now.getTime() + QUERY_AFTER_MS[result.state]),
        });
        if (error)
          ctx.log.warn({ withdrawal: w.id, error }, "payout answer unknown: will query before any retry");
        return false;
      }
    }
  });
}
