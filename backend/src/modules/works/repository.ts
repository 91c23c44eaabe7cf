import { createHash } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { type Executor, queryRows, type Tx } from "../../db/client.js";
import { workStats, works } from "../../db/schema/index.js";
import { send, statement } from "../../db/statements.js";

export type WorkRow = typeof works.$inferSelect;

/**
 * A work as every list and detail page shows it: the work, its stats, its creator, its video and the
 * work it remixes, plus the viewer's flags, all in ONE statement (no query per item).
 */
export interface WorkView {
  id: string;
  video_id: string;
  title: string;
  description: string;
  creator_user_id: string;
  is_prompt_locked: boolean;
  prompt_price_credits: number;
  remix_fee_credits: number;
  allow_remix: boolean;
  status: "published" | "unpublished" | "taken_down";
  created_at: Date;
  like_count: number;
  favorite_count: number;
  tip_count: number;
  share_count: number;
  view_count: number;
  remix_count: number;
  creator_nickname: string;
  creator_avatar_url: string | null;
  creator_avatar_key: string | null;
  play_key: string;
  thumb_key: string;
  duration_ms: number;
  ratio: "9:16" | "16:9" | "1:1";
  width: number;
  height: number;
  remix_of_work_id: string | null;
  remix_title: string | null;
  remix_creator_id: string | null;
  remix_creator_nickname: string | null;
  remix_creator_avatar_url: string | null;
  remix_creator_avatar_key: string | null;
  is_liked: boolean;
  is_favorited: boolean;
  is_prompt_unlocked: boolean;
  is_following: boolean;
}

/** The select list of a {@link WorkView} over the page `w` (the work's own columns and the extras). */
function workViewSelect(viewerId: string | null): SQL {
  const flags = viewerId
    ? sql`exists(select 1 from likes l where l.user_id = ${viewerId} and l.work_id = w.id) as is_liked,
        exists(select 1 from favorites f where f.user_id = ${viewerId} and f.work_id = w.id) as is_favorited,
        exists(select 1 from prompt_unlocks pu where pu.user_id = ${viewerId} and pu.work_id = w.id) as is_prompt_unlocked,
        exists(select 1 from follows fo where fo.follower_id = ${viewerId} and fo.followee_id = w.creator_user_id) as is_following`
    : sql`false as is_liked, false as is_favorited, false as is_prompt_unlocked, false as is_following`;
  return sql`w.*,
    coalesce(s.like_count, 0) as like_count, coalesce(s.favorite_count, 0) as favorite_count,
    coalesce(s.tip_count, 0) as tip_count, coalesce(s.share_count, 0) as share_count,
    coalesce(s.view_count, 0) as view_count, coalesce(s.remix_count, 0) as remix_count,
    u.nickname as creator_nickname, u.avatar_url as creator_avatar_url,
    u.avatar_storage_key as creator_avatar_key,
    v.play_key, v.thumb_key, v.duration_ms, v.ratio, v.width, v.height,
    rw.id as remix_of_work_id, rw.title as remix_title, rw.creator_user_id as remix_creator_id,
    ru.nickname as remix_creator_nickname, ru.avatar_url as remix_creator_avatar_url,
    ru.avatar_storage_key as remix_creator_avatar_key,
    ${flags}`;
}

/** The work's own columns a {@link WorkView} carries, selected in the page step. */
const pageColumns = sql`w.id, w.video_id, w.title, w.description, w.creator_user_id, w.is_prompt_locked,
  w.prompt_price_credits, w.remix_fee_credits, w.allow_remix, w.status, w.created_at, w.remix_of_work_id as remix_of`;

const workViewJoins = sql`join work_stats s on s.work_id = w.id
  join users u on u.id = w.creator_user_id
  join video_assets v on v.id = w.video_id
  left join works rw on rw.id = w.remix_of and rw.status = 'published'
  left join users ru on ru.id = rw.creator_user_id`;

/**
 * Work views from `from` (which must name the work `w`), filtered by `where`, in `orderBy`. `extra`
 * adds columns (e.g. the snapshot position or the favorite time for cursors).
 *
 * Two steps in one statement: the page (`from` + `where`, ordered and limited) is materialized first,
 * then its few rows are joined to the stats, creators, videos and remix sources. As one seven-way
 * join the planner spent 4–7 ms choosing a join order for a 0.3 ms query on the community bench's data.
 */
export async function selectWorkViews<X extends object = object>(
  ex: Executor,
  q: { viewerId: string | null; from: SQL; where: SQL; orderBy: SQL; limit: number; extra?: SQL },
): Promise<(WorkView & X)[]> {
  const extra = q.extra ? sql`, ${q.extra}` : sql``;
  const query = dialect.sqlToQuery(
    sql`with page as materialized (
          select ${pageColumns}${extra}, row_number() over (order by ${q.orderBy}) as page_rank
          from ${q.from} where ${q.where} order by ${q.orderBy} limit ${q.limit})
        select ${workViewSelect(q.viewerId)} from page w ${workViewJoins} order by w.page_rank`,
  );
  const rows = await send<WorkView & X & { remix_of?: unknown; page_rank?: unknown }>(
    ex,
    namedStatement(query.sql),
    query.params,
  );
  for (const row of rows) {
    delete row.remix_of;
    delete row.page_rank;
  }
  return rows;
}

const dialect = new PgDialect();
const statements = new Map<string, ReturnType<typeof statement>>();

/**
 * Every page of works runs as a named statement: its plan (eight joins and four flag sub-selects) took
 * 4–9 ms to make and under 2 ms to run on the community bench's data. Only a handful of texts exist
 * (one per list kind, with or without a viewer), so the per-connection statement cache stays small.
 */
function namedStatement(text: string) {
  let st = statements.get(text);
  if (!st) {
    st = statement(`work_views_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`, text);
    statements.set(text, st);
  }
  return st;
}

export async function findWorkView(
  ex: Executor,
  workId: string,
  viewerId: string | null,
): Promise<WorkView | null> {
  const rows = await selectWorkViews(ex, {
    viewerId,
    from: sql`works w`,
    where: sql`w.id = ${workId}`,
    orderBy: sql`w.id`,
    limit: 1,
  });
  return rows[0] ?? null;
}

export async function findWork(ex: Executor, id: string): Promise<WorkRow | null> {
  const rows = await ex.select().from(works).where(sql`${works.id} = ${id}`);
  return rows[0] ?? null;
}

export async function findWorkByVideo(ex: Executor, videoId: string): Promise<WorkRow | null> {
  const rows = await ex.select().from(works).where(sql`${works.videoId} = ${videoId}`);
  return rows[0] ?? null;
}

/** A published work's creator, or null (unknown, unpublished or taken down). */
export async function publishedCreator(ex: Executor, workId: string): Promise<string | null> {
  const rows = await queryRows<{ creator_user_id: string }>(
    ex,
    sql`select creator_user_id from works where id = ${workId} and status = 'published'`,
  );
  return rows[0]?.creator_user_id ?? null;
}

/** Where the video came from: a remix task names its source work. */
export async function taskSource(
  ex: Executor,
  taskId: string | null,
): Promise<{ sourceType: "create" | "remix"; sourceWorkId: string | null } | null> {
  if (!taskId) return null;
  const rows = await queryRows<{ source_type: "create" | "remix"; source_work_id: string | null }>(
    ex,
    sql`select source_type, source_work_id from tasks where id = ${taskId}`,
  );
  const row = rows[0];
  return row ? { sourceType: row.source_type, sourceWorkId: row.source_work_id } : null;
}

/** The new work and its zeroed stats; null when the video already has a work (a concurrent publish). */
export async function insertWork(tx: Tx, row: typeof works.$inferInsert): Promise<WorkRow | null> {
  const rows = await tx.insert(works).values(row).onConflictDoNothing({ target: works.videoId }).returning();
  const inserted = rows[0] ?? null;
  if (inserted) await tx.insert(workStats).values({ workId: inserted.id });
  return inserted;
}

/** Publishes an unpublished work again (its stats and lineage kept); null if it is not unpublished. */
export async function republishWork(
  tx: Tx,
  id: string,
  patch: Pick<
    WorkRow,
    | "title"
    | "description"
    | "isPromptLocked"
    | "promptPriceCredits"
    | "remixFeeCredits"
    | "allowRemix"
    | "updatedAt"
  >,
): Promise<WorkRow | null> {
  const rows = await tx
    .update(works)
    .set({ ...patch, status: "published" })
    .where(sql`${works.id} = ${id} and ${works.status} = 'unpublished'`)
    .returning();
  return rows[0] ?? null;
}

/** published → unpublished by its creator; null when it was not published (or not theirs). */
export async function unpublishWork(
  tx: Tx,
  id: string,
  creatorId: string,
  at: Date,
): Promise<WorkRow | null> {
  const rows = await tx
    .update(works)
    .set({ status: "unpublished", updatedAt: at })
    .where(
      sql`${works.id} = ${id} and ${works.creatorUserId} = ${creatorId} and ${works.status} = 'published'`,
    )
    .returning();
  return rows[0] ?? null;
}

export async function addRemixCount(tx: Tx, workId: string): Promise<void> {
  await tx.execute(sql`update work_stats set remix_count = remix_count + 1 where work_id = ${workId}`);
}

/** user_stats.works_count ± 1 (the row is created when missing; never below 0). */
export async function addWorksCount(tx: Tx, userId: string, delta: 1 | -1): Promise<void> {
  if (delta > 0) {
    await tx.execute(
      sql`insert into user_stats (user_id, works_count) values (${userId}, 1)
          on conflict (user_id) do update set works_count = user_stats.works_count + 1`,
    );
  } else {
    await tx.execute(
      sql`update user_stats set works_count = works_count - 1 where user_id = ${userId} and works_count > 0`,
    );
  }
}

/** Counts a view once per viewer, work and Shanghai day: true when this one was new. */
export async function countView(tx: Tx, workId: string, viewerKey: string, day: string): Promise<boolean> {
  const rows = await queryRows<{ work_id: string }>(
    tx,
    sql`insert into work_views (work_id, viewer_key, day) values (${workId}, ${viewerKey}, ${day})
        on conflict do nothing returning work_id`,
  );
  if (rows.length === 0) return false;
  await tx.execute(sql`update work_stats set view_count = view_count + 1 where work_id = ${workId}`);
  return true;
}

/** share_count + 1 on a published work; null when it is not published. */
export async function addShare(ex: Executor, workId: string): Promise<number | null> {
  const rows = await queryRows<{ share_count: number }>(
    ex,
    sql`update work_stats s set share_count = s.share_count + 1
        from works w where w.id = s.work_id and s.work_id = ${workId} and w.status = 'published'
        returning s.share_count`,
  );
  return rows[0]?.share_count ?? null;
}

/** An admin takes a work down (from published or unpublished); null when it was taken down already. */
export async function takeDownWork(tx: Tx, id: string, reason: string, at: Date): Promise<WorkRow | null> {
  const rows = await tx
    .update(works)
    .set({ status: "taken_down", takedownReason: reason, updatedAt: at })
    .where(sql`${works.id} = ${id} and ${works.status} in ('published', 'unpublished')`)
    .returning();
  return rows[0] ?? null;
}

/** An admin restores a taken-down work to the public; null when it was not taken down. */
export async function restoreWork(tx: Tx, id: string, at: Date): Promise<WorkRow | null> {
  const rows = await tx
    .update(works)
    .set({ status: "published", takedownReason: null, updatedAt: at })
    .where(sql`${works.id} = ${id} and ${works.status} = 'taken_down'`)
    .returning();
  return rows[0] ?? null;
}

export interface AdminWorkRow {
  id: string;
  title: string;
  status: "published" | "unpublished" | "taken_down";
  takedown_reason: string | null;
  creator_user_id: string;
  nickname: string;
  thumb_key: string;
  play_key: string;
  like_count: number | null;
  tip_count: number | null;
  created_at: Date | string;
}

/** Works for moderation: by status and a title fragment or id, newest first. */
export async function listWorksForAdmin(
  ex: Executor,
  q: { status?: string; text?: string; after: { createdAt: Date; id: string } | null; limit: number },
): Promise<AdminWorkRow[]> {
  const text = q.text?.trim();
  return queryRows<AdminWorkRow>(
    ex,
    sql`select w.id, w.title, w.status, w.takedown_reason, w.creator_user_id, u.nickname, v.thumb_key, v.play_key,
          s.like_count, s.tip_count, w.created_at
        from works w join users u on u.id = w.creator_user_id join video_assets v on v.id = w.video_id
        left join work_stats s on s.work_id = w.id
        where true ${q.status ? sql`and w.status = ${q.status}` : sql``}
        ${text ? sql`and (w.id = ${text} or w.title ilike ${`%${text.replace(/[%_\\]/g, "\\$&")}%`})` : sql``}
        ${q.after ? sql`and (w.created_at, w.id) < (${q.after.createdAt.toISOString()}::timestamptz, ${q.after.id})` : sql``}
        order by w.created_at desc, w.id desc limit ${q.limit + 1}`,
  );
}

export async function findWorkForAdmin(ex: Executor, id: string): Promise<AdminWorkRow | null> {
  const rows = await listWorksForAdmin(ex, { text: id, after: null, limit: 0 });
  return rows.find((r) => r.id === id) ?? null;
}
