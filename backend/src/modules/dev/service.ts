import { type DevGrantResult, type DevJobRunResult, ErrorCode } from "@skyriff/contracts";
import type { FastifyBaseLogger } from "fastify";
import type { AppContext } from "../../context.js";
import { schedules } from "../../jobs/index.js";
import { accountsOf, type IdempotencyHandle, platform, post, withIdempotency } from "../../ledger/index.js";
import { withPinnedClock } from "../../lib/clock.js";
import { AppError, notFound } from "../../lib/errors.js";
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

/**
 * `/dev/jobs/{name}/run`: one run of a registered job, synchronously, with every `ctx.clock.now()` inside
 * it reading `at` (so the 7-day release or a deadline can be seen without waiting).
 */
export async function runJobAt(
  ctx: AppContext,
  name: string,
  at: string | undefined,
  log: FastifyBaseLogger,
): Promise<DevJobRunResult> {
  if (!schedules.some((s) => s.name === name)) throw notFound("scheduled job");
  const when = at ? new Date(at) : ctx.clock.now();
  if (Number.isNaN(when.getTime())) throw new AppError(ErrorCode.VALIDATION, { fields: { at: "ISO time" } });
  const outcome = await withPinnedClock(when, () =>
    ctx.registry.run(name, {}, { jobId: `dev-${newId()}`, attempt: 1, log }),
  );
  return { job: name, at: when.toISOString(), status: outcome.status, detail: outcome.detail ?? null };
}
