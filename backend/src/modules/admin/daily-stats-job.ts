import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { dashboard } from "./service.js";

/**
 * Just after midnight (Shanghai) the day before yesterday becomes final: the 90-day dashboard stores it
 * (and any final day still missing), so no admin's first look of the day pays for the aggregation.
 */
export function registerAdminJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register("admin.daily_stats", async () => {
    const result = await dashboard(ctx, 90);
    return { status: "done", detail: `${result.series.length} days` };
  });
}
