import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { recountCommunity } from "../social/service.js";
import { refreshFeedSnapshots } from "./service.js";

/** Feed snapshots (every minute, and debounced after a publish) and the counter repair (daily). */
export function registerCommunityJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register(
    "feed.refresh",
    async () => {
      const r = await refreshFeedSnapshots(ctx);
      return {
        status: "done",
        detail: `discover v${r.discover.version} (${r.discover.size}), hot v${r.hot.version} (${r.hot.size})`,
      };
    },
    { attempts: 2 },
  );
  registry.register("community.recount", async (_payload, { log }) => {
    const fixed = await recountCommunity(ctx);
    if (fixed.works + fixed.users > 0) log.warn(fixed, "community counters repaired");
    return { status: "done", detail: `${fixed.works} work stats, ${fixed.users} user stats repaired` };
  });
}
