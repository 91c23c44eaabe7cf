/**
 * Local fake of Volcengine Ark (火山方舟) Seedance video generation:
 *   POST /api/v3/contents/generations/tasks  {model, content:[{type:"text",text},{type:"image_url",image_url:{url},role}],
 *                                             ratio?, duration?, resolution?, watermark?}  → {id:"cgt-…"}
 *   GET  /api/v3/contents/generations/tasks/{id} → {id, model, status: queued|running|succeeded|failed,
 *                                             content:{video_url}, error, ratio, duration, resolution, …}
 *   GET  /files/{id}.mp4                      → the video bytes
 * Errors: {error:{code,message,param,type}}. Ark reports no progress. Prompt tags and modes: see engine.ts.
 */
import { randomBytes } from "node:crypto";
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

const RATIOS = new Set(["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"]);
const RESOLUTIONS = new Set(["480p", "720p", "1080p"]);

let seq = 0;
const requestId = () => `2025${Date.now().toString().slice(-10)}${(seq++).toString(16).padStart(6, "0")}`;
const err = (code: string, message: string, type: string, param = "") => ({
  error: { code, message: `${message} Request id: ${requestId()}`, param, type },
});

function taskBody(task: FakeTask, phase: Phase, videoUrl: string) {
  const b = task.body as Record<string, unknown>;
  const base = {
    id: task.id,
    model: b.model,
    created_at: Math.floor(task.createdAt / 1000),
    updated_at: Math.floor(Date.now() / 1000),
    ratio: b.ratio ?? "16:9",
    duration: b.duration ?? 5,
    resolution: b.resolution ?? "1080p",
    framespersecond: 24,
    seed: 10,
    service_tier: "default",
    execution_expires_after: 172800,
  };
  switch (phase.kind) {
    case "queued":
      return { ...base, status: "queued", error: null };
    case "running":
      return { ...base, status: task.flags.unknown ? "warming_up" : "running", error: null };
    case "succeeded":
      return {
        ...base,
        status: "succeeded",
        content: { video_url: videoUrl },
        usage: { completion_tokens: 246840, total_tokens: 246840 },
        error: null,
      };
    case "failed":
      return {
        ...base,
        status: "failed",
        error: {
          code: "OutputVideoSensitiveContentDetected",
          message: "The request failed because the output video may contain sensitive information.",
        },
      };
  }
}

const TASKS = "/api/v3/contents/generations/tasks";

const dialect: Dialect = {
  defaultApiKey: "ark-fake-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
  unauthorized: () =>
    err("AuthenticationError", "the API key or AK/SK in the request is missing or invalid.", "Unauthorized"),
  pollFailure: (status) =>
    status === 429
      ? err(
          "RateLimitExceeded.EndpointRPMExceeded",
          "The request has exceeded the RPM limit of the endpoint.",
          "TooManyRequests",
        )
      : err(
          "InternalServiceError",
          "The service encountered an unexpected internal error.",
          "InternalServerError",
        ),
  isPoll: (method, path) => method === "GET" && path.startsWith(`${TASKS}/`),
  notFound: (path) => err("NotFound", `The requested resource ${path} was not found.`, "NotFound"),
  route({ res, method, path, body, engine }) {
    if (method === "POST" && path === TASKS) {
      const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      const bad = (param: string, message: string) => {
        sendJson(res, 400, err(`InvalidParameter`, message, "BadRequest", param));
        return true;
      };
      if (typeof b.model !== "string" || b.model === "") {
        sendJson(
          res,
          400,
          err("MissingParameter", "the request is missing parameter model.", "BadRequest", "model"),
        );
        return true;
      }
      if (!Array.isArray(b.content) || b.content.length === 0)
        return bad("content", "content must be a non-empty array.");
      let prompt = "";
      for (const item of b.content as unknown[]) {
        const it = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
        if (it.type === "text" && typeof it.text === "string") prompt += it.text;
        else if (it.type === "image_url") {
          const url = (it.image_url as { url?: unknown } | undefined)?.url;
          if (typeof url !== "string" || !/^(https?:\/\/|data:image\/)/.test(url)) {
            return bad("content.image_url.url", "image_url.url must be a URL or a data URL.");
          }
          if (it.role !== undefined && it.role !== "first_frame")
            return bad("content.role", "unsupported role.");
        } else return bad("content.type", `unsupported content type ${String(it.type)}.`);
      }
      if (prompt.trim() === "") return bad("content.text", "a text prompt is required.");
      if (b.ratio !== undefined && !RATIOS.has(String(b.ratio))) return bad("ratio", "invalid ratio.");
      if (b.resolution !== undefined && !RESOLUTIONS.has(String(b.resolution))) {
        return bad("resolution", "invalid resolution.");
      }
      if (
        b.duration !== undefined &&
        !(Number.isInteger(b.duration) && Number(b.duration) >= 2 && Number(b.duration) <= 12)
      ) {
        return bad("duration", "duration must be an integer in [2, 12].");
      }
      if (prompt.includes("#hang")) {
        engine.hold(res);
        return true;
      }
      if (prompt.includes("#reject")) {
        sendJson(
          res,
          400,
          err(
            "InputTextSensitiveContentDetected",
            "The request failed because the input text may contain sensitive information.",
            "BadRequest",
          ),
        );
        return true;
      }
      const now = new Date();
      const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
      const task = engine.addTask(`cgt-${stamp}-${randomBytes(3).toString("hex")}`, prompt, body);
      sendJson(res, 200, { id: task.id });
      return true;
    }
    if (method === "GET" && path.startsWith(`${TASKS}/`)) {
      const task = engine.tasks.get(decodeURIComponent(path.slice(TASKS.length + 1)));
      if (!task) {
        sendJson(res, 404, err("ResourceNotFound", "The specified task was not found.", "NotFound", "id"));
        return true;
      }
      sendJson(res, 200, taskBody(task, engine.poll(task), engine.videoUrl(task)));
      return true;
    }
    return false;
  },
};

export function startArkFake(opts: FakeVendorOptions = {}): Promise<FakeVendor> {
  return startFakeVendor(dialect, opts);
}
