import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/client.js";

const WATERMARK = "coins.release";

export interface MaturedLot {
  postingId: string;
  unlockAt: Date;
}

/**
 * One batch of matured lots not ended yet, in (unlock_at, id) order after `after`: the lots index
 * (`postings_lots_unlock_idx`) for the range, the lot-end index for the anti-join. Lots of closed
 * (注销) accounts come back too; releaseLot answers `forfeited` for them.
 */
export async function maturedLots(
  ex: Executor,
  range: { from: Date; to: Date; after: MaturedLot | null },
  limit: number,
): Promise<MaturedLot[]> {
  const after = range.after
    ? sql`and (p.unlock_at, p.id) > (${range.after.unlockAt.toISOString()}::timestamptz, ${range.after.postingId})`
    : sql``;
  const rows = await queryRows<{ id: string; unlock_at: Date | string }>(
    ex,
    sql`
    select p.id, p.unlock_at from postings p
    where p.status = 'pending' and p.amount > 0
      and p.unlock_at >= ${range.from.toISOString()}::timestamptz
      and p.unlock_at <= ${range.to.toISOString()}::timestamptz ${after}
      and not exists (select 1 from ledger_transactions e where e.ref_type = 'lot' and e.ref_id = p.id)
    order by p.unlock_at, p.id
    limit ${limit}`,
  );
  return rows.map((r) => ({ postingId: r.id, unlockAt: new Date(r.unlock_at) }));
}

export async function readWatermark(ex: Executor): Promise<Date | null> {
  const [row] = await queryRows<{ at: Date | string }>(
    ex,
    sql`select at from job_watermarks where name = ${WATERMARK}`,
  );
  return row ? new Date(row.at) : null;
}

/** Moves the watermark forward only (two sweeps at once never move it back). */
export async function advanceWatermark(ex: Executor, at: Date): Promise<void> {
  await ex.execute(sql`
    insert into job_watermarks (name, at, updated_at) values (${WATERMARK}, ${at.toISOString()}::timestamptz, now())
    on conflict (name) do update set at = greatest(job_watermarks.at, excluded.at), updated_at = now()`);
}
