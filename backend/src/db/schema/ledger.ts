import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** One account per (owner, asset, bucket). The cached balance is changed only by ledger.post(). */
export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    asset: text("asset", { enum: ["CREDIT", "COIN"] }).notNull(),
    ownerUserId: text("owner_user_id"),
    allowNegative: boolean("allow_negative").notNull().default(false),
    balance: bigint("balance", { mode: "bigint" }).notNull().default(sql`0`),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    check("accounts_balance_non_negative", sql`${t.allowNegative} OR ${t.balance} >= 0`),
    index("accounts_owner_idx").on(t.ownerUserId),
  ],
);

export const ledgerTransactions = pgTable(
  "ledger_transactions",
  {
    id: text("id").primaryKey(),
    businessKey: text("business_key").notNull(),
    type: text("type").notNull(),
    refType: text("ref_type"),
    refId: text("ref_id"),
    description: text("description").notNull().default(""),
    metadata: jsonb("metadata"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ledger_transactions_business_key_uq").on(t.businessKey),
    /**
     * A pending-coin lot ends once: its release (`lot:{posting_id}:release`) and its reversal
     * (`lot:{posting_id}:reverse`) both name the lot as `ref_type = 'lot', ref_id = posting id`, so at most
     * one of them can ever exist (ledger/lots.ts).
     */
    uniqueIndex("ledger_transactions_lot_end_uq").on(t.refId).where(sql`${t.refType} = 'lot'`),
  ],
);

export const postings = pgTable(
  "postings",
  {
    id: text("id").primaryKey(),
    transactionId: text("transaction_id")
      .notNull()
      .references(() => ledgerTransactions.id),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    asset: text("asset", { enum: ["CREDIT", "COIN"] }).notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    balanceAfter: bigint("balance_after", { mode: "bigint" }).notNull(),
    entryType: text("entry_type").notNull(),
    status: text("status", { enum: ["settled", "pending"] })
      .notNull()
      .default("settled"),
    unlockAt: ts("unlock_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    check("postings_amount_non_zero", sql`${t.amount} <> 0`),
    index("postings_account_created_idx").on(t.accountId, t.createdAt.desc(), t.id.desc()),
    index("postings_transaction_idx").on(t.transactionId),
    /** Pending lots of an account by unlock time (pending_details; the Phase 3 release). */
    index("postings_pending_lots_idx").on(t.accountId, t.unlockAt, t.id).where(sql`${t.status} = 'pending'`),
    /** Every lot by unlock time, for the coins.release sweep (which starts at its watermark). */
    index("postings_lots_unlock_idx")
      .on(t.unlockAt, t.id)
      .where(sql`${t.status} = 'pending' and ${t.amount} > 0`),
  ],
);

/** Client-initiated spends: same user + same key replays the stored first response. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: text("user_id").notNull(),
    key: text("key").notNull(),
    route: text("route").notNull(),
    requestHash: text("request_hash").notNull(),
    /** Null only inside the claiming transaction, before the route's answer is stored. */
    statusCode: integer("status_code"),
    response: jsonb("response"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);
