import { type DevGrantResult, ErrorCode } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { accountsOf, type IdempotencyHandle, platform, post, withIdempotency } from "../../ledger/index.js";
import { AppError } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { findUser } from "../users/service.js";

/** A `bonus` from the platform's grant account; an Idempotency-Key retry replays the first grant. */
export async function grantCredits(
  ctx: AppContext,
  userId: string,
  credits: number,
  idempotency?: IdempotencyHandle<DevGrantResult>,
): Promise<DevGrantResult> {
  const user = await findUser(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  const amount = BigInt(credits);
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const result = await post(tx, {
      businessKey: `dev_grant:${newId()}`,
      type: "bonus",
      refType: "dev_grant",
      description: "开发者赠送积分",
      at: ctx.clock.now(),
      postings: [
        { account: accountsOf(userId).credits, amount, entryType: "bonus" },
        { account: platform.creditsGranted(userId), amount: -amount, entryType: "bonus" },
      ],
    });
    const entry = result.entries.find((e) => e.accountId === accountsOf(userId).credits.id);
    if (!entry) throw new Error("grant posted no user entry");
    return { ledger_id: entry.id, balance_after: Number(entry.balanceAfter) };
  });
}
