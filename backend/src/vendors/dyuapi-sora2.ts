import type { Ratio } from "@skyriff/contracts";
import {
  asRecord,
  asString,
  asVendorError,
  errorMessageOf,
  parseProgress,
  trimBase,
  type VendorErrorKind,
  type VendorFailure,
  type VendorRequest,
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
 * An OpenAI-`/v1/videos`-compatible reseller (the seed's DyuAPI 大洋芋; see
 * shared/integrations/sora2-resellers-and-openai-video.md). The vendor name stays "dyuapi"; base URL and
 * model names are configuration.
 * - `POST {base}/v1/videos` JSON, in one of two styles:
 *   - named (DyuAPI's reverse channels): `{model, prompt, image_url?}`, duration and orientation in the
 *     model name (`sora2-portrait-15s`): catalog models `sora2` / `sora2-pro`, or DYUAPI_MODELS entries;
 *   - OpenAI: `{model, prompt, seconds:"8", size:"720x1280", input_reference?:{image_url}}` for any other
 *     `vendorModel` (https://platform.openai.com/docs/api-reference/videos/create).
 * - `GET {base}/v1/videos/{id}` → `{id, status, progress, video_url?, error}` (defensive: a `data`
 *   wrapper, `task_id`, `"45%"`, `url`, …; the reseller docs are not public).
 * - `GET {base}/v1/videos/{id}/content` streams the MP4 bytes (OpenAI: "streams the binary video data"),
 *   with our key: a finished task without `video_url` gets that URL, which `download` fetches.
 */
export interface DyuapiOptions {
  /** e.g. https://api.dyuapi.com (no `/v1`). */
  baseUrl: string;
  apiKey: string;
  /**
   * Named-style model names (DYUAPI_MODELS) by `{vendorModel}/{seconds}/{ratio}`, e.g.
   * `sora2/10/9:16` → `sora2-portrait`; they win over the built-in DyuAPI names.
   */
  models?: ReadonlyMap<string, string>;
  /** Per HTTP call, default 30 000 ms. */
  timeoutMs?: number;
}

const VENDOR = "dyuapi";

function orientation(ratio: Ratio): "portrait" | "landscape" {
  if (ratio === "9:16") return "portrait";
  if (ratio === "16:9") return "landscape";
  throw new VendorError("rejected", `Sora 2 has no ${ratio} model; use 9:16 or 16:9`);
}

const familyOf = (model: ModelDef) => model.vendorModel || model.id;

/**
 * DyuAPI's model name for a catalog model, duration and ratio:
 * sora2 10 s → `sora2-{o}`, sora2 15 s → `sora2-{o}-15s`, sora2-pro 15 s → `sora2-pro-{o}-hd-15s`,
 * sora2-pro 25 s → `sora2-pro-{o}-25s`; o = portrait (9:16) | landscape (16:9).
 * Anything else throws VendorError("rejected").
 */
export function selectSoraModel(model: ModelDef, durationSec: number, ratio: Ratio): string {
  const o = orientation(ratio);
  const family = familyOf(model);
  if (family === "sora2") {
    if (durationSec === 10) return `sora2-${o}`;
    if (durationSec === 15) return `sora2-${o}-15s`;
  } else if (family === "sora2-pro") {
    if (durationSec === 15) return `sora2-pro-${o}-hd-15s`;
    if (durationSec === 25) return `sora2-pro-${o}-25s`;
  } else {
    throw new VendorError("rejected", `model ${model.id} is not served by ${VENDOR}`);
  }
  throw new VendorError("rejected", `${model.id} does not support ${durationSec} s`);
}

/** OpenAI's sizes: 720p for both models, 1080p for sora-2-pro. */
function openAiSize(ratio: Ratio, resolution: string): string {
  const portrait = orientation(ratio) === "portrait";
  if (resolution === "1080p") return portrait ? "1080x1920" : "1920x1080";
  return portrait ? "720x1280" : "1280x720";
}

/** The create body: named style for DyuAPI's own names, the OpenAI style otherwise. */
export function resellerCreateBody(
  input: { model: ModelDef; prompt: string; durationSec: number; ratio: Ratio; resolution: string },
  referenceImageUrl: string | null,
  names: ReadonlyMap<string, string> = new Map(),
): Record<string, unknown> {
  const family = familyOf(input.model);
  const named =
    names.get(`${family}/${input.durationSec}/${input.ratio}`) ??
    (family === "sora2" || family === "sora2-pro"
      ? selectSoraModel(input.model, input.durationSec, input.ratio)
      : null);
  if (named) {
    const body: Record<string, unknown> = { model: named, prompt: input.prompt };
    if (referenceImageUrl) body.image_url = referenceImageUrl;
    return body;
  }
  const body: Record<string, unknown> = {
    model: family,
    prompt: input.prompt,
    seconds: String(input.durationSec),
    size: openAiSize(input.ratio, input.resolution),
  };
  if (referenceImageUrl) body.input_reference = { image_url: referenceImageUrl };
  return body;
}

/**
 * OpenAI's codes on a 429 are not all rate limits: `insufficient_quota` (and the resellers'
 * `insufficient_credits`, balance words) mean the account is out of money.
 */
export function classifyResellerError(f: VendorFailure): VendorErrorKind | null {
  const code = (f.code ?? "").toLowerCase();
  const type = (asString(asRecord(asRecord(f.body)?.error)?.type) ?? "").toLowerCase();
  if (
    ["insufficient_quota", "insufficient_credits", "insufficient_balance", "billing_hard_limit_reached"].some(
      (c) => code === c || type === c,
    )
  ) {
    return "rejected";
  }
  if (code === "rate_limit_exceeded" || type === "rate_limit_error") return "transient";
  if (code === "content_policy_violation" || code === "moderation_blocked") return "rejected";
  return null;
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
  const metadata = asRecord(v.metadata);
  return (
    asString(v.video_url) ??
    asString(v.url) ??
    asString(result?.url) ??
    asString(output?.url) ??
    asString(metadata?.url) ??
    null
  );
}

export function createDyuapiVendor(opts: DyuapiOptions): VideoVendor {
  const base = trimBase(opts.baseUrl);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const names = opts.models ?? new Map<string, string>();
  const req = (method: "GET" | "POST", path: string, body?: unknown): VendorRequest => ({
    vendor: VENDOR,
    method,
    url: `${base}${path}`,
    apiKey: opts.apiKey,
    body,
    timeoutMs,
    createsTask: method === "POST",
    classify: classifyResellerError,
  });
  const contentUrl = (id: string) => `${base}/v1/videos/${encodeURIComponent(id)}/content`;

  return {
    name: "dyuapi",

    async create(input) {
      try {
        const payload = resellerCreateBody(input, input.referenceImageUrl, names);
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
        throw new VendorError("unanswered", `${VENDOR}: create answered without a task id`);
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
          // Without a URL the video is the authenticated `/content` stream (see `download`).
          const url = videoUrlOf(body) ?? contentUrl(vendorTaskId);
          return { status, progress: 100, videoUrl: url, errorMessage: null, rawStatus };
        }
        if (status === "FAILURE") {
          return {
            status,
            progress,
            videoUrl: null,
            errorMessage: errorMessageOf(body) ?? "视频生成失败",
            rawStatus,
          } satisfies VendorTaskState;
        }
        return { status, progress, videoUrl: null, errorMessage: null, rawStatus };
      } catch (err) {
        throw asVendorError(err, VENDOR, opts.apiKey);
      }
    },

    async download(videoUrl, signal) {
      // Our key goes only to our reseller; a CDN link is fetched as it is (fetch also drops the
      // Authorization header on a redirect to another origin).
      if (!videoUrl.startsWith(`${base}/`)) return fetch(videoUrl, { signal, redirect: "follow" });
      const res = await fetch(videoUrl, {
        signal,
        redirect: "follow",
        headers: { Authorization: `Bearer ${opts.apiKey}`, Accept: "video/mp4, application/json;q=0.5" },
      });
      if (!res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return res;
      // A reseller that answers `/content` with JSON `{url}` instead of the bytes.
      const text = await res.text();
      let link: string | null = null;
      try {
        const body = unwrap(JSON.parse(text));
        link = body ? (asString(body.download_url) ?? videoUrlOf(body)) : null;
      } catch {
        link = null;
      }
      if (!link) return new Response(`no video in the answer: ${text.slice(0, 200)}`, { status: 502 });
      return fetch(new URL(link, videoUrl), { signal, redirect: "follow" });
    },
  };
}
