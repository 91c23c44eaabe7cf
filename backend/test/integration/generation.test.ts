import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { failTask } from "../../src/modules/generation/service.js";
import { createSimulatedVendor } from "../../src/vendors/simulated.js";
import type { VendorName, VideoVendor } from "../../src/vendors/types.js";
import { type Api, call, login, runJob, startTestApp, type TestApp } from "../helpers/app.js";
import { setModel, withModelOff } from "../helpers/catalog.js";
import { makePng, multipart } from "../helpers/images.js";

const SIM_SECONDS = 20;
let t: TestApp;
beforeAll(async () => {
  const holder: { t?: TestApp } = {};
  const vendors = new Map<VendorName, VideoVendor>([
    [
      "simulated",
      createSimulatedVendor({
        workDir: `${process.env.TMPDIR ?? "/tmp"}/skyriff-sim-${process.pid}`,
        totalSeconds: SIM_SECONDS,
        now: () => (holder.t ? holder.t.clock.now().getTime() : Date.now()),
      }),
    ],
  ]);
  t = await startTestApp({ server: { vendors } });
  holder.t = t;
});
afterAll(async () => t?.close());

async function userWith(credits: number) {
  const user = await login(t);
  if (credits > 0) {
    await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits } });
  }
  return user;
}
const balance = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;
const create = (token: string, body: Record<string, unknown>, key?: string) =>
  call(t, "POST", "/api/v1/tasks/create", {
    token,
    body: { duration_sec: 10, ratio: "9:16", model: "skyriff-sim", ...body },
    headers: key ? { "idempotency-key": key } : {},
  });
const getTask = (token: string, id: string) => call(t, "GET", `/api/v1/tasks/${id}`, { token });

/** Submits, then moves the clock through the simulated vendor's run, sweeping like the cron does. */
async function runToEnd(token: string, taskId: string): Promise<Api> {
  await t.ctx.jobs.idle();
  const seen: string[] = [];
  for (let i = 0; i < 12; i++) {
    t.clock.advance((SIM_SECONDS * 1000) / 8);
    await runJob(t, "generation.poll_sweep");
    const now = await getTask(token, taskId);
    seen.push(`${now.body.data.status}:${now.body.data.progress}`);
    if (now.body.data.status === "SUCCESS" || now.body.data.status === "FAILURE") {
      return { ...now, body: { ...now.body, data: { ...now.body.data, seen } } };
    }
  }
  throw new Error(`task did not finish: ${seen.join(", ")}`);
}

describe("generation loop on the simulated vendor", () => {
  it("/config lists the enabled models with their durations, ratios, resolutions and image limits", async () => {
    const config = await call(t, "GET", "/api/v1/config");
    const sim = config.body.data.models.find((m: { id: string }) => m.id === "skyriff-sim");
    expect(sim).toEqual({
      id: "skyriff-sim",
      name: expect.any(String),
      vendor: "simulated",
      durations: [10, 15, 25],
      ratios: ["9:16", "16:9", "1:1"],
      resolutions: ["720p"],
      image_to_video: true,
      image: {
        min_side: 64,
        max_side: 4096,
        min_aspect: 0.2,
        max_aspect: 5,
        max_bytes: 20 * 1024 * 1024,
        output: "crops-to-ratio",
      },
      credits_per_second: 1,
    });
    expect(config.body.data.models.every((m: { vendor: string }) => m.vendor === "simulated")).toBe(true);
  });

  it("text→video: credits drop at once, status moves to SUCCESS, the asset plays; held credits become spent", async () => {
    const user = await userWith(30);
    const created = await create(user.access_token, { prompt: "海边日落，电影感" });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ status: "QUEUED", cost_credits: 10, balance_after: 20 });
    expect(await balance(user.access_token)).toBe(20);

    const done = await runToEnd(user.access_token, created.body.data.task_id);
    expect(done.body.data.status).toBe("SUCCESS");
    expect(done.body.data.progress).toBe(100);
    expect(done.body.data.estimated_seconds).toBe(created.body.data.estimated_seconds);
    const thumb = await t.app.inject({ url: done.body.data.thumbnail_url });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers["content-type"]).toContain("image/jpeg");
    expect(done.body.data.seen.some((s: string) => /^IN_PROGRESS:[1-9]/.test(s))).toBe(true);
    expect(await balance(user.access_token)).toBe(20);

    const videos = await call(t, "GET", "/api/v1/assets/videos", { token: user.access_token });
    expect(videos.body.data.items).toHaveLength(1);
    const video = videos.body.data.items[0];
    expect(video).toMatchObject({
      video_id: done.body.data.video_id,
      duration_sec: 10,
      ratio: "9:16",
      publish_status: "draft",
    });
    const play = await t.app.inject({ url: video.watermarked_play_url });
    expect(play.statusCode).toBe(200);
    expect(play.headers["content-type"]).toContain("video/mp4");
    expect(play.rawPayload.subarray(4, 8).toString()).toBe("ftyp");
    expect(JSON.stringify(video)).not.toContain("source.mp4");

    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: user.access_token });
    expect(
      ledger.body.data.items.map((e: { type: string; amount: number }) => `${e.type}:${e.amount}`),
    ).toEqual(["gen_hold:-10", "bonus:30"]);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("a #fail prompt ends in FAILURE and refunds exactly once; a late second failure changes nothing", async () => {
    const user = await userWith(15);
    const created = await create(user.access_token, { prompt: "会失败的任务 #fail" });
    expect(await balance(user.access_token)).toBe(5);
    const done = await runToEnd(user.access_token, created.body.data.task_id);
    expect(done.body.data).toMatchObject({ status: "FAILURE", refunded: true });
    expect(done.body.data.error_message).toBeTruthy();
    // A sweep that picked the task before it failed (the timeout, a slow poll) finishes it once more:
    // the compare-and-set refuses, so the reason and the time the user saw stay as they were.
    expect(await failTask(t.ctx, created.body.data.task_id, "生成超时，积分已退回")).toBe(false);
    await runJob(t, "generation.poll_sweep");
    await runJob(t, "generation.timeout_sweep");
    const after = (await getTask(user.access_token, created.body.data.task_id)).body.data;
    expect(after).toMatchObject({
      status: "FAILURE",
      error_message: done.body.data.error_message,
      finished_at: done.body.data.finished_at,
    });
    expect(await balance(user.access_token)).toBe(15);
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: user.access_token });
    expect(ledger.body.data.items.map((e: { type: string }) => e.type)).toEqual([
      "gen_refund",
      "gen_hold",
      "bonus",
    ]);
  });

  it("a refused hold writes no task and no job: the outbox row rolls back with the spend", async () => {
    const user = await userWith(9);
    const outboxRows = async () =>
      (await queryRows<{ n: number }>(t.ctx.db, sql`select count(*)::int as n from outbox`))[0]?.n;
    const before = await outboxRows();
    const res = await create(user.access_token, { prompt: "余额不够" });
    expect(res.status).toBe(402);
    expect(await outboxRows()).toBe(before);
    expect((await call(t, "GET", "/api/v1/tasks", { token: user.access_token })).body.data.items).toEqual([]);
    const home = await call(t, "GET", "/api/v1/me/home", { token: user.access_token });
    expect(home.body.data.counts.unfinished_tasks).toBe(0);
  });

  it("image→video with an uploaded image", async () => {
    const user = await userWith(10);
    const png = makePng(64, 96, [{ type: "tEXt", data: Buffer.from("Comment\0secret GPS 31.2,121.4") }]);
    const form = multipart(png, "ref.png", "image/png");
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/media/upload",
      headers: { authorization: `Bearer ${user.access_token}`, "content-type": form.contentType },
      payload: form.payload,
    });
    expect(res.statusCode).toBe(200);
    const uploaded = res.json().data;
    expect(uploaded).toMatchObject({ width: 64, height: 96, mime: "image/png" });
    const stored = await t.app.inject({ url: uploaded.url });
    expect(stored.rawPayload.includes(Buffer.from("secret GPS"))).toBe(false);

    const created = await create(user.access_token, {
      prompt: "让画面动起来",
      reference_image_asset_id: uploaded.asset_id,
    });
    expect(created.status).toBe(200);
    const done = await runToEnd(user.access_token, created.body.data.task_id);
    expect(done.body.data.status).toBe("SUCCESS");
    expect(done.body.data.reference_image_asset_id).toBe(uploaded.asset_id);
    // The image can be shown again later (编辑后生成), to its owner only.
    const again = await call(t, "GET", `/api/v1/media/images/${uploaded.asset_id}`, {
      token: user.access_token,
    });
    expect(again.body.data).toMatchObject({
      asset_id: uploaded.asset_id,
      width: 64,
      height: 96,
      mime: "image/png",
    });
    expect((await t.app.inject({ url: again.body.data.url })).statusCode).toBe(200);
    const stranger = await userWith(0);
    expect(
      (await call(t, "GET", `/api/v1/media/images/${uploaded.asset_id}`, { token: stranger.access_token }))
        .status,
    ).toBe(404);
  });

  it("bad uploads are 400 and store nothing", async () => {
    const user = await userWith(0);
    const count = async () =>
      (await queryRows<{ n: number }>(t.ctx.db, sql`select count(*)::int as n from media_assets`))[0]?.n;
    const before = await count();
    const exe = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00", "binary"), Buffer.alloc(2048, 1)]);
    const big = Buffer.concat([makePng(8, 8), Buffer.alloc(11 * 1024 * 1024)]);
    for (const [file, name] of [
      [exe, "photo.jpg"],
      [big, "big.png"],
      [Buffer.alloc(0), "empty.png"],
    ] as const) {
      const form = multipart(file, name, "image/jpeg");
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/media/upload",
        headers: { authorization: `Bearer ${user.access_token}`, "content-type": form.contentType },
        payload: form.payload,
      });
      expect(res.statusCode).toBe(400);
    }
    expect(await count()).toBe(before);
  });

  it("a 25 s task on a 10-credit balance is 402/2001 with nothing held", async () => {
    const user = await userWith(10);
    const res = await create(user.access_token, { prompt: "太贵了", duration_sec: 25 });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 2001, data: { current_balance: 10, required: 25 } });
    expect(await balance(user.access_token)).toBe(10);
    const tasks = await call(t, "GET", "/api/v1/tasks", { token: user.access_token });
    expect(tasks.body.data.items).toEqual([]);
  });

  it("a prompt with a sensitive word is 400/4220 naming prompt, and nothing is held", async () => {
    const user = await userWith(20);
    const res = await create(user.access_token, { prompt: "教你网 赌 技巧", duration_sec: 10 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(4220);
    expect(Object.keys(res.body.data.fields)).toEqual(["prompt"]);
    expect(await balance(user.access_token)).toBe(20);
    const tasks = await call(t, "GET", "/api/v1/tasks", { token: user.access_token });
    expect(tasks.body.data.items).toEqual([]);
  });

  it("validates against the model catalog and the limits", async () => {
    const user = await userWith(100);
    expect(
      (await create(user.access_token, { prompt: "x", duration_sec: 12 })).body.data.fields,
    ).toHaveProperty("duration_sec");
    expect((await create(user.access_token, { prompt: "x", model: "nope" })).status).toBe(422);
    const resolution = await create(user.access_token, { prompt: "x", resolution: "1080p" });
    expect(resolution.status).toBe(422);
    expect(resolution.body.data.fields.resolution).toBe("allowed: 720p");
    expect((await create(user.access_token, { prompt: "长".repeat(1001) })).status).toBe(422);
    // #fail keeps these cheap: they end without rendering once the sweeps reach them.
    for (let i = 0; i < 5; i++)
      expect((await create(user.access_token, { prompt: `第${i}个 #fail` })).status).toBe(200);
    const sixth = await create(user.access_token, { prompt: "第六个" });
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe(2008);
    expect(await balance(user.access_token)).toBe(50);
  });

  it("records the resolution a task runs at: the one asked for, else the model's first", async () => {
    const user = await userWith(20);
    const asked = await create(user.access_token, { prompt: "清晰度 #fail", resolution: "720p" });
    const unasked = await create(user.access_token, { prompt: "默认清晰度 #fail" });
    const rows = await queryRows<{ id: string; resolution: string | null }>(
      t.ctx.db,
      sql`select id, resolution from tasks where id in (${asked.body.data.task_id}, ${unasked.body.data.task_id})`,
    );
    expect(rows.map((r) => r.resolution)).toEqual(["720p", "720p"]);
  });

  it("counts the prompt in characters, as the app does (1000 emoji pass, 1001 do not)", async () => {
    const user = await userWith(20);
    expect((await create(user.access_token, { prompt: "😀".repeat(1001) })).status).toBe(422);
    expect((await create(user.access_token, { prompt: `${"😀".repeat(994)} #fail` })).status).toBe(200);
  });

  it("streams task progress over SSE (EventSource passes the token in the query)", async () => {
    const user = await userWith(10);
    const created = await create(user.access_token, { prompt: "被拒绝的任务 #reject" });
    await t.ctx.jobs.idle();
    const url = `/api/v1/tasks/${created.body.data.task_id}/events`;
    expect((await t.app.inject({ url })).statusCode).toBe(401);
    const res = await t.app.inject({ url: `${url}?access_token=${user.access_token}` });
    expect(res.headers["content-type"]).toContain("text/event-stream");
    expect(res.body).toContain("event: task");
    const last = JSON.parse(
      res.body
        .trim()
        .split("\n")
        .at(-1)
        ?.replace(/^data: /, "") ?? "{}",
    );
    expect(last).toMatchObject({ task_id: created.body.data.task_id, status: "FAILURE", refunded: true });
  });

  it("at most 100 tasks per user per Shanghai day (2008); the count starts again at 00:00 Shanghai, not UTC", async () => {
    // 23:00 in Shanghai is 15:00 UTC: the next hour crosses the Shanghai day but not the UTC one.
    const now = t.clock.now().getTime();
    const hour = 3600_000;
    t.clock.advance((((15 * hour - (now % (24 * hour))) % (24 * hour)) + 24 * hour) % (24 * hour));
    const user = await userWith(10);
    for (let i = 0; i < 100; i++) {
      expect((await create(user.access_token, { prompt: `第${i}次 #reject` })).status).toBe(200);
      await t.ctx.jobs.idle();
    }
    t.clock.advance(59 * 60_000);
    const over = await create(user.access_token, { prompt: "第101次 #reject" });
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 2008, data: { reason: "daily", limit: 100 } });
    expect(await balance(user.access_token)).toBe(10);
    t.clock.advance(2 * 60_000);
    const nextDay = await create(user.access_token, { prompt: "第二天第一次 #reject" });
    expect(nextDay.status).toBe(200);
    await t.ctx.jobs.idle();
    expect(await balance(user.access_token)).toBe(10);
  });

  it("an Idempotency-Key retry of tasks/create holds once", async () => {
    const user = await userWith(20);
    const a = await create(user.access_token, { prompt: "重试" }, "create-key-0001");
    const b = await create(user.access_token, { prompt: "重试" }, "create-key-0001");
    expect(b.body.data.task_id).toBe(a.body.data.task_id);
    expect(await balance(user.access_token)).toBe(10);
  });

  it("a retried create replays its first answer even after its model was switched off; another request with the key is 409/2007", async () => {
    const user = await userWith(30);
    const first = await create(user.access_token, { prompt: "重试的任务 #reject" }, "replay-key-0001");
    expect(first.status).toBe(200);
    await withModelOff(t, "skyriff-sim", async () => {
      const retry = await create(user.access_token, { prompt: "重试的任务 #reject" }, "replay-key-0001");
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      const fresh = await create(user.access_token, { prompt: "新的任务" }, "replay-key-0002");
      expect(fresh.status).toBe(422);
      expect(fresh.body.data.fields).toHaveProperty("model");
    });
    const other = await create(user.access_token, { prompt: "换了内容" }, "replay-key-0001");
    expect(other.status).toBe(409);
    expect(other.body.code).toBe(2007);
    const bad = await create(user.access_token, { prompt: "x" }, "短");
    expect(bad.status).toBe(422);
    expect(bad.body.data.fields).toHaveProperty("Idempotency-Key");
    await t.ctx.jobs.idle();
    const tasks = await call(t, "GET", "/api/v1/tasks", { token: user.access_token });
    expect(tasks.body.data.items.map((x: { task_id: string }) => x.task_id)).toEqual([
      first.body.data.task_id,
    ]);
  });

  it("a retried paid download replays its first answer after the video was deleted", async () => {
    const user = await userWith(16);
    const created = await create(user.access_token, { prompt: "删了再重试" });
    const done = await runToEnd(user.access_token, created.body.data.task_id);
    const url = `/api/v1/assets/videos/${done.body.data.video_id}/download_no_watermark`;
    const headers = { "idempotency-key": "dl-replay-0001" };
    const first = await call(t, "POST", url, { token: user.access_token, headers });
    expect(first.body.data).toMatchObject({ cost_credits: 6, balance_after: 0 });
    await call(t, "DELETE", `/api/v1/assets/videos/${done.body.data.video_id}`, { token: user.access_token });
    const retry = await call(t, "POST", url, { token: user.access_token, headers });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await call(t, "POST", url, { token: user.access_token })).status).toBe(404);
    expect(await balance(user.access_token)).toBe(0);
  });

  it("an open SSE stream ends when its session is revoked", async () => {
    const user = await userWith(10);
    const created = await create(user.access_token, { prompt: "一直在生成的任务" });
    await t.ctx.jobs.idle();
    const stream = t.app.inject({
      url: `/api/v1/tasks/${created.body.data.task_id}/events?access_token=${user.access_token}`,
    });
    await new Promise((r) => setTimeout(r, 200));
    await call(t, "POST", "/api/v1/auth/logout", { token: user.access_token });
    const res = await stream;
    expect(res.body).toContain("event: session_ended");
    expect(res.body).not.toMatch(/"status":"(SUCCESS|FAILURE)"/);
  });

  it("a task whose model was switched off is still polled by its vendor; one whose vendor is gone is refunded at its timeout", async () => {
    const user = await userWith(20);
    const vendor = t.ctx.vendors.get("simulated");
    if (!vendor) throw new Error("no simulated vendor");
    const polled = await create(user.access_token, { prompt: "模型下线后继续生成" });
    await t.ctx.jobs.idle();
    await withModelOff(t, "skyriff-sim", async () => {
      expect((await create(user.access_token, { prompt: "下线后不能再建" })).status).toBe(422);
      const done = await runToEnd(user.access_token, polled.body.data.task_id);
      expect(done.body.data.status).toBe("SUCCESS");
    });
    const stranded = await create(user.access_token, { prompt: "供应商被移除" });
    await t.ctx.jobs.idle();
    await setModel(t, "skyriff-sim", { switchedOn: false });
    t.ctx.vendors.delete("simulated");
    try {
      await runJob(t, "generation.poll_sweep");
      expect((await getTask(user.access_token, stranded.body.data.task_id)).body.data.status).not.toBe(
        "FAILURE",
      );
      t.clock.advance(31 * 60_000);
      await runJob(t, "generation.timeout_sweep");
    } finally {
      await setModel(t, "skyriff-sim", { switchedOn: true });
      t.ctx.vendors.set("simulated", vendor);
    }
    expect((await getTask(user.access_token, stranded.body.data.task_id)).body.data).toMatchObject({
      status: "FAILURE",
      refunded: true,
    });
    expect(await balance(user.access_token)).toBe(10);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("another user's task is 404; another user's video download is 403/2002 and charges nothing", async () => {
    const owner = await userWith(20);
    const created = await create(owner.access_token, { prompt: "我的视频" });
    const done = await runToEnd(owner.access_token, created.body.data.task_id);
    const stranger = await userWith(20);
    expect((await getTask(stranger.access_token, created.body.data.task_id)).status).toBe(404);
    expect(
      (
        await call(t, "GET", `/api/v1/assets/videos/${done.body.data.video_id}`, {
          token: stranger.access_token,
        })
      ).status,
    ).toBe(404);
    const steal = await call(
      t,
      "POST",
      `/api/v1/assets/videos/${done.body.data.video_id}/download_no_watermark`,
      {
        token: stranger.access_token,
      },
    );
    expect(steal.status).toBe(403);
    expect(steal.body.code).toBe(2002);
    expect(await balance(stranger.access_token)).toBe(20);
  });

  it("the owner downloads the clean source for 6 credits per call; an Idempotency-Key retry is free", async () => {
    const user = await userWith(25);
    const created = await create(user.access_token, { prompt: "下载测试" });
    const done = await runToEnd(user.access_token, created.body.data.task_id);
    const url = `/api/v1/assets/videos/${done.body.data.video_id}/download_no_watermark`;
    const first = await call(t, "POST", url, {
      token: user.access_token,
      headers: { "idempotency-key": "dl-key-00001" },
    });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ cost_credits: 6, balance_after: 9 });
    const retry = await call(t, "POST", url, {
      token: user.access_token,
      headers: { "idempotency-key": "dl-key-00001" },
    });
    expect(retry.body.data.balance_after).toBe(9);
    expect(await balance(user.access_token)).toBe(9);
    const file = await t.app.inject({ url: first.body.data.download_url });
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-disposition"]).toContain("attachment");
    expect(file.rawPayload.subarray(4, 8).toString()).toBe("ftyp");
    const unsigned = first.body.data.download_url.replace(/sig=[^&]+/, "sig=forged");
    expect((await t.app.inject({ url: unsigned })).statusCode).toBe(403);
    const again = await call(t, "POST", url, { token: user.access_token });
    expect(again.body.data.balance_after).toBe(3);
    const poor = await call(t, "POST", url, { token: user.access_token });
    expect(poor.status).toBe(402);
    expect(await balance(user.access_token)).toBe(3);
    const video = await call(t, "GET", `/api/v1/assets/videos/${done.body.data.video_id}`, {
      token: user.access_token,
    });
    expect(video.body.data.downloaded_before).toBe(true);
  });

  it("projects: create, count, move a video, rename, delete → 未分类", async () => {
    const user = await userWith(10);
    const created = await create(user.access_token, { prompt: "项目视频" });
    const done = await runToEnd(user.access_token, created.body.data.task_id);
    const project = (
      await call(t, "POST", "/api/v1/projects", { token: user.access_token, body: { name: "旅行" } })
    ).body.data;
    await call(t, "PATCH", `/api/v1/assets/videos/${done.body.data.video_id}`, {
      token: user.access_token,
      body: { project_id: project.project_id },
    });
    const list = await call(t, "GET", "/api/v1/projects", { token: user.access_token });
    expect(list.body.data.items).toEqual(
      [{ ...project, video_count: 1 }].map((p) => ({ ...p, created_at: expect.any(String) })),
    );
    const inProject = await call(t, "GET", `/api/v1/assets/videos?project_id=${project.project_id}`, {
      token: user.access_token,
    });
    expect(inProject.body.data.items).toHaveLength(1);
    const renamed = await call(t, "PATCH", `/api/v1/projects/${project.project_id}`, {
      token: user.access_token,
      body: { name: "旅行 2026" },
    });
    expect(renamed.body.data).toMatchObject({ name: "旅行 2026", video_count: 1 });
    await call(t, "DELETE", `/api/v1/projects/${project.project_id}`, { token: user.access_token });
    const uncategorized = await call(t, "GET", "/api/v1/assets/videos?project_id=none", {
      token: user.access_token,
    });
    expect(uncategorized.body.data.items.map((v: { video_id: string }) => v.video_id)).toEqual([
      done.body.data.video_id,
    ]);
    const stranger = await userWith(0);
    expect(
      (await call(t, "DELETE", `/api/v1/projects/${project.project_id}`, { token: stranger.access_token }))
        .status,
    ).toBe(404);
  });
});
