import type { Db } from "../../db/client.js";
import { LotNotFoundError, type LotOutcome, releaseLot } from "../../ledger/index.js";
import { shanghaiDate } from "../../lib/time.js";
import { notifyReleased } from "../notifications/repository.js";
import * as repo from "./repository.js";

/** The sweep starts this far below its watermark: room for clock skew between processes. */
const WATERMARK_MARGIN_MS = 3600_000;
export interface ReleaseSummary {
  released: number;
  /** Already ended (a concurrent worker, the per-lot job), forfeited, or not due after all. */
  skipped: number;
  failed: number;
  batches: number;
}

export interface ReleaseOptions {
  batchSize?: number;
  /** Lots released at once, each in its own transaction. */
  concurrency?: number;
}

type ReleaseDeps = {
  db: Db;
  log?: { error(obj: unknown, msg: string): void };
  /**
   * The real time when the sweep runs with a clock pinned ahead (`/dev/jobs/{name}/run {at}`): the
   * watermark never passes it, so lots created afterwards (unlocking 7 days after the real now) stay above it.
   */
  liveNow?: Date;
};

/**
 * Releases one lot in its own transaction (`lot:{posting_id}:release`, ledger type coin_release) and
 * tells its owner. A second call, or a concurrent worker, moves nothing (releaseLot decides under the
 * lot's lock); a reversed lot is never released.
 */
export async function releaseOne(deps: { db: Db }, postingId: string, at: Date): Promise<LotOutcome> {
  return deps.db.transaction(async (tx) => {
    const outcome = await releaseLot(tx, postingId, at);
    if (outcome.status === "done") {
      const credit = outcome.result.entries.find((e) => e.amount > 0n);
      const owner = credit?.accountId.split(":")[1];
      if (credit && owner) notifyReleased(tx, owner, credit.amount, shanghaiDate(at), at);
    }
    return outcome;
  });
}

/**
 * The hourly sweep: streams matured, unended lots in batches (keyset on unlock_at, id; memory stays
 * flat whatever the backlog) from the watermark, each released in its own transaction. The watermark
 * then moves to the oldest lot that could not be released this time, or to `at`: every lot below it has
 * ended (a new lot unlocks 7 days after its creation, far above it), so the next hourly run starts there
 * instead of walking the history.
 */
export async function releaseMatured(
  deps: ReleaseDeps,
  at: Date,
  opts: ReleaseOptions = {},
): Promise<ReleaseSummary> {
  const batchSize = opts.batchSize ?? 500;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const watermark = await repo.readWatermark(deps.db);
  const from = new Date((watermark?.getTime() ?? 0) - WATERMARK_MARGIN_MS);
  const summary: ReleaseSummary = { released: 0, skipped: 0, failed: 0, batches: 0 };
  let oldestLeftOpen: Date | null = null;
  let after: repo.MaturedLot | null = null;

  for (;;) {
    const batch = await repo.maturedLots(deps.db, { from, to: at, after }, batchSize);
    if (batch.length === 0) break;
    summary.batches++;
    after = batch[batch.length - 1] ?? null;
    const outcomes = await mapWithConcurrency(batch, concurrency, (lot) =>
      releaseOne(deps, lot.postingId, at).then(
        (o) => ({ lot, o }),
        (error: unknown) => ({ lot, error }),
      ),
    );
    for (const r of outcomes) {
      if ("error" in r) {
        if (r.error instanceof LotNotFoundError) {
          summary.skipped++;
          continue;
        }
        summary.failed++;
        deps.log?.error({ err: r.error, lot: r.lot.postingId }, "coin release failed");
        oldestLeftOpen ??= r.lot.unlockAt;
      } else if (r.o.status === "done") summary.released++;
      else summary.skipped++;
    }
    if (batch.length < batchSize) break;
  }
  const reached = oldestLeftOpen ?? at;
  const live = deps.liveNow ?? at;
  await repo.advanceWatermark(deps.db, new Date(Math.min(reached.getTime(), live.getTime())));
  return summary;
}

async function mapWithConcurrency<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
