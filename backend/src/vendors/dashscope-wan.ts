import type { Ratio } from "@skyriff/contracts";
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
 * Alibaba Cloud Model Studio / DashScope (百炼) Wan 通义万相, old (≤ 2.6) protocol
 * (see shared/integrations/living-video-vendors.md §2):
 * - `POST {base}/api/v1/services/aigc/video-generation/video-synthesis` with `X-DashScope-Async: enable`:
 *   text→video `{model, input:{prompt}, parameters:{size:"720*1280", duration}}`,
 *   image→video `{model, input:{prompt, img_url}, parameters:{resolution:"720P", duration}}` → `{output:{task_id}}`;
 * - `GET {base}/api/v1/tasks/{task_id}` → `{output:{task_status: PENDING|RUNNING|SUCCEEDED|FAILED|CANCELED|UNKNOWN,
 *   video_url, code, message}}`. `UNKNOWN` means the task does not exist (or is older than 24 h) → FAILURE.
 * DashScope reports no progress; `progress` is null until SUCCESS (100). For image→video the output ratio
 * follows the image.
 */
export interface DashscopeOptions {
  /** Default https://dashscope.aliyuncs.com (Beijing; the key must belong to the same region). */
  baseUrl?: string;
  apiKey: string;
  /** Default wan2.5-t2v-preview. */
  t2vModel?: string;
  /** Default wan2.5-i2v-preview. */
  i2vModel?: string;
  /** Default 720P. */
  resolution?: "480P" | "720P" | "1080P";
  /** Per HTTP call, default 30 000 ms. */
  timeoutMs?: number;
}

const VENDOR = "dashscope";
export const DASHSCOPE_DEFAULT_BASE_URL = "https://dashscope.aliyuncs.com";
export const DASHSCOPE_DEFAULT_T2V_MODEL = "wan2.5-t2v-preview";
export const DASHSCOPE_DEFAULT_I2V_MODEL = "wan2.5-i2v-preview";

const SIZES: Record<"480P" | "720P" | "1080P", Record<Ratio, string>> = {
  "480P": { "9:16": "480*832", "16:9": "832*480", "1:1": "624*624" },
  "720P": { "9:16": "720*1280", "16:9": "1280*720", "1:1": "960*960" },
  "1080P": { "9:16": "1080*1920", "16:9": "1920*1080", "1:1": "1440*1440" },
};

/** The `parameters.size` of a text→video request. */
export function wanSize(ratio: Ratio, resolution: "480P" | "720P" | "1080P" = "720P"): string {
  const size = SIZES[resolution][ratio];
  if (!size) throw new VendorError("rejected", `Wan has no ${ratio} size at ${resolution}`);
  return size;
}

export function createDashscopeVendor(opts: DashscopeOptions): VideoVendor {
  const base = trimBase(opts.baseUrl ?? DASHSCOPE_DEFAULT_BASE_URL).replace(/\/api\/v1$/, "");
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const resolution = opts.resolution ?? "720P";
  const req = (
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): VendorRequest => ({
    vendor: VENDOR,
    method,
    url: `${base}${path}`,
    apiKey: opts.apiKey,
    body,
    headers,
    timeoutMs,
  });

  return {
    name: "dashscope",

    async create(input) {
      try {
        if (!Number.isInteger(input.durationSec) || input.durationSec <= 0) {
          throw new VendorError("rejected", `invalid duration ${input.durationSec}`);
        }
        const payload = input.referenceImageUrl
          ? {
              model: opts.i2vModel ?? DASHSCOPE_DEFAULT_I2V_MODEL,
              input: { prompt: input.prompt, img_url: input.referenceImageUrl },
              parameters: { resolution, duration: input.durationSec, prompt_extend: true, watermark: false },
            }
          : {
              model: opts.t2vModel ?? DASHSCOPE_DEFAULT_T2V_MODEL,
              input: { prompt: input.prompt },
              parameters: {
                size: wanSize(input.ratio, resolution),
                duration: input.durationSec,
                prompt_extend: true,
                watermark: false,
              },
            };
        const body = asRecord(
          await vendorJson(
            req("POST", "/api/v1/services/aigc/video-generation/video-synthesis", payload, {
              "X-DashScope-Async": "enable",
            }),
          ),
        );
        const output = asRecord(body?.output);
        const id = asString(output?.task_id);
        if (id) {
          if (mapVendorStatus(asString(output?.task_status)).status === "FAILURE") {
            throw new VendorError("rejected", `${errorMessageOf(body) ?? "视频生成请求被拒绝"} (${VENDOR})`);
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
        const body = asRecord(
          await vendorJson(req("GET", `/api/v1/tasks/${encodeURIComponent(vendorTaskId)}`)),
        );
        const output = asRecord(body?.output);
        if (!output) throw new VendorError("transient", `${VENDOR}: task body has no output`);
        const rawStatus = asString(output.task_status) ?? "";
        if (rawStatus.toUpperCase() === "UNKNOWN") {
          return {
            status: "FAILURE",
            progress: null,
            videoUrl: null,
            errorMessage: "生成任务不存在或已过期",
            rawStatus,
          };
        }
        const { status } = mapVendorStatus(rawStatus);
        if (status === "SUCCESS") {
          const url = asString(output.video_url);
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
          const message = asString(output.message) ?? asString(output.code) ?? "视频生成失败";
          return { status, progress: null, videoUrl: null, errorMessage: message, rawStatus };
        }
        return { status, progress: null, videoUrl: null, errorMessage: null, rawStatus };
      } catch (err) {
        throw asVendorError(err, VENDOR, opts.apiKey);
      }
    },
  };
}
