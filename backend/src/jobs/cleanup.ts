import type { AppContext } from "../context.js";
import type { JobRegistry } from "./registry.js";
import { deleteFinishedBefore } from "./repository.js";

export function registerCleanupJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register("jobs.cleanup", async () => {
    const deleted = await deleteFinishedBefore(ctx.db, new Date(ctx.clock.now().getTime() - 24 * 3600_000));
    return { status: "done", detail: `${deleted} outbox rows removed` };
  });
}
