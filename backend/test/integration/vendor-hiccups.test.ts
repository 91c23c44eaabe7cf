import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../../src/ledger/index.js";
import { simulatedClipArgs } from "../../src/media/args.js";
import { runFfmpeg } from "../../src/media/ffmpeg.js";
import { failTask } from "../../src/modules/generation/service.js";
import { createDyuapiVendor } from "../../src/vendors/dyuapi-sora2.js";
import type { VendorName, VideoVendor } from "../../src/vendors/types.js";
import { type FakeVendor, startDyuapiFake } from "../fakes/vendors/dyuapi.js";
import { call, login, runJob, startTestApp, type TestApp } from "../helpers/app.js";

// The whole pipeline against a local fake of the DyuAPI Sora2 wire protocol.
let t: TestApp;
let fake: FakeVendor;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "skyriff-vendor-"));
  const clip = path.join(dir, "clip.mp4");
  await runFfmpeg(
    simulatedClipArgs({
      output: clip,
      durationSec: 10,
      width: 360,
      height: 640,
      text: "fake",
      fontFile: null,
    }),
  );
  fake = await startDyuapiFake({ pollsToSuccess: 3, videoBytes: readFileSync(clip) });
  const vendors = new Map<VendorName, VideoVendor>([
    ["dyuapi", createDyuapiVendor({ baseUrl: fake.url, apiKey: fake.apiKey, timeoutMs: 500 })],
  ]);
  t = await startTestApp({ server: { vendors } });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newTask(prompt: string) {
  const user = await login(t);
  await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 10 } });
  const created = await call(t, "POST", "/api/v1/tasks/create", {
    token: user.access_token,
    body: { prompt, duration_sec: 10, ratio: "9:16", model: "sora2" },
  });
  expect(created.status).toBe(200);
  await t.ctx.jobs.idle();
  return { token: user.access_token, id: created.body.data.task_id as string };
}
const state = async (task: { token: string; id: string }) =>
  (await call(t, "GET", `/api/v1/tasks/${task.id}`, { token: task.token })).body.data;
const credits = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;
/** One cron tick: the sweep polls whatever is due (5 s between polls for a young task). */
async function tick() {
  t.clock.advance(5_000);
  await runJob(t, "generation.poll_sweep");
}

describe("vendor hiccups", () => {
  it("500s for a long stretch of polls keep the task IN_PROGRESS; it finishes when the vendor recovers", async () => {
    const task = await newTask("晴天的城市 #unknown");
    await tick();
    fake.setPollFailures(12, 500);
    for (let i = 0; i < 12; i++) {
      t.clock.advance(60_000);
      await runJob(t, "generation.poll_sweep");
      expect(["QUEUED", "IN_PROGRESS"]).toContain((await state(task)).status);
    }
    for (let i = 0; i < 10 && (await state(task)).status !== "SUCCESS"; i++) {
      t.clock.advance(60_000);
      await runJob(t, "generation.poll_sweep");
    }
    const done = await state(task);
    expect(done.status).toBe("SUCCESS");
    expect(done.video_id).toBeTruthy();
    expect(await credits(task.token)).toBe(0);
  });

  it("429 with Retry-After is respected and does not fail the task", async () => {
    const task = await newTask("雨夜街头");
    fake.setPollFailures(2, 429, 30);
    await tick();
    expect((await state(task)).status).not.toBe("FAILURE");
    for (let i = 0; i < 12 && (await state(task)).status !== "SUCCESS"; i++) {
      t.clock.advance(30_000);
      await runJob(t, "generation.poll_sweep");
    }
    expect((await state(task)).status).toBe("SUCCESS");
  });

  it("a content rejection at create fails the task and refunds it", async () => {
    const task = await newTask("违规内容 #reject");
    const s = await state(task);
    expect(s).toMatchObject({ status: "FAILURE", refunded: true });
    expect(await credits(task.token)).toBe(10);
  });

  it("a late failure at 90% fails and refunds exactly once, with the vendor's reason", async () => {
    const task = await newTask("到90%失败 #latefail");
    for (let i = 0; i < 8 && (await state(task)).status !== "FAILURE"; i++) await tick();
    const failed = await state(task);
    expect(failed).toMatchObject({ status: "FAILURE", refunded: true });
    expect(failed.error_message).not.toContain("超时");
    // The timeout sweep that selected the task just before the vendor's answer landed loses the race.
    expect(await failTask(t.ctx, task.id, "生成超时，积分已退回")).toBe(false);
    await tick();
    expect(await state(task)).toMatchObject({
      error_message: failed.error_message,
      finished_at: failed.finished_at,
    });
    expect(await credits(task.token)).toBe(10);
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: task.token });
    expect(ledger.body.data.items.map((e: { type: string }) => e.type)).toEqual([
      "gen_refund",
      "gen_hold",
      "bonus",
    ]);
  });

  it("a vendor that never answers: the task fails at the model's timeout and is refunded", async () => {
    const task = await newTask("永远没有回应");
    fake.setMode("hang");
    try {
      for (let i = 0; i < 3; i++) await tick();
      expect((await state(task)).status).not.toBe("FAILURE");
      t.clock.advance(31 * 60_000);
      await runJob(t, "generation.timeout_sweep");
    } finally {
      fake.setMode("normal");
    }
    expect(await state(task)).toMatchObject({ status: "FAILURE", refunded: true });
    expect(await credits(task.token)).toBe(10);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });
});
