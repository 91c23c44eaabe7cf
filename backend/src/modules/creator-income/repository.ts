import { inArray } from "drizzle-orm";
import type { Executor } from "../../db/client.js";
import { users } from "../../db/schema/index.js";
import { send, statement } from "../../db/statements.js";
import type { UserRow } from "../users/repository.js";

/** A work as the money actions need it: its creator (and whether that account is still open) and terms. */
export interface WorkTerms {
  id: string;
  creatorUserId: string;
  title: string;
  prompt: string;
  isPromptLocked: boolean;
  promptPriceCredits: number;
  remixFeeCredits: number;
  allowRemix: boolean;
  status: "published" | "unpublished" | "taken_down";
  creatorActive: boolean;
}

const FIND_WORK = statement(
  "creator_income_find_work",
  `select w.id, w.creator_user_id as "creatorUserId", w.title, w.prompt, w.is_prompt_locked as "isPromptLocked",
     w.prompt_price_credits as "promptPriceCredits", w.remix_fee_credits as "remixFeeCredits",
     w.allow_remix as "allowRemix", w.status, coalesce(u.status <> 'deleted', false) as "creatorActive"
   from works w left join users u on u.id = w.creator_user_id
   where w.id = $1`,
);

export async function findWork(ex: Executor, workId: string): Promise<WorkTerms | null> {
  const [row] = await send<WorkTerms>(ex, FIND_WORK, [workId]);
  return row ?? null;
}

// The tip row only while the work is still published: a takedown that commits between the read and this
// transaction leaves nothing behind (the caller throws 404 on no row, rolling the spend back).
const INSERT_TIP = statement(
  "creator_income_insert_tip",
  `insert into tips (id, work_id, payer_user_id, creator_user_id, amount_credits, created_at)
   select $1, w.id, $3, w.creator_user_id, $4, $5::timestamptz from works w
   where w.id = $2 and w.status = 'published'
   returning id`,
);

export interface NewTip {
  id: string;
  workId: string;
  payerUserId: string;
  amountCredits: number;
  createdAt: Date;
}

/** Sent at once (db/statements.ts): travels with the tip's other statements. */
export async function insertTip(ex: Executor, t: NewTip): Promise<boolean> {
  const rows = await send(ex, INSERT_TIP, [
    t.id,
    t.workId,
    t.payerUserId,
    t.amountCredits,
    t.createdAt.toISOString(),
  ]);
  return rows.length === 1;
}

// The favorite if absent, and the work's counters: favorite_count + 1 only when the favorite is new.
const TIP_COUNTERS = statement(
  "creator_income_tip_counters",
  `with fav as (
     insert into favorites (user_id, work_id, created_at) values ($1, $2, $4::timestamptz)
     on conflict do nothing returning 1
   )
   insert into work_stats as s (work_id, tip_count, tip_credits, favorite_count)
   values ($2, 1, $3::bigint, (select count(*) from fav))
   on conflict (work_id) do update set
     tip_count = s.tip_count + 1,
     tip_credits = s.tip_credits + excluded.tip_credits,
     favorite_count = s.favorite_count + excluded.favorite_count
   returning tip_count as "tipCount", favorite_count as "favoriteCount"`,
);

export async function countTip(
  ex: Executor,
  payerUserId: string,
  workId: string,
  amountCredits: number,
  at: Date,
): Promise<{ tipCount: number; favoriteCount: number }> {
  const [row] = await send<{ tipCount: number; favoriteCount: number }>(ex, TIP_COUNTERS, [
    payerUserId,
    workId,
    amountCredits,
    at.toISOString(),
  ]);
  return row ?? { tipCount: 0, favoriteCount: 0 };
}

const CREATOR_TIPPED = statement(
  "creator_income_creator_tipped",
  `insert into user_stats as s (user_id, total_tipped_credits) values ($1, $2::bigint)
   on conflict (user_id) do update set total_tipped_credits = s.total_tipped_credits + excluded.total_tipped_credits`,
);

export async function addCreatorTipped(ex: Executor, creatorUserId: string, amountCredits: number) {
  await send(ex, CREATOR_TIPPED, [creatorUserId, amountCredits]);
}

const HAS_UNLOCKED = statement(
  "creator_income_has_unlocked",
  "select 1 from prompt_unlocks where user_id = $1 and work_id = $2",
);

export async function hasUnlocked(ex: Executor, userId: string, workId: string): Promise<boolean> {
  return (await send(ex, HAS_UNLOCKED, [userId, workId])).length === 1;
}

const INSERT_UNLOCK = statement(
  "creator_income_insert_unlock",
  `insert into prompt_unlocks (user_id, work_id, cost_credits, created_at) values ($1, $2, $3, $4::timestamptz)
   on conflict do nothing returning 1`,
);

/** False when the user had unlocked it already (also by a concurrent request that committed first). */
export async function insertUnlock(
  ex: Executor,
  userId: string,
  workId: string,
  costCredits: number,
  at: Date,
): Promise<boolean> {
  return (await send(ex, INSERT_UNLOCK, [userId, workId, costCredits, at.toISOString()])).length === 1;
}

/** The users behind a page of lots, in one statement. */
export async function usersByIds(ex: Executor, ids: string[]): Promise<Map<string, UserRow>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.select().from(users).where(inArray(users.id, ids));
  return new Map(rows.map((u) => [u.id, u]));
}
