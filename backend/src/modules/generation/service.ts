import { ErrorCode, type Task, type TaskCreateBody, type TaskCreateResult } from "@skyriff/contracts";
import { costOf } from "../../config/models.js";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/client.js";
import { inOrder } from "../../db/statements.js";
import { enqueue } from "../../jobs/index.js";
import {
  accountsOf,
  type IdempotencyHandle,
  lotOfTransaction,
  type PostingInput,
  platform,
  post,
  reverseLot,
  withIdempotency,
} from "../../ledger/index.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import { AppError, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { shanghaiDate } from "../../lib/time.js";
import type { ModelDef } from "../../vendors/types.js";
import { recordActivity } from "../activity/repository.js";
import { assertOwnImage } from "../media/service.js";
import { assertClean } from "../moderation/service.js";
import { notify } from "../notifications/repository.js";
import { assertOwnProject } from "../projects/service.js";
import * as repo from "./repository.js";

const invalid = (field: string, zh: string, en: string) =>
  new AppError(ErrorCode.VALIDATION, { fields: { [field]: en } }, { zh, en });

const limitReached = (reason: "unfinished" | "daily", limit: number) =>
  new AppError(
    ErrorCode.GENERATION_LIMIT,
    { reason, limit },
    reason === "unfinished"
      ? { zh: `最多同时进行 ${limit} 个生成任务`, en: `At most ${limit} unfinished tasks` }
      : { zh: `今日生成次数已达上限（${limit} 次）`, en: `Daily limit of ${limit} tasks reached` },
  );

const THUMBNAIL_URL_TTL_SEC = 3600;

export async function presentTask(ctx: AppContext, t: repo.TaskView): Promise<Task> {
  const thumbnail = t.thumbKey
    ? (await ctx.storage.signedUrl(t.thumbKey, { expiresInSec: THUMBNAIL_URL_TTL_SEC })).url
    : null;
  return {
    task_id: t.id,
    status: t.status,
    progress: t.progress,
    // A remix of a locked prompt shows its owner only their own addition (the vendor gets `prompt`).
    prompt: t.displayPrompt ?? t.prompt,
    duration_sec: t.durationSec,
    ratio: t.ratio,
    model: t.model,
    project_id: t.projectId,
    reference_image_asset_id: t.referenceImageAssetId,
    cost_credits: t.costCredits,
    video_id: t.videoId,
    thumbnail_url: thumbnail,
    estimated_seconds: estimateSeconds(ctx, t.vendor, t.durationSec),
    error_message: t.errorMessage,
    refunded: t.refunded,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    finished_at: t.finishedAt?.toISOString() ?? null,
  };
}

function resolveModel(ctx: AppContext, body: TaskCreateBody) {
  const model = ctx.catalog.model(body.model);
  if (!model?.enabled) throw invalid("model", "该模型暂不可用", "unknown or disabled model");
  if (!model.durations.includes(body.duration_sec)) {
    throw invalid(
      "duration_sec",
      `该模型支持的时长：${model.durations.join("/")} 秒`,
      `allowed: ${model.durations.join(", ")}`,
    );
  }
  if (!model.ratios.includes(body.ratio)) {
    throw invalid(
      "ratio",
      `该模型支持的比例：${model.ratios.join(" / ")}`,
      `allowed: ${model.ratios.join(", ")}`,
    );
  }
  if (body.reference_image_asset_id && !model.imageToVideo) {
    throw invalid("reference_image_asset_id", "该模型不支持图生视频", "model does not support image→video");
  }
  return model;
}

/** The asked resolution when the model offers it; absent: the model's default (its first). */
function resolveResolution(model: ModelDef, asked: string | undefined): string {
  const resolution = asked ?? model.resolutions[0];
  if (resolution === undefined || !model.resolutions.includes(resolution)) {
    throw invalid(
      "resolution",
      `该模型支持的清晰度：${model.resolutions.join(" / ")}`,
      `allowed: ${model.resolutions.join(", ")}`,
    );
  }
  return resolution;
}

/** A validated create request: the model it runs on, the resolution asked for and what it costs. */
export interface PreparedTask {
  body: TaskCreateBody;
  model: ReturnType<typeof resolveModel>;
  resolution: string;
  cost: number;
}

/** Checks a create request (model, duration, ratio, the caller's image and project) outside any transaction. */
export async function prepareTask(
  ctx: AppContext,
  userId: string,
  body: TaskCreateBody,
): Promise<PreparedTask> {
  const model = resolveModel(ctx, body);
  const resolution = resolveResolution(model, body.resolution);
  if (body.reference_image_asset_id) await assertOwnImage(ctx, body.reference_image_asset_id, userId);
  if (body.project_id) await assertOwnProject(ctx, body.project_id, userId);
  return { body, model, resolution, cost: costOf(model, body.duration_sec) };
}

/** What a remix adds to a task (see works' remix in creator-income). */
export interface TaskOrigin {
  sourceType: "create" | "remix";
  sourceWorkId: string | null;
  remixFeeCredits: number;
  /** Shown to the owner instead of the prompt (null: the prompt). */
  displayPrompt: string | null;
}

const PLAIN_CREATE: TaskOrigin = {
  sourceType: "create",
  sourceWorkId: null,
  remixFeeCredits: 0,
  displayPrompt: null,
};

/**
 * Inside the caller's transaction: the quota slot, the task row, its submit job and the cost hold
 * (`task:{id}:hold`), issued together and run in this order; the first failure in this order is the
 * answer. The caller kicks the job runner after its commit.
 */
export async function insertTaskWithHold(
  ctx: AppContext,
  tx: Tx,
  userId: string,
  prepared: PreparedTask,
  taskId: string,
  now: Date,
  origin: TaskOrigin = PLAIN_CREATE,
): Promise<TaskCreateResult> {
  const { body, model, cost } = prepared;
  const [, , , hold] = await inOrder([
    takeQuota(ctx, tx, userId, now),
    repo.insertTask(tx, {
      id: taskId,
      userId,
      status: "QUEUED",
      prompt: body.prompt,
      durationSec: body.duration_sec,
      ratio: body.ratio,
      model: model.id,
      vendor: model.vendor,
      projectId: body.project_id ?? null,
      referenceImageAssetId: body.reference_image_asset_id ?? null,
      allowFailover: body.allow_failover ?? false,
      resolution: prepared.resolution,
      costCredits: cost,
      timeoutAt: new Date(now.getTime() + model.timeoutMinutes * 60_000),
      createdAt: now,
      ...origin,
    }),
    enqueue(tx, "generation.submit", { taskId }),
    post(tx, {
      businessKey: `task:${taskId}:hold`,
      type: "gen_hold",
      refType: "task",
      refId: taskId,
      description: `生成视频 ${body.duration_sec} 秒`,
      at: now,
      postings: [
        { account: accountsOf(userId).credits, amount: BigInt(-cost), entryType: "gen_hold" },
        { account: platform.creditsHeld(userId), amount: BigInt(cost), entryType: "gen_hold" },
      ],
    }),
  ] as const);
  const balanceAfter =
    hold.entries.find((e) => e.accountId === accountsOf(userId).credits.id)?.balanceAfter ?? 0n;
  return {
    task_id: taskId,
    status: "QUEUED" as const,
    cost_credits: cost,
    balance_after: Number(balanceAfter),
    estimated_seconds: estimateSeconds(ctx, model.vendor, body.duration_sec),
  };
}

/** Holds the cost and creates the task in one transaction; the vendor is called later by a job. */
export async function createTask(
  ctx: AppContext,
  userId: string,
  body: TaskCreateBody,
  idempotency?: IdempotencyHandle<TaskCreateResult>,
): Promise<TaskCreateResult> {
  assertClean({ prompt: body.prompt });
  const prepared = await prepareTask(ctx, userId, body);
  const result = await withIdempotency(ctx.db, idempotency, (tx) =>
    insertTaskWithHold(ctx, tx, userId, prepared, newId(), ctx.clock.now()),
  );
  ctx.jobs.kick();
  return result;
}

/** SPEC §1 limits, counted per user and Shanghai day by the user's counter row. */
async function takeQuota(ctx: AppContext, tx: Tx, userId: string, now: Date): Promise<void> {
  const { MAX_UNFINISHED_TASKS, MAX_TASKS_PER_DAY } = ctx.economy;
  const limits = { unfinished: MAX_UNFINISHED_TASKS, daily: MAX_TASKS_PER_DAY };
  const refused = await repo.takeQuota(tx, userId, shanghaiDate(now), limits);
  if (refused === "unfinished") throw limitReached("unfinished", MAX_UNFINISHED_TASKS);
  if (refused === "daily") throw limitReached("daily", MAX_TASKS_PER_DAY);
}

/** Tasks still waiting for their vendor (the 我的 page's count). */
export async function unfinishedTaskCount(ctx: AppContext, userId: string): Promise<number> {
  return (await repo.quotaOf(ctx.db, userId))?.unfinished ?? 0;
}

function estimateSeconds(ctx: AppContext, vendor: string, durationSec: number): number {
  return vendor === "simulated" ? ctx.config.SIMULATED_VENDOR_SECONDS + 5 : durationSec * 12;
}

export async function getTask(ctx: AppContext, userId: string, taskId: string): Promise<Task> {
  const task = await repo.findOwnTask(ctx.db, taskId, userId);
  if (!task) throw notFound("task");
  return presentTask(ctx, task);
}

export async function listTasks(
  ctx: AppContext,
  userId: string,
  query: { status: "ALL" | "QUEUED" | "IN_PROGRESS" | "SUCCESS" | "FAILURE"; cursor?: string; limit: number },
) {
  const status = query.status === "ALL" ? null : query.status;
  const rows = await repo.listTasks(ctx.db, userId, status, decodeCursor(query.cursor), query.limit);
  const page = toPage(rows, query.limit, (r) => r);
  return { ...page, items: await Promise.all(page.items.map((r) => presentTask(ctx, r))) };
}

/** Fails an unfinished task and refunds its hold, exactly once however many callers race. */
export async function failTask(ctx: AppContext, taskId: string, message: string): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const failed = await repo.finishTask(
      tx,
      taskId,
      { status: "FAILURE", errorMessage: message, refunded: true },
      now,
    );
    if (!failed) return false;
    await settle(tx, failed, "refund", now);
    notify(
      tx,
      {
        userId: failed.userId,
        kind: "generation_failed",
        refType: "task",
        refId: failed.id,
        // The notification adds "N 积分已退回" itself.
        data: {
          reason: message.replace(/[，,]\s*积分已退回$/, ""),
          refunded_credits: refundedCredits(failed),
        },
        dedupeKey: `task:${failed.id}:failed`,
      },
      now,
    );
    return true;
  });
}

export class TaskAlreadyFinished extends Error {}

/** Marks the task SUCCESS with its video and turns the held credits into spent ones (no user row). */
export async function completeTask(tx: Tx, task: repo.TaskRow, videoId: string, at: Date): Promise<void> {
  const done = await repo.finishTask(tx, task.id, { status: "SUCCESS", videoId }, at);
  if (!done) throw new TaskAlreadyFinished(task.id);
  await settle(tx, done, "success", at);
  recordActivity(tx, done.userId, "gen_success", done.id, at);
  notify(
    tx,
    {
      userId: done.userId,
      kind: "generation_succeeded",
      refType: "video",
      refId: videoId,
      data: { duration_seconds: done.durationSec, task_id: done.id },
      dedupeKey: `task:${done.id}:succeeded`,
    },
    at,
  );
}

/** What a refund gives back: the held cost, and a remix's fee too. */
const refundedCredits = (task: repo.TaskRow) =>
  task.costCredits + (task.sourceType === "remix" ? task.remixFeeCredits : 0);

/**
 * A task's hold ends once, by success (held → spent) or refund (held → the user), under one business
 * key: even if two final transitions raced past the compare-and-set, the ledger takes only one of them.
 * A failed remix also gets its fee back in the same transaction (`remix_refund`, inside
 * `task:{id}:settle`) and the creator's pending remix income is reversed (`lot:{posting_id}:reverse`).
 */
async function settle(tx: Tx, task: repo.TaskRow, outcome: "success" | "refund", at: Date): Promise<void> {
  const held = platform.creditsHeld(task.userId);
  const amount = BigInt(task.costCredits);
  const type = outcome === "success" ? "gen_success" : "gen_refund";
  const to = outcome === "success" ? platform.creditsSpent(task.userId) : accountsOf(task.userId).credits;
  const postings: PostingInput[] = [
    { account: held, amount: -amount, entryType: type },
    { account: to, amount, entryType: type },
  ];
  const refundsFee = outcome === "refund" && task.sourceType === "remix" && task.remixFeeCredits > 0;
  if (refundsFee) {
    const fee = BigInt(task.remixFeeCredits);
    postings.push(
      { account: platform.creditsSpent(task.userId), amount: -fee, entryType: "remix_refund" },
      { account: accountsOf(task.userId).credits, amount: fee, entryType: "remix_refund" },
    );
  }
  await post(tx, {
    businessKey: `task:${task.id}:settle`,
    type,
    refType: "task",
    refId: task.id,
    description:
      outcome === "success"
        ? "生成成功"
        : refundsFee
          ? "二创失败，积分与二创费已退回"
          : "生成失败，积分已退回",
    at,
    postings,
  });
  if (refundsFee) {
    const lot = await lotOfTransaction(tx, remixFeeKey(task.id));
    // `blocked` (already released, impossible within a task's timeout): the platform bears the refund.
    if (lot) await reverseLot(tx, lot, at);
  }
  await repo.releaseQuota(tx, task.userId);
}

/** The business key of a remix task's fee (payer spend + the creator's pending lot). */
export const remixFeeKey = (taskId: string) => `remix:${taskId}:fee`;
