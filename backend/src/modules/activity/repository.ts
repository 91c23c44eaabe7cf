import type { Tx } from "../../db/client.js";
import type { activityEvents } from "../../db/schema/index.js";
import { sendWithCommit, statement } from "../../db/statements.js";
import { newId } from "../../lib/ids.js";
import { shanghaiDate } from "../../lib/time.js";

export type ActivityKind = (typeof activityEvents.$inferInsert)["kind"];

const INSERT_EVENT = statement(
  "activity_insert_event",
  `insert into activity_events (id, user_id, kind, ref_id, day, created_at)
   values ($1, $2, $3, $4, $5::date, $6::timestamptz)`,
);

/**
 * Records what a user did for the daily task center (Phase 3 reads these) in the action's own
 * transaction, so an action that rolls back leaves no event. The insert travels with the COMMIT (no
 * round trip of its own while the action holds its locks).
 */
export function recordActivity(
  tx: Tx,
  userId: string,
  kind: ActivityKind,
  refId: string | null,
  at: Date = new Date(),
): void {
  sendWithCommit(tx, INSERT_EVENT, [newId(), userId, kind, refId, shanghaiDate(at), at.toISOString()]);
}
