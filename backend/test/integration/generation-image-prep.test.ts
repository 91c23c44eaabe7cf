import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { costOf } from "../../src/config/models.js";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { inspectImage } from "../../src/lib/images.js";
import { MediaError, mediaTools } from "../../src/media/ffmpeg.js";
import { submitTask } from "../../src/modules/generation/jobs.js";
import {
  preparedImageKey,
  REFERENCE_IMAGE_UNUSABLE_MESSAGE,
} from "../../src/modules/generation/reference-image.js";
import * as repo from "../../src/modules/generation/repository.js";
import { findImage } from "../../src/modules/media/repository.js";
import type { ImageLimits, ModelDef, VendorName, VideoVendor } from "../../src/vendors/types.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { makePng, multipart } from "../helpers/images.js";
import { createScriptedVendor, type ScriptedVendor, startClipServer } from "../helpers/scripted-vendor.js";

// Issue 13 §3: before an image→video create the upload is fitted into the model's image limits; the
// vendor is sent a link to the fitted copy, the task records what was sent, and an upload that cannot be
// made into an image fails the task with one refund.

/** Set by a test to make the next prepare runs fail as ffmpeg would (a timeout, a missing binary). */
const prepareFault = vi.hoisted(() => ({ error: null as Error | null, calls: 0 }));
vi.mock("../../src/media/prepare-image.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/media/prepare-image.js")>();
  return {
    ...actual,
    prepareReferenceImage: async (...args: Parameters<typeof actual.prepareReferenceImage>) => {
      prepareFault.calls += 1;
      if (prepareFault.error) throw prepareFault.error;
      return actual.prepareReferenceImage(...args);
    },
  };
});

const VENDORS: VendorName[] = ["kling", "ark", "dashscope", "minimax", "dyuapi"];
const log = { info: () => undefined, warn: () => undefined };
let t: TestApp;
let clips: Awaited<ReturnType<typeof startClipServer>>;
const scripted = new Map<VendorName, ScriptedVendor>();
/** The enabled image→video model with the smallest maxSide: an ordinary photo is over it. */
let model: ModelDef;
let limits: ImageLimits;
let workDir: string;

beforeAll(async () => {
  clips = await startClipServer();
  for (const name of VENDORS) scripted.set(name, createScriptedVendor(name, { videoUrl: clips.url }));
  const vendors = new Map<VendorName, VideoVendor>(scripted);
  t = await startTestApp({ server: { vendors, roles: { dispatch: true, work: true, schedule: false } } });
  const candidates = t.ctx.catalog
    .models()
    .filter((m) => m.enabled && m.imageToVideo && m.image && scripted.has(m.vendor))
    .sort((a, b) => (a.image?.maxSide ?? 0) - (b.image?.maxSide ?? 0));
  if (!candidates[0]) throw new Error("no enabled image→video model on a scripted vendor");
  model = candidates[0];
  limits = model.image as ImageLimits;
  workDir = mkdtempSync(path.join(tmpdir(), "skyriff-image-prep-"));
});
afterAll(async () => {
  await t?.close();
  await clips?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const vendor = () => scripted.get(model.vendor) as ScriptedVendor;
const creditsOf = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;

async function userWith(credits: number) {
  const user = await login(t);
  await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits } });
  return user.access_token;
}

async function upload(token: string, png: Buffer): Promise<string> {
  const form = multipart(png, "ref.png", "image/png");
  const res = await t.app.inject({
    method: "POST",
    url: "/api/v1/media/upload",
    headers: { authorization: `Bearer ${token}`, "content-type": form.contentType },
    payload: form.payload,
  });
  expect(res.statusCode).toBe(200);
  return res.json().data.asset_id as string;
}

/** An image→video task on the model; its submit job has run once when this returns. */
/** Polls `done` until it holds (job retries run on real time, in the outbox and in BullMQ alike). */
async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs = 50_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Creates an image→video task. `settle`: wait until the jobs are idle (the submit succeeded or ended
 * the task); otherwise until `attempted()` says the first submit attempt ran, leaving its retry to the
 * job runner (idle would wait for every retry).
 */
async function imageTask(
  token: string,
  assetId: string,
  attempted?: (taskId: string) => boolean | Promise<boolean>,
): Promise<string> {
  const created = await call(t, "POST", "/api/v1/tasks/create", {
    token,
    body: {
      prompt: "让画面动起来",
      duration_sec: model.durations[0],
      ratio: model.ratios[0],
      model: model.id,
      reference_image_asset_id: assetId,
    },
  });
  expect(created.status).toBe(200);
  const taskId = created.body.data.task_id as string;
  if (attempted) await waitFor(() => attempted(taskId));
  else await t.ctx.jobs.idle();
  return taskId;
}

/** A landscape image past maxSide, with an aspect inside the limits. */
function oversizedPng(): { png: Buffer; width: number; height: number } {
  const width = limits.maxSide + 320;
  const height = Math.max(limits.minSide, Math.ceil(width / Math.min(limits.maxAspect, 2)));
  return { png: makePng(width, height), width, height };
}

/** What the vendor was sent for the task, fetched through the app's signed storage route. */
async function sentBytes(taskId: string): Promise<{ url: string; data: Buffer }> {
  const input = vendor().creates.find((c) => c.taskId === taskId);
  const url = input?.referenceImageUrl;
  if (!url) throw new Error(`no reference image sent for ${taskId}`);
  const link = new URL(url);
  expect(link.origin).toBe(t.ctx.config.publicBaseUrl);
  const res = await t.app.inject({ url: `${link.pathname}${link.search}` });
  expect(res.statusCode).toBe(200);
  return { url, data: res.rawPayload };
}

/** The picture size as ffprobe (or, without it, ffmpeg) decodes it. */
function decodedSize(data: Buffer): { width: number; height: number } {
  const file = path.join(workDir, `probe-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  writeFileSync(file, data);
  const tools = mediaTools();
  if (tools.ffprobe) {
    const out = execFileSync(tools.ffprobe, [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=width,height",
      "-of",
      "json",
      file,
    ]).toString();
    const stream = JSON.parse(out).streams[0];
    return { width: stream.width, height: stream.height };
  }
  const info = spawnSync(tools.ffmpeg, ["-hide_banner", "-nostdin", "-i", file]).stderr.toString();
  const match = /Video: [^\n]*?, (\d+)x(\d+)/.exec(info);
  if (!match) throw new Error(`ffmpeg could not read the image: ${info}`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

function expectWithinLimits(size: { width: number; height: number }) {
  expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(limits.maxSide);
  expect(Math.min(size.width, size.height)).toBeGreaterThanOrEqual(limits.minSide);
  expect(size.width / size.height).toBeGreaterThanOrEqual(limits.minAspect);
  expect(size.width / size.height).toBeLessThanOrEqual(limits.maxAspect);
}

describe("reference image preparation before an image→video create", () => {
  it("an image over maxSide is sent as a fitted JPEG, stored next to the upload, and recorded on the task", async () => {
    const token = await userWith(1000);
    const big = oversizedPng();
    const assetId = await upload(token, big.png);
    const taskId = await imageTask(token, assetId);

    const task = await repo.findTask(t.ctx.db, taskId);
    expect(task?.vendorTaskId).toBe(vendor().vendorTaskOf(taskId));
    const { url, data } = await sentBytes(taskId);
    const image = await findImage(t.ctx.db, assetId);
    const derived = preparedImageKey(image?.storageKey as string, model.id, limits);
    expect(url).toContain(derived);
    expect(inspectImage(data)?.mime).toBe("image/jpeg");
    const decoded = decodedSize(data);
    expectWithinLimits(decoded);
    expect(data.length).toBeLessThanOrEqual(limits.maxBytes);
    // Scaled down with the aspect kept, not padded: the source's aspect was inside the limits.
    expect(Math.max(decoded.width, decoded.height)).toBe(limits.maxSide);
    expect(decoded.width / decoded.height).toBeCloseTo(big.width / big.height, 2);
    expect(task?.sentImage).toEqual({
      width: decoded.width,
      height: decoded.height,
      bytes: data.length,
      mime: "image/jpeg",
      resized: true,
      padded: false,
    });
    // The user's upload itself is untouched.
    expect(image).toMatchObject({ width: big.width, height: big.height, mime: "image/png" });
    expect(await t.ctx.storage.exists(image?.storageKey as string)).toBe(true);
  });

  it("a retried submit reuses the stored fitted copy without preparing again", async () => {
    const token = await userWith(1000);
    const assetId = await upload(token, oversizedPng().png);
    vendor().createMode = "down";
    const taskId = await imageTask(token, assetId, (id) => vendor().creates.some((c) => c.taskId === id));
    expect(vendor().creates.filter((c) => c.taskId === taskId)).toHaveLength(1);
    expect((await repo.findTask(t.ctx.db, taskId))?.vendorTaskId).toBeNull();

    const callsBefore = prepareFault.calls;
    // The upload is gone now: only the copy prepared by the first attempt can serve the retry.
    const image = await findImage(t.ctx.db, assetId);
    await t.ctx.storage.delete(image?.storageKey as string);
    vendor().createMode = "answer";
    // The job's own retry (5 s backoff) submits it.
    await waitFor(async () => Boolean((await repo.findTask(t.ctx.db, taskId))?.vendorTaskId));
    expect(prepareFault.calls).toBe(callsBefore);
    const creates = vendor().creates.filter((c) => c.taskId === taskId);
    expect(creates).toHaveLength(2);
    expect(new URL(creates[1]?.referenceImageUrl as string).pathname).toBe(
      new URL(creates[0]?.referenceImageUrl as string).pathname,
    );
    const { data } = await sentBytes(taskId);
    expectWithinLimits(decodedSize(data));
    expect((await repo.findTask(t.ctx.db, taskId))?.sentImage).toMatchObject({
      bytes: data.length,
      resized: true,
      padded: false,
    });
  });

  it("an image inside every limit is sent as uploaded", async () => {
    const token = await userWith(1000);
    const side = Math.max(limits.minSide, 64);
    const png = makePng(side, side);
    const assetId = await upload(token, png);
    const taskId = await imageTask(token, assetId);
    const { url, data } = await sentBytes(taskId);
    const image = await findImage(t.ctx.db, assetId);
    expect(new URL(url).pathname).toBe(`/files/${image?.storageKey}`);
    expect(data.equals(png)).toBe(true);
    expect((await repo.findTask(t.ctx.db, taskId))?.sentImage).toEqual({
      width: side,
      height: side,
      bytes: png.length,
      mime: "image/png",
      resized: false,
      padded: false,
    });
  });

  it("an upload that is not an image fails the task and refunds it exactly once, sending nothing", async () => {
    const token = await userWith(1000);
    const assetId = await upload(token, makePng(limits.minSide, limits.minSide));
    // What the upload route would refuse, as if the stored object had been replaced or damaged.
    const image = await findImage(t.ctx.db, assetId);
    await t.ctx.storage.put(image?.storageKey as string, Buffer.from("not an image at all"), "image/png");
    const createsBefore = vendor().creates.length;
    const taskId = await imageTask(token, assetId);

    const task = (await call(t, "GET", `/api/v1/tasks/${taskId}`, { token })).body.data;
    expect(task).toMatchObject({
      status: "FAILURE",
      refunded: true,
      error_message: REFERENCE_IMAGE_UNUSABLE_MESSAGE,
    });
    expect(await creditsOf(token)).toBe(1000);
    expect(vendor().creates.length).toBe(createsBefore);
    const row = await repo.findTask(t.ctx.db, taskId);
    expect(row?.submitSentAt).toBeNull();
    expect(row?.sentImage).toBeNull();

    // A duplicated or retried job finds the task finished: no second refund.
    expect(await submitTask(t.ctx, taskId, log)).toMatchObject({ status: "skipped" });
    const refunds = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from ledger_transactions where ref_id = ${taskId} and type = 'gen_refund'`,
    );
    expect(refunds[0]?.n).toBe(1);
    expect(await creditsOf(token)).toBe(1000);
    expect((await reconcile(t.ctx.db)).ok).toBe(true);
  });

  it("an ffmpeg timeout or missing binary is retried, not refunded", async () => {
    const token = await userWith(1000);
    const assetId = await upload(token, oversizedPng().png);
    const createsBefore = vendor().creates.length;
    const expectWaiting = async (id: string) => {
      const row = await repo.findTask(t.ctx.db, id);
      expect(row).toMatchObject({ status: "QUEUED", refunded: false, submitSentAt: null, sentImage: null });
      expect(vendor().creates.length).toBe(createsBefore);
    };
    const failedOnce = (calls: number) => () => prepareFault.calls > calls;
    try {
      prepareFault.error = new MediaError("timeout", "ffmpeg timed out", true);
      const taskId = await imageTask(token, assetId, failedOnce(prepareFault.calls));
      await expectWaiting(taskId);
      // The job's retries (5 s, then 10 s later) meet a missing binary, then a working one.
      prepareFault.error = new MediaError("tool_missing", "ffmpeg not found");
      await waitFor(failedOnce(prepareFault.calls));
      await expectWaiting(taskId);
      prepareFault.error = null;
      await waitFor(async () => Boolean((await repo.findTask(t.ctx.db, taskId))?.vendorTaskId));
      expect((await repo.findTask(t.ctx.db, taskId))?.sentImage).toMatchObject({ resized: true });
      expect(await creditsOf(token)).toBe(1000 - costOf(model, model.durations[0] as number));
    } finally {
      prepareFault.error = null;
    }
  }, 90_000);
});
