export { type AccountRef, type Asset, accountsOf, platform } from "./accounts.js";
export { BusinessKeyConflictError, InsufficientBalanceError, UnbalancedTransactionError } from "./errors.js";
export {
  AlreadyAnsweredError,
  findAnswer,
  type IdempotencyHandle,
  IdempotencyKeyReusedError,
  type IdempotencyScope,
  requestHash,
  type StoredAnswer,
  withIdempotency,
} from "./idempotency.js";
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
  lockedBalancesOf,
  notifyBalanceChanged,
  pendingCoinPostings,
} from "./repository.js";
