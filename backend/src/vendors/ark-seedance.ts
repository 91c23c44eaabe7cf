import {
  asRecord,
  asString,
  asVendorError,
  errorMessageOf,
  trimBase,
  type VendorRequest,
  vendorJson,
} from "./http.js";
import { mapVendorStatus, VendorError, type VideoVendor } from "./types.js";

/**
 * Volcengine Ark (火山方舟) Seedance (see shared/integrations/living-video-vendors.md §1):
 * - `POST {base}/api/v3/contents/generations/tasks` `{model, content:[{type:"text",text},
 *   {type:"image_url",image_url:{url},role:"first_frame"}], ratio, duration, resolution, watermark}` → `{id}`;
 * - `GET {base}/api/v3/contents/generations/tasks/{id}` → `{id, status: queued|running|succeeded|failed|
 *   cancelled|expired, content:{video_url}, error:{code,message}}`.
 * Ark reports no progress; `progress` is null until SUCCESS (100).
 */
export interface ArkOptions {
  /** Default https://ark.cn-beijing.volces.com (a trailing `/api/v3` is accepted too). */
  baseUrl?: string;
  apiKey: string;
  /** Model ID or endpoint ID (`ep-…`), default doubao-seedance-1-0-pro-250528. */
  modelName?: string;
  /** Default 720p. */
  resolution?: "480p" | "720p" | "1080p";
  /** Per HTTP call, default 30 000 ms. */
  timeoutMs?: number;
}

const VENDOR = "ark";
export const ARK_DEFAULT_BASE_URL = "https://ark.cn-beijing.volces.com";
export const ARK_DEFAULT_MODEL = "doubao-seedance-1-0-pro-250528";

export function createArkVendor(opts: ArkOptions): VideoVendor {
  const base = trimBase(opts.baseUrl ?? ARK_DEFAULT_BASE_URL).replace(/\/api\/v3$/, "");
  const tasksUrl = `${base}/api/v3/contents/generations/tasks`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const req = (method: "GET" | "POST", url: string, body?: unknown): VendorRequest => ({
    vendor: VENDOR,
    method,
    url,
    apiKey: opts.apiKey,
    body,
    timeoutMs,
  });

  return {
    name: "ark",

    async create(input) {
      try {
        // Seedance 1.x takes 2–12 s (2.0: 4–15 s); the catalog decides, the vendor validates.
        if (!Number.isInteger(input.durationSec) || input.durationSec <= 0) {
          throw new VendorError("rejected", `invalid duration ${input.durationSec}`);
        }
        const content: unknown[] = [{ type: "text", text: input.prompt }];
        if (input.referenceImageUrl) {
          content.push({
            type: "image_url",
            image_url: { url: input.referenceImageUrl },
            role: "first_frame",
          });
        }
        const body = asRecord(
          await vendorJson(
            req("POST", tasksUrl, {
              model: opts.modelName ?? ARK_DEFAULT_MODEL,
              content,
              ratio: input.ratio,
              duration: input.durationSec,
              resolution: opts.resolution ?? "720p",
              watermark: false,
            }),
          ),
        );
        const id = asString(body?.id);
        if (id) return { vendorTaskId: id };
        const reason = errorMessageOf(body);
        if (reason) throw new VendorError("rejected", `${reason} (${VENDOR})`);
        throw new VendorError("transient", `${VENDOR}: create answered without a task id`);
      } catch (err) {
        throw asVendorError(err, VENDOR, opts.apiKey);
      }
    },

    async get(vendorTaskId) {
      try {
        const body = asRecord(
          await vendorJson(req("GET", `${tasksUrl}/${encodeURIComponent(vendorTaskId)}`)),
        );
        if (!body) throw new VendorError("transient", `${VENDOR}: task body is not an object`);
        const rawStatus = asString(body.status) ?? "";
        const { status } = mapVendorStatus(rawStatus);
        if (status === "SUCCESS") {
          const url = asString(asRecord(body.content)?.video_url);
          if (!url) {
            return {
              status: "FAILURE",
              progress: null,
              videoUrl: null,
              errorMessage: "供应商报告成功但未返回视频地址",
              rawStatus,
            };
          }
          return { status, progress: 100, videoUrl: url, errorMessage: null, rawStatus };
        }
        if (status === "FAILURE") {
          const word = rawStatus.toLowerCase();
          const fallback =
            word === "expired"
              ? "生成任务已过期"
              : word.startsWith("cancel")
                ? "生成任务已取消"
                : "视频生成失败";
          return {
            status,
            progress: null,
            videoUrl: null,
            errorMessage: errorMessageOf(body) ?? fallback,
            rawStatus,
          };
        }
        return { status, progress: null, videoUrl: null, errorMessage: null, rawStatus };
      } catch (err) {
        throw asVendorError(err, VENDOR, opts.apiKey);
      }
    },
  };
}
