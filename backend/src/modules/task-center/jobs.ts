import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { assignDaily, primeDefinitions } from "./service.js";

export function registerTaskCenterJobs(registry: JobRegistry, ctx: AppContext): void {
  // Workers without the HTTP routes record task progress too (a generation's success): load the
  // catalogue at startup so the first action already finds it cached.
  primeDefinitions(ctx.db).catch((err) => ctx.log.warn({ err }, "task definitions not loaded yet"));
  registry.register("taskcenter.assign_daily", async (_payload, { log }) => {
    const { day, users } = await assignDaily(ctx);
    if (users) log.info({ day, users }, "daily tasks assigned");
    return { status: "done", detail: `${users} users` };
  });
}
