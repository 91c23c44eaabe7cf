import { index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Transactional outbox: a job is written with the business change and handed to a runner later. */
export const outbox = pgTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    jobName: text("job_name").notNull(),
    payload: jsonb("payload").notNull(),
    runAt: ts("run_at").notNull().defaultNow(),
    createdAt: ts("created_at").notNull().defaultNow(),
    dispatchedAt: ts("dispatched_at"),
    /** A claim lasts until here; the claiming process extends it while the job runs. */
    leaseUntil: ts("lease_until"),
    completedAt: ts("completed_at"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [index("outbox_pending_idx").on(t.dispatchedAt, t.runAt)],
);
