export { accountsOf, platform, type AccountRef, type Asset } from "./accounts.js";
export { InsufficientBalanceError, UnbalancedTransactionError } from "./errors.js";
export { withIdempotency, type IdempotentResult } from "./idempotency.js";
export { post, type PostResult, type PostedEntry, type PostingInput, type TransactionInput } from "./post.js";
export { formatReport, reconcile, type ReconciliationReport } from "./reconcile.js";
export { ensureAccounts, balancesOf, listPostings, pendingCoinPostings } from "./repository.js";
