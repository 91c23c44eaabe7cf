/**
 * Local fake of Volcengine Ark (火山方舟) Seedance video generation, written from the documentation:
 *   POST /api/v3/contents/generations/tasks   https://www.volcengine.com/docs/82379/1520757
 *        {model, content:[{type:"text",text},{type:"image_url",image_url:{url},role:"first_frame"}],
 *         ratio?, duration?, resolution?, watermark?, callback_url?}  → {id:"cgt-…"}
 *   GET  /api/v3/contents/generations/tasks/{id}   https://www.volcengine.com/docs/82379/1521309
 *        → {id, model, status: queued|running|succeeded|failed, content:{video_url}, error, ratio, duration, …}
 *   GET  /files/{id}.mp4?Expires=…               → the video bytes (a signed TOS link, valid 24 h)
 * Checked per model: durations (2.0 / 2.0 fast 4–15 s or -1, 1.5 pro 4–12, 1.0 2–12), resolutions (2.0 fast
 * 480p/720p only), ratios, the image (URL or `data:image/<fmt>;base64,`, 300–6000 px per side, aspect
 * 0.4–2.5, < 30 MB). `doubao-seedance-1-0-pro-250528` is retired (404). Endpoint ids `ep-…` act as 2.0.
 * Errors {error:{code,message,param,type}} from the error table https://www.volcengine.com/docs/82379/1299023:
 * #ratelimit 429 RateLimitExceeded.EndpointRPMExceeded, #arrears 403 AccountOverdueError, #quota 429
 * SetLimitExceeded (definitive), #5xx 500 InternalServiceError, #reject 400 InputTextSensitiveContentDetected.
 * With `callback_url`, each status change is POSTed there with the query body. Prompt tags: see engine.ts.
 */
import { randomBytes } from "node:crypto";
import {
  type Dialect,
  type FakeTask,
  type FakeVendor,
  type FakeVendorOptions,
  fetchImage,
  imageSize,
  type Phase,
  sendJson,
  startFakeVendor,
} from "./engine.js";

export type { FakeMode, FakeTask, FakeVendor, FakeVendorOptions, RecordedRequest } from "./engine.js";

const RATIOS = new Set(["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"]);

interface ModelSpec {
  minSeconds: number;
  maxSeconds: number;
  /** Whether -1 (the model picks the length) is accepted. */
  auto: boolean;
  resolutions: string[];
  defaultResolution: string;
}

const SEEDANCE_2: ModelSpec = {
  minSeconds: 4,
  maxSeconds: 15,
  auto: true,
  resolutions: ["480p", "720p", "1080p"],
  defaultResolution: "720p",
};

export const ARK_MODELS: Record<string, ModelSpec> = {
  "doubao-seedance-2-0-260128": SEEDANCE_2,
  "doubao-seedance-2-0-fast-260128": { ...SEEDANCE_2, resolutions: ["480p", "720p"] },
  "doubao-seedance-1-5-pro-251215": { ...SEEDANCE_2, maxSeconds: 12 },
  "doubao-seedance-1-0-pro-fast-251015": {
    minSeconds: 2,
    maxSeconds: 12,
    auto: false,
    resolutions: ["480p", "720p", "1080p"],
    defaultResolution: "1080p",
  },
};
export const RETIRED_ARK_MODELS = new Set(["doubao-seedance-1-0-pro-250528"]);

const specOf = (model: string): ModelSpec | undefined =>
  model.startsWith("ep-") ? SEEDANCE_2 : ARK_MODELS[model];

let seq = 0;
const requestId = () => `2026${Date.now().toString().slice(-10)}${(seq++).toString(16).padStart(6, "0")}`;
const err = (code: string, message: string, type: string, param = "") => ({
  error: { code, message: `${message} Request id: ${requestId()}`, param, type },
});

function taskBody(task: FakeTask, phase: Phase, videoUrl: string) {
  const b = task.body as Record<string, unknown>;
  const spec = specOf(String(b.model));
  const base = {
    id: task.id,
    model: b.model,
    created_at: Math.floor(task.createdAt / 1000),
    updated_at: Math.floor(Date.now() / 1000),
    ratio: b.ratio ?? "16:9",
    duration: b.duration ?? 5,
    resolution: b.resolution ?? spec?.defaultResolution ?? "720p",
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
type Bad = (param: string, message: string) => true;

async function checkImage(item: Record<string, unknown>, bad: Bad): Promise<true | null> {
  const url = (item.image_url as { url?: unknown } | undefined)?.url;
  if (typeof url !== "string" || url === "") return bad("content.image_url", "image_url.url is required.");
  if (url.startsWith("data:") && !/^data:image\/[a-z]+;base64,/.test(url)) {
    return bad("content.image_url", "base64 images must be data:image/<format in lower case>;base64,<data>.");
  }
  const image = await fetchImage(url);
  if ("error" in image) return bad("content.image_url", `the image cannot be read: ${image.error}.`);
  if (image.bytes.length >= 30 * 1024 * 1024)
    return bad("content.image_url", "the image must be under 30 MB.");
  const size = imageSize(image.bytes);
  if (!size) return bad("content.image_url", "unsupported image format.");
  const aspect = size.width / size.height;
  if (Math.min(size.width, size.height) < 300 || Math.max(size.width, size.height) > 6000) {
    return bad(
      "content.image_url",
      `image width and height must be within [300, 6000] px, got ${size.width}x${size.height}.`,
    );
  }
  if (aspect < 0.4 || aspect > 2.5) {
    return bad(
      "content.image_url",
      `image aspect ratio (width/height) must be within [0.4, 2.5], got ${aspect.toFixed(2)}.`,
    );
  }
  if (item.role !== undefined && item.role !== "first_frame") return bad("content.role", "unsupported role.");
  return null;
}

/** Validates a create like Ark's strong check of body fields; answers and returns true on a problem. */
async function invalidCreate(b: Record<string, unknown>, spec: ModelSpec, bad: Bad): Promise<true | null> {
  if (!Array.isArray(b.content) || b.content.length === 0)
    return bad("content", "content must be a non-empty array.");
  let text = "";
  let images = 0;
  for (const raw of b.content as unknown[]) {
    const item = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    if (item.type === "text" && typeof item.text === "string") text += item.text;
    else if (item.type === "image_url") {
      images += 1;
      if (await checkImage(item, bad)) return true;
    } else return bad("content.type", `unsupported content type ${String(item.type)}.`);
  }
  if (images > 1) return bad("content", "only one first_frame image is supported here.");
  if (text.trim() === "" && images === 0) return bad("content.text", "a text prompt is required.");
  if (/--(rs|rt|dur|resolution|ratio|duration)\b/.test(text)) {
    return bad("content.text", "text commands are not supported by this model; use the request body fields.");
  }
  if (b.ratio !== undefined && !RATIOS.has(String(b.ratio))) return bad("ratio", "invalid ratio.");
  if (b.resolution !== undefined && !spec.resolutions.includes(String(b.resolution))) {
    return bad(
      "resolution",
      `resolution must be one of ${spec.resolutions.join(", ")} for ${String(b.model)}.`,
    );
  }
  const d = b.duration;
  const durationOk =
    d === undefined ||
    (Number.isInteger(d) && Number(d) >= spec.minSeconds && Number(d) <= spec.maxSeconds) ||
    (spec.auto && d === -1);
  if (!durationOk) {
    return bad(
      "duration",
      `duration must be an integer in [${spec.minSeconds}, ${spec.maxSeconds}]${spec.auto ? " or -1" : ""}.`,
    );
  }
  if (b.watermark !== undefined && typeof b.watermark !== "boolean")
    return bad("watermark", "watermark must be a boolean.");
  if (
    b.callback_url !== undefined &&
    (typeof b.callback_url !== "string" || !/^https?:\/\//.test(b.callback_url))
  ) {
    return bad("callback_url", "callback_url must be an http(s) URL.");
  }
  return null;
}

const promptOf = (b: Record<string, unknown>) =>
  (Array.isArray(b.content) ? (b.content as Record<string, unknown>[]) : [])
    .filter((it) => it?.type === "text")
    .map((it) => String(it.text ?? ""))
    .join("");

const dialect: Dialect = {
  defaultApiKey: "ark-fake-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
  unauthorized: () =>
    err("AuthenticationError", "The API key or AK/SK in the request is missing or invalid.", "Unauthorized"),
  pollFailure: (status) =>
    status === 429
      ? err(
          "RateLimitExceeded.EndpointRPMExceeded",
          "The Requests Per Minute (RPM) limit of the associated endpoint for your account has been exceeded.",
          "TooManyRequests",
        )
      : err(
          "InternalServiceError",
          "The service encountered an unexpected internal error.",
          "InternalServerError",
        ),
  isPoll: (method, path) => method === "GET" && path.startsWith(`${TASKS}/`),
  notFound: (path) => err("NotFound", `The requested resource ${path} was not found.`, "NotFound"),
  createFailure(kind) {
    switch (kind) {
      case "ratelimit":
        return {
          status: 429,
          headers: { "retry-after": "3" },
          body: err(
            "RateLimitExceeded.EndpointRPMExceeded",
            "The Requests Per Minute (RPM) limit of the associated endpoint for your account has been exceeded.",
            "TooManyRequests",
          ),
        };
      case "arrears":
        return {
          status: 403,
          body: err(
            "AccountOverdueError",
            "The request failed because your account has an overdue balance.",
            "Forbidden",
          ),
        };
      case "quota":
        return {
          status: 429,
          body: err(
            "SetLimitExceeded",
            "Your account has reached the set inference limit for the model, and the model service has been paused.",
            "TooManyRequests",
          ),
        };
      case "servererror":
        return {
          status: 500,
          body: err(
            "InternalServiceError",
            "The service encountered an unexpected internal error. Please retry later.",
            "InternalServerError",
          ),
        };
    }
  },
  callbackUrlOf: (body) => {
    const url = (body as { callback_url?: unknown } | null)?.callback_url;
    return typeof url === "string" ? url : null;
  },
  callback(task, phase, videoUrl) {
    const body = taskBody(task, phase, videoUrl);
    return { word: body.status, body };
  },
  async route({ res, method, path, body, engine }) {
    if (method === "POST" && path === TASKS) {
      const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      const bad: Bad = (param, message) => {
        sendJson(
          res,
          400,
          err(
            `InvalidParameter`,
            `The parameter \`${param}\` specified in the request is not valid: ${message}`,
            "BadRequest",
            param,
          ),
        );
        return true;
      };
      if (typeof b.model !== "string" || b.model === "") {
        sendJson(
          res,
          400,
          err(
            "MissingParameter",
            "The request failed because it is missing one or multiple required parameters.",
            "BadRequest",
            "model",
          ),
        );
        return true;
      }
      const spec = specOf(b.model);
      if (!spec) {
        const retired = RETIRED_ARK_MODELS.has(b.model);
        sendJson(
          res,
          404,
          err(
            "InvalidEndpointOrModel.NotFound",
            `The model or endpoint ${b.model} does not exist or you do not have access to it${retired ? " (the model has been retired)" : ""}.`,
            "NotFound",
            "model",
          ),
        );
        return true;
      }
      if (await invalidCreate(b, spec, bad)) return true;
      const prompt = promptOf(b);
      if (engine.createScenario(res, prompt)) return true;
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
      const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
      const task = engine.addTask(`cgt-${stamp}-${randomBytes(3).toString("hex")}`, prompt, body);
      engine.answerCreate(res, task, 200, { id: task.id });
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
