import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { enqueue } from "../../src/jobs/index.js";
import { addSensitiveWords } from "../../src/modules/moderation/service.js";
import { call, startTestApp, type TestApp } from "../helpers/app.js";
import { makeVideo, newUser, publishNew } from "../helpers/community.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { SENSITIVE_WORDS: "禁词甲, forbiddenword" } });
});
afterAll(async () => t?.close());

const stats = async (workId: string) =>
  (await call(t, "GET", `/api/v1/works/${workId}`)).body.data.stats as Record<string, number>;
const userStats = async (userId: string) =>
  (await call(t, "GET", `/api/v1/users/${userId}/profile`)).body.data.stats as Record<string, number>;
const activity = async (userId: string, kind: string) =>
  (
    await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from activity_events where user_id = ${userId} and kind = ${kind}`,
    )
  )[0]?.n;

describe("publish", () => {
  it("publishes the owner's draft once: zero stats, asset published, creator, share link, prompt copied", async () => {
    const alice = await newUser(t);
    const videoId = await makeVideo(t, alice.id, { prompt: "雪山上的日出，航拍" });
    const res = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: videoId, title: "日出", description: "第一部作品", prompt_price_credits: 8 },
    });
    expect(res.status).toBe(200);
    const w = res.body.data;
    expect(w).toMatchObject({
      video_id: videoId,
      title: "日出",
      description: "第一部作品",
      is_prompt_locked: true,
      prompt_price_credits: 8,
      remix_fee_credits: 2,
      allow_remix: true,
      status: "published",
      share_url: `http://skyriff.test/works/${w.work_id}`,
      remixed_from: null,
      stats: {
        like_count: 0,
        favorite_count: 0,
        tip_count: 0,
        share_count: 0,
        view_count: 0,
        remix_count: 0,
      },
      viewer: { is_own: true, is_liked: false },
      creator: { user_id: alice.id },
      duration_sec: 10,
      ratio: "9:16",
    });
    expect(w.play_url).toContain("play.mp4");
    expect(w.cover_url).toContain("thumb.jpg");
    const [row] = await queryRows<{ prompt: string }>(
      t.ctx.db,
      sql`select prompt from works where id = ${w.work_id}`,
    );
    expect(row?.prompt).toBe("雪山上的日出，航拍");
    const asset = await call(t, "GET", `/api/v1/assets/videos/${videoId}`, { token: alice.token });
    expect(asset.body.data.publish_status).toBe("published");
    const me = await call(t, "GET", "/api/v1/me", { token: alice.token });
    expect(me.body.data.is_creator).toBe(true);
    expect((await userStats(alice.id)).works_count).toBe(1);
    expect(await activity(alice.id, "publish_work")).toBe(1);

    const again = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: videoId, title: "再来" },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe(2007);
    expect((await userStats(alice.id)).works_count).toBe(1);
  });

  it("another user's video → 404; unknown video → 404; bad title → 4220; sensitive words → 400/4220 naming the field", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const bobsVideo = await makeVideo(t, bob.id);
    const stolen = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: bobsVideo, title: "不是我的" },
    });
    expect(stolen.status).toBe(404);
    expect(stolen.body.code).toBe(4004);
    const unknown = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: "no-such-video", title: "x" },
    });
    expect(unknown.status).toBe(404);

    const own = await makeVideo(t, alice.id);
    const empty = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: own, title: "" },
    });
    expect(empty.status).toBe(422);
    expect(empty.body.code).toBe(4220);
    expect(empty.body.data.fields).toHaveProperty("title");
    const long = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: own, title: "长".repeat(61) },
    });
    expect(long.body.code).toBe(4220);

    const sensitive = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: own, title: "一起来 赌 博 吧" },
    });
    expect(sensitive.status).toBe(400);
    expect(sensitive.body.code).toBe(4220);
    expect(Object.keys(sensitive.body.data.fields)).toEqual(["title"]);
    // SENSITIVE_WORDS from the environment, case-insensitive.
    const fromEnv = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: own, title: "ok", description: "this has ForbiddenWord inside" },
    });
    expect(fromEnv.status).toBe(400);
    expect(Object.keys(fromEnv.body.data.fields)).toEqual(["description"]);
    // Words added to the table take effect.
    await addSensitiveWords(t.ctx.db, ["表里的词"]);
    const fromTable = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: own, title: "表里的词" },
    });
    expect(fromTable.status).toBe(400);
    expect(fromTable.body.data.fields).toHaveProperty("title");
    // Nicknames pass the same list.
    const nick = await call(t, "PATCH", "/api/v1/me/profile", {
      token: alice.token,
      body: { nickname: "禁词甲" },
    });
    expect(nick.status).toBe(400);
    expect(nick.body.data.fields).toHaveProperty("nickname");
    // Nothing was published.
    const asset = await call(t, "GET", `/api/v1/assets/videos/${own}`, { token: alice.token });
    expect(asset.body.data.publish_status).toBe("draft");
  });

  it("a remix links to its source and the source counts it", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const source = await publishNew(t, alice, { title: "原作" });
    const remix = await publishNew(t, bob, { title: "二创" }, { remixOf: source.work_id });
    expect(remix.remixed_from).toMatchObject({
      work_id: source.work_id,
      title: "原作",
      creator: { user_id: alice.id },
    });
    expect((await stats(source.work_id)).remix_count).toBe(1);
  });
});

describe("work detail, views and unpublish", () => {
  it("GET /works/{id}: anonymous flags are false; one view per viewer per Shanghai day", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const w = await publishNew(t, alice);
    const anon = await call(t, "GET", `/api/v1/works/${w.work_id}`, { ip: "10.9.9.9" });
    expect(anon.status).toBe(200);
    expect(anon.body.data.viewer).toEqual({
      is_liked: false,
      is_favorited: false,
      is_prompt_unlocked: false,
      is_following: false,
      is_own: false,
    });
    expect(anon.body.data.stats.view_count).toBe(1);
    await call(t, "GET", `/api/v1/works/${w.work_id}`, { ip: "10.9.9.9" });
    await call(t, "POST", `/api/v1/works/${w.work_id}/like`, { token: bob.token });
    await call(t, "POST", `/api/v1/users/${alice.id}/follow`, { token: bob.token });
    const seen = await call(t, "GET", `/api/v1/works/${w.work_id}`, { token: bob.token });
    expect(seen.body.data.viewer).toMatchObject({ is_liked: true, is_following: true, is_own: false });
    await call(t, "GET", `/api/v1/works/${w.work_id}`, { token: bob.token });
    expect((await stats(w.work_id)).view_count).toBe(2 + 1); // anon ip + bob + the anonymous stats() call
    t.clock.advance(24 * 3600_000);
    await call(t, "GET", `/api/v1/works/${w.work_id}`, { token: bob.token });
    const [row] = await queryRows<{ view_count: number }>(
      t.ctx.db,
      sql`select view_count from work_stats where work_id = ${w.work_id}`,
    );
    expect(row?.view_count).toBe(4);
  });

  it("unpublish: creator only; the work leaves the public; the asset is a draft again; republish restores it", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const w = await publishNew(t, alice);
    await call(t, "POST", `/api/v1/works/${w.work_id}/favorite`, { token: bob.token });
    const notMine = await call(t, "DELETE", `/api/v1/works/${w.work_id}`, { token: bob.token });
    expect(notMine.status).toBe(403);
    expect(notMine.body.code).toBe(2002);
    const del = await call(t, "DELETE", `/api/v1/works/${w.work_id}`, { token: alice.token });
    expect(del.status).toBe(200);
    expect(del.body.data.status).toBe("unpublished");
    expect((await userStats(alice.id)).works_count).toBe(0);
    expect((await call(t, "DELETE", `/api/v1/works/${w.work_id}`, { token: alice.token })).status).toBe(200);
    expect((await userStats(alice.id)).works_count).toBe(0);

    expect((await call(t, "GET", `/api/v1/works/${w.work_id}`, { token: bob.token })).status).toBe(404);
    expect((await call(t, "GET", `/api/v1/works/${w.work_id}`, { token: alice.token })).status).toBe(200);
    const like = await call(t, "POST", `/api/v1/works/${w.work_id}/like`, { token: bob.token });
    expect(like.status).toBe(404);
    expect(like.body.code).toBe(4004);
    const favs = await call(t, "GET", "/api/v1/me/favorites", { token: bob.token });
    expect(favs.body.data.items).toEqual([]);
    const works = await call(t, "GET", `/api/v1/users/${alice.id}/works`);
    expect(works.body.data.items).toEqual([]);
    const asset = await call(t, "GET", `/api/v1/assets/videos/${w.video_id}`, { token: alice.token });
    expect(asset.body.data.publish_status).toBe("draft");

    const again = await call(t, "POST", "/api/v1/works/publish", {
      token: alice.token,
      body: { video_id: w.video_id, title: "重新发布" },
    });
    expect(again.status).toBe(200);
    expect(again.body.data.work_id).toBe(w.work_id);
    expect(again.body.data.stats.favorite_count).toBe(1);
    const back = await call(t, "GET", "/api/v1/me/favorites", { token: bob.token });
    expect(back.body.data.items.map((i: { work_id: string }) => i.work_id)).toEqual([w.work_id]);
  });

  it("deleting a published video from 资产 withdraws its work in the same action", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const w = await publishNew(t, alice);
    await call(t, "POST", `/api/v1/works/${w.work_id}/favorite`, { token: bob.token });
    const del = await call(t, "DELETE", `/api/v1/assets/videos/${w.video_id}`, { token: alice.token });
    expect(del.status).toBe(200);
    expect((await call(t, "GET", `/api/v1/works/${w.work_id}`, { token: bob.token })).status).toBe(404);
    expect((await call(t, "GET", "/api/v1/me/favorites", { token: bob.token })).body.data.items).toEqual([]);
    expect((await call(t, "GET", `/api/v1/users/${alice.id}/works`)).body.data.items).toEqual([]);
    expect((await userStats(alice.id)).works_count).toBe(0);
  });
});

describe("social", () => {
  it("follow / unfollow: idempotent, counts change once, not yourself, unknown user 404/1003", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    for (let i = 0; i < 3; i++) {
      const res = await call(t, "POST", `/api/v1/users/${alice.id}/follow`, { token: bob.token });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ is_following: true, followers_count: 1 });
    }
    expect(await userStats(alice.id)).toMatchObject({ followers_count: 1, following_count: 0 });
    expect(await userStats(bob.id)).toMatchObject({ followers_count: 0, following_count: 1 });
    expect(await activity(bob.id, "follow_user")).toBe(1);
    const profile = await call(t, "GET", `/api/v1/users/${alice.id}/profile`, { token: bob.token });
    expect(profile.body.data).toMatchObject({ is_following: true, is_self: false });
    const followers = await call(t, "GET", `/api/v1/users/${alice.id}/followers`, { token: alice.token });
    expect(followers.body.data.items).toMatchObject([{ user_id: bob.id, is_following: false }]);
    const following = await call(t, "GET", `/api/v1/users/${bob.id}/following`, { token: bob.token });
    expect(following.body.data.items).toMatchObject([{ user_id: alice.id, is_following: true }]);

    const self = await call(t, "POST", `/api/v1/users/${bob.id}/follow`, { token: bob.token });
    expect(self.status).toBe(409);
    expect(self.body.code).toBe(2007);
    const ghost = await call(t, "POST", "/api/v1/users/no-such-user/follow", { token: bob.token });
    expect(ghost.status).toBe(404);
    expect(ghost.body.code).toBe(1003);

    for (let i = 0; i < 2; i++) {
      const res = await call(t, "POST", `/api/v1/users/${alice.id}/unfollow`, { token: bob.token });
      expect(res.body.data).toEqual({ is_following: false, followers_count: 0 });
    }
    expect(await userStats(bob.id)).toMatchObject({ following_count: 0 });
    expect((await call(t, "POST", `/api/v1/users/${alice.id}/follow`, { token: bob.token })).status).toBe(
      200,
    );
    expect(await activity(bob.id, "follow_user")).toBe(2);
  });

  it("like / unlike: idempotent; like_count and the creator's likes_received change once", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const w = await publishNew(t, alice);
    for (let i = 0; i < 3; i++) {
      const res = await call(t, "POST", `/api/v1/works/${w.work_id}/like`, { token: bob.token });
      expect(res.body.data).toEqual({ is_liked: true, like_count: 1 });
    }
    expect((await userStats(alice.id)).likes_received_count).toBe(1);
    expect(await activity(bob.id, "like_work")).toBe(1);
    for (let i = 0; i < 2; i++) {
      const res = await call(t, "POST", `/api/v1/works/${w.work_id}/unlike`, { token: bob.token });
      expect(res.body.data).toEqual({ is_liked: false, like_count: 0 });
    }
    expect((await userStats(alice.id)).likes_received_count).toBe(0);
    const missing = await call(t, "POST", "/api/v1/works/no-such-work/like", { token: bob.token });
    expect(missing.status).toBe(404);
  });

  it("favorites: idempotent counts; /me/favorites newest first, pages, and drops works taken down", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const works = [await publishNew(t, alice), await publishNew(t, alice), await publishNew(t, alice)];
    for (const w of works) {
      await call(t, "POST", `/api/v1/works/${w.work_id}/favorite`, { token: bob.token });
      const twice = await call(t, "POST", `/api/v1/works/${w.work_id}/favorite`, { token: bob.token });
      expect(twice.body.data).toEqual({ is_favorited: true, favorite_count: 1 });
      t.clock.advance(1000);
    }
    const first = await call(t, "GET", "/api/v1/me/favorites?limit=2", { token: bob.token });
    expect(first.body.data.items.map((i: { work_id: string }) => i.work_id)).toEqual([
      works[2]?.work_id,
      works[1]?.work_id,
    ]);
    expect(first.body.data.items[0].viewer.is_favorited).toBe(true);
    expect(first.body.data.has_more).toBe(true);
    const second = await call(
      t,
      "GET",
      `/api/v1/me/favorites?limit=2&cursor=${first.body.data.next_cursor}`,
      {
        token: bob.token,
      },
    );
    expect(second.body.data.items.map((i: { work_id: string }) => i.work_id)).toEqual([works[0]?.work_id]);
    expect(second.body.data.has_more).toBe(false);

    await call(t, "DELETE", `/api/v1/works/${works[1]?.work_id}`, { token: alice.token });
    const after = await call(t, "GET", "/api/v1/me/favorites", { token: bob.token });
    expect(after.body.data.items.map((i: { work_id: string }) => i.work_id)).toEqual([
      works[2]?.work_id,
      works[0]?.work_id,
    ]);
    const home = await call(t, "GET", "/api/v1/me/home", { token: bob.token });
    expect(home.body.data.counts.favorites).toBe(2);

    const un = await call(t, "DELETE", `/api/v1/works/${works[0]?.work_id}/favorite`, { token: bob.token });
    expect(un.body.data).toEqual({ is_favorited: false, favorite_count: 0 });
    const unAgain = await call(t, "DELETE", `/api/v1/works/${works[0]?.work_id}/favorite`, {
      token: bob.token,
    });
    expect(unAgain.body.data.favorite_count).toBe(0);
  });

  it("share: share_count + 1 and the public link", async () => {
    const alice = await newUser(t);
    const w = await publishNew(t, alice);
    const a = await call(t, "POST", `/api/v1/works/${w.work_id}/share`, { token: alice.token });
    const b = await call(t, "POST", `/api/v1/works/${w.work_id}/share`);
    expect(a.body.data).toEqual({ share_url: `http://skyriff.test/works/${w.work_id}`, share_count: 1 });
    expect(b.body.data.share_count).toBe(2);
    expect((await call(t, "POST", "/api/v1/works/nope/share")).status).toBe(404);
  });

  it("community.recount repairs corrupted counters from the rows", async () => {
    const alice = await newUser(t);
    const bob = await newUser(t);
    const w = await publishNew(t, alice);
    await call(t, "POST", `/api/v1/works/${w.work_id}/like`, { token: bob.token });
    await call(t, "POST", `/api/v1/works/${w.work_id}/favorite`, { token: bob.token });
    await call(t, "POST", `/api/v1/users/${alice.id}/follow`, { token: bob.token });
    await t.ctx.db.execute(
      sql`update work_stats set like_count = 57, favorite_count = 0 where work_id = ${w.work_id}`,
    );
    await t.ctx.db.execute(
      sql`update user_stats set likes_received = 9, followers_count = 0, works_count = 4 where user_id = ${alice.id}`,
    );
    await t.ctx.db.execute(sql`update user_stats set following_count = 3 where user_id = ${bob.id}`);
    await enqueue(t.ctx.db, "community.recount", {});
    await t.ctx.jobs.idle();
    expect(await stats(w.work_id)).toMatchObject({ like_count: 1, favorite_count: 1 });
    expect(await userStats(alice.id)).toMatchObject({
      likes_received_count: 1,
      followers_count: 1,
      works_count: 1,
    });
    expect((await userStats(bob.id)).following_count).toBe(1);
  });
});

describe("share page", () => {
  it("renders OG tags, the watermarked player and 打开 App; escapes a hostile title; 404 when not published", async () => {
    const alice = await newUser(t);
    const title = `<script>alert("x")</script> & 'q'`;
    const w = await publishNew(t, alice, { title, description: "描述 <b>bold</b>" });
    const res = await t.app.inject({ method: "GET", url: `/works/${w.work_id}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    const html = res.body;
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>bold</b>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(html).toContain(
      `<meta property="og:title" content="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;">`,
    );
    expect(html).toContain(`<meta property="og:url" content="http://skyriff.test/works/${w.work_id}">`);
    expect(html).toMatch(
      /<meta property="og:image" content="http:\/\/skyriff\.test\/files\/videos\/[^"]+thumb\.jpg/,
    );
    expect(html).toMatch(
      /<meta property="og:video" content="http:\/\/skyriff\.test\/files\/videos\/[^"]+play\.mp4/,
    );
    expect(html).toContain('<meta property="og:description" content="描述 &lt;b&gt;bold&lt;/b&gt;">');
    expect(html).toMatch(/<video class="player" src="\/files\/videos\/[^"]+play\.mp4/);
    expect(html).toContain(`href="/play/${w.work_id}">打开 App</a>`);
    // CSP-compatible: no inline script or style, the stylesheet is same-origin.
    expect(html).not.toMatch(/<script|<style|style=/);
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    const css = await t.app.inject({ method: "GET", url: "/static/share-page.css" });
    expect(css.statusCode).toBe(200);
    expect(css.headers["content-type"]).toContain("text/css");

    await call(t, "DELETE", `/api/v1/works/${w.work_id}`, { token: alice.token });
    const gone = await t.app.inject({ method: "GET", url: `/works/${w.work_id}` });
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toContain("作品不存在");
    expect((await t.app.inject({ method: "GET", url: "/works/unknown-id" })).statusCode).toBe(404);
  });
});
