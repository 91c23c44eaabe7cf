import type { Asset } from "./accounts.js";

/** A conditional balance update found too little money; the whole transaction rolls back. */
export class InsufficientBalanceError extends Error {
  constructor(
    readonly accountId: string,
    readonly asset: Asset,
    readonly balance: bigint,
    readonly required: bigint,
  ) {
    super(`insufficient balance on ${accountId}: ${balance} < ${required}`);
  }
}

export class UnbalancedTransactionError extends Error {}

/** A business key names one movement: it was posted before with other postings. */
export class BusinessKeyConflictError extends Error {
  constructor(readonly businessKey: string) {
    super(`ledger business key ${businessKey} was already posted with different postings`);
  }
}
