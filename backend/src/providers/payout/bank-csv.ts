/**
 * Bank-card withdrawals have no transfer API here: finance downloads a CSV batch, pays it from the bank's
 * own system, then marks each withdrawal paid (or failed) by hand.
 */
import { beijingTime } from "../pay/alipay.js";
import type { PayoutProvider, PayoutRequest, PayoutResult } from "./types.js";

export class BankCsvPayoutProvider implements PayoutProvider {
  readonly channel = "bank_csv" as const;

  async transfer(_req: PayoutRequest): Promise<PayoutResult> {
    return { state: "manual" };
  }

  async query(_req: PayoutRequest): Promise<PayoutResult> {
    return { state: "manual" };
  }
}

export interface BankBatchRow {
  withdrawalId: string;
  createdAt: Date;
  amountFen: bigint;
  name: string;
  account: string;
  bankName: string | null;
}

const HEADER = ["序号", "提现单号", "户名", "卡号", "开户行", "金额(元)", "申请时间"];
const BOM = "\uFEFF";
const EOL = "\r\n";

/**
 * The batch as UTF-8 CSV with a BOM (so Excel reads the Chinese right), CRLF rows (RFC 4180), amounts in yuan
 * and times in Beijing time.
 */
export function bankBatchCsv(rows: readonly BankBatchRow[]): string {
  const lines = [HEADER, ...rows.map((r, i) => rowCells(r, i + 1))].map((cells) =>
    cells.map(csvCell).join(","),
  );
  return `${BOM}${lines.join(EOL)}${EOL}`;
}

function rowCells(r: BankBatchRow, index: number): string[] {
  return [
    String(index),
    r.withdrawalId,
    r.name,
    r.account,
    r.bankName ?? "",
    yuanOfFen(r.amountFen),
    beijingTime(r.createdAt),
  ];
}

/** 10050n → "100.50", with bigint arithmetic only. */
export function yuanOfFen(fen: bigint): string {
  if (fen < 0n) throw new Error(`amount must not be negative, got ${fen} fen`);
  return `${fen / 100n}.${String(fen % 100n).padStart(2, "0")}`;
}

/**
 * A spreadsheet would run a cell starting with = + - @ (or a tab / CR) as a formula: such a cell gets a
 * leading ' (OWASP CSV injection). Then RFC 4180 quoting for quotes, commas and line breaks.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
