import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { runDeadlines } from "./service.js";

export function registerOrderJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register("orders.deadlines", async (_payload, { log }) => {
    const summary = await runDeadlines(ctx);
    if (Object.values(summary).some((n) => n > 0)) log.info(summary, "order deadlines");
    return { status: "done", detail: JSON.stringify(summary) };
  });
}
