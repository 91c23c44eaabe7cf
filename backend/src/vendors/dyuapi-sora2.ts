import type { Ratio } from "@skyriff/contracts";
import {
  asRecord,
  asString,
  asVendorError,
  errorMessageOf,
  parseProgress,
  readJson,
  trimBase,
  type VendorRequest,
  vendorFetch,
  vendorJson,
} from "./http.js";
import {
  type ModelDef,
  mapVendorStatus,
  VendorError,
  type VendorTaskState,
  type VideoVendor,
} from "./types.js";

/**
 * DyuAPI (大洋芋) Sora‑2 reseller, OpenAI‑style video API (see shared/integrations/sora2-resellers-and-openai-video.md):
 * - `POST {base}/v1/videos` JSON `{model, prompt, image_url?}`; duration and orientation live in the model name;
 * - `GET {base}/v1/videos/{id}` → `{id, status, progress, video_url, error}`;
 * - `GET {base}/v1/videos/{id}/content` as a fallback when a finished task carries no `video_url`.
 * The DyuAPI docs are not public; parsing is defensive (a `data` wrapper, `task_id`, `"45%"`, `url`, …).
 */
export interface DyuapiOptions {
  /** e.g. https://api.dyuapi.com (no `/v1`). */
  baseUrl: string;
  apiKey: string;
  /** Per HTTP call, default 30 000 ms. */
  timeoutMs?: number;
}

const VENDOR = "dyuapi";

function orientation(ratio: Ratio): "portrait" | "landscape" {
  if (ratio === "9:16") return "portrait";
  if (ratio === "16:9") return "landscape";
  throw new VendorError("rejected", `Sora 2 has no ${ratio} model; use 9:16 or 16:9`);
}

/**
 * The DyuAPI model name for a catalog model, duration and ratio:
 * sora2 10 s → `sora2-{o}`, sora2 15 s → `sora2-{o}-15s`, sora2-pro 15 s → `sora2-pro-{o}-hd-15s`,
 * sora2-pro 25 s → `sora2-pro-{o}-25s`; o = portrait (9:16) | landscape (16:9).
 * Anything else throws VendorError("rejected").
 */
export function selectSoraModel(model: ModelDef, durationSec: number, ratio: Ratio): string {
  const o = orientation(ratio);
  if (model.id === "sora2") {
    if (durationSec === 10) return `sora2-${o}`;
    if (durationSec === 15) return `sora2-${o}-15s`;
  } else if (model.id === "sora2-pro") {
    if (durationSec === 15) return `sora2-pro-${o}-hd-15s`;
    if (durationSec === 25) return `sora2-pro-${o}-25s`;
  } else {
    throw new VendorError("rejected", `model ${model.id} is not served by ${VENDOR}`);
  }
  throw new VendorError("rejected", `${model.id} does not support ${durationSec} s`);
}

/** Unwraps `{data: {...}}` when a reseller wraps the video object. */
function unwrap(body: unknown): Record<string, unknown> | null {
  const rec = asRecord(body);
  if (!rec) return null;
  const data = asRecord(rec.data);
  if (data && (data.status !== undefined || data.id !== undefined || data.task_id !== undefined)) return data;
  return rec;
}

function videoUrlOf(v: Record<string, unknown>): string | null {
  const result = asRecord(v.result);
  const output = Array.isArray(v.output) ? asRecord(v.output[0]) : asRecord(v.output);
  return asString(v.video_url) ?? asString(v.url) ?? asString(result?.url) ?? asString(output?.url) ?? null;
}

export function createDyuapiVendor(opts: DyuapiOptions): VideoVendor {
  const base = trimBase(opts.baseUrl);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const req = (method: "GET" | "POST", path: string, body?: unknown): VendorRequest => ({
    vendor: VENDOR,
    method,
    url: `${base}${path}`,
    apiKey: opts.apiKey,
    body,
    timeoutMs,
  });

  /** `/content` fallback: a JSON `{url}` or a redirect to the file; null when it streams the bytes itself. */
  async function contentUrl(id: string): Promise<string | null> {
    const r: VendorRequest = {
      ...req("GET", `/v1/videos/${encodeURIComponent(id)}/content`),
      redirect: "manual",
    };
    let res: Response;
    try {
      res = await vendorFetch(r);
    } catch (err) {
      // A 4xx here (not found, not ready, unsupported) means there is no URL to be had; timeouts and 5xx
      // stay transient so the next poll tries again.
      if (err instanceof VendorError && err.kind === "rejected") return null;
      throw err;
    }
    if (res.status >= 300) {
      await res.body?.cancel();
      const loc = res.headers.get("location");
      return loc ? new URL(loc, r.url).toString() : null;
    }
    if ((res.headers.get("content-type") ?? "").includes("json")) {
      const body = unwrap(await readJson(res, r));
      return body ? (asString(body.url) ?? asString(body.download_url) ?? videoUrlOf(body)) : null;
    }
    await res.body?.cancel();
    return null;
  }

  return {
    name: "dyuapi",

    async create(input) {
      try {
        const modelName = selectSoraModel(input.model, input.durationSec, input.ratio);
        const payload: Record<string, unknown> = { model: modelName, prompt: input.prompt };
        if (input.referenceImageUrl) payload.image_url = input.referenceImageUrl;
        const body = unwrap(await vendorJson(req("POST", "/v1/videos", payload)));
        const id = body
          ? (asString(body.id) ?? asString(body.task_id) ?? asString(body.taskId) ?? asString(body.video_id))
          : null;
        if (id) {
          // Some resellers answer 200 with an already failed object (e.g. prompt moderation).
          if (body && mapVendorStatus(asString(body.status)).status === "FAILURE") {
            throw new VendorError("rejected", errorMessageOf(body) ?? "视频生成请求被拒绝");
          }
          return { vendorTaskId: id };
        }
        const reason = errorMessageOf(body);
        if (reason) throw new VendorError("rejected", `${reason} (${VENDOR})`);
        throw new VendorError("transient", `${VENDOR}: create answered without a task id`);
      } catch (err) {
        throw asVendorError(err, VENDOR, opts.apiKey);
      }
    },

    async get(vendorTaskId) {
      try {
        const body = unwrap(await vendorJson(req("GET", `/v1/videos/${encodeURIComponent(vendorTaskId)}`)));
        if (!body) throw new VendorError("transient", `${VENDOR}: task body is not an object`);
        const rawStatus = asString(body.status) ?? "";
        const { status } = mapVendorStatus(rawStatus);
        const progress = parseProgress(body.progress);
        if (status === "SUCCESS") {
          const url = videoUrlOf(body) ?? (await contentUrl(vendorTaskId));
          if (!url) {
            return {
              status: "FAILURE",
              progress,
              videoUrl: null,
              errorMessage: "供应商报告成功但未返回视频地址",
              rawStatus,
            } satisfies VendorTaskState;
          }
          return { status, progress: 100, videoUrl: url, errorMessage: null, rawStatus };
        }
        if (status === "FAILURE") {
          return {
            status,
            progress,
            videoUrl: null,
            errorMessage: errorMessageOf(body) ?? "视频生成失败",
            rawStatus,
          };
        }
        return { status, progress, videoUrl: null, errorMessage: null, rawStatus };
      } catch (err) {
        throw asVendorError(err, VENDOR, opts.apiKey);
      }
    },
  };
}
