import { ErrorCode } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { accountsOf, platform, post } from "../../ledger/index.js";
import { AppError } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { findUserById } from "../users/repository.js";

/** A `bonus` from the platform's grant account; the Idempotency-Key becomes the business key. */
export async function grantCredits(
  ctx: AppContext,
  userId: string,
  credits: number,
  idempotencyKey?: string,
) {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  const amount = BigInt(credits);
  const result = await ctx.db.transaction((tx) =>
    post(tx, {
      businessKey: `dev_grant:${userId}:${idempotencyKey ?? newId()}`,
      type: "bonus",
      refType: "dev_grant",
      description: "开发者赠送积分",
      at: ctx.clock.now(),
      postings: [
        { account: accountsOf(userId).credits, amount, entryType: "bonus" },
        { account: platform.creditsGranted(userId), amount: -amount, entryType: "bonus" },
      ],
    }),
  );
  const entry = result.entries.find((e) => e.accountId === accountsOf(userId).credits.id);
  if (!entry) throw new Error("grant posted no user entry");
  return { ledger_id: entry.id, balance_after: Number(entry.balanceAfter) };
}
