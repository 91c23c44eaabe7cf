import type { Executor } from "../db/client.js";
import { newId } from "../lib/ids.js";
import { insertReconciliationRun, latestReconciliationRun, reconciliationRows } from "./repository.js";

export interface ReconciliationReport {
  ok: boolean;
  accountsChecked: number;
  accountMismatches: { accountId: string; cached: string; posted: string }[];
  assetTotals: { asset: string; cached: string; posted: string }[];
  unbalancedTransactions: { transactionId: string; asset: string; total: string }[];
  escrowMismatches: { orderId: string; status: string; escrow: string; expected: string }[];
}

/**
 * Proves every cached balance equals its postings, every asset sums to zero, and every order's escrow
 * holds its budget while the order is open and nothing once it ended.
 */
export async function reconcile(ex: Executor): Promise<ReconciliationReport> {
  const rows = await reconciliationRows(ex);
  const assetsBalanced = rows.assetTotals.every((t) => t.cached === "0" && t.posted === "0");
  return {
    ok:
      rows.accountMismatches.length === 0 &&
      rows.unbalancedTransactions.length === 0 &&
      rows.escrowMismatches.length === 0 &&
      assetsBalanced,
    ...rows,
  };
}

export function formatReport(r: ReconciliationReport): string {
  const lines = [
    `accounts checked: ${r.accountsChecked}`,
    `accounts equal to their postings: ${r.accountsChecked - r.accountMismatches.length}/${r.accountsChecked}`,
    ...r.assetTotals.map((t) => `asset ${t.asset}: balances sum ${t.cached}, postings sum ${t.posted}`),
    `unbalanced transactions: ${r.unbalancedTransactions.length}`,
    ...r.accountMismatches.map((m) => `MISMATCH ${m.accountId}: cached ${m.cached} ≠ postings ${m.posted}`),
    `order escrows not as their state says: ${r.escrowMismatches.length}`,
    ...r.escrowMismatches.map(
      (m) => `ESCROW order ${m.orderId} (${m.status}): holds ${m.escrow}, expected ${m.expected}`,
    ),
    r.ok ? "ledger OK" : "ledger NOT OK",
  ];
  return lines.join("\n");
}

/** Runs the reconciliation and keeps its report (`ranBy`: the admin who asked, null for the daily job). */
export async function reconcileAndRecord(
  ex: Executor,
  ranBy: string | null,
  ranAt: Date,
): Promise<ReconciliationReport & { ranAt: Date }> {
  const report = await reconcile(ex);
  await insertReconciliationRun(ex, { id: newId(), ok: report.ok, report, ranBy, ranAt });
  return { ...report, ranAt };
}

/** The latest kept report, or null before the first run. */
export async function latestReconciliation(
  ex: Executor,
): Promise<(ReconciliationReport & { ranAt: Date }) | null> {
  const run = await latestReconciliationRun(ex);
  if (!run) return null;
  const report = (
    typeof run.report === "string" ? JSON.parse(run.report) : run.report
  ) as ReconciliationReport;
  return { ...report, ranAt: new Date(run.ran_at) };
}
