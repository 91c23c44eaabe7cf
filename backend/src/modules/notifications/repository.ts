import type { NotificationKind } from "@skyriff/contracts";
import { sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../../db/client.js";
import { sendWithCommit, statement } from "../../db/statements.js";
import type { Keyset } from "../../lib/cursor.js";
import { newId } from "../../lib/ids.js";

export type NotificationData = Record<string, string | number | boolean | null>;

export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  actorUserId?: string | null;
  refType?: string | null;
  refId?: string | null;
  data?: NotificationData;
  /** Set where the same event can be told twice (a retried job, a re-follow): the second is dropped. */
  dedupeKey?: string | null;
}

const INSERT = statement(
  "notifications_insert",
  `insert into notifications (id, user_id, kind, actor_user_id, ref_type, ref_id, data, dedupe_key, created_at)
   values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::timestamptz)
   on conflict (dedupe_key) do nothing`,
);

/**
 * Writes a notification in the event's own transaction (it travels with the COMMIT, no round trip of
 * its own), so an event that rolls back tells no one. Nobody is told of their own action.
 */
export function notify(tx: Tx, n: NewNotification, at: Date = new Date()): void {
  if (n.actorUserId && n.actorUserId === n.userId) return;
  sendWithCommit(tx, INSERT, [
    newId(),
    n.userId,
    n.kind,
    n.actorUserId ?? null,
    n.refType ?? null,
    n.refId ?? null,
    JSON.stringify(n.data ?? {}),
    n.dedupeKey ?? null,
    at.toISOString(),
  ]);
}

export interface NotificationRow {
  id: string;
  kind: NotificationKind;
  actorUserId: string | null;
  actorNickname: string | null;
  actorAvatarUrl: string | null;
  actorAvatarStorageKey: string | null;
  refType: string | null;
  refId: string | null;
  data: NotificationData;
  readAt: Date | null;
  createdAt: Date;
}

export async function listNotifications(
  ex: Executor,
  userId: string,
  after: Keyset | null,
  limit: number,
): Promise<NotificationRow[]> {
  const rows = await queryRows<NotificationRow & { data: NotificationData | string }>(
    ex,
    sql`
    select n.id, n.kind, n.actor_user_id as "actorUserId", u.nickname as "actorNickname",
      u.avatar_url as "actorAvatarUrl", u.avatar_storage_key as "actorAvatarStorageKey",
      n.ref_type as "refType", n.ref_id as "refId", n.data, n.read_at as "readAt", n.created_at as "createdAt"
    from notifications n
    left join users u on u.id = n.actor_user_id and u.status <> 'deleted'
    where n.user_id = ${userId} ${after ? sql`and n.id < ${after.id}` : sql``}
    order by n.id desc
    limit ${limit + 1}`,
  );
  return rows.map((r) => ({
    ...r,
    data: typeof r.data === "string" ? (JSON.parse(r.data) as NotificationData) : r.data,
    readAt: r.readAt === null ? null : new Date(r.readAt),
    createdAt: new Date(r.createdAt),
  }));
}

export async function unreadCount(ex: Executor, userId: string): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(
    ex,
    sql`select count(*) as n from notifications where user_id = ${userId} and read_at is null`,
  );
  return Number(row?.n ?? 0);
}

/** Marks the given ids (the user's own only), or every unread one, read. */
export async function markRead(ex: Executor, userId: string, ids: string[] | null, at: Date): Promise<void> {
  const only = ids
    ? sql`and id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`
    : sql``;
  await ex.execute(
    sql`update notifications set read_at = ${at.toISOString()}::timestamptz
        where user_id = ${userId} and read_at is null ${only}`,
  );
}

const ADD_RELEASED = statement(
  "notifications_add_released",
  `insert into notifications (id, user_id, kind, ref_type, data, dedupe_key, created_at)
   values ($1, $2, 'coins_released', 'wallet', jsonb_build_object('milli', $3::text, 'lots', 1), $4, $5::timestamptz)
   on conflict (dedupe_key) do update set
     id = excluded.id,
     data = jsonb_build_object(
       'milli', ((notifications.data->>'milli')::bigint + $3::bigint)::text,
       'lots', coalesce((notifications.data->>'lots')::int, 0) + 1),
     read_at = null,
     created_at = excluded.created_at`,
);

/**
 * 金币已解冻: one notification per user and Shanghai day that adds up every lot released that day (a
 * creator with a hundred small tips gets one line, moved to the top and unread again), written in each
 * release's own transaction.
 */
export function notifyReleased(tx: Tx, userId: string, milli: bigint, day: string, at: Date): void {
  sendWithCommit(tx, ADD_RELEASED, [
    newId(),
    userId,
    milli.toString(),
    `coins_released:${userId}:${day}`,
    at.toISOString(),
  ]);
}
