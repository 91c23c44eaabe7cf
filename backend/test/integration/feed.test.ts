import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { refreshFeedSnapshots } from "../../src/modules/feed/service.js";
import { call, startTestApp, type TestApp } from "../helpers/app.js";
import { countQueries, newUser, publishNew, type TestUser } from "../helpers/community.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());
// Every test starts from an empty public catalogue, so orders are asserted in full.
beforeEach(async () => {
  await t.ctx.db.execute(sql`update works set status = 'unpublished' where status = 'published'`);
});

const setStats = (workId: string, s: { like?: number; favorite?: number; tip?: number; share?: number }) =>
  t.ctx.db.execute(
    sql`update work_stats set like_count = ${s.like ?? 0}, favorite_count = ${s.favorite ?? 0},
          tip_count = ${s.tip ?? 0}, share_count = ${s.share ?? 0} where work_id = ${workId}`,
  );
const ids = (res: { body: { data: { items: { work_id: string }[] } } }) =>
  res.body.data.items.map((i) => i.work_id);
const feed = (tab: string, opts: { token?: string; cursor?: string | null; limit?: number } = {}) =>
  call(
    t,
    "GET",
    `/api/v1/feed?tab=${tab}&limit=${opts.limit ?? 20}${opts.cursor ? `&cursor=${opts.cursor}` : ""}`,
    { token: opts.token },
  );

async function works(user: TestUser, n: number) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await publishNew(t, user)).work_id);
  return out;
}

describe("feed tabs", () => {
  it("discover: score = likes + 2·favorites + 5·tips + 3·shares DESC, then newest; taken-down works vanish at once", async () => {
    const alice = await newUser(t);
    const [a, b, c, d, e, f] = await works(alice, 6);
    await setStats(a as string, { like: 10 }); // 10
    await setStats(b as string, { favorite: 3 }); // 6
    await setStats(c as string, { tip: 2 }); // 10 (newer than a)
    await setStats(d as string, { share: 2 }); // 6 (newer than b)
    await setStats(e as string, { like: 1, favorite: 1, tip: 1, share: 1 }); // 11
    await setStats(f as string, {}); // 0
    await refreshFeedSnapshots(t.ctx);
    const res = await feed("discover");
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([e, c, a, d, b, f]);
    expect(res.body.data.has_more).toBe(false);
    expect(res.body.data.items[0]).toMatchObject({
      creator: { user_id: alice.id },
      viewer: { is_liked: false, is_own: false },
      stats: { like_count: 1, favorite_count: 1, tip_count: 1, share_count: 1 },
    });

    await call(t, "DELETE", `/api/v1/works/${c}`, { token: alice.token });
    expect(ids(await feed("discover"))).toEqual([e, a, d, b, f]);
  });

  it("hot: works of the last 24 h by likes DESC, then newest", async () => {
    const alice = await newUser(t);
    const [old, x, y, z] = await works(alice, 4);
    await t.ctx.db.execute(
      sql`update works set created_at = created_at - interval '25 hours' where id = ${old as string}`,
    );
    await setStats(old as string, { like: 100 });
    await setStats(x as string, { like: 5 });
    await setStats(y as string, { like: 7, share: 100 });
    await setStats(z as string, { like: 5 });
    await refreshFeedSnapshots(t.ctx);
    expect(ids(await feed("hot"))).toEqual([y, z, x]);
    expect(ids(await feed("discover"))).toEqual([y, old, z, x]);
  });

  it("following: works of followed creators, newest first, keyset pages; sign-in required", async () => {
    const [alice, carol, dave, bob] = [
      await newUser(t),
      await newUser(t),
      await newUser(t),
      await newUser(t),
    ];
    await call(t, "POST", `/api/v1/users/${alice.id}/follow`, { token: bob.token });
    await call(t, "POST", `/api/v1/users/${carol.id}/follow`, { token: bob.token });
    const a1 = (await publishNew(t, alice)).work_id;
    const c1 = (await publishNew(t, carol)).work_id;
    await publishNew(t, dave);
    const a2 = (await publishNew(t, alice)).work_id;
    const c2 = (await publishNew(t, carol)).work_id;
    const p1 = await feed("following", { token: bob.token, limit: 3 });
    expect(ids(p1)).toEqual([c2, a2, c1]);
    expect(p1.body.data.items[0].viewer.is_following).toBe(true);
    expect(p1.body.data.has_more).toBe(true);
    const p2 = await feed("following", { token: bob.token, limit: 3, cursor: p1.body.data.next_cursor });
    expect(ids(p2)).toEqual([a1]);
    expect(p2.body.data.has_more).toBe(false);
    expect(p2.body.data.next_cursor).toBeNull();

    const anon = await feed("following");
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe(1001);
  });

  it("a fresh install's first read builds a snapshot; a publish schedules a debounced refresh", async () => {
    const alice = await newUser(t);
    await t.ctx.db.execute(sql`delete from feed_snapshots`);
    await t.ctx.db.execute(sql`delete from feed_snapshot_versions`);
    const w = (await publishNew(t, alice)).work_id;
    expect(ids(await feed("discover"))).toEqual([w]);
    const jobs = await queryRows<{ id: string }>(
      t.ctx.db,
      sql`select id from outbox where job_name = 'feed.refresh' and id like 'feed-refresh-%'`,
    );
    expect(jobs.length).toBeGreaterThan(0);
  });

  it("rejects a malformed cursor or one of another tab (422/4220)", async () => {
    const alice = await newUser(t);
    await works(alice, 3);
    await refreshFeedSnapshots(t.ctx);
    const bad = await feed("discover", { cursor: "not-a-cursor" });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe(4220);
    const p1 = await feed("discover", { limit: 1 });
    const crossed = await feed("hot", { cursor: p1.body.data.next_cursor });
    expect(crossed.body.code).toBe(4220);
  });

  it("rankings: creators by credits tipped, then followers", async () => {
    const [a, b, c, fan] = [await newUser(t), await newUser(t), await newUser(t), await newUser(t)];
    for (const u of [a, b, c]) await publishNew(t, u);
    await t.ctx.db.execute(sql`update user_stats set total_tipped_credits = 0`);
    await t.ctx.db.execute(sql`update user_stats set total_tipped_credits = 300 where user_id = ${a.id}`);
    await t.ctx.db.execute(sql`update user_stats set total_tipped_credits = 500 where user_id = ${b.id}`);
    await t.ctx.db.execute(sql`update user_stats set total_tipped_credits = 300 where user_id = ${c.id}`);
    await call(t, "POST", `/api/v1/users/${c.id}/follow`, { token: fan.token });
    const res = await call(t, "GET", "/api/v1/rankings/creators/tips?limit=3");
    expect(res.status).toBe(200);
    expect(res.body.data.items).toMatchObject([
      { rank: 1, user_id: b.id, total_tipped_credits: 500, followers_count: 0 },
      { rank: 2, user_id: c.id, total_tipped_credits: 300, followers_count: 1 },
      { rank: 3, user_id: a.id, total_tipped_credits: 300, followers_count: 0 },
    ]);
  });
});

describe("paging a ranked feed", () => {
  it("to the end while likes keep changing the scores: every work exactly once, one order", async () => {
    const alice = await newUser(t);
    const likers = [await newUser(t), await newUser(t), await newUser(t)];
    const all = await works(alice, 23);
    await refreshFeedSnapshots(t.ctx);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    // Another client keeps liking (and unliking) random works for the whole scroll.
    let scrolling = true;
    const background = (async () => {
      let n = 0;
      while (scrolling) {
        const u = likers[n % likers.length] as TestUser;
        const w = all[(n * 5) % all.length] as string;
        await call(t, "POST", `/api/v1/works/${w}/${n % 4 === 3 ? "unlike" : "like"}`, { token: u.token });
        n++;
      }
      return n;
    })();
    do {
      const res = await feed("discover", { cursor, limit: 4 });
      expect(res.status).toBe(200);
      seen.push(...ids(res));
      cursor = res.body.data.next_cursor;
      pages++;
      // Between pages: likes on works not yet seen and already seen reshuffle the live scores…
      const target = all[(pages * 7) % all.length] as string;
      const tail = all[all.length - pages] as string;
      await Promise.all(
        likers.flatMap((u) => [
          call(t, "POST", `/api/v1/works/${target}/like`, { token: u.token }),
          call(t, "POST", `/api/v1/works/${tail}/like`, { token: u.token }),
        ]),
      );
      // …and a snapshot refresh lands in the middle of the scroll.
      if (pages === 3) await refreshFeedSnapshots(t.ctx);
    } while (cursor);
    scrolling = false;
    expect(await background).toBeGreaterThan(0);
    expect(pages).toBe(6);
    expect(seen).toHaveLength(all.length);
    expect(new Set(seen).size).toBe(all.length);
    expect([...seen].sort()).toEqual([...all].sort());
    // Nothing was taken down, so the pinned order is the first snapshot's: newest first (all scores 0).
    expect(seen).toEqual([...all].reverse());
    // A new scroll sees the new order.
    await refreshFeedSnapshots(t.ctx);
    const fresh = await feed("discover", { limit: 50 });
    const [top] = fresh.body.data.items as { stats: { like_count: number } }[];
    expect(top?.stats.like_count).toBeGreaterThan(0);
  });

  it("a work taken down mid-scroll is skipped and the pages stay full", async () => {
    const alice = await newUser(t);
    const all = (await works(alice, 6)).reverse(); // newest first = the feed order
    await refreshFeedSnapshots(t.ctx);
    const p1 = await feed("discover", { limit: 2 });
    expect(ids(p1)).toEqual(all.slice(0, 2));
    await call(t, "DELETE", `/api/v1/works/${all[2]}`, { token: alice.token });
    const p2 = await feed("discover", { limit: 2, cursor: p1.body.data.next_cursor });
    expect(ids(p2)).toEqual([all[3], all[4]]);
    expect(p2.body.data.has_more).toBe(true);
    const p3 = await feed("discover", { limit: 2, cursor: p2.body.data.next_cursor });
    expect(ids(p3)).toEqual([all[5]]);
    expect(p3.body.data.has_more).toBe(false);
  });

  it("a cursor whose version was pruned restarts at the top of the newest snapshot", async () => {
    const alice = await newUser(t);
    const all = (await works(alice, 4)).reverse();
    await refreshFeedSnapshots(t.ctx);
    const p1 = await feed("discover", { limit: 2 });
    for (let i = 0; i < 3; i++) await refreshFeedSnapshots(t.ctx);
    const restarted = await feed("discover", { limit: 2, cursor: p1.body.data.next_cursor });
    expect(ids(restarted)).toEqual(all.slice(0, 2));
    const versions = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from feed_snapshot_versions where tab = 'discover'`,
    );
    expect(versions[0]?.n).toBe(3);
  });
});

describe("no N+1", () => {
  it("a feed page costs the same few queries for 2 items as for 20, with viewer flags", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const all = await works(alice, 20);
    for (const w of all.slice(0, 5)) {
      await call(t, "POST", `/api/v1/works/${w}/like`, { token: bob.token });
      await call(t, "POST", `/api/v1/works/${w}/favorite`, { token: bob.token });
    }
    await call(t, "POST", `/api/v1/users/${alice.id}/follow`, { token: bob.token });
    await refreshFeedSnapshots(t.ctx);
    const small = await countQueries(() => feed("discover", { token: bob.token, limit: 2 }));
    const large = await countQueries(() => feed("discover", { token: bob.token, limit: 20 }));
    expect(ids(large.result)).toHaveLength(20);
    const liked = large.result.body.data.items.filter(
      (i: { viewer: { is_liked: boolean } }) => i.viewer.is_liked,
    );
    expect(liked).toHaveLength(5);
    expect(
      large.result.body.data.items.every((i: { viewer: { is_following: boolean } }) => i.viewer.is_following),
    ).toBe(true);
    expect(large.queries.length).toBe(small.queries.length);
    // The version lookup and one page query (works + stats + creator + video + flags joined).
    expect(large.queries.length).toBeLessThanOrEqual(2);
    expect(large.queries.length).toBeGreaterThan(0);

    const following = await countQueries(() => feed("following", { token: bob.token, limit: 20 }));
    expect(ids(following.result)).toHaveLength(20);
    expect(following.queries.length).toBeLessThanOrEqual(1);
    const favorites = await countQueries(() => call(t, "GET", "/api/v1/me/favorites", { token: bob.token }));
    expect(favorites.result.body.data.items).toHaveLength(5);
    expect(favorites.queries.length).toBeLessThanOrEqual(1);
    const profileWorks = await countQueries(() => call(t, "GET", `/api/v1/users/${alice.id}/works?limit=20`));
    expect(profileWorks.queries.length).toBeLessThanOrEqual(2);
  });
});
