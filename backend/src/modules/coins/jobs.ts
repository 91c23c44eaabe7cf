import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { LotNotFoundError } from "../../ledger/index.js";
import { releaseMatured, releaseOne } from "./release.js";

export function registerCoinJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register("coins.release", async (_payload, { log }) => {
    const summary = await releaseMatured(
      { db: ctx.db, log, liveNow: ctx.clock.unpinnedNow?.() },
      ctx.clock.now(),
    );
    if (summary.released || summary.failed) log.info(summary, "matured coin lots released");
    return summary.failed
      ? { status: "failed", detail: JSON.stringify(summary) }
      : { status: "done", detail: JSON.stringify(summary) };
  });
  registry.register("coins.release_lot", async ({ postingId }) => {
    try {
      const outcome = await releaseOne(ctx, postingId, ctx.clock.now());
      return { status: "done", detail: outcome.status };
    } catch (error) {
      // The lot's transaction rolled back after all (a failed action): nothing to release.
      if (error instanceof LotNotFoundError) return { status: "done", detail: "no such lot" };
      throw error;
    }
  });
}
