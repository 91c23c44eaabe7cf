import type { AuditEntry } from "@skyriff/contracts";
import { sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../../db/client.js";
import { sendWithCommit, statement } from "../../db/statements.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { newId } from "../../lib/ids.js";

/** Who did an admin action, and in which request (the request id ties the row to the logs). */
export interface AdminActor {
  userId: string;
  requestId: string | null;
}

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
}

const INSERT = statement(
  "audit_log_insert",
  `insert into audit_log (id, actor_id, action, target_type, target_id, before, after, reason, request_id, created_at)
   values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10::timestamptz)`,
);

/** JSON that survives bigint amounts (as strings) and dates (as ISO). */
const json = (v: Record<string, unknown> | null | undefined) =>
  v == null
    ? null
    : JSON.stringify(v, (_k, x) =>
        typeof x === "bigint" ? x.toString() : x instanceof Date ? x.toISOString() : x,
      );

/**
 * Writes the audit row in the action's own transaction (it travels with the COMMIT): an action that
 * rolls back leaves no row, and one that commits cannot lack its row.
 */
export function audit(tx: Tx, actor: AdminActor, entry: AuditInput, at: Date): void {
  sendWithCommit(tx, INSERT, [
    newId(),
    actor.userId,
    entry.action,
    entry.targetType,
    entry.targetId,
    json(entry.before),
    json(entry.after),
    entry.reason ?? null,
    actor.requestId,
    at.toISOString(),
  ]);
}

interface AuditRow {
  id: string;
  actor_id: string;
  nickname: string | null;
  action: string;
  target_type: string;
  target_id: string;
  before: Record<string, unknown> | string | null;
  after: Record<string, unknown> | string | null;
  reason: string | null;
  request_id: string | null;
  created_at: Date | string;
}

const parsed = (v: Record<string, unknown> | string | null) => (typeof v === "string" ? JSON.parse(v) : v);

export async function listAudit(
  ex: Executor,
  q: {
    actor_id?: string;
    action?: string;
    target_type?: string;
    target_id?: string;
    cursor?: string;
    limit: number;
  },
) {
  const after = decodeCursor(q.cursor);
  const rows = await queryRows<AuditRow>(
    ex,
    sql`select a.*, u.nickname from audit_log a left join users u on u.id = a.actor_id
        where true
        ${q.actor_id ? sql`and a.actor_id = ${q.actor_id}` : sql``}
        ${q.action ? sql`and a.action = ${q.action}` : sql``}
        ${q.target_type ? sql`and a.target_type = ${q.target_type}` : sql``}
        ${q.target_id ? sql`and a.target_id = ${q.target_id}` : sql``}
        ${
          after
            ? sql`and (a.created_at, a.id) < (${after.createdAt.toISOString()}::timestamptz, ${after.id})`
            : sql``
        }
        order by a.created_at desc, a.id desc
        limit ${q.limit + 1}`,
  );
  const keyed = rows.map((r) => ({ ...r, createdAt: new Date(r.created_at) }));
  return toPage(
    keyed,
    q.limit,
    (r): AuditEntry => ({
      audit_id: r.id,
      actor: { user_id: r.actor_id, nickname: r.nickname ?? "" },
      action: r.action,
      target_type: r.target_type,
      target_id: r.target_id,
      before: parsed(r.before),
      after: parsed(r.after),
      reason: r.reason,
      request_id: r.request_id,
      created_at: r.createdAt.toISOString(),
    }),
  );
}
