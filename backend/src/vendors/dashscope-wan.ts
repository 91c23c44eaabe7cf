import type { Ratio } from "@skyriff/contracts";
import {
  asRecord,
  asString,
  asVendorError,
  errorCodeOf,
  errorMessageOf,
  trimBase,
  type VendorErrorKind,
  type VendorFailure,
  type VendorRequest,
  vendorJson,
} from "./http.js";
import {
  mapVendorStatus,
  type VendorCreateInput,
  VendorError,
  type VendorTaskState,
  type VideoVendor,
} from "./types.js";

/**
 * Alibaba Cloud Model Studio / DashScope (百炼) Wan 通义万相 (see shared/integrations/living-video-vendors.md §2):
 * - `POST {base}/api/v1/services/aigc/video-generation/video-synthesis` with `X-DashScope-Async: enable`
 *   → `{output:{task_id, task_status}}`. Two request formats, chosen by the model's version:
 *   - wan2.6 and earlier: text→video `{input:{prompt}, parameters:{size:"1280*720", duration}}`,
 *     image→video `{input:{prompt, img_url}, parameters:{resolution:"720P", duration}}`;
 *   - wan2.7: `parameters:{resolution:"720P", ratio:"16:9", duration}`, image→video
 *     `input.media:[{type:"first_frame", url}]` (no ratio: the video keeps the image's).
 * - `GET {base}/api/v1/tasks/{task_id}` → `{output:{task_status: PENDING|RUNNING|SUCCEEDED|FAILED|CANCELED|
 *   UNKNOWN, video_url, code, message}}`; UNKNOWN means the task does not exist (or is older than 24 h).
 * DashScope reports no progress; `progress` is null until SUCCESS (100).
 *
 * No `parseCallback`: the video API takes no callback URL (task-end events go through EventBridge,
 * configured in the console, https://help.aliyun.com/zh/model-studio/async-task-api). No
 * `findByReference`: tasks carry nothing of ours to search by.
 */
export interface DashscopeOptions {
  /** Default https://dashscope.aliyuncs.com (Beijing; the key must belong to the same region). */
  baseUrl?: string;
  apiKey: string;
  /** Per HTTP call, default 30 000 ms. */
  timeoutMs?: number;
}

const VENDOR = "dashscope";
export const DASHSCOPE_DEFAULT_BASE_URL = "https://dashscope.aliyuncs.com";
const CREATE_PATH = "/api/v1/services/aigc/video-generation/video-synthesis";

type Tier = "480P" | "720P" | "1080P";

const SIZES: Record<Tier, Record<Ratio, string>> = {
  "480P": { "9:16": "480*832", "16:9": "832*480", "1:1": "624*624" },
  "720P": { "9:16": "720*1280", "16:9": "1280*720", "1:1": "960*960" },
  "1080P": { "9:16": "1080*1920", "16:9": "1920*1080", "1:1": "1440*1440" },
};

/** `480p` (our resolution word) → `480P` (DashScope's). */
export function wanTier(resolution: string): Tier {
  const tier = resolution.trim().toUpperCase();
  if (tier === "480P" || tier === "720P" || tier === "1080P") return tier;
  throw new VendorError("rejected", `Wan has no ${resolution} resolution`);
}

/** The old format's `parameters.size` ("width*height") for a ratio and resolution. */
export function wanSize(ratio: Ratio, resolution = "720p"): string {
  const size = SIZES[wanTier(resolution)][ratio];
  if (!size) throw new VendorError("rejected", `Wan has no ${ratio} size at ${resolution}`);
  return size;
}

/**
 * The DashScope model id for a mode: the catalog's `vendorModel` is a family (`wan2.7`) or either
 * mode's id (`wan2.6-t2v`, `wan2.5-i2v-preview`); the other mode swaps `-t2v`/`-i2v`.
 */
export function wanModelId(vendorModel: string, mode: "t2v" | "i2v"): string {
  if (/-(t2v|i2v)(-|$)/.test(vendorModel)) return vendorModel.replace(/-(t2v|i2v)(?=-|$)/, `-${mode}`);
  return `${vendorModel}-${mode}`;
}

/** wan2.7 and later speak the new format (`resolution` + `ratio`, `input.media[]`). */
export function wanUsesMediaFormat(vendorModel: string): boolean {
  const m = /^wanx?(\d+)\.(\d+)/i.exec(vendorModel);
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 2 || (major === 2 && minor >= 7);
}

export function wanCreateBody(input: VendorCreateInput): Record<string, unknown> {
  const family = input.model.vendorModel;
  const i2v = input.referenceImageUrl !== null;
  const model = wanModelId(family, i2v ? "i2v" : "t2v");
  const common = { duration: input.durationSec, prompt_extend: true, watermark: false };
  if (wanUsesMediaFormat(family)) {
    const resolution = wanTier(input.resolution);
    return i2v
      ? {
          model,
          input: { prompt: input.prompt, media: [{ type: "first_frame", url: input.referenceImageUrl }] },
          parameters: { resolution, ...common },
        }
      : { model, input: { prompt: input.prompt }, parameters: { resolution, ratio: input.ratio, ...common } };
  }
  return i2v
    ? {
        model,
        input: { prompt: input.prompt, img_url: input.referenceImageUrl },
        parameters: { resolution: wanTier(input.resolution), ...common },
      }
    : {
        model,
        input: { prompt: input.prompt },
        parameters: { size: wanSize(input.ratio, input.resolution), ...common },
      };
}

/** DashScope's codes (https://help.aliyun.com/zh/dashscope/return-status-code-description). */
export function classifyDashscopeError(f: VendorFailure): VendorErrorKind | null {
  const code = f.code ?? "";
  if (code.startsWith("Throttling") || code === "RequestTimeOut" || code.startsWith("InternalError")) {
    return "transient";
  }
  if (
    code === "Arrearage" ||
    code.startsWith("DataInspection") ||
    code.startsWith("InvalidParameter") ||
    code.startsWith("AccessDenied") ||
    code.startsWith("AllocationQuota.FreeTierOnly")
  ) {
    return "rejected";
  }
  return null;
}

const REASONS: Record<string, string> = {
  DataInspectionFailed: "内容审核未通过，请修改提示词或参考图后重试",
  "InvalidParameter.DataInspection": "参考图格式不受支持，请更换后重试",
};

function failureMessage(output: Record<string, unknown>): string {
  const code = asString(output.code);
  const vendorMessage = asString(output.message);
  const zh = code ? REASONS[code] : undefined;
  if (zh) return vendorMessage ? `${zh}（${vendorMessage}）` : zh;
  return vendorMessage ?? code ?? "视频生成失败";
}

export function wanTaskState(output: Record<string, unknown>): VendorTaskState {
  const rawStatus = asString(output.task_status) ?? "";
  const word = rawStatus.toUpperCase();
  if (word === "UNKNOWN") {
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
    const message = word === "CANCELED" && !output.message ? "生成任务已取消" : failureMessage(output);
    return { status, progress: null, videoUrl: null, errorMessage: message, rawStatus };
  }
  return { status, progress: null, videoUrl: null, errorMessage: null, rawStatus };
}

export function createDashscopeVendor(opts: DashscopeOptions): VideoVendor {
  const base = trimBase(opts.baseUrl ?? DASHSCOPE_DEFAULT_BASE_URL).replace(/\/api\/v1$/, "");
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const req = (method: "GET" | "POST", path: string, body?: unknown): VendorRequest => ({
    vendor: VENDOR,
    method,
    url: `${base}${path}`,
    apiKey: opts.apiKey,
    body,
    // HTTP calls are asynchronous only: without this header the create is refused.
    headers: method === "POST" ? { "X-DashScope-Async": "enable" } : undefined,
    timeoutMs,
    createsTask: method === "POST",
    classify: classifyDashscopeError,
  });

  return {
    name: "dashscope",

    async create(input) {
      try {
        if (!input.model.vendorModel) {
          throw new VendorError("rejected", `${input.model.id} has no DashScope model id`);
        }
        if (!Number.isInteger(input.durationSec) || input.durationSec <= 0) {
          throw new VendorError("rejected", `invalid duration ${input.durationSec}`);
        }
        const body = asRecord(await vendorJson(req("POST", CREATE_PATH, wanCreateBody(input))));
        const output = asRecord(body?.output);
        const id = asString(output?.task_id);
        if (id) {
          if (output && mapVendorStatus(asString(output.task_status)).status === "FAILURE") {
            throw new VendorError("rejected", `${failureMessage(output)} (${VENDOR})`);
          }
          return { vendorTaskId: id };
        }
        const reason = errorMessageOf(body);
        if (reason) {
          const code = errorCodeOf(body);
          throw new VendorError("rejected", `${reason} (${VENDOR}${code ? ` ${code}` : ""})`);
        }
        throw new VendorError("unanswered", `${VENDOR}: create answered without a task id`);
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
        return wanTaskState(output);
      } catch (err) {
        throw asVendorError(err, VENDOR, opts.apiKey);
      }
    },
  };
}
