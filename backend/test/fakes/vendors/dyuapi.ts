/**
 * Local fake of an OpenAI-`/v1/videos`-compatible reseller (the seed's DyuAPI 大洋芋), written from
 * OpenAI's Videos API reference (https://platform.openai.com/docs/api-reference/videos) and the reseller
 * digest in shared/integrations/sora2-resellers-and-openai-video.md:
 *   POST /v1/videos  named style {model:"sora2-portrait-15s", prompt, image_url?}
 *                    or OpenAI style {model:"sora-2", prompt, seconds:"8", size:"720x1280", input_reference?:{image_url}}
 *                    → {id:"video_<uuid>", object:"video", model, status:"queued", progress:0, …}
 *   GET  /v1/videos/{id}          → {…, status: queued|in_progress|completed|failed, progress, video_url?, error}
 *   GET  /v1/videos/{id}/content  → streams the MP4 bytes (content-type video/mp4), with the key; 404 before done
 *   GET  /files/{id}.mp4?Expires=… → the video bytes (no key; a signed CDN link)
 * Errors use the OpenAI shape {error:{message,type,code}}: #ratelimit 429 rate_limit_exceeded, #arrears 429
 * insufficient_quota (definitive though it is a 429), #5xx 502 upstream_error, #reject 400
 * content_policy_violation. `#nourl`: a finished task without `video_url` (only `/content` has it).
 * Prompt tags and modes: see engine.ts.
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

/** DyuAPI's own names: duration and orientation in the model name. */
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

/** OpenAI-style models: `seconds` and `size` are request fields. */
const OPENAI_MODELS: Record<string, { seconds: string[]; sizes: string[] }> = {
  "sora-2": { seconds: ["4", "8", "12"], sizes: ["720x1280", "1280x720"] },
  "sora-2-pro": {
    seconds: ["4", "8", "12"],
    sizes: ["720x1280", "1280x720", "1024x1792", "1792x1024", "1080x1920", "1920x1080"],
  },
};

const err = (message: string, type: string, code: string | null = null) => ({
  error: { message, type, code },
});

function sizeOf(body: Record<string, unknown>): string {
  if (typeof body.size === "string") return body.size;
  return String(body.model ?? "").includes("landscape") ? "1280x720" : "720x1280";
}

function videoObject(task: FakeTask, phase: Phase, videoUrl: string | null) {
  const b = task.body as Record<string, unknown>;
  const base = {
    id: task.id,
    object: "video",
    model: String(b.model ?? ""),
    size: sizeOf(b),
    seconds: typeof b.seconds === "string" ? b.seconds : undefined,
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

const badRequest = (message: string, code = "invalid_parameter") =>
  err(message, "invalid_request_error", code);

/** The problem with a create body, or null. */
function invalidCreate(b: Record<string, unknown>): ReturnType<typeof err> | null {
  const prompt = typeof b.prompt === "string" ? b.prompt : "";
  const model = typeof b.model === "string" ? b.model : "";
  if (prompt.trim() === "") return badRequest("prompt is required");
  const openai = OPENAI_MODELS[model];
  if (!DYUAPI_MODELS.has(model) && !openai) {
    return badRequest(`model ${model || "(none)"} is not supported`, "model_not_found");
  }
  if (openai) {
    if (b.seconds !== undefined && !openai.seconds.includes(String(b.seconds))) {
      return badRequest(`seconds must be one of ${openai.seconds.join(", ")}`);
    }
    if (b.size !== undefined && !openai.sizes.includes(String(b.size))) {
      return badRequest(`size must be one of ${openai.sizes.join(", ")}`);
    }
    const ref = b.input_reference as { image_url?: unknown } | undefined;
    if (
      ref !== undefined &&
      (typeof ref?.image_url !== "string" || !/^(https?:|data:image\/)/.test(ref.image_url))
    ) {
      return badRequest("input_reference.image_url must be a URL");
    }
    if (b.image_url !== undefined) return badRequest("Unknown parameter: 'image_url'.", "unknown_parameter");
  } else if (
    b.image_url !== undefined &&
    (typeof b.image_url !== "string" || !/^https?:\/\//.test(b.image_url))
  ) {
    return badRequest("image_url must be an http(s) URL");
  }
  return null;
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
  createFailure(kind) {
    switch (kind) {
      case "ratelimit":
        return {
          status: 429,
          headers: { "retry-after": "3" },
          body: err("Too many requests, please try again later", "rate_limit_error", "rate_limit_exceeded"),
        };
      case "arrears":
        return {
          status: 429,
          body: err(
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota",
          ),
        };
      case "servererror":
        return {
          status: 502,
          body: err("upstream service temporarily unavailable", "server_error", "upstream_error"),
        };
      case "quota":
        return null;
    }
  },
  route({ res, method, path, body, engine }) {
    if (method === "POST" && path === "/v1/videos") {
      const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      const invalid = invalidCreate(b);
      if (invalid) {
        sendJson(res, 400, invalid);
        return true;
      }
      const prompt = String(b.prompt);
      if (engine.createScenario(res, prompt)) return true;
      if (prompt.includes("#reject")) {
        sendJson(
          res,
          400,
          badRequest(
            "Your prompt was flagged by the content moderation system: real people are not allowed",
            "content_policy_violation",
          ),
        );
        return true;
      }
      const task = engine.addTask(`video_${randomUUID()}`, prompt, body);
      engine.answerCreate(res, task, 200, videoObject(task, { kind: "queued", progress: 0 }, null));
      return true;
    }
    const content = /^\/v1\/videos\/([^/]+)\/content$/.exec(path);
    if (method === "GET" && content) {
      const task = engine.tasks.get(decodeURIComponent(content[1] ?? ""));
      if (!task) {
        sendJson(res, 404, err("task not found", "invalid_request_error", "not_found"));
        return true;
      }
      // Done once a poll has seen it finish; before that OpenAI answers 404 "not ready".
      if (task.polls <= 0) {
        sendJson(res, 404, err("Video is not ready yet", "invalid_request_error", "video_not_ready"));
        return true;
      }
      const bytes = engine.videoBytes();
      res.writeHead(200, { "content-type": "video/mp4", "content-length": bytes.length });
      res.end(bytes);
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
