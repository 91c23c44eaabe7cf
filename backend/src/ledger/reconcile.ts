import type { Executor } from "../db/client.js";
import { reconciliationRows } from "./repository.js";

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
