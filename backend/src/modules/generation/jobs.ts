import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { costOf } from "../../config/models.js";
import type { AppContext } from "../../context.js";
import { enqueue, type JobRegistry } from "../../jobs/index.js";
import { accountsOf, platform, post } from "../../ledger/index.js";
import { newId } from "../../lib/ids.js";
import { fetchToFile, MediaError, processVideo } from "../../media/pipeline.js";
import {
  type ModelDef,
  type VendorCreateInput,
  VendorError,
  type VendorTaskState,
  type VideoVendor,
} from "../../vendors/types.js";
import { createVideoAsset } from "../assets/service.js";
import { findUser } from "../users/service.js";
import { callbackPath, callbackToken } from "../vendor-callbacks/token.js";
import { VendorDown } from "./health.js";
import {
  REFERENCE_IMAGE_UNUSABLE_MESSAGE,
  referenceImageUrl,
  UnusableReferenceImage,
} from "./reference-image.js";
import * as repo from "./repository.js";
import { completeTask, failTask, TaskAlreadyFinished } from "./service.js";

const SWEEP_BATCH = 500;
const POLL_CONCURRENCY = 16;
const LEASE_MS = 60_000;
const SWEEP_BUDGET_MS = 4_000;
const MAX_VIDEO_BYTES = 1024 * 1024 * 1024;
const REFERENCE_URL_TTL_SEC = 6 * 3600;

/**
 * A vendor's reason as the user sees it: vendors echo request fields, including the signed link to the
 * reference image, so links are cut out; long texts are shortened.
 */
export function shownReason(message: string): string {
  const text = message.replace(/\b(?:https?|file):\/\/\S+/gi, "[链接]").trim();
  const chars = [...text];
  return chars.length > 200 ? `${chars.slice(0, 200).join("")}…` : text;
}

/** Young tasks are polled every 5 s, then every 15 s, then every 30 s. */
export function nextPollDelayMs(ageMs: number): number {
  if (ageMs < 2 * 60_000) return 5_000;
  if (ageMs < 10 * 60_000) return 15_000;
  return 30_000;
}

/** Vendors that report no progress (Ark, DashScope) get one from elapsed time, capped below done. */
export function estimatedProgress(
  task: { createdAt: Date; durationSec: number; progress: number },
  status: string,
  now: Date,
) {
  if (status !== "IN_PROGRESS") return task.progress;
  const expectedMs = task.durationSec * 12_000;
  const elapsed = now.getTime() - task.createdAt.getTime();
  return Math.max(task.progress, Math.min(95, Math.floor((elapsed * 100) / expectedMs)));
}

/** After a vendor hiccup: 5 s, 10 s, 20 s … capped at 60 s, or the vendor's Retry-After. */
export function pollBackoffMs(errors: number, retryAfterMs: number | null): number {
  return Math.max(retryAfterMs ?? 0, Math.min(60_000, 5_000 * 2 ** Math.min(errors, 4)));
}

/** What a task still waiting for its vendor tells the user when the vendor is down (issue 13 §6). */
export const VENDOR_DOWN_MESSAGE = "生成服务暂时不可用，积分已退回";

type Outcome = { status: "done" | "skipped" | "failed"; detail?: string };
type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

/**
 * Sends a task to its vendor once. `submit_sent_at` is committed before the create goes out, so a retry
 * after a crash or a lost answer never creates blindly: it finds the vendor task by our reference, or,
 * when the vendor cannot be asked, waits for the vendor's callback or the timeout (which refunds).
 */
export async function submitTask(ctx: AppContext, taskId: string, log: Log): Promise<Outcome> {
  const task = await repo.findTask(ctx.db, taskId);
  if (!task || !repo.UNFINISHED.includes(task.status) || task.vendorTaskId) return { status: "skipped" };
  const vendor = ctx.vendors.get(task.vendor as never);
  const model = ctx.catalog.model(task.model);
  if (!vendor || !model) {
    await failTask(ctx, taskId, "生成服务暂不可用，积分已退回");
    return { status: "failed", detail: `vendor ${task.vendor} not configured` };
  }
  if (task.submitSentAt) {
    const reconciled = await reconcileLostCreate(ctx, task, vendor, model);
    if (reconciled) return reconciled;
  } else if (ctx.vendorHealth.isDown(vendor.name)) {
    return vendorDown(ctx, task, model, log);
  }
  const input = await createInput(ctx, task, vendor, model, log);
  // The reference image cannot be sent: the task is already failed and refunded.
  if ("status" in input) return input;
  // Claimed by one attempt only: a concurrent one (a duplicate job, an expired lease) stops here.
  const sentAt = ctx.clock.now();
  if (!(await repo.markSubmitSent(ctx.db, taskId, sentAt))) return { status: "skipped" };
  try {
    const { vendorTaskId } = await ctx.vendorHealth.call(vendor.name, () => vendor.create(input));
    await recordSubmitted(ctx, task, model, vendorTaskId);
    return { status: "done" };
  } catch (err) {
    return createFailed(ctx, task, sentAt, vendor, model, err, log);
  }
}

/** What the vendor is sent; a failed Outcome when the reference image can never be sent. */
async function createInput(
  ctx: AppContext,
  task: repo.TaskRow,
  vendor: VideoVendor,
  model: ModelDef,
  log: Log,
): Promise<VendorCreateInput | Outcome> {
  let referenceUrl: string | null;
  try {
    referenceUrl = await referenceImageUrl(ctx, task, model, REFERENCE_URL_TTL_SEC);
  } catch (err) {
    if (!(err instanceof UnusableReferenceImage)) throw err;
    log.info({ taskId: task.id, reason: err.message }, "reference image unusable");
    await failTask(ctx, task.id, REFERENCE_IMAGE_UNUSABLE_MESSAGE);
    return { status: "failed", detail: err.message };
  }
  return {
    taskId: task.id,
    model,
    prompt: task.prompt,
    durationSec: task.durationSec,
    ratio: task.ratio,
    resolution: task.resolution ?? model.resolutions[0] ?? "720p",
    referenceImageUrl: referenceUrl,
    callbackUrl: vendor.parseCallback
      ? `${ctx.config.publicBaseUrl}${callbackPath(vendor.name, callbackToken(ctx.config.appSecret, task.id))}`
      : null,
  };
}

/** The vendor's id, and what the vendor bills for the task (milli-yuan per second × seconds). */
async function recordSubmitted(ctx: AppContext, task: repo.TaskRow, model: ModelDef, vendorTaskId: string) {
  const now = ctx.clock.now();
  const cost = BigInt(model.vendorCostMilliPerSecond) * BigInt(task.durationSec);
  await repo.markSubmitted(ctx.db, task.id, vendorTaskId, now, new Date(now.getTime() + 2_000), cost);
}

async function createFailed(
  ctx: AppContext,
  task: repo.TaskRow,
  sentAt: Date,
  vendor: VideoVendor,
  model: ModelDef,
  err: unknown,
  log: Log,
): Promise<Outcome> {
  if (err instanceof VendorDown) {
    await repo.clearSubmitSent(ctx.db, task.id, sentAt);
    return vendorDown(ctx, task, model, log);
  }
  if (err instanceof VendorError && err.kind === "rejected") {
    log.info({ taskId: task.id, reason: err.message }, "vendor rejected the task");
    await failTask(ctx, task.id, `生成请求被拒绝：${shownReason(err.message)}`);
    return { status: "failed", detail: err.message };
  }
  if (err instanceof VendorError && err.kind === "transient") {
    // Refused before the vendor took it (network, 5xx, 429): creating again is safe.
    await repo.clearSubmitSent(ctx.db, task.id, sentAt);
    throw err;
  }
  // Unanswered (or anything unexpected): the vendor may have taken it.
  log.warn({ taskId: task.id, err: (err as Error).message }, "create sent but not answered");
  if (vendor.findByReference) throw err;
  return { status: "done", detail: AWAITING_VENDOR };
}

/** Longer than any vendor call may take (VENDOR_HTTP_TIMEOUT_MS, 30 s by default, and its retries). */
const CREATE_IN_FLIGHT_MS = 2 * 60_000;

const AWAITING_VENDOR = "create unanswered: waiting for the vendor's callback or the timeout";

/**
 * A create was sent and its answer never recorded. Found by our reference: adopt it. Not found: null,
 * the caller creates again. No lookup: never resend; the callback or the timeout sweep ends the task.
 */
async function reconcileLostCreate(
  ctx: AppContext,
  task: repo.TaskRow,
  vendor: VideoVendor,
  model: ModelDef,
): Promise<Outcome | null> {
  const lookup = vendor.findByReference?.bind(vendor);
  if (!lookup) return { status: "done", detail: AWAITING_VENDOR };
  const sentAt = task.submitSentAt as Date;
  // A create sent moments ago may still be on its way: a lookup now could miss it and create twice.
  if (ctx.clock.now().getTime() - sentAt.getTime() < CREATE_IN_FLIGHT_MS) {
    throw new VendorError("transient", "a create may still be in flight", CREATE_IN_FLIGHT_MS);
  }
  // Asked even while the breaker is open: the vendor may be running it, so no failover before the answer.
  const found = await ctx.vendorHealth.observe(vendor.name, () => lookup(task.id));
  if (found) {
    await recordSubmitted(ctx, task, model, found.vendorTaskId);
    return { status: "done", detail: "found by reference" };
  }
  await repo.clearSubmitSent(ctx.db, task.id, sentAt);
  return null;
}

/** Its vendor is down: another model of its class if the user allowed it (换用同类模型), else a refund. */
async function vendorDown(ctx: AppContext, task: repo.TaskRow, model: ModelDef, log: Log): Promise<Outcome> {
  const target = task.allowFailover ? failoverTarget(ctx, task, model) : null;
  if (target && (await moveTask(ctx, task, target))) {
    log.info(
      { taskId: task.id, from: model.id, to: target.id },
      "vendor down: task moved to an equivalent model",
    );
    return submitTask(ctx, task.id, log);
  }
  await failTask(ctx, task.id, VENDOR_DOWN_MESSAGE);
  return { status: "failed", detail: `vendor ${task.vendor} is down` };
}

/**
 * The enabled model of the same failover class, on a vendor that is up, that can run this task as asked
 * at no more than its held cost; the dearest of them (the closest to the user's choice).
 */
export function failoverTarget(ctx: AppContext, task: repo.TaskRow, from: ModelDef): ModelDef | null {
  if (!from.failoverClass) return null;
  const fits = ctx.catalog
    .models()
    .filter(
      (m) =>
        m.enabled &&
        m.id !== from.id &&
        m.failoverClass === from.failoverClass &&
        ctx.vendors.has(m.vendor) &&
        !ctx.vendorHealth.isDown(m.vendor) &&
        m.durations.includes(task.durationSec) &&
        m.ratios.includes(task.ratio) &&
        (!task.referenceImageAssetId || m.imageToVideo) &&
        (!task.resolution || m.resolutions.includes(task.resolution)) &&
        costOf(m, task.durationSec) <= task.costCredits,
    )
    .sort((a, b) => costOf(b, task.durationSec) - costOf(a, task.durationSec));
  return fits[0] ?? null;
}

/**
 * One transaction: the task's model, vendor and cost change, and the held difference goes back to the
 * user (`task:{id}:failover_refund:{from}`), so the final settle moves exactly the new cost.
 */
async function moveTask(ctx: AppContext, task: repo.TaskRow, to: ModelDef): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const cost = costOf(to, task.durationSec);
    const target = { model: to.id, vendor: to.vendor, costCredits: cost };
    if (!(await repo.moveToModel(tx, task.id, task.model, target, now))) return false;
    const difference = BigInt(task.costCredits - cost);
    if (difference > 0n) {
      await post(tx, {
        businessKey: `task:${task.id}:failover_refund:${task.model}`,
        type: "gen_refund",
        refType: "task",
        refId: task.id,
        description: "换用同类模型，差价已退回",
        at: now,
        metadata: { from: task.model, to: to.id },
        postings: [
          { account: platform.creditsHeld(task.userId), amount: -difference, entryType: "gen_refund" },
          { account: accountsOf(task.userId).credits, amount: difference, entryType: "gen_refund" },
        ],
      });
    }
    return true;
  });
}

/**
 * Moves a task as its vendor reports it, by a poll or a callback alike: a finished video claims the media
 * step once (compare-and-set), a failure refunds once, anything else records progress.
 */
export async function applyVendorState(
  ctx: AppContext,
  task: repo.TaskRow,
  state: VendorTaskState,
): Promise<void> {
  const now = ctx.clock.now();
  if (state.status === "SUCCESS" && state.videoUrl) {
    const videoUrl = state.videoUrl;
    const claimed = await ctx.db.transaction(async (tx) => {
      if (!(await repo.claimMediaStep(tx, task.id, videoUrl, now))) return false;
      await enqueue(tx, "generation.media", { taskId: task.id });
      return true;
    });
    if (claimed) ctx.jobs.kick();
    return;
  }
  if (state.status === "FAILURE" || state.status === "SUCCESS") {
    await failTask(
      ctx,
      task.id,
      state.errorMessage ? shownReason(state.errorMessage) : "视频生成失败，积分已退回",
    );
    return;
  }
  const status = state.status === "IN_PROGRESS" ? "IN_PROGRESS" : "QUEUED";
  const progress = Math.max(0, Math.min(98, state.progress ?? estimatedProgress(task, status, now)));
  const due = new Date(now.getTime() + nextPollDelayMs(now.getTime() - task.createdAt.getTime()));
  await repo.recordProgress(ctx.db, task.id, status, progress, now, due);
}

export function registerGenerationJobs(registry: JobRegistry, ctx: AppContext): void {
  registry.register("generation.submit", async ({ taskId }, { log }) => submitTask(ctx, taskId, log), {
    attempts: 6,
    backoffMs: 5_000,
  });

  registry.register("generation.poll_sweep", async (_payload, { log }) => {
    // Open breakers whose wait is over get their trial call, even when no task of theirs is due.
    await ctx.vendorHealth.probe(ctx.vendors);
    // Keep leasing while full batches come back, within one schedule period.
    const started = Date.now();
    let polled = 0;
    for (;;) {
      const leased = await ctx.db.transaction((tx) =>
        repo.leaseDueForPoll(tx, ctx.clock.now(), SWEEP_BATCH, LEASE_MS),
      );
      let next = 0;
      const worker = async () => {
        while (next < leased.length) {
          const task = leased[next++] as repo.TaskRow;
          await pollOne(task).catch((err) => log.warn({ err, taskId: task.id }, "poll failed"));
        }
      };
      await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, leased.length) }, worker));
      polled += leased.length;
      if (leased.length < SWEEP_BATCH || Date.now() - started > SWEEP_BUDGET_MS) break;
    }
    return { status: "done", detail: `${polled} polled` };
  });

  // A task is polled by the vendor that took it, even if its model has left the catalog since; a task
  // whose vendor is no longer configured waits for its timeout, which refunds it.
  async function pollOne(task: repo.TaskRow): Promise<void> {
    const vendor = ctx.vendors.get(task.vendor as never);
    const vendorTaskId = task.vendorTaskId;
    if (!vendor || !vendorTaskId) return;
    let state: VendorTaskState;
    try {
      state = await ctx.vendorHealth.observe(vendor.name, () => vendor.get(vendorTaskId));
    } catch (err) {
      const retryAfter = err instanceof VendorError ? err.retryAfterMs : null;
      const now = ctx.clock.now();
      await repo.recordPollError(
        ctx.db,
        task.id,
        new Date(now.getTime() + pollBackoffMs(task.pollErrors, retryAfter)),
      );
      ctx.log.warn({ taskId: task.id, err: err instanceof Error ? err.message : err }, "vendor poll hiccup");
      return;
    }
    await applyVendorState(ctx, task, state);
  }

  registry.register(
    "generation.media",
    async ({ taskId }, { log }) => {
      const task = await repo.findTask(ctx.db, taskId);
      if (!task || !repo.UNFINISHED.includes(task.status)) return { status: "skipped" };
      if (!task.vendorVideoUrl) return { status: "failed", detail: "no video url" };
      const workDir = await mkdtemp(path.join(ctx.config.dataDir, "tmp-media-"));
      try {
        return await produceAsset(task, task.vendorVideoUrl, workDir);
      } catch (err) {
        if (err instanceof MediaError && !err.retryable) {
          log.warn({ taskId, reason: err.message }, "video unusable");
          await failTask(ctx, taskId, "视频处理失败，积分已退回");
          return { status: "failed", detail: err.message };
        }
        if (err instanceof TaskAlreadyFinished) return { status: "skipped", detail: "finished elsewhere" };
        throw err;
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    },
    { attempts: 5, backoffMs: 5_000 },
  );

  async function produceAsset(task: repo.TaskRow, videoUrl: string, workDir: string) {
    const sourcePath = path.join(workDir, "source.mp4");
    // Only the simulator hands out file:// URLs; a real vendor's answer must never read local files.
    // A video behind the vendor's credentials (OpenAI-style `/content`) is fetched through the vendor.
    const vendor = ctx.vendors.get(task.vendor as never);
    await fetchToFile(videoUrl, sourcePath, {
      timeoutMs: 120_000,
      maxBytes: MAX_VIDEO_BYTES,
      allowFileUrls: task.vendor === "simulated",
      open: vendor?.download?.bind(vendor),
    });
    // Keys are derived from the task, so a retried or duplicated job overwrites rather than duplicates.
    const keys = {
      source: `videos/${task.id}/source.mp4`,
      play: `videos/${task.id}/play.mp4`,
      thumb: `videos/${task.id}/thumb.jpg`,
    };
    await ctx.storage.putFile(keys.source, sourcePath, "video/mp4");
    const owner = await findUser(ctx.db, task.userId);
    const result = await processVideo({ sourcePath, workDir, handle: `@${owner?.nickname ?? "SkyRiff"}` });
    await ctx.storage.putFile(keys.play, result.playPath, "video/mp4");
    await ctx.storage.putFile(keys.thumb, result.thumbPath, "image/jpeg");
    await ctx.db.transaction(async (tx) => {
      const now = ctx.clock.now();
      const video = await createVideoAsset(tx, {
        id: newId(),
        ownerUserId: task.userId,
        taskId: task.id,
        projectId: task.projectId,
        // What the owner may see: a remix of a locked prompt keeps only the remixer's own words.
        prompt: task.displayPrompt ?? task.prompt,
        sourceKey: keys.source,
        playKey: keys.play,
        thumbKey: keys.thumb,
        durationMs: result.play.durationMs,
        ratio: task.ratio,
        width: result.play.width,
        height: result.play.height,
        createdAt: now,
      });
      if (!video) throw new TaskAlreadyFinished(task.id);
      await completeTask(tx, task, video.id, now);
    });
    return { status: "done" as const };
  }

  registry.register("generation.timeout_sweep", async () => {
    let failed = 0;
    for (;;) {
      const stuck = await repo.unfinishedPastTimeout(ctx.db, ctx.clock.now(), SWEEP_BATCH);
      for (const { id } of stuck) if (await failTask(ctx, id, "生成超时，积分已退回")) failed += 1;
      if (stuck.length < SWEEP_BATCH) break;
    }
    return { status: "done", detail: `${failed} timed out` };
  });
}
