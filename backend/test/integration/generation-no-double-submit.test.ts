import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { submitTask } from "../../src/modules/generation/jobs.js";
import * as repo from "../../src/modules/generation/repository.js";
import type { VendorName, VideoVendor } from "../../src/vendors/types.js";
import { call, login, runJob, startTestApp, type TestApp } from "../helpers/app.js";
import { createScriptedVendor, type ScriptedVendor, startClipServer } from "../helpers/scripted-vendor.js";

// Issue 13 §5: a create whose answer was lost never produces a second vendor task. `kling` can be asked
// by our reference (Kling's external_task_id); `minimax` cannot, and has no callbacks here either.
let t: TestApp;
let clips: Awaited<ReturnType<typeof startClipServer>>;
let kling: ScriptedVendor;
let minimax: ScriptedVendor;
const log = { info: () => undefined, warn: () => undefined };
beforeAll(async () => {
  clips = await startClipServer();
  kling = createScriptedVendor("kling", { videoUrl: clips.url, lookup: true });
  minimax = createScriptedVendor("minimax", { videoUrl: clips.url });
  const vendors = new Map<VendorName, VideoVendor>([
    ["kling", kling],
    ["minimax", minimax],
  ]);
  t = await startTestApp({ server: { vendors, roles: { dispatch: true, work: true, schedule: false } } });
});
afterAll(async () => {
  await t?.close();
  await clips?.close();
});

function modelOn(vendor: VendorName) {
  const model = t.ctx.catalog.models().find((m) => m.vendor === vendor && m.enabled);
  if (!model) throw new Error(`no enabled ${vendor} model in the catalog`);
  return model;
}

/** A task whose first submit ran with the vendor in `mode`. */
async function newTask(vendor: ScriptedVendor, mode: ScriptedVendor["createMode"]) {
  const user = await login(t);
  await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 500 } });
  const model = modelOn(vendor.name);
  vendor.createMode = mode;
  try {
    const created = await call(t, "POST", "/api/v1/tasks/create", {
      token: user.access_token,
      body: {
        prompt: `提交 ${mode}`,
        duration_sec: model.durations[0],
        ratio: model.ratios[0],
        model: model.id,
      },
    });
    expect(created.status).toBe(200);
    await t.ctx.jobs.idle();
  } finally {
    vendor.createMode = "answer";
  }
  const id = (await call(t, "GET", "/api/v1/tasks", { token: user.access_token })).body.data.items[0]
    .task_id as string;
  return { token: user.access_token, id, cost: model.creditsPerSecond * (model.durations[0] as number) };
}
const state = async (task: { token: string; id: string }) =>
  (await call(t, "GET", `/api/v1/tasks/${task.id}`, { token: task.token })).body.data;
const creditsOf = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;
const createsFor = (vendor: ScriptedVendor, taskId: string) =>
  vendor.creates.filter((c) => c.taskId === taskId).length;
const vendorTasksFor = (vendor: ScriptedVendor, taskId: string) =>
  [...vendor.taken.values()].filter((v) => v.taskId === taskId).length;
/**
 * The job's retry once a lost create can no longer be in flight (2 min). The runner's own retries before
 * that (BullMQ waits them out in `idle()`) only wait, so they never race this one.
 */
async function retry(taskId: string) {
  t.clock.advance(3 * 60_000);
  return submitTask(t.ctx, taskId, log);
}

async function pollUntilDone(task: { token: string; id: string }) {
  for (let i = 0; i < 10; i++) {
    t.clock.advance(5_000);
    await runJob(t, "generation.poll_sweep");
    const s = await state(task);
    if (s.status === "SUCCESS" || s.status === "FAILURE") return s;
  }
  throw new Error("task did not finish");
}

describe("no double submission", () => {
  it("the vendor took the create but the answer was lost: the retry finds it by reference and never creates again", async () => {
    const task = await newTask(kling, "drop");
    const row = await repo.findTask(t.ctx.db, task.id);
    expect(row).toMatchObject({ vendorTaskId: null, status: "QUEUED" });
    expect(row?.submitSentAt).toBeInstanceOf(Date);
    // Right after the lost answer the create may still be in flight: no lookup yet, and no create.
    await expect(submitTask(t.ctx, task.id, log)).rejects.toThrow(/in flight/);

    expect(await retry(task.id)).toMatchObject({ status: "done", detail: "found by reference" });
    expect(await retry(task.id)).toMatchObject({ status: "skipped" });
    expect(createsFor(kling, task.id)).toBe(1);
    expect(vendorTasksFor(kling, task.id)).toBe(1);
    const adopted = await repo.findTask(t.ctx.db, task.id);
    expect(adopted?.vendorTaskId).toBe(kling.vendorTaskOf(task.id));

    kling.finish(adopted?.vendorTaskId as string);
    expect((await pollUntilDone(task)).status).toBe("SUCCESS");
    expect(await creditsOf(task.token)).toBe(500 - task.cost);
  });

  it("a crash between sending and recording: the next attempt reconciles instead of creating blindly", async () => {
    const user = await login(t);
    await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 500 } });
    // The first attempt took the vendor task and died before its answer was written.
    kling.createMode = "drop";
    const model = modelOn("kling");
    const created = await call(t, "POST", "/api/v1/tasks/create", {
      token: user.access_token,
      body: { prompt: "崩溃", duration_sec: model.durations[0], ratio: model.ratios[0], model: model.id },
    });
    await t.ctx.jobs.idle();
    kling.createMode = "answer";
    const id = created.body.data.task_id as string;
    await retry(id);
    expect(createsFor(kling, id)).toBe(1);
    expect((await repo.findTask(t.ctx.db, id))?.vendorTaskId).toBe(kling.vendorTaskOf(id));
  });

  it("the answer was lost before the vendor took it: not found by reference, so it is safe to create again", async () => {
    const task = await newTask(kling, "lost");
    expect(vendorTasksFor(kling, task.id)).toBe(0);
    await retry(task.id);
    // The runner may have retried on its own already (BullMQ waits out the backoff): creates again, each
    // after a lookup found nothing, and the vendor holds one task.
    expect(createsFor(kling, task.id)).toBeGreaterThanOrEqual(2);
    expect(vendorTasksFor(kling, task.id)).toBe(1);
    expect((await repo.findTask(t.ctx.db, task.id))?.vendorTaskId).toBe(kling.vendorTaskOf(task.id));
    expect((await repo.findTask(t.ctx.db, task.id))?.submitSentAt).toBeInstanceOf(Date);
  });

  it("a vendor that cannot be asked: no resubmit ever; the task times out and is refunded once", async () => {
    const task = await newTask(minimax, "drop");
    for (let i = 0; i < 3; i++) await retry(task.id);
    expect(createsFor(minimax, task.id)).toBe(1);
    expect(vendorTasksFor(minimax, task.id)).toBe(1);
    expect((await state(task)).status).toBe("QUEUED");

    const timeout = (await repo.findTask(t.ctx.db, task.id))?.timeoutAt as Date;
    t.clock.advance(timeout.getTime() - t.clock.now().getTime() + 60_000);
    await runJob(t, "generation.timeout_sweep");
    await runJob(t, "generation.timeout_sweep");
    await retry(task.id);
    expect(await state(task)).toMatchObject({ status: "FAILURE", refunded: true });
    expect(createsFor(minimax, task.id)).toBe(1);
    expect(await creditsOf(task.token)).toBe(500);
    const refunds = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from ledger_transactions where ref_id = ${task.id} and type = 'gen_refund'`,
    );
    expect(refunds[0]?.n).toBe(1);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("a transient refusal (the vendor never took it) is simply retried", async () => {
    const task = await newTask(minimax, "down");
    await retry(task.id);
    // The runner may be retrying at the same time: one of the two claims the create.
    await t.ctx.jobs.idle();
    expect(createsFor(minimax, task.id)).toBeGreaterThanOrEqual(2);
    expect(vendorTasksFor(minimax, task.id)).toBe(1);
    expect((await repo.findTask(t.ctx.db, task.id))?.vendorTaskId).toBe(minimax.vendorTaskOf(task.id));
  });
});
