import type { Db } from "../db/client.js";
import type { JobRegistry } from "../jobs/index.js";
import { reconcileAndRecord } from "./reconcile.js";

export function registerLedgerJobs(registry: JobRegistry, deps: { db: Db }): void {
  registry.register("ledger.reconcile", async (_payload, { log }) => {
    const report = await reconcileAndRecord(deps.db, null, new Date());
    if (report.ok) {
      log.info({ accounts: report.accountsChecked }, "ledger reconciled: every account equals its postings");
      return { status: "done" };
    }
    log.error({ report }, "LEDGER MISMATCH");
    return {
      status: "failed",
      detail: `${report.accountMismatches.length} accounts differ from their postings`,
    };
  });
}
