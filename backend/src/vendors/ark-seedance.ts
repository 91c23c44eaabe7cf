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
  type VendorCallback,
  type VendorCreateInput,
  VendorError,
  type VendorTaskState,
  type VideoVendor,
} from "./types.js";

/**
 * Volcengine Ark (火山方舟) Seedance, as documented today (see shared/integrations/living-video-vendors.md §1):
 * - `POST {base}/api/v3/contents/generations/tasks` `{model, content:[{type:"text",text},
 *   {type:"image_url",image_url:{url},role:"first_frame"}], ratio, duration, resolution, watermark,
 *   callback_url?}` → `{id}`. Options are body fields: the `--rs/--dur` text commands are the legacy way,
 *   weakly checked, and Seedance 2.0 documents only the body fields
 *   (https://www.volcengine.com/docs/82379/1520757);
 * - `GET {base}/api/v3/contents/generations/tasks/{id}` → `{id, status: queued|running|succeeded|failed|
 *   cancelled|expired, content:{video_url}, error:{code,message}}` (https://www.volcengine.com/docs/82379/1521309);
 * - `callback_url`: Ark POSTs a body shaped like the query answer on each status change (unsigned).
 * Ark reports no progress; `progress` is null until SUCCESS (100).
 *
 * No `findByReference`: the task list (https://www.volcengine.com/docs/82379/1521675) filters only by
 * status, task ids, endpoint and service tier, nothing we set; a lost create is found again by the
 * callback that carries its id to the task's own callback URL.
 */
export interface ArkOptions {
  /** Default https://ark.cn-beijing.volces.com (a trailing `/api/v3` is accepted too). */
  baseUrl?: string;
  apiKey: string;
  /**
   * The deployment's endpoint ids (`ep-…`, ARK_ENDPOINTS) by catalog model id (`vendorModel`): calls
   * through an endpoint get its own rate limits and monitoring. A model without one is called by its id.
   */
  endpoints?: ReadonlyMap<string, string>;
  /** Per HTTP call, default 30 000 ms. */
  timeoutMs?: number;
}

const VENDOR = "ark";
export const ARK_DEFAULT_BASE_URL = "https://ark.cn-beijing.volces.com";

/** What a Seedance model takes, from the model's documentation; endpoint ids are not checked here. */
interface SeedanceRules {
  minSeconds: number;
  maxSeconds: number;
  resolutions: readonly string[];
}

const SEEDANCE_RULES: ReadonlyArray<[prefix: string, rules: SeedanceRules]> = [
  ["doubao-seedance-2-0-fast", { minSeconds: 4, maxSeconds: 15, resolutions: ["480p", "720p"] }],
  ["doubao-seedance-2-0", { minSeconds: 4, maxSeconds: 15, resolutions: ["480p", "720p", "1080p"] }],
  ["doubao-seedance-1-5-pro", { minSeconds: 4, maxSeconds: 12, resolutions: ["480p", "720p", "1080p"] }],
  ["doubao-seedance-1-0", { minSeconds: 2, maxSeconds: 12, resolutions: ["480p", "720p", "1080p"] }],
];

export function seedanceRules(modelId: string): SeedanceRules | null {
  return SEEDANCE_RULES.find(([prefix]) => modelId.startsWith(prefix))?.[1] ?? null;
}

/** Ark's error codes (https://www.volcengine.com/docs/82379/1299023) before the generic status rule. */
export function classifyArkError(f: VendorFailure): VendorErrorKind | null {
  const code = f.code ?? "";
  // A model paused by the account's own spending limit, or a used-up free trial: not a rate limit.
  if (code === "SetLimitExceeded") return "rejected";
  if (code === "QuotaExceeded" && /free trial/i.test(f.message ?? "")) return "rejected";
  if (
    code.startsWith("RateLimitExceeded") ||
    code.endsWith("RateLimitExceeded") ||
    code === "QuotaExceeded" ||
    code === "ServerOverloaded" ||
    code === "InflightBatchsizeExceeded" ||
    code === "InvalidEndpoint.ClosedEndpoint"
  ) {
    return "transient";
  }
  if (code === "AccountOverdueError" || code === "OperationDenied.ServiceOverdue") return "rejected";
  if (code.endsWith("SensitiveContentDetected") || code.includes("SensitiveContentDetected."))
    return "rejected";
  return null;
}

/** Chinese reasons for the failures a user can act on; the vendor's words follow. */
const REASONS: Record<string, string> = {
  InputTextSensitiveContentDetected: "提示词可能包含敏感信息，请修改后重试",
  InputImageSensitiveContentDetected: "参考图可能包含敏感信息，请更换后重试",
  OutputVideoSensitiveContentDetected: "生成的视频可能包含敏感信息，请更换输入内容后重试",
  SensitiveContentDetected: "内容可能包含敏感信息，请修改后重试",
};

function failureReason(body: Record<string, unknown>, fallback: string): string {
  const error = asRecord(body.error);
  const code = asString(error?.code);
  const vendorMessage = errorMessageOf(body);
  const zh = code ? REASONS[code] : undefined;
  if (zh) return vendorMessage ? `${zh}（${vendorMessage}）` : zh;
  return vendorMessage ?? fallback;
}

/** A query answer (or a callback, which has the same shape) → our task state. */
export function arkTaskState(body: Record<string, unknown>): VendorTaskState {
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
      word === "expired" ? "生成任务已过期" : word.startsWith("cancel") ? "生成任务已取消" : "视频生成失败";
    return { status, progress: null, videoUrl: null, errorMessage: failureReason(body, fallback), rawStatus };
  }
  return { status, progress: null, videoUrl: null, errorMessage: null, rawStatus };
}

/** Ark wants `data:image/<format lowercase>;base64,…`. */
function imageUrlForArk(url: string): string {
  const m = /^data:([^;,]+);base64,/i.exec(url);
  return m?.[1] ? `data:${m[1].toLowerCase()};base64,${url.slice(m[0].length)}` : url;
}

export function arkCreateBody(input: VendorCreateInput, model: string): Record<string, unknown> {
  const content: unknown[] = [{ type: "text", text: input.prompt }];
  if (input.referenceImageUrl) {
    content.push({
      type: "image_url",
      image_url: { url: imageUrlForArk(input.referenceImageUrl) },
      role: "first_frame",
    });
  }
  const body: Record<string, unknown> = {
    model,
    content,
    // For image→video Ark centre-crops the image to this ratio.
    ratio: input.ratio,
    duration: input.durationSec,
    resolution: input.resolution,
    watermark: false,
  };
  if (input.callbackUrl) body.callback_url = input.callbackUrl;
  return body;
}

function checkInput(input: VendorCreateInput, model: string): void {
  if (!input.model.vendorModel) throw new VendorError("rejected", `${input.model.id} has no Ark model id`);
  if (!Number.isInteger(input.durationSec) || input.durationSec <= 0) {
    throw new VendorError("rejected", `invalid duration ${input.durationSec}`);
  }
  const rules = seedanceRules(model);
  if (!rules) return;
  if (input.durationSec < rules.minSeconds || input.durationSec > rules.maxSeconds) {
    throw new VendorError(
      "rejected",
      `${model} takes ${rules.minSeconds}–${rules.maxSeconds} s, not ${input.durationSec} s`,
    );
  }
  if (!rules.resolutions.includes(input.resolution)) {
    throw new VendorError(
      "rejected",
      `${model} has no ${input.resolution} (only ${rules.resolutions.join("/")})`,
    );
  }
}

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
    createsTask: method === "POST",
    classify: classifyArkError,
  });

  return {
    name: "ark",

    async create(input) {
      try {
        const catalogModel = input.model.vendorModel;
        checkInput(input, catalogModel);
        const model = opts.endpoints?.get(catalogModel) ?? catalogModel;
        const body = asRecord(await vendorJson(req("POST", tasksUrl, arkCreateBody(input, model))));
        const id = asString(body?.id);
        if (id) return { vendorTaskId: id };
        const reason = errorMessageOf(body);
        if (reason) {
          throw new VendorError(
            "rejected",
            `${reason} (${VENDOR}${errorCodeOf(body) ? ` ${errorCodeOf(body)}` : ""})`,
          );
        }
        // A 2xx without an id: Ark took the request, we cannot tell which task it made.
        throw new VendorError("unanswered", `${VENDOR}: create answered without a task id`);
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
        return arkTaskState(body);
      } catch (err) {
        throw asVendorError(err, VENDOR, opts.apiKey);
      }
    },

    parseCallback(body): VendorCallback | null {
      const b = asRecord(body);
      const id = asString(b?.id);
      if (!b || !id || !asString(b.status)) return null;
      return { vendorTaskId: id, state: arkTaskState(b) };
    },
  };
}
