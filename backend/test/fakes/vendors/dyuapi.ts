/**
 * Local fake of DyuAPI's OpenAI-style Sora‑2 video API:
 *   POST /v1/videos {model, prompt, image_url?}   → {id:"video_<uuid>", object, model, status:"queued", progress:0, …}
 *   GET  /v1/videos/{id}                          → {…, status: queued|in_progress|completed|failed, progress, video_url, error}
 *   GET  /v1/videos/{id}/content                  → {url} once completed
 *   GET  /files/{id}.mp4                          → the video bytes (no key; a "signed URL")
 * Errors use the OpenAI shape {error:{message,type,code}}. Prompt tags and modes: see engine.ts.
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

export const DYUAPI_MODELS = new Set([
  "sora2-portrait",
  "sora2-landscape",
  "sora2-portrait-15s",
  "sora2-landscape-15s",
  "sora2-pro-portrait-25s",
  "sora2-pro-landscape-25s",
  "sora2-pro-portrait-hd-15s",
  "sora2-pro-landscape-hd-15s",
]);

const err = (message: string, type: string, code: string | null = null) => ({
  error: { message, type, code },
});

function sizeOf(model: string): string {
  return model.includes("landscape") ? "1280x720" : "720x1280";
}

function videoObject(task: FakeTask, phase: Phase, videoUrl: string | null) {
  const model = String((task.body as { model?: unknown }).model ?? "");
  const base = {
    id: task.id,
    object: "video",
    model,
    size: sizeOf(model),
    created_at: Math.floor(task.createdAt / 1000),
  };
  switch (phase.kind) {
    case "queued":
      return { ...base, status: "queued", progress: 0, video_url: null, completed_at: null, error: null };
    case "running":
      return {
        ...base,
        status: task.flags.unknown ? "warming_up" : "in_progress",
        progress: phase.progress,
        video_url: null,
        completed_at: null,
        error: null,
      };
    case "succeeded":
      return {
        ...base,
        status: "completed",
        progress: 100,
        video_url: task.flags.nourl ? null : videoUrl,
        completed_at: Math.floor(Date.now() / 1000),
        error: null,
      };
    case "failed":
      return {
        ...base,
        status: "failed",
        progress: 90,
        video_url: null,
        completed_at: null,
        error: {
          message: "Content review failed: the generated video may violate our content policy",
          type: "generation_error",
          code: "content_policy_violation",
        },
      };
  }
}

const dialect: Dialect = {
  defaultApiKey: "sk-fake-dyuapi-0123456789abcdef0123456789abcdef0123456789ab",
  unauthorized: () => err("Invalid token (request id: fake)", "invalid_request_error", "invalid_api_key"),
  pollFailure: (status) =>
    status === 429
      ? err("Too many requests, please try again later", "rate_limit_error", "rate_limit_exceeded")
      : err("upstream service temporarily unavailable", "server_error", "upstream_error"),
  isPoll: (method, path) => method === "GET" && /^\/v1\/videos\/[^/]+$/.test(path),
  notFound: (path) => err(`Not found: ${path}`, "invalid_request_error", "not_found"),
  route({ res, method, path, body, engine }) {
    if (method === "POST" && path === "/v1/videos") {
      const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      const prompt = typeof b.prompt === "string" ? b.prompt : "";
      const model = typeof b.model === "string" ? b.model : "";
      if (prompt.trim() === "") {
        sendJson(res, 400, err("prompt is required", "invalid_request_error", "invalid_parameter"));
        return true;
      }
      if (!DYUAPI_MODELS.has(model)) {
        sendJson(
          res,
          400,
          err(`model ${model || "(none)"} is not supported`, "invalid_request_error", "model_not_found"),
        );
        return true;
      }
      if (
        b.image_url !== undefined &&
        (typeof b.image_url !== "string" || !/^https?:\/\//.test(b.image_url))
      ) {
        sendJson(
          res,
          400,
          err("image_url must be an http(s) URL", "invalid_request_error", "invalid_parameter"),
        );
        return true;
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
            "Your prompt was flagged by the content moderation system: real people are not allowed",
            "invalid_request_error",
            "content_policy_violation",
          ),
        );
        return true;
      }
      const task = engine.addTask(`video_${randomUUID()}`, prompt, body);
      sendJson(res, 200, videoObject(task, { kind: "queued", progress: 0 }, null));
      return true;
    }
    const content = /^\/v1\/videos\/([^/]+)\/content$/.exec(path);
    if (method === "GET" && content) {
      const task = engine.tasks.get(decodeURIComponent(content[1] ?? ""));
      if (!task) {
        sendJson(res, 404, err("task not found", "invalid_request_error", "not_found"));
        return true;
      }
      if (task.polls <= 0) {
        sendJson(res, 400, err("video is not ready", "invalid_request_error", "video_not_ready"));
        return true;
      }
      sendJson(res, 200, { id: task.id, url: engine.videoUrl(task) });
      return true;
    }
    const one = /^\/v1\/videos\/([^/]+)$/.exec(path);
    if (method === "GET" && one) {
      const task = engine.tasks.get(decodeURIComponent(one[1] ?? ""));
      if (!task) {
        sendJson(res, 404, err("task not found", "invalid_request_error", "not_found"));
        return true;
      }
      const phase = engine.poll(task);
      sendJson(res, 200, videoObject(task, phase, engine.videoUrl(task)));
      return true;
    }
    return false;
  },
};

export function startDyuapiFake(opts: FakeVendorOptions = {}): Promise<FakeVendor> {
  return startFakeVendor(dialect, opts);
}
