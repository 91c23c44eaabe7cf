import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { call, startTestApp, type TestApp } from "../helpers/app.js";
import { makeVideo, newUser, publishNew, type TestUser } from "../helpers/community.js";

// Real PostgreSQL only (this folder joins the suite when DATABASE_URL is set).
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function users(n: number): Promise<TestUser[]> {
  const out: TestUser[] = [];
  // A few at a time: each login is an SMS round (send, job, verify).
  for (let i = 0; i < n; i += 10) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => newUser(t)))));
  }
  return out;
}

const workStats = async (workId: string) =>
  (
    await queryRows<{ like_count: number; favorite_count: number }>(
      t.ctx.db,
      sql`select like_count, favorite_count from work_stats where work_id = ${workId}`,
    )
  )[0];
const userStats = async (userId: string) =>
  (
    await queryRows<{ likes_received: number; followers_count: number; following_count: number }>(
      t.ctx.db,
      sql`select likes_received, followers_count, following_count from user_stats where user_id = ${userId}`,
    )
  )[0];

describe("community counters under concurrency (real PostgreSQL)", () => {
  it("100 concurrent likes by 100 users → like_count 100 and likes_received 100", async () => {
    expect(t.ctx.database.kind).toBe("postgres");
    const creator = await newUser(t);
    const w = await publishNew(t, creator);
    const likers = await users(100);
    const results = await Promise.all(
      likers.map((u) => call(t, "POST", `/api/v1/works/${w.work_id}/like`, { token: u.token })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect((await workStats(w.work_id))?.like_count).toBe(100);
    expect((await userStats(creator.id))?.likes_received).toBe(100);
    const [likes] = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from likes where work_id = ${w.work_id}`,
    );
    expect(likes?.n).toBe(100);
    // …and 100 concurrent unlikes bring both back to 0.
    await Promise.all(
      likers.map((u) => call(t, "POST", `/api/v1/works/${w.work_id}/unlike`, { token: u.token })),
    );
    expect((await workStats(w.work_id))?.like_count).toBe(0);
    expect((await userStats(creator.id))?.likes_received).toBe(0);
  });

  it("the same user's 20 concurrent likes → 1 (and one like_work event); 20 favorites → 1", async () => {
    const creator = await newUser(t);
    const fan = await newUser(t);
    const w = await publishNew(t, creator);
    const likes = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(t, "POST", `/api/v1/works/${w.work_id}/like`, { token: fan.token }),
      ),
    );
    expect(likes.every((r) => r.status === 200 && r.body.data.like_count === 1)).toBe(true);
    const favs = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(t, "POST", `/api/v1/works/${w.work_id}/favorite`, { token: fan.token }),
      ),
    );
    expect(favs.every((r) => r.status === 200)).toBe(true);
    expect(await workStats(w.work_id)).toEqual({ like_count: 1, favorite_count: 1 });
    expect((await userStats(creator.id))?.likes_received).toBe(1);
    const [events] = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from activity_events where user_id = ${fan.id} and kind = 'like_work'`,
    );
    expect(events?.n).toBe(1);
  });

  it("follows in both directions at once never deadlock and count exactly", async () => {
    const people = await users(8);
    const calls = people.flatMap((a) =>
      people
        .filter((b) => b.id !== a.id)
        .flatMap((b) => [
          call(t, "POST", `/api/v1/users/${b.id}/follow`, { token: a.token }),
          call(t, "POST", `/api/v1/users/${b.id}/follow`, { token: a.token }),
        ]),
    );
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    for (const p of people) {
      expect(await userStats(p.id)).toMatchObject({ followers_count: 7, following_count: 7 });
    }
  });

  it("the same video published 10 times at once → one work, nine 409/2007, works_count 1", async () => {
    const creator = await newUser(t);
    const videoId = await makeVideo(t, creator.id);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(t, "POST", "/api/v1/works/publish", {
          token: creator.token,
          body: { video_id: videoId, title: `并发 ${i}` },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 2007)).toHaveLength(9);
    const [stats] = await queryRows<{ works_count: number }>(
      t.ctx.db,
      sql`select works_count from user_stats where user_id = ${creator.id}`,
    );
    expect(stats?.works_count).toBe(1);
  });
});
