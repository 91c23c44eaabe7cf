import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/client.js";

export interface DailyIncomeRow {
  day: string;
  entryType: string;
  milli: bigint;
}

const inList = (ids: string[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );

/**
 * Income lots on the given pending shards since `from`, summed by Shanghai day and entry type; a lot
 * undone later (a failed remix) does not count. One statement over the per-account posting index.
 */
export async function dailyIncome(ex: Executor, shardIds: string[], from: Date): Promise<DailyIncomeRow[]> {
  const rows = await queryRows<{ day: string; entry_type: string; milli: string }>(
    ex,
    sql`
    select to_char(((p.created_at at time zone 'UTC') + interval '8 hours')::date, 'YYYY-MM-DD') as day,
      p.entry_type, sum(p.amount)::text as milli
    from postings p
    where p.account_id in (${inList(shardIds)}) and p.status = 'pending' and p.amount > 0
      and p.created_at >= ${from.toISOString()}::timestamptz
      and not exists (select 1 from ledger_transactions e
                      where e.ref_type = 'lot' and e.ref_id = p.id and e.type <> 'coin_release')
    group by 1, 2`,
  );
  return rows.map((r) => ({ day: r.day, entryType: r.entry_type, milli: BigInt(r.milli) }));
}

/** Coins released into the available wallet since `from`. */
export async function releasedSince(ex: Executor, availableId: string, from: Date): Promise<bigint> {
  const [row] = await queryRows<{ milli: string | null }>(
    ex,
    sql`
    select sum(amount)::text as milli from postings
    where account_id = ${availableId} and entry_type = 'coin_release' and amount > 0
      and created_at >= ${from.toISOString()}::timestamptz`,
  );
  return BigInt(row?.milli ?? "0");
}
