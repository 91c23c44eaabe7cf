/**
 * Local fake of Kuaishou Kling (可灵) video generation, written from the official doc
 * (app.klingai.com/cn/dev/document-api; copies cited in shared/integrations/living-video-vendors.md §3):
 *   auth  Authorization: Bearer <JWT HS256 signed with the SecretKey, iss = AccessKey, exp, nbf> — the fake
 *         verifies the signature, iss, exp and nbf (401 with 1001 empty, 1002 malformed, 1000 bad signature or
 *         issuer, 1003 not yet valid, 1004 expired)
 *   POST  /v1/videos/text2video  {model_name, prompt, duration:"5"|"10", aspect_ratio, mode, callback_url,
 *                                 external_task_id}
 *   POST  /v1/videos/image2video {model_name, image (URL or Base64 without `data:`), prompt, duration, mode, …}
 *         → {code:0, message:"SUCCEED", request_id, data:{task_id, task_status:"submitted", task_info, created_at, updated_at}}
 *   GET   /v1/videos/{text2video|image2video}/{task_id | external_task_id}
 *         → {code:0, data:{task_id, task_status: submitted|processing|succeed|failed, task_status_msg,
 *            task_info:{external_task_id}, task_result:{videos:[{id, url, duration}]}, …}}
 *   GET   /files/{task_id}.mp4?Expires=… → the video bytes (no key; 403 once expired: Kling clears media after
 *         30 days, the engine's `resultTtlMs`)
 * Errors {code, message, request_id}: 400 1201 (parameters; also a reused external_task_id), 400 1301
 * (content safety), 404 1203 (no such task under that path), 429 1101 / 1102 (arrears, pack exhausted),
 * 429 1302 (rate limit, Retry-After) / 1303 (concurrency), 500 5000.
 * Prompt tags: those of engine.ts (#reject → 400 1301, #latefail, #unknown, #hang, #drop, #ratelimit → 429 1302 +
 * Retry-After: 3, #arrears → 429 1101, #quota → 429 1102 (resource pack exhausted), #5xx → 500 5000) and
 * #concurrency → 429 1303. A create with callback_url gets Kling's callbacks: the task object, POSTed on each
 * status change (engine.ts `callbackIntervalMs`, `deliverCallback`).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createVerifier, TokenError } from "fast-jwt";
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

export const KLING_FAKE_ACCESS_KEY = "AKfake0123456789kling";
export const KLING_FAKE_SECRET_KEY = "SKfake-kling-secret-9f8e7d6c5b4a39281706";

export const KLING_MODELS = new Set([
  "kling-v1",
  "kling-v1-5",
  "kling-v1-6",
  "kling-v2-master",
  "kling-v2-1",
  "kling-v2-1-master",
  "kling-v2-5-turbo",
  "kling-v2-6",
]);
const RATIOS = new Set(["16:9", "9:16", "1:1"]);
const MODES = new Set(["std", "pro"]);
const DURATIONS = new Set(["5", "10"]);
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

type Kind = "text2video" | "image2video";

interface KlingTask {
  kind: Kind;
  externalTaskId: string | null;
}

export interface KlingFakeOptions extends FakeVendorOptions {
  accessKey?: string;
  secretKey?: string;
}

export interface KlingFake extends FakeVendor {
  accessKey: string;
  secretKey: string;
}

let seq = 0;
const requestId = () => randomUUID();
const taskIdNow = () => `${Date.now()}${(seq++ % 100_000).toString().padStart(5, "0")}`.slice(0, 18);
const error = (code: number, message: string) => ({ code, message, request_id: requestId() });

function refusalOf(prompt: string): { status: number; code: number; message: string } | null {
  if (prompt.includes("#reject"))
    return {
      status: 400,
      code: 1301,
      message: "Failure to pass the risk control system: content security policy",
    };
  if (prompt.includes("#concurrency"))
    return { status: 429, code: 1303, message: "parallel task over resource pack limit" };
  return null;
}

function authorizeJwt(req: IncomingMessage, accessKey: string, secretKey: string) {
  const header = req.headers.authorization;
  const deny = (code: number, message: string) => ({ status: 401, body: error(code, message) });
  if (!header) return deny(1001, "Authorization is empty");
  const token = /^Bearer (\S+)$/.exec(header)?.[1];
  if (!token) return deny(1002, "Authorization is invalid");
  try {
    const verify = createVerifier({
      key: secretKey,
      algorithms: ["HS256"],
      allowedIss: accessKey,
      requiredClaims: ["iss", "exp", "nbf"],
    });
    verify(token);
    return true as const;
  } catch (err) {
    const code = err instanceof TokenError ? err.code : "";
    if (code === TokenError.codes.expired) return deny(1004, "token expired");
    if (code === TokenError.codes.inactive) return deny(1003, "token not yet valid");
    if (code === TokenError.codes.malformed || code === TokenError.codes.invalidType)
      return deny(1002, "Authorization is invalid");
    return deny(1000, "authentication failed");
  }
}

export async function startKlingFake(opts: KlingFakeOptions = {}): Promise<KlingFake> {
  const accessKey = opts.accessKey ?? KLING_FAKE_ACCESS_KEY;
  const secretKey = opts.secretKey ?? opts.apiKey ?? KLING_FAKE_SECRET_KEY;
  const meta = new Map<string, KlingTask>();
  const byExternal = new Map<string, string>();

  function taskObject(task: FakeTask, phase: Phase, videoUrl: string) {
    const m = meta.get(task.id);
    const b = task.body as Record<string, unknown>;
    const base = {
      task_id: task.id,
      task_info: m?.externalTaskId ? { external_task_id: m.externalTaskId } : {},
      created_at: task.createdAt,
      updated_at: Date.now(),
    };
    switch (phase.kind) {
      case "queued":
        return { ...base, task_status: "submitted", task_status_msg: "" };
      case "running":
        return {
          ...base,
          task_status: task.flags.unknown ? "warming_up" : "processing",
          task_status_msg: "",
        };
      case "succeeded":
        return {
          ...base,
          task_status: "succeed",
          task_status_msg: "",
          final_unit_deduction: b.mode === "pro" ? "3.5" : "2",
          task_result: {
            videos: [{ id: randomUUID(), url: videoUrl, duration: b.duration === "10" ? "10.1" : "5.1" }],
          },
        };
      case "failed":
        return {
          ...base,
          task_status: "failed",
          task_status_msg:
            "Failure to pass the risk control system: the output may contain sensitive content",
          task_result: {},
        };
    }
  }

  function lookup(kind: Kind, id: string): FakeTask | null {
    const taskId = meta.has(id) ? id : (byExternal.get(id) ?? null);
    if (!taskId || meta.get(taskId)?.kind !== kind) return null;
    return fake.tasks.get(taskId) ?? null;
  }

  const dialect: Dialect = {
    defaultApiKey: secretKey,
    unauthorized: () => error(1000, "authentication failed"),
    pollFailure: (status) =>
      status === 429
        ? error(1302, "api rate limit exceeded")
        : error(status === 503 ? 5001 : status === 504 ? 5002 : 5000, "server error, please retry later"),
    isPoll: (method, path) =>
      method === "GET" && /^\/v1\/videos\/(text2video|image2video)\/[^/]+$/.test(path),
    notFound: (path) => error(1202, `no route ${path}`),
    authorize: (req) => authorizeJwt(req, accessKey, secretKey),
    createFailure(kind) {
      switch (kind) {
        case "ratelimit":
          return {
            status: 429,
            body: error(1302, "api rate limit exceeded"),
            headers: { "retry-after": "3" },
          };
        case "arrears":
          return { status: 429, body: error(1101, "account arrears") };
        case "quota":
          return { status: 429, body: error(1102, "resource pack exhausted") };
        case "servererror":
          return { status: 500, body: error(5000, "internal server error") };
      }
    },
    callbackUrlOf: (body) => {
      const url = (body as { callback_url?: unknown } | null)?.callback_url;
      return typeof url === "string" && url !== "" ? url : null;
    },
    callback(task, phase, videoUrl) {
      const object = taskObject(task, phase, videoUrl);
      return { word: object.task_status, body: object };
    },
    route({ res, method, path, body, engine }) {
      const create = /^\/v1\/videos\/(text2video|image2video)$/.exec(path);
      if (method === "POST" && create) {
        const kind = create[1] as Kind;
        const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
        const bad = (message: string) => {
          sendJson(res, 400, error(1201, message));
          return true;
        };
        if (b.model_name !== undefined && !KLING_MODELS.has(String(b.model_name)))
          return bad(`model_name ${String(b.model_name)} is invalid`);
        const prompt = typeof b.prompt === "string" ? b.prompt : "";
        if (kind === "text2video" && prompt.trim() === "") return bad("prompt is required");
        if (prompt.length > 2500) return bad("prompt must not exceed 2500 characters");
        if (b.duration !== undefined && !(typeof b.duration === "string" && DURATIONS.has(b.duration)))
          return bad('duration must be the string "5" or "10"');
        if (b.mode !== undefined && !MODES.has(String(b.mode))) return bad("mode must be std or pro");
        if (kind === "text2video" && b.aspect_ratio !== undefined && !RATIOS.has(String(b.aspect_ratio)))
          return bad("aspect_ratio must be 16:9, 9:16 or 1:1");
        if (kind === "image2video") {
          const image = b.image;
          if (typeof image !== "string" || image === "") return bad("image is required");
          if (image.startsWith("data:")) return bad("image must be a URL or Base64 without the data: prefix");
          if (!/^https?:\/\//.test(image) && !/^[A-Za-z0-9+/]+=*$/.test(image))
            return bad("image is invalid");
        }
        const external =
          typeof b.external_task_id === "string" && b.external_task_id !== "" ? b.external_task_id : null;
        if (external && byExternal.has(external)) return bad(`external_task_id ${external} already exists`);
        if (engine.createScenario(res, prompt)) return true;
        const refusal = refusalOf(prompt);
        if (refusal) {
          sendJson(res, refusal.status, error(refusal.code, refusal.message));
          return true;
        }
        const id = taskIdNow();
        meta.set(id, { kind, externalTaskId: external });
        if (external) byExternal.set(external, id);
        const task = engine.addTask(id, prompt, body);
        engine.answerCreate(res, task, 200, {
          code: 0,
          message: "SUCCEED",
          request_id: requestId(),
          data: {
            task_id: task.id,
            task_status: "submitted",
            task_info: external ? { external_task_id: external } : {},
            created_at: task.createdAt,
            updated_at: task.createdAt,
          },
        });
        return true;
      }
      const query = /^\/v1\/videos\/(text2video|image2video)\/([^/]+)$/.exec(path);
      if (method === "GET" && query) {
        const task = lookup(query[1] as Kind, decodeURIComponent(query[2] ?? ""));
        if (!task) {
          sendJson(res, 404, error(1203, "task not found"));
          return true;
        }
        sendJson(res, 200, {
          code: 0,
          message: "SUCCEED",
          request_id: requestId(),
          data: taskObject(task, engine.poll(task), engine.videoUrl(task)),
        });
        return true;
      }
      return false;
    },
  };

  const fake = await startFakeVendor(dialect, {
    resultTtlMs: THIRTY_DAYS_MS,
    ...opts,
    apiKey: secretKey,
  });
  return Object.assign(fake, { accessKey, secretKey });
}
