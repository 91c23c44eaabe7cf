import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../../src/ledger/index.js";
import type { VendorName, VideoVendor } from "../../src/vendors/types.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { createScriptedVendor, type ScriptedVendor, startClipServer } from "../helpers/scripted-vendor.js";

// Issue 13 §4: a vendor's callback moves a task exactly like a poll. No cron runs in this file, and the
// vendor counts its polls: every task here finishes by callbacks alone.
let t: TestApp;
let clips: Awaited<ReturnType<typeof startClipServer>>;
let kling: ScriptedVendor;
beforeAll(async () => {
  clips = await startClipServer();
  kling = createScriptedVendor("kling", { videoUrl: clips.url, callbacks: true });
  const vendors = new Map<VendorName, VideoVendor>([["kling", kling]]);
  t = await startTestApp({ server: { vendors, roles: { dispatch: true, work: true, schedule: false } } });
});
afterAll(async () => {
  await t?.close();
  await clips?.close();
});

function klingModel() {
  const model = t.ctx.catalog.models().find((m) => m.vendor === "kling" && m.enabled);
  if (!model) throw new Error("no enabled Kling model in the catalog");
  return model;
}

async function newTask(prompt: string) {
  const user = await login(t);
  await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 500 } });
  const model = klingModel();
  const created = await call(t, "POST", "/api/v1/tasks/create", {
    token: user.access_token,
    body: { prompt, duration_sec: model.durations[0], ratio: model.ratios[0], model: model.id },
  });
  expect(created.status).toBe(200);
  await t.ctx.jobs.idle();
  return { token: user.access_token, id: created.body.data.task_id as string };
}
const state = async (task: { token: string; id: string }) =>
  (await call(t, "GET", `/api/v1/tasks/${task.id}`, { token: task.token })).body.data;
const callbackUrlOf = (taskId: string) => {
  const input = kling.creates.find((c) => c.taskId === taskId);
  if (!input?.callbackUrl) throw new Error(`no callback URL sent for ${taskId}`);
  return input.callbackUrl;
};
const post = (url: string, body: unknown) => call(t, "POST", new URL(url).pathname, { body });

describe("vendor callbacks", () => {
  it("a video finished by the vendor's callback reaches SUCCESS without any poll", async () => {
    const task = await newTask("回调完成的视频");
    const url = callbackUrlOf(task.id);
    expect(url).toMatch(/^http:\/\/skyriff\.test\/api\/v1\/vendors\/kling\/callback\/[^/]+$/);
    const vendorTaskId = kling.vendorTaskOf(task.id) as string;

    const running = await post(url, kling.callbackBody(vendorTaskId, "IN_PROGRESS"));
    expect(running.status).toBe(200);
    expect(await state(task)).toMatchObject({ status: "IN_PROGRESS", progress: 40 });

    kling.finish(vendorTaskId);
    const done = await post(url, kling.callbackBody(vendorTaskId));
    expect(done.status).toBe(200);
    await t.ctx.jobs.idle();
    const finished = await state(task);
    expect(finished).toMatchObject({ status: "SUCCESS", progress: 100 });
    expect(finished.video_id).toBeTruthy();
    expect(kling.gets).toBe(0);

    // The vendor retries its hook: nothing changes a second time.
    expect((await post(url, kling.callbackBody(vendorTaskId))).status).toBe(200);
    await t.ctx.jobs.idle();
    expect(await state(task)).toMatchObject({
      finished_at: finished.finished_at,
      video_id: finished.video_id,
    });
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("a forged token, another task's report, or an unknown vendor is refused and changes nothing", async () => {
    const mine = await newTask("我的任务");
    const other = await newTask("别人的任务");
    const mineVendorId = kling.vendorTaskOf(mine.id) as string;
    kling.finish(mineVendorId, "FAILURE");
    const url = callbackUrlOf(mine.id);

    const forged = url.replace(/\/callback\/([^/.]+)\.[^/]+$/, "/callback/$1.forged-signature");
    const refused = await post(forged, kling.callbackBody(mineVendorId));
    expect([refused.status, refused.body.code]).toEqual([403, 2002]);
    // The other task's genuine URL cannot carry this task's report.
    const crossed = await post(callbackUrlOf(other.id), kling.callbackBody(mineVendorId));
    expect([crossed.status, crossed.body.code]).toEqual([403, 2002]);
    const unknown = await post(
      url.replace("/vendors/kling/", "/vendors/ark/"),
      kling.callbackBody(mineVendorId),
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, 4004]);
    expect((await state(mine)).status).toBe("QUEUED");
    expect((await state(other)).status).toBe("QUEUED");

    const failed = await post(url, kling.callbackBody(mineVendorId));
    expect(failed.status).toBe(200);
    expect(await state(mine)).toMatchObject({ status: "FAILURE", refunded: true });
  });

  it("echoes the vendor's verification challenge (MiniMax's handshake)", async () => {
    const task = await newTask("验证回调地址");
    const res = await t.app.inject({
      method: "POST",
      url: new URL(callbackUrlOf(task.id)).pathname,
      payload: { challenge: "c-123" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: "c-123" });
  });

  it("a create whose answer was lost is adopted from the vendor's callback: one vendor task, finished", async () => {
    kling.createMode = "drop";
    let task: { token: string; id: string };
    try {
      task = await newTask("回答丢失的提交");
    } finally {
      kling.createMode = "answer";
    }
    expect(kling.creates.filter((c) => c.taskId === task.id)).toHaveLength(1);
    expect((await state(task)).status).toBe("QUEUED");
    const vendorTaskId = kling.vendorTaskOf(task.id) as string;
    kling.finish(vendorTaskId);
    expect((await post(callbackUrlOf(task.id), kling.callbackBody(vendorTaskId))).status).toBe(200);
    await t.ctx.jobs.idle();
    expect((await state(task)).status).toBe("SUCCESS");
    expect(kling.creates.filter((c) => c.taskId === task.id)).toHaveLength(1);
    expect(kling.gets).toBe(0);
  });
});
