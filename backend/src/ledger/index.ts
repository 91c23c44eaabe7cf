export { type AccountRef, type Asset, accountsOf, platform } from "./accounts.js";
export { InsufficientBalanceError, UnbalancedTransactionError } from "./errors.js";
export { type IdempotentResult, withIdempotency } from "./idempotency.js";
export { type PostedEntry, type PostingInput, type PostResult, post, type TransactionInput } from "./post.js";
export { formatReport, type ReconciliationReport, reconcile } from "./reconcile.js";
export { balancesOf, ensureAccounts, listPostings, pendingCoinPostings } from "./repository.js";
