import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { postMonthlyCommissions } from "./second-level.js";

export function registerPromoterJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register("promoter.monthly_commission", async (_payload, { log }) => {
    const summary = await postMonthlyCommissions(ctx);
    log.info(summary, "second-level commissions posted");
    return { status: "done", detail: JSON.stringify(summary) };
  });
}
