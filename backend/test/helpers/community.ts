import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { vi } from "vitest";
import { tasks, videoAssets, workStats, works } from "../../src/db/schema/index.js";
import { newId } from "../../src/lib/ids.js";
import { call, login, type TestApp } from "./app.js";

export interface TestUser {
  token: string;
  id: string;
}

export async function newUser(t: TestApp): Promise<TestUser> {
  const u = await login(t);
  return { token: u.access_token, id: u.user.user_id };
}

/**
 * A finished task and its draft video, written straight to the database (the generation loop has its own
 * tests; here only the asset matters). `remixOf` makes it a remix task of that work.
 */
export async function makeVideo(
  t: TestApp,
  userId: string,
  opts: { prompt?: string; remixOf?: string } = {},
): Promise<string> {
  const now = t.clock.now();
  const taskId = newId();
  const videoId = newId();
  const prompt = opts.prompt ?? `a skyriff clip ${videoId.slice(-6)}`;
  await t.ctx.db.insert(tasks).values({
    id: taskId,
    userId,
    status: "SUCCESS",
    progress: 100,
    prompt,
    durationSec: 10,
    ratio: "9:16",
    model: "skyriff-sim",
    vendor: "simulated",
    sourceType: opts.remixOf ? "remix" : "create",
    sourceWorkId: opts.remixOf ?? null,
    costCredits: 10,
    videoId,
    timeoutAt: new Date(now.getTime() + 3600_000),
    createdAt: now,
    finishedAt: now,
  });
  await insertVideoRow(t, { id: videoId, ownerUserId: userId, taskId, prompt, createdAt: now });
  return videoId;
}

/** A video asset row with placeholder storage keys (the tests here never read the files). */
async function insertVideoRow(
  t: TestApp,
  row: Partial<typeof videoAssets.$inferInsert> & { id: string; ownerUserId: string },
) {
  await t.ctx.db.insert(videoAssets).values({
    prompt: "",
    sourceKey: `videos/${row.id}/source.mp4`,
    playKey: `videos/${row.id}/play.mp4`,
    thumbKey: `videos/${row.id}/thumb.jpg`,
    durationMs: 10_000,
    ratio: "9:16",
    width: 720,
    height: 1280,
    ...row,
  });
}

/**
 * A published work written straight to the database (video, work and zero stats), for tests of what
 * happens to a work rather than of publishing it.
 */
export async function insertWork(
  t: TestApp,
  creatorId: string,
  opts: Partial<typeof works.$inferInsert> = {},
): Promise<{ id: string; prompt: string }> {
  const id = newId();
  const videoId = newId();
  const prompt = opts.prompt ?? "夕阳下的海边城市，电影感";
  await insertVideoRow(t, { id: videoId, ownerUserId: creatorId, prompt, publishStatus: "published" });
  await t.ctx.db
    .insert(works)
    .values({ id, creatorUserId: creatorId, videoId, title: "作品", prompt, ...opts });
  await t.ctx.db.insert(workStats).values({ workId: id });
  return { id, prompt };
}

/** Publishes a fresh video of `user` and returns the work (the clock moves 1 s so orders are strict). */
export async function publishNew(
  t: TestApp,
  user: TestUser,
  body: Record<string, unknown> = {},
  opts: { remixOf?: string } = {},
) {
  const videoId = await makeVideo(t, user.id, opts);
  const res = await call(t, "POST", "/api/v1/works/publish", {
    token: user.token,
    body: { video_id: videoId, title: `作品 ${videoId.slice(-6)}`, ...body },
  });
  if (res.status !== 200) throw new Error(`publish failed: ${JSON.stringify(res.body)}`);
  t.clock.advance(1000);
  return res.body.data as { work_id: string; title: string; [k: string]: unknown };
}

/**
 * The community SQL statements (those naming works, snapshots, likes, favorites, follows) the app sends
 * while `fn` runs, on either driver; the job runner's outbox polling and auth lookups are left out.
 */
export async function countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const seen: string[] = [];
  const record = (q: unknown) => {
    const text = typeof q === "string" ? q : ((q as { text?: string })?.text ?? "");
    if (/outbox/.test(text) || !/works|feed_snapshot|likes|favorites|follows|work_stats/.test(text)) return;
    seen.push(text);
  };
  const pglite = vi.spyOn(PGlite.prototype, "query").mockImplementation(function (
    this: PGlite,
    ...args: Parameters<PGlite["query"]>
  ) {
    record(args[0]);
    return originalPglite.apply(this, args);
  } as PGlite["query"]);
  const client = vi.spyOn(pg.Client.prototype, "query").mockImplementation(function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    record(args[0]);
    return (originalPg as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  try {
    const result = await fn();
    return { result, queries: seen };
  } finally {
    pglite.mockRestore();
    client.mockRestore();
  }
}

const originalPglite = PGlite.prototype.query;
const originalPg = pg.Client.prototype.query;
