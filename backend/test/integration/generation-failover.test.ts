import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../../src/ledger/index.js";
import { VENDOR_DOWN_MESSAGE } from "../../src/modules/generation/jobs.js";
import * as repo from "../../src/modules/generation/repository.js";
import type { ModelDef, VendorName, VideoVendor } from "../../src/vendors/types.js";
import { call, login, runJob, startTestApp, type TestApp } from "../helpers/app.js";
import { setModel } from "../helpers/catalog.js";
import { createScriptedVendor, type ScriptedVendor, startClipServer } from "../helpers/scripted-vendor.js";

// Issue 13 §6: a vendor whose breaker opens is reported in /readyz, its models leave /config, and its
// tasks not yet sent are refunded, or moved to an equivalent model (换用同类模型) with the price difference
// refunded through the ledger.
const VENDORS: VendorName[] = ["kling", "ark", "dashscope", "minimax"];
let t: TestApp;
let clips: Awaited<ReturnType<typeof startClipServer>>;
const scripted = new Map<VendorName, ScriptedVendor>();
let from: ModelDef;
let to: ModelDef;
let duration: number;
/** 1234n milli-yuan → "1.234". */
const milliToYuan = (milli: bigint) => `${milli / 1000n}.${(milli % 1000n).toString().padStart(3, "0")}`;
/** Left waiting by the first test for the second. */
let waiting: { token: string; id: string } | undefined;

/** A Kling model and an equivalent on another vendor that can run the same request. */
function pickPair(models: readonly ModelDef[]): { from: ModelDef; to: ModelDef; duration: number } {
  for (const a of models.filter((m) => m.vendor === "kling" && m.enabled)) {
    for (const b of models.filter(
      (m) => m.enabled && m.vendor !== "kling" && m.failoverClass === a.failoverClass,
    )) {
      const d = a.durations.find((x) => b.durations.includes(x));
      const fits =
        d !== undefined &&
        b.ratios.includes(a.ratios[0] as never) &&
        b.resolutions.includes(a.resolutions[0] as string);
      if (fits) return { from: a, to: b, duration: d };
    }
  }
  throw new Error("the catalog has no Kling model with an equivalent on another vendor");
}

beforeAll(async () => {
  clips = await startClipServer();
  for (const name of VENDORS) scripted.set(name, createScriptedVendor(name, { videoUrl: clips.url }));
  const vendors = new Map<VendorName, VideoVendor>(scripted);
  t = await startTestApp({ server: { vendors, roles: { dispatch: true, work: true, schedule: false } } });
  ({ from, to, duration } = pickPair(t.ctx.catalog.models()));
  // Prices fixed here, so the difference is known: 3 vs 2 credits a second; the class's others off.
  for (const m of t.ctx.catalog.models()) {
    if (m.failoverClass === from.failoverClass && m.id !== from.id && m.id !== to.id)
      await setModel(t, m.id, { switchedOn: false });
  }
  await setModel(t, from.id, { creditsPerSecond: 3 });
  await setModel(t, to.id, { creditsPerSecond: 2 });
});
afterAll(async () => {
  await t?.close();
  await clips?.close();
});

const kling = () => scripted.get("kling") as ScriptedVendor;
const offered = async () =>
  (await call(t, "GET", "/api/v1/config")).body.data.models.map((m: { id: string }) => m.id) as string[];
const state = async (task: { token: string; id: string }) =>
  (await call(t, "GET", `/api/v1/tasks/${task.id}`, { token: task.token })).body.data;
const creditsOf = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;

/** A signed-in user with 100 credits. */
async function payer(): Promise<string> {
  const user = await login(t);
  await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 100 } });
  return user.access_token;
}

/**
 * A task on `from` whose first submit met the vendor failing, so it waits for its retry (5 s later).
 * Logins come first: the breaker must open before that retry, so nothing slow runs in between.
 */
async function stuckTask(token: string, allowFailover: boolean) {
  const created = await call(t, "POST", "/api/v1/tasks/create", {
    token,
    body: {
      prompt: "供应商故障",
      duration_sec: duration,
      ratio: from.ratios[0],
      model: from.id,
      ...(allowFailover ? { allow_failover: true } : {}),
    },
  });
  expect(created.status).toBe(200);
  const id = created.body.data.task_id as string;
  await waitFor(() => kling().creates.some((c) => c.taskId === id));
  return { token, id };
}

/** Polls `done` until it holds (the job runner's retries run on real time, in both runners). */
async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs = 80_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("vendor failover", () => {
  it("errors open the breaker: /readyz reports it, its models leave /config, its waiting task is refunded", {
    timeout: 100_000,
  }, async () => {
    expect(await offered()).toContain(from.id);
    kling().createMode = "down";
    kling().getMode = "down";
    const [first, second] = [await payer(), await payer()];
    const task = await stuckTask(first, false);
    waiting = await stuckTask(second, true);
    expect((await state(task)).status).toBe("QUEUED");
    // More failures, from polls, until the error rate trips the breaker (5 calls, all failed).
    for (let i = 0; i < 5 && !t.ctx.vendorHealth.isDown("kling"); i++) {
      await t.ctx.vendorHealth.call("kling", () => kling().get("x")).catch(() => undefined);
    }
    expect(t.ctx.vendorHealth.isDown("kling")).toBe(true);

    const ready = await call(t, "GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.data.vendors.kling).toMatchObject({
      status: "down",
      state: "open",
      error_rate_percent: 100,
    });
    expect(ready.body.data.vendors.ark).toMatchObject({ status: "up" });
    const models = await offered();
    expect(models).not.toContain(from.id);
    expect(models).toContain(to.id);
    const refused = await call(t, "POST", "/api/v1/tasks/create", {
      token: task.token,
      body: { prompt: "下线的模型", duration_sec: duration, ratio: from.ratios[0], model: from.id },
    });
    expect(refused.status).toBe(422);

    // The submit job's retry meets the open breaker: no create goes out, the credits come back.
    const createsBefore = kling().creates.length;
    await waitFor(async () => (await state(task)).status === "FAILURE");
    expect(await state(task)).toMatchObject({
      status: "FAILURE",
      refunded: true,
      error_message: VENDOR_DOWN_MESSAGE,
    });
    expect(await creditsOf(task.token)).toBe(100);
    expect(kling().creates.length).toBe(createsBefore);
  });

  it("with 换用同类模型 allowed, the task moves to the equivalent model, completes there, and the difference is refunded", {
    timeout: 100_000,
  }, async () => {
    if (!waiting) throw new Error("the previous test did not leave its task");
    const task = waiting;
    // Its retry met the open breaker too, and moved it instead of refunding it.
    await waitFor(async () => Boolean((await repo.findTask(t.ctx.db, task.id))?.vendorTaskId));
    const moved = await repo.findTask(t.ctx.db, waiting.id);
    expect(moved).toMatchObject({ model: to.id, vendor: to.vendor, costCredits: 2 * duration });
    expect(moved?.vendorCostMilli).toBe(BigInt(to.vendorCostMilliPerSecond * duration));
    const target = scripted.get(to.vendor) as ScriptedVendor;
    const vendorTaskId = target.vendorTaskOf(waiting.id) as string;
    expect(moved?.vendorTaskId).toBe(vendorTaskId);
    target.finish(vendorTaskId);
    for (let i = 0; i < 10 && (await state(waiting)).status !== "SUCCESS"; i++) {
      t.clock.advance(5_000);
      await runJob(t, "generation.poll_sweep");
    }
    expect(await state(waiting)).toMatchObject({
      status: "SUCCESS",
      model: to.id,
      cost_credits: 2 * duration,
    });
    expect(await creditsOf(waiting.token)).toBe(100 - 2 * duration);
    const ledger = await call(t, "GET", "/api/v1/wallet/ledgers?type=credits", { token: waiting.token });
    expect(
      ledger.body.data.items.map((e: { type: string; amount: number }) => `${e.type}:${e.amount}`),
    ).toEqual([`gen_refund:${duration}`, `gen_hold:${-3 * duration}`, "bonus:100"]);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("the breaker closes again: the models are offered again", async () => {
    kling().createMode = "answer";
    kling().getMode = "answer";
    await t.ctx.vendorHealth.reset("kling");
    expect(await offered()).toContain(from.id);
    expect((await call(t, "GET", "/readyz")).body.data.vendors.kling).toMatchObject({ status: "up" });
  });

  it("the cost report shows credits charged and vendor cost per model and day, for admin or finance only", async () => {
    const plain = await login(t);
    const denied = await call(t, "GET", "/api/v1/admin/vendor-costs?days=7", { token: plain.access_token });
    expect([denied.status, denied.body.code]).toEqual([403, 2002]);
    await call(t, "POST", "/api/v1/dev/roles", { body: { user_id: plain.user.user_id, roles: ["finance"] } });
    const report = await call(t, "GET", "/api/v1/admin/vendor-costs?days=7", { token: plain.access_token });
    expect(report.status).toBe(200);
    const row = report.body.data.items.find((r: { model: string }) => r.model === to.id);
    expect(row).toMatchObject({
      tasks: 1,
      succeeded: 1,
      credits_charged: 2 * duration,
      vendor_cost_cny: milliToYuan(BigInt(to.vendorCostMilliPerSecond * duration)),
    });
    const failed = report.body.data.items.find((r: { model: string }) => r.model === from.id);
    expect(failed).toMatchObject({ succeeded: 0, credits_charged: 0, vendor_cost_cny: "0.000" });
    expect(
      (await call(t, "GET", "/api/v1/admin/vendor-costs?days=3", { token: plain.access_token })).status,
    ).toBe(422);
  });
});
