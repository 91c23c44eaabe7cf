import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import type { AppContext } from "../../context.js";
import { enqueue, type JobRegistry } from "../../jobs/index.js";
import { newId } from "../../lib/ids.js";
import { fetchToFile, MediaError, processVideo } from "../../media/pipeline.js";
import { type ModelDef, VendorError, type VendorTaskState } from "../../vendors/types.js";
import { createVideoAsset } from "../assets/service.js";
import { signedImageUrl } from "../media/service.js";
import { findUser } from "../users/service.js";
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

export function registerGenerationJobs(registry: JobRegistry, ctx: AppContext): void {
  // Any model of the catalog, offered or not: a task accepted before its model was switched off runs on.
  const modelOf = (id: string): ModelDef | undefined => ctx.catalog.model(id);

  registry.register(
    "generation.submit",
    async ({ taskId }, { log }) => {
      const task = await repo.findTask(ctx.db, taskId);
      if (!task || !repo.UNFINISHED.includes(task.status) || task.vendorTaskId) return { status: "skipped" };
      const vendor = ctx.vendors.get(task.vendor as never);
      const model = modelOf(task.model);
      if (!vendor || !model) {
        await failTask(ctx, taskId, "生成服务暂不可用，积分已退回");
        return { status: "failed", detail: `vendor ${task.vendor} not configured` };
      }
      try {
        const { vendorTaskId } = await vendor.create({
          taskId,
          model,
          prompt: task.prompt,
          durationSec: task.durationSec,
          ratio: task.ratio,
          referenceImageUrl: task.referenceImageAssetId
            ? await signedImageUrl(ctx, task.referenceImageAssetId, REFERENCE_URL_TTL_SEC)
            : null,
        });
        const now = ctx.clock.now();
        await repo.markSubmitted(ctx.db, taskId, vendorTaskId, now, new Date(now.getTime() + 2_000));
        return { status: "done" };
      } catch (err) {
        if (err instanceof VendorError && err.kind === "rejected") {
          log.info({ taskId, reason: err.message }, "vendor rejected the task");
          await failTask(ctx, taskId, `生成请求被拒绝：${shownReason(err.message)}`);
          return { status: "failed", detail: err.message };
        }
        throw err;
      }
    },
    { attempts: 6, backoffMs: 5_000 },
  );

  registry.register("generation.poll_sweep", async (_payload, { log }) => {
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
    if (!vendor || !task.vendorTaskId) return;
    let state: VendorTaskState;
    try {
      state = await vendor.get(task.vendorTaskId);
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
    await applyState(task, state);
  }

  async function applyState(task: repo.TaskRow, state: VendorTaskState): Promise<void> {
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
    await fetchToFile(videoUrl, sourcePath, {
      timeoutMs: 120_000,
      maxBytes: MAX_VIDEO_BYTES,
      allowFileUrls: task.vendor === "simulated",
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
