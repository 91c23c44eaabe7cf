export {
  type AccountRef,
  type Asset,
  accountsOf,
  CREATOR_PENDING_SHARDS,
  escrowOfOrder,
  isPendingAccountId,
  pendingShard,
  pendingShardsOf,
  platform,
  platformShardIds,
} from "./accounts.js";
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
  findLot,
  type Lot,
  type LotEnd,
  LotNotFoundError,
  type LotOutcome,
  lotOfTransaction,
  type OpenLot,
  openLots,
  releaseLot,
  reverseLot,
} from "./lots.js";
export {
  onBalanceChanged,
  type PostedEntry,
  type PostingInput,
  type PostResult,
  post,
  type TransactionInput,
} from "./post.js";
export {
  formatReport,
  latestReconciliation,
  type ReconciliationReport,
  reconcile,
  reconcileAndRecord,
} from "./reconcile.js";
export {
  BALANCE_CHANNEL,
  balancesOf,
  ensureAccounts,
  listPostings,
  lockedBalancesOf,
  notifyBalanceChanged,
} from "./repository.js";
