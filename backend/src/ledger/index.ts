export { type AccountRef, type Asset, accountsOf, platform } from "./accounts.js";
export { InsufficientBalanceError, UnbalancedTransactionError } from "./errors.js";
export { type IdempotentResult, withIdempotency } from "./idempotency.js";
export {
  onBalanceChanged,
  type PostedEntry,
  type PostingInput,
  type PostResult,
  post,
  type TransactionInput,
} from "./post.js";
export { formatReport, type ReconciliationReport, reconcile } from "./reconcile.js";
export {
  BALANCE_CHANNEL,
  balancesOf,
  ensureAccounts,
  listPostings,
  pendingCoinPostings,
} from "./repository.js";
