import type { AdminRole } from "@skyriff/contracts";
import { type SQL, sql } from "drizzle-orm";
import { type Db, type Executor, queryRows, type Tx } from "../../db/client.js";
import { platformShardIds } from "../../ledger/accounts.js";

export async function grantedRoles(
  ex: Executor,
  userId: string,
): Promise<{ roles: AdminRole[]; phone: string | null } | null> {
  const rows = await queryRows<{ role: AdminRole | null; phone: string | null }>(
    ex,
    sql`select r.role, u.phone from users u left join user_roles r on r.user_id = u.id where u.id = ${userId}`,
  );
  if (rows.length === 0) return null;
  return {
    roles: rows.map((r) => r.role).filter((r): r is AdminRole => r !== null),
    phone: rows[0]?.phone ?? null,
  };
}

export async function replaceRoles(tx: Tx, userId: string, roles: AdminRole[], grantedBy: string | null) {
  await tx.execute(sql`delete from user_roles where user_id = ${userId}`);
  for (const role of roles) {
    await tx.execute(
      sql`insert into user_roles (user_id, role, granted_by) values (${userId}, ${role}, ${grantedBy})`,
    );
  }
}

// --- users ---

export interface AdminUserRow {
  id: string;
  nickname: string;
  avatar_url: string | null;
  avatar_storage_key: string | null;
  phone: string | null;
  status: "active" | "banned" | "deleted";
  ban_reason: string | null;
  roles: AdminRole[] | string | null;
  credits: string | null;
  coins_available: string | null;
  coins_pending: string | null;
  created_at: Date | string;
}

const userColumns = sql`u.id, u.nickname, u.avatar_url, u.avatar_storage_key, u.phone, u.status, u.ban_reason,
  u.created_at,
  (select coalesce(json_agg(r.role order by r.role), '[]'::json) from user_roles r where r.user_id = u.id) as roles,
  (select balance::text from accounts where id = 'user:' || u.id || ':credits') as credits,
  (select balance::text from accounts where id = 'user:' || u.id || ':coins:available') as coins_available,
  (select coalesce(sum(balance), 0)::text from accounts
     where owner_user_id = u.id and (id = 'user:' || u.id || ':coins:pending'
       or id like 'user:' || u.id || ':coins:pending:%')) as coins_pending`;

/** Users by phone (whole or last digits), nickname fragment or id; newest first. */
export async function searchUsers(
  ex: Executor,
  q: { text?: string; status?: string; after: { createdAt: Date; id: string } | null; limit: number },
): Promise<AdminUserRow[]> {
  const text = q.text?.trim();
  const match = text
    ? sql`and (u.id = ${text} or u.phone = ${text} or u.phone like ${`%${text}`}
             or u.nickname ilike ${`%${text.replace(/[%_\\]/g, "\\$&")}%`})`
    : sql``;
  return queryRows<AdminUserRow>(
    ex,
    sql`select ${userColumns} from users u
        where true ${match} ${q.status ? sql`and u.status = ${q.status}` : sql``}
        ${q.after ? sql`and (u.created_at, u.id) < (${q.after.createdAt.toISOString()}::timestamptz, ${q.after.id})` : sql``}
        order by u.created_at desc, u.id desc
        limit ${q.limit + 1}`,
  );
}

export async function findAdminUser(ex: Executor, userId: string): Promise<AdminUserRow | null> {
  const [row] = await queryRows<AdminUserRow>(
    ex,
    sql`select ${userColumns} from users u where u.id = ${userId}`,
  );
  return row ?? null;
}

/** active → banned (or back): a compare-and-set; null when the user was not in `from`. */
export async function setUserStatus(
  tx: Tx,
  userId: string,
  from: "active" | "banned",
  to: "active" | "banned",
  reason: string | null,
  at: Date,
): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`update users set status = ${to}, ban_reason = ${reason}, updated_at = ${at.toISOString()}::timestamptz
        where id = ${userId} and status = ${from} returning id`,
  );
  return rows.length > 0;
}

export interface UserActivity {
  tasks: {
    id: string;
    status: string;
    prompt: string;
    model: string;
    cost_credits: number;
    created_at: Date | string;
  }[];
  works: { id: string; title: string; status: string; created_at: Date | string }[];
  withdrawals: { id: string; amount_fen: string; status: string; created_at: Date | string }[];
  daily: { task_key: string; completed_at: Date | string | null; claimed_at: Date | string | null }[];
}

/** The latest of a user's tasks, works and withdrawals, and today's daily tasks (for the user detail). */
export async function userActivity(
  ex: Executor,
  userId: string,
  day: string,
  limit = 10,
): Promise<UserActivity> {
  const [tasks, works, withdrawals, daily] = await Promise.all([
    queryRows<UserActivity["tasks"][number]>(
      ex,
      sql`select id, status, prompt, model, cost_credits, created_at from tasks where user_id = ${userId}
          order by created_at desc, id desc limit ${limit}`,
    ),
    queryRows<UserActivity["works"][number]>(
      ex,
      sql`select id, title, status, created_at from works where creator_user_id = ${userId}
          order by created_at desc, id desc limit ${limit}`,
    ),
    queryRows<UserActivity["withdrawals"][number]>(
      ex,
      sql`select id, amount_fen::text as amount_fen, status, created_at from withdrawals where user_id = ${userId}
          order by created_at desc, id desc limit ${limit}`,
    ),
    queryRows<UserActivity["daily"][number]>(
      ex,
      sql`select task_key, completed_at, claimed_at from task_assignments where user_id = ${userId} and day = ${day}::date
          order by task_key`,
    ),
  ]);
  return { tasks, works, withdrawals, daily };
}

/** What an admin adjusted since `since`, per asset, in absolute units (credits, milli-coins). */
export async function adjustedSince(
  ex: Executor,
  adminId: string,
  since: Date,
): Promise<{ credits: bigint; coins: bigint }> {
  const rows = await queryRows<{ asset: string; total: string }>(
    ex,
    sql`select p.asset, coalesce(sum(abs(p.amount)), 0)::text as total
        from ledger_transactions t join postings p on p.transaction_id = t.id and p.entry_type = 'admin_adjust'
        join accounts a on a.id = p.account_id and a.owner_user_id is not null
        where t.type = 'admin_adjust' and t.metadata->>'admin_id' = ${adminId}
          and t.created_at >= ${since.toISOString()}::timestamptz
        group by p.asset`,
  );
  const of = (asset: string) => BigInt(rows.find((r) => r.asset === asset)?.total ?? "0");
  return { credits: of("CREDIT"), coins: of("COIN") };
}

// --- dashboard ---

/** A timestamp column's Shanghai business day (UTC+8, no DST). */
const shanghaiDay = (column: string) =>
  sql.raw(`((${column} + interval '8 hours') at time zone 'UTC')::date`);

export interface DashboardDayRow {
  day: string;
  new_users: number;
  dau: number;
  generations: number;
  generations_succeeded: number;
  generations_failed: number;
  generations_refunded: number;
  generation_credits: string;
  gmv_wechat: string;
  gmv_alipay: string;
  gmv_sandbox: string;
  fee_milli: string;
  commission_milli: string;
}

/**
 * One row per Shanghai day from `from` (inclusive) to `to` (exclusive), every figure an aggregate over
 * an index range of its table (created_at / paid_at / day), so 90 days stay one statement.
 */
// The shard ids spelled out, so postings_account_created_idx serves each (a LIKE prefix could not use it
// under a non-C collation).
const FEE_SHARDS = platformShardIds("platform:coins:fee_income");
const COMMISSION_SHARDS = platformShardIds("platform:coins:commission_expense");
const FEE_AND_COMMISSION_SHARDS = [...FEE_SHARDS, ...COMMISSION_SHARDS];

/** `day` plus `n` days, both "YYYY-MM-DD". */
function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Days from `a` to `b` ("YYYY-MM-DD"): 0 for the same day, negative when `b` is before `a`. */
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** A stored (or just stored) row of admin_daily_stats in the shape of the live statement. */
const storedColumns = sql`to_char(day, 'YYYY-MM-DD') as day, new_users, dau, generations, generations_succeeded,
  generations_failed, generations_refunded, generation_credits::text as generation_credits,
  gmv_wechat::text as gmv_wechat, gmv_alipay::text as gmv_alipay, gmv_sandbox::text as gmv_sandbox,
  fee_milli::text as fee_milli, commission_milli::text as commission_milli`;

/**
 * The per-day aggregates of `days` Shanghai days from `fromDay`, `today` being the Shanghai date now.
 *
 * A final day, one no row of it can change any more, is aggregated once into admin_daily_stats and read
 * back after that. Tasks end within their timeout (at most 240 minutes after creation) and a payment's
 * paid_at (the gateway's time) falls within its order's 15 minutes, so a day D is final well before
 * D+2 00:00 Shanghai: every day before yesterday counts as final; yesterday and today are always
 * computed live. The final days missing from the table are computed by one statement over their range
 * (from the first missing to the last) and upserted; the series is the stored rows, those just
 * computed and the live days, in day order, exactly what one fresh computation of the range returns.
 *
 * All of it in a transaction of its own with two local settings: the left joins of per-day groups
 * make the planner expect millions of rows, which turns on JIT compilation (most of the time of a long
 * range on the bench data) for a statement that reads a few hundred thousand index rows; and the per-day
 * sorts fit in memory instead of spilling to disk.
 */
export async function dashboardDays(
  db: Db,
  fromDay: string,
  days: number,
  today: string,
): Promise<DashboardDayRow[]> {
  // Days fromDay .. fromDay + finalDays - 1 are final, the rest (at most today and yesterday) live.
  const finalDays = Math.min(days, Math.max(0, daysBetween(fromDay, addDays(today, -2)) + 1));
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    await tx.execute(sql`set local work_mem = '32MB'`);
    const byDay = new Map<string, DashboardDayRow>();
    if (finalDays > 0) {
      const stored = await queryRows<DashboardDayRow>(
        tx,
        sql`select ${storedColumns} from admin_daily_stats
            where day >= ${fromDay}::date and day < ${fromDay}::date + ${finalDays}::int`,
      );
      for (const row of stored) byDay.set(row.day, row);
      const missing = Array.from({ length: finalDays }, (_, i) => addDays(fromDay, i)).filter(
        (day) => !byDay.has(day),
      );
      const first = missing[0];
      const last = missing.at(-1);
      if (first && last) {
        for (const row of await storeDays(tx, first, daysBetween(first, last) + 1)) byDay.set(row.day, row);
      }
    }
    if (finalDays < days) {
      const live = await queryRows<DashboardDayRow>(
        tx,
        dashboardDaysQuery(addDays(fromDay, finalDays), days - finalDays),
      );
      for (const row of live) byDay.set(row.day, row);
    }
    return Array.from({ length: days }, (_, i) => {
      const day = addDays(fromDay, i);
      const row = byDay.get(day);
      if (!row) throw new Error(`dashboard day ${day} was not computed`);
      return row;
    });
  });
}

/**
 * Aggregates `days` final days from `fromDay` with the live statement and upserts them into
 * admin_daily_stats (a racing call writes the same figures), returning the stored rows.
 */
async function storeDays(ex: Executor, fromDay: string, days: number): Promise<DashboardDayRow[]> {
  return queryRows<DashboardDayRow>(
    ex,
    sql`insert into admin_daily_stats (day, new_users, dau, generations, generations_succeeded,
          generations_failed, generations_refunded, generation_credits, gmv_wechat, gmv_alipay, gmv_sandbox,
          fee_milli, commission_milli, computed_at)
        select q.day::date, q.new_users, q.dau, q.generations, q.generations_succeeded, q.generations_failed,
          q.generations_refunded, q.generation_credits::bigint, q.gmv_wechat::bigint, q.gmv_alipay::bigint,
          q.gmv_sandbox::bigint, q.fee_milli::bigint, q.commission_milli::bigint, now()
        from (${dashboardDaysQuery(fromDay, days)}) q
        on conflict (day) do update set new_users = excluded.new_users, dau = excluded.dau,
          generations = excluded.generations, generations_succeeded = excluded.generations_succeeded,
          generations_failed = excluded.generations_failed, generations_refunded = excluded.generations_refunded,
          generation_credits = excluded.generation_credits, gmv_wechat = excluded.gmv_wechat,
          gmv_alipay = excluded.gmv_alipay, gmv_sandbox = excluded.gmv_sandbox, fee_milli = excluded.fee_milli,
          commission_milli = excluded.commission_milli, computed_at = excluded.computed_at
        returning ${storedColumns}`,
  );
}

/** The per-day statement of `dashboardDays` (the bench EXPLAINs it). */
export function dashboardDaysQuery(fromDay: string, days: number): SQL {
  const start = sql`(${fromDay}::date - interval '8 hours')`;
  const end = sql`(${fromDay}::date + ${days}::int * interval '1 day' - interval '8 hours')`;
  return sql`
    with d as (select (${fromDay}::date + g)::date as day from generate_series(0, ${days - 1}) g),
    nu as (select ${shanghaiDay("created_at")} as day, count(*)::int as n from users
           where created_at >= ${start} and created_at < ${end} group by 1),
    au as (select day, count(*)::int as n from task_assignments
           where task_key = 'login_daily' and completed_at is not null
             and day >= ${fromDay}::date and day < ${fromDay}::date + ${days}::int group by 1),
    ge as (select ${shanghaiDay("created_at")} as day, count(*)::int as n,
             count(*) filter (where status = 'SUCCESS')::int as ok,
             count(*) filter (where status = 'FAILURE')::int as failed,
             count(*) filter (where refunded)::int as refunded,
             coalesce(sum(cost_credits) filter (where status = 'SUCCESS'), 0)::text as credits
           from tasks where created_at >= ${start} and created_at < ${end} group by 1),
    pay as (select ${shanghaiDay("paid_at")} as day,
              coalesce(sum(amount_fen) filter (where channel = 'wechat'), 0)::text as wechat,
              coalesce(sum(amount_fen) filter (where channel = 'alipay'), 0)::text as alipay,
              coalesce(sum(amount_fen) filter (where channel = 'sandbox'), 0)::text as sandbox
            from payment_orders where status = 'paid' and paid_at >= ${start} and paid_at < ${end} group by 1),
    fee as (select ${shanghaiDay("p.created_at")} as day,
              coalesce(sum(p.amount) filter (where p.account_id in ${FEE_SHARDS}), 0)::text as fee,
              coalesce(-sum(p.amount) filter (where p.account_id in ${COMMISSION_SHARDS}), 0)::text
                as commission
            from postings p
            where p.account_id in ${FEE_AND_COMMISSION_SHARDS}
              and p.created_at >= ${start} and p.created_at < ${end}
            group by 1)
    select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(nu.n, 0) as new_users, coalesce(au.n, 0) as dau,
      coalesce(ge.n, 0) as generations, coalesce(ge.ok, 0) as generations_succeeded,
      coalesce(ge.failed, 0) as generations_failed, coalesce(ge.refunded, 0) as generations_refunded,
      coalesce(ge.credits, '0') as generation_credits,
      coalesce(pay.wechat, '0') as gmv_wechat, coalesce(pay.alipay, '0') as gmv_alipay,
      coalesce(pay.sandbox, '0') as gmv_sandbox, coalesce(fee.fee, '0') as fee_milli,
      coalesce(fee.commission, '0') as commission_milli
    from d left join nu using (day) left join au using (day) left join ge using (day)
      left join pay using (day) left join fee using (day)
    order by d.day`;
}

export interface DashboardTotalsRow {
  users: number;
  coins_pending: string;
  coins_available: string;
  withdrawals_waiting: number;
  withdrawals_waiting_fen: string;
  disputes_open: number;
}

export async function dashboardTotals(ex: Executor): Promise<DashboardTotalsRow> {
  const [row] = await queryRows<DashboardTotalsRow>(
    ex,
    sql`select
      (select count(*)::int from users where status <> 'deleted') as users,
      (select coalesce(sum(balance), 0)::text from accounts
         where owner_user_id is not null and asset = 'COIN' and id like '%:coins:pending%') as coins_pending,
      (select coalesce(sum(balance), 0)::text from accounts
         where owner_user_id is not null and asset = 'COIN' and id like '%:coins:available') as coins_available,
      (select count(*)::int from withdrawals where status = 'applied') as withdrawals_waiting,
      (select coalesce(sum(amount_fen), 0)::text from withdrawals where status = 'applied') as withdrawals_waiting_fen,
      (select count(*)::int from orders where status = 'disputed') as disputes_open`,
  );
  if (!row) throw new Error("dashboard totals returned nothing");
  return row;
}
