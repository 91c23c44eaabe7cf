import { ErrorCode } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { ok } from "../../http/envelope.js";
import { AppError, notFound } from "../../lib/errors.js";
import type { VendorName, VendorTaskState, VideoVendor } from "../../vendors/types.js";
import { applyVendorState } from "../generation/jobs.js";
import * as repo from "../generation/repository.js";
import { taskOfCallbackToken } from "./token.js";

const params = z.strictObject({
  vendor: z.string().min(1).max(32),
  token: z.string().min(1).max(256),
});

const notThisTask = () =>
  new AppError(ErrorCode.NOT_ALLOWED, null, {
    zh: "回调与任务不符",
    en: "This callback does not belong to this task",
  });

/**
 * `POST /vendors/{vendor}/callback/{token}` (issue 13 §4): a vendor reports a task's state. The token is
 * the one we put in that task's create (see token.ts); the report moves the task exactly like a poll
 * (`applyVendorState`), and polling stays the safety net. Answers at once: vendors retry slow hooks.
 */
export async function vendorCallbackRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    "/vendors/:vendor/callback/:token",
    {
      schema: {
        tags: ["vendors"],
        summary: "A video vendor's task report (per-task signed URL given in the create)",
        params,
        body: z.unknown(),
      },
    },
    async (req, reply) => {
      const vendor = ctx.vendors.get(req.params.vendor as VendorName);
      if (!vendor?.parseCallback) throw notFound("vendor");
      const taskId = taskOfCallbackToken(ctx.config.appSecret, req.params.token);
      if (!taskId) throw notThisTask();
      // MiniMax checks the URL first: it expects its challenge echoed within 3 s.
      const challenge = vendor.callbackChallenge?.(req.body) ?? null;
      if (challenge !== null) return reply.send({ challenge });
      const report = vendor.parseCallback(req.body);
      if (!report) return ok({ accepted: false });
      await applyReport(ctx, vendor, taskId, report.vendorTaskId, report.state);
      return ok({ accepted: true });
    },
  );
}

async function applyReport(
  ctx: AppContext,
  vendor: VideoVendor,
  taskId: string,
  vendorTaskId: string,
  reported: VendorTaskState,
): Promise<void> {
  let task = await repo.findTask(ctx.db, taskId);
  if (!task || task.vendor !== vendor.name) throw notFound("task");
  if (task.vendorTaskId && task.vendorTaskId !== vendorTaskId) throw notThisTask();
  if (!repo.UNFINISHED.includes(task.status)) return;
  if (!task.vendorTaskId) {
    // A create whose answer was lost: the vendor's report tells us its id (never a second create).
    const model = ctx.catalog.model(task.model);
    const cost = model ? BigInt(model.vendorCostMilliPerSecond) * BigInt(task.durationSec) : null;
    const now = ctx.clock.now();
    await repo.markSubmitted(ctx.db, task.id, vendorTaskId, now, new Date(now.getTime() + 2_000), cost);
    task = (await repo.findTask(ctx.db, taskId)) ?? task;
  }
  // Some vendors report success without the file (MiniMax: a file id to retrieve): ask like a poll.
  let state = reported;
  if (reported.status === "SUCCESS" && !reported.videoUrl) {
    try {
      state = await ctx.vendorHealth.observe(vendor.name, () => vendor.get(vendorTaskId));
    } catch (err) {
      // The poll sweep asks again; the vendor need not resend.
      ctx.log.warn({ taskId, err: (err as Error).message }, "vendor callback: could not fetch the result");
      return;
    }
  }
  await applyVendorState(ctx, task, state);
}
