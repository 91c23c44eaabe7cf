import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { queryPayouts, runPayout } from "./payout.js";

export function registerWithdrawalJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register("withdrawals.payout", async ({ withdrawalId }) => ({
    status: "done",
    detail: await runPayout(ctx, withdrawalId),
  }));
  registry.register("withdrawals.query_payouts", async (_payload, { log }) => {
    const summary = await queryPayouts(ctx);
    if (summary.checked) log.info(summary, "payouts queried");
    return { status: "done", detail: JSON.stringify(summary) };
  });
}
