/**
 * Local fake of Alibaba DashScope (百炼) Wan video synthesis, old (≤ 2.6) protocol:
 *   POST /api/v1/services/aigc/video-generation/video-synthesis   (header X-DashScope-Async: enable required)
 *        t2v {model, input:{prompt}, parameters:{size:"720*1280", duration}}
 *        i2v {model, input:{prompt, img_url}, parameters:{resolution:"720P", duration}}
 *        → {request_id, output:{task_id, task_status:"PENDING"}}
 *   GET  /api/v1/tasks/{task_id} → {request_id, output:{task_id, task_status: PENDING|RUNNING|SUCCEEDED|FAILED|UNKNOWN,
 *                                   video_url, code, message, …}, usage}
 *   GET  /files/{id}.mp4         → the video bytes
 * Errors: {request_id, code, message}. An unknown task id answers 200 with task_status UNKNOWN, as DashScope does.
 * DashScope reports no progress. Prompt tags and modes: see engine.ts.
 */
import { randomUUID } from "node:crypto";
import {
  type Dialect,
  type FakeTask,
  type FakeVendor,
  type FakeVendorOptions,
  type Phase,
  sendJson,
  startFakeVendor,
} from "./engine.js";

export type { FakeMode, FakeTask, FakeVendor, FakeVendorOptions, RecordedRequest } from "./engine.js";

const SIZES = new Set([
  "832*480",
  "480*832",
  "624*624",
  "1280*720",
  "720*1280",
  "960*960",
  "1088*832",
  "832*1088",
  "1920*1080",
  "1080*1920",
  "1440*1440",
  "1632*1248",
  "1248*1632",
]);
const RESOLUTIONS = new Set(["480P", "720P", "1080P"]);

const err = (code: string, message: string) => ({ request_id: randomUUID(), code, message });

function iso(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

function taskBody(task: FakeTask, phase: Phase, videoUrl: string) {
  const b = task.body as { input?: { prompt?: string } };
  const base = { task_id: task.id, submit_time: iso(task.createdAt) };
  switch (phase.kind) {
    case "queued":
      return { request_id: randomUUID(), output: { ...base, task_status: "PENDING" } };
    case "running":
      return {
        request_id: randomUUID(),
        output: {
          ...base,
          task_status: task.flags.unknown ? "WARMING_UP" : "RUNNING",
          scheduled_time: iso(task.createdAt + 1),
        },
      };
    case "succeeded":
      return {
        request_id: randomUUID(),
        output: {
          ...base,
          task_status: "SUCCEEDED",
          scheduled_time: iso(task.createdAt + 1),
          end_time: iso(Date.now()),
          video_url: videoUrl,
          orig_prompt: b.input?.prompt ?? "",
          actual_prompt: b.input?.prompt ?? "",
        },
        usage: { video_duration: 10, video_ratio: "720*1280", video_count: 1 },
      };
    case "failed":
      return {
        request_id: randomUUID(),
        output: {
          ...base,
          task_status: "FAILED",
          scheduled_time: iso(task.createdAt + 1),
          end_time: iso(Date.now()),
          code: "DataInspectionFailed",
          message: "Output data may contain inappropriate content.",
        },
      };
  }
}

const CREATE = "/api/v1/services/aigc/video-generation/video-synthesis";
const TASKS = "/api/v1/tasks/";

const dialect: Dialect = {
  defaultApiKey: "sk-fakedashscope0123456789abcdef",
  unauthorized: () => err("InvalidApiKey", "Invalid API-key provided."),
  pollFailure: (status) =>
    status === 429
      ? err("Throttling.RateQuota", "Requests rate limit exceeded, please try again later.")
      : err(
          "InternalError",
          "An internal error has occured, please try again later or contact service support.",
        ),
  isPoll: (method, path) => method === "GET" && path.startsWith(TASKS),
  notFound: () => err("NotFound", "Not found!"),
  route({ req, res, method, path, body, engine }) {
    if (method === "POST" && path === CREATE) {
      if (req.headers["x-dashscope-async"] !== "enable") {
        sendJson(res, 403, err("AccessDenied", "current user api does not support synchronous calls"));
        return true;
      }
      const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      const input = (typeof b.input === "object" && b.input !== null ? b.input : {}) as Record<
        string,
        unknown
      >;
      const params = (
        typeof b.parameters === "object" && b.parameters !== null ? b.parameters : {}
      ) as Record<string, unknown>;
      const bad = (message: string) => {
        sendJson(res, 400, err("InvalidParameter", message));
        return true;
      };
      if (typeof b.model !== "string" || b.model === "") {
        sendJson(res, 400, err("BadRequest.EmptyModel", 'Required parameter "model" missing from request.'));
        return true;
      }
      const prompt = typeof input.prompt === "string" ? input.prompt : "";
      if (prompt.trim() === "") {
        sendJson(
          res,
          400,
          err("BadRequest.EmptyInput", 'Required parameter "input.prompt" missing from request.'),
        );
        return true;
      }
      const i2v = b.model.includes("i2v");
      if (i2v) {
        if (typeof input.img_url !== "string" || !/^(https?:\/\/|data:image\/)/.test(input.img_url)) {
          return bad("The img_url is required for image-to-video and must be a URL or base64 data.");
        }
        if (params.resolution !== undefined && !RESOLUTIONS.has(String(params.resolution))) {
          return bad("The parameters.resolution is invalid.");
        }
      } else if (params.size !== undefined && !SIZES.has(String(params.size))) {
        return bad("The size is invalid, please check the size parameter.");
      }
      if (params.duration !== undefined && ![5, 10].includes(Number(params.duration))) {
        return bad("The duration must be 5 or 10.");
      }
      if (prompt.includes("#hang")) {
        engine.hold(res);
        return true;
      }
      if (prompt.includes("#reject")) {
        sendJson(res, 400, err("DataInspectionFailed", "Input data may contain inappropriate content."));
        return true;
      }
      const task = engine.addTask(randomUUID(), prompt, body);
      sendJson(res, 200, { request_id: randomUUID(), output: { task_id: task.id, task_status: "PENDING" } });
      return true;
    }
    if (method === "GET" && path.startsWith(TASKS)) {
      const id = decodeURIComponent(path.slice(TASKS.length));
      const task = engine.tasks.get(id);
      if (!task) {
        sendJson(res, 200, { request_id: randomUUID(), output: { task_id: id, task_status: "UNKNOWN" } });
        return true;
      }
      sendJson(res, 200, taskBody(task, engine.poll(task), engine.videoUrl(task)));
      return true;
    }
    return false;
  },
};

export function startDashscopeFake(opts: FakeVendorOptions = {}): Promise<FakeVendor> {
  return startFakeVendor(dialect, opts);
}
