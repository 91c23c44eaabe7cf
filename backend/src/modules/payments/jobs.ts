import type { AppContext } from "../../context.js";
import type { JobRegistry } from "../../jobs/index.js";
import { expireSubscriptions } from "../subscriptions/service.js";
import { queryPendingPayments } from "./service.js";

export function registerPaymentJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register("payments.query_pending", async (_payload, { log }) => {
    const summary = await queryPendingPayments(ctx);
    if (summary.checked) log.info(summary, "pending payments queried");
    return { status: "done", detail: JSON.stringify(summary) };
  });
  registry.register("subscriptions.expire", async () => {
    const { expired, reminded } = await expireSubscriptions(ctx);
    return { status: "done", detail: `expired: ${expired}, reminded of their end: ${reminded}` };
  });
}
