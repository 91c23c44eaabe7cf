/**
 * Local fake of Alibaba DashScope (百炼) Wan video synthesis, written from the documentation
 * (https://www.alibabacloud.com/help/en/model-studio/text-to-video-api-reference, its image→video sibling,
 * the wan2.7 pages on platform.qianwenai.com, https://help.aliyun.com/zh/model-studio/async-task-api;
 * digest in shared/integrations/living-video-vendors.md §2):
 *   POST /api/v1/services/aigc/video-generation/video-synthesis   (header X-DashScope-Async: enable required)
 *        ≤ 2.6: t2v {model, input:{prompt}, parameters:{size:"1280*720", duration}}
 *               i2v {model, input:{prompt, img_url}, parameters:{resolution:"720P", duration}}
 *        2.7:   t2v {model, input:{prompt}, parameters:{resolution:"720P", ratio:"16:9", duration}}
 *               i2v {model, input:{prompt, media:[{type:"first_frame", url}]}, parameters:{resolution, duration}}
 *        → {request_id, output:{task_id, task_status:"PENDING"}}
 *   GET  /api/v1/tasks/{task_id} → {request_id, output:{task_id, task_status: PENDING|RUNNING|SUCCEEDED|FAILED|
 *                                   CANCELED|UNKNOWN, video_url, code, message, …}, usage}
 *   GET  /files/{id}.mp4?Expires=… → the video bytes (a signed OSS link, valid 24 h)
 * Checked per model: durations (2.5: 5/10; 2.6: 5/10/15; 2.7: 2–15), sizes / resolutions, the format of
 * the model's version (2.7 refuses `size`/`img_url`, ≤ 2.6 refuses `media`), the image (360–2000 px per
 * side, ≤ 10 MB; 2.7 media only by URL). Errors {request_id, code, message}
 * (https://help.aliyun.com/zh/dashscope/return-status-code-description): #ratelimit 429
 * Throttling.RateQuota, #arrears 400 Arrearage, #5xx 500 InternalError, #reject 400 DataInspectionFailed.
 * An unknown task id answers 200 with task_status UNKNOWN, as DashScope does. DashScope reports no progress
 * and has no callback URL. Prompt tags and modes: see engine.ts.
 */
import { randomUUID } from "node:crypto";
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

const SIZES_480 = ["832*480", "480*832", "624*624"];
const SIZES_720 = ["1280*720", "720*1280", "960*960", "1088*832", "832*1088"];
const SIZES_1080 = ["1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632"];

interface WanSpec {
  mode: "t2v" | "i2v";
  /** wan2.7: `resolution` + `ratio`, `input.media[]`. */
  media: boolean;
  durations: (d: number) => boolean;
  /** Old-format text→video sizes. */
  sizes: string[];
  resolutions: string[];
}

const WAN_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4"];
const oneOf = (list: number[]) => (d: number) => list.includes(d);
const range = (min: number, max: number) => (d: number) => Number.isInteger(d) && d >= min && d <= max;

export const WAN_MODELS: Record<string, WanSpec> = {
  "wan2.7-t2v": {
    mode: "t2v",
    media: true,
    durations: range(2, 15),
    sizes: [],
    resolutions: ["720P", "1080P"],
  },
  "wan2.7-i2v": {
    mode: "i2v",
    media: true,
    durations: range(2, 15),
    sizes: [],
    resolutions: ["720P", "1080P"],
  },
  "wan2.6-t2v": {
    mode: "t2v",
    media: false,
    durations: oneOf([5, 10, 15]),
    sizes: [...SIZES_720, ...SIZES_1080],
    resolutions: [],
  },
  "wan2.6-i2v": {
    mode: "i2v",
    media: false,
    durations: oneOf([5, 10, 15]),
    sizes: [],
    resolutions: ["720P", "1080P"],
  },
  "wan2.5-t2v-preview": {
    mode: "t2v",
    media: false,
    durations: oneOf([5, 10]),
    sizes: [...SIZES_480, ...SIZES_720, ...SIZES_1080],
    resolutions: [],
  },
  "wan2.5-i2v-preview": {
    mode: "i2v",
    media: false,
    durations: oneOf([5, 10]),
    sizes: [],
    resolutions: ["480P", "720P", "1080P"],
  },
};

const err = (code: string, message: string) => ({ request_id: randomUUID(), code, message });

function iso(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

function taskBody(task: FakeTask, phase: Phase, videoUrl: string) {
  const b = task.body as { input?: { prompt?: string }; parameters?: { duration?: number } };
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
        usage: { duration: b.parameters?.duration ?? 5, video_count: 1, SR: 720 },
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
type Bad = (message: string) => true;
const record = (v: unknown) => (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;

async function badImage(url: unknown, byUrlOnly: boolean, bad: Bad): Promise<true | null> {
  if (typeof url !== "string" || url === "") return bad("The image is required for image-to-video.");
  if (byUrlOnly && !/^https?:\/\//.test(url)) return bad("The media url must be a public http(s) URL.");
  const image = await fetchImage(url);
  if ("error" in image) return bad(`The image cannot be downloaded: ${image.error}.`);
  if (image.bytes.length > 10 * 1024 * 1024) return bad("The image size must not exceed 10MB.");
  const size = imageSize(image.bytes);
  if (!size) return bad("The image format is not supported.");
  if (Math.min(size.width, size.height) < 360 || Math.max(size.width, size.height) > 2000) {
    return bad(
      `The image resolution is invalid: width and height must be within [360, 2000], got ${size.width}*${size.height}.`,
    );
  }
  return null;
}

async function invalidCreate(
  spec: WanSpec,
  input: Record<string, unknown>,
  params: Record<string, unknown>,
  bad: Bad,
): Promise<true | null> {
  if (spec.media) {
    if (params.size !== undefined)
      return bad("The parameter size is not supported by this model; use resolution and ratio.");
    if (input.img_url !== undefined)
      return bad("The parameter img_url is not supported by this model; use media.");
    if (params.resolution !== undefined && !spec.resolutions.includes(String(params.resolution))) {
      return bad(`The parameters.resolution must be one of ${spec.resolutions.join(", ")}.`);
    }
    if (spec.mode === "t2v" && params.ratio !== undefined && !WAN_RATIOS.includes(String(params.ratio))) {
      return bad("The parameters.ratio is invalid.");
    }
    if (spec.mode === "i2v") {
      const media = Array.isArray(input.media) ? (input.media as unknown[]).map(record) : [];
      const first = media.find((m) => m.type === "first_frame");
      if (!first) return bad("The input.media must contain a first_frame.");
      if (await badImage(first.url, true, bad)) return true;
    }
  } else {
    if (input.media !== undefined) return bad("The parameter media is not supported by this model.");
    if (params.ratio !== undefined) return bad("The parameter ratio is not supported by this model.");
    if (spec.mode === "t2v") {
      if (params.resolution !== undefined)
        return bad("The parameter resolution is not supported by this model; use size.");
      if (params.size !== undefined && !spec.sizes.includes(String(params.size))) {
        return bad("The size is invalid, please check the size parameter.");
      }
    } else {
      if (params.resolution !== undefined && !spec.resolutions.includes(String(params.resolution))) {
        return bad(`The parameters.resolution must be one of ${spec.resolutions.join(", ")}.`);
      }
      if (await badImage(input.img_url, false, bad)) return true;
    }
  }
  if (params.duration !== undefined && !spec.durations(Number(params.duration))) {
    return bad("The duration is invalid for this model.");
  }
  return null;
}

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
  createFailure(kind) {
    switch (kind) {
      case "ratelimit":
        return {
          status: 429,
          body: err("Throttling.RateQuota", "Requests rate limit exceeded, please try again later."),
        };
      case "arrears":
        return {
          status: 400,
          body: err("Arrearage", "Access denied, please make sure your account is in good standing."),
        };
      case "servererror":
        return {
          status: 500,
          body: err(
            "InternalError",
            "An internal error has occured, please try again later or contact service support.",
          ),
        };
      case "quota":
        return null;
    }
  },
  async route({ req, res, method, path, body, engine }) {
    if (method === "POST" && path === CREATE) {
      if (req.headers["x-dashscope-async"] !== "enable") {
        sendJson(res, 403, err("AccessDenied", "current user api does not support synchronous calls"));
        return true;
      }
      const b = record(body);
      const input = record(b.input);
      const params = record(b.parameters);
      const bad: Bad = (message) => {
        sendJson(res, 400, err("InvalidParameter", message));
        return true;
      };
      if (typeof b.model !== "string" || b.model === "") {
        sendJson(res, 400, err("BadRequest.EmptyModel", 'Required parameter "model" missing from request.'));
        return true;
      }
      const spec = WAN_MODELS[b.model];
      if (!spec) {
        sendJson(res, 400, err("InvalidParameter", `Model not exist: ${b.model}`));
        return true;
      }
      const prompt = typeof input.prompt === "string" ? input.prompt : "";
      if (prompt.trim() === "" && spec.mode === "t2v") {
        sendJson(
          res,
          400,
          err("BadRequest.EmptyInput", 'Required parameter "input.prompt" missing from request.'),
        );
        return true;
      }
      if (await invalidCreate(spec, input, params, bad)) return true;
      if (engine.createScenario(res, prompt)) return true;
      if (prompt.includes("#reject")) {
        sendJson(res, 400, err("DataInspectionFailed", "Input data may contain inappropriate content."));
        return true;
      }
      const task = engine.addTask(randomUUID(), prompt, body);
      engine.answerCreate(res, task, 200, {
        request_id: randomUUID(),
        output: { task_id: task.id, task_status: "PENDING" },
      });
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
