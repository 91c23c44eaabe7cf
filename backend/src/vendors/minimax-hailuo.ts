import {
  asRecord,
  asString,
  asVendorError,
  parseRetryAfter,
  readJson,
  trimBase,
  type VendorErrorKind,
  type VendorRequest,
  vendorFetch,
} from "./http.js";
import {
  mapVendorStatus,
  type VendorCallback,
  VendorError,
  type VendorTaskState,
  type VideoVendor,
} from "./types.js";

/**
 * MiniMax Hailuo (海螺) video generation (shared/integrations/living-video-vendors.md §4; official doc
 * platform.minimaxi.com/docs/api-reference/video-generation-*):
 * - `POST {base}/v1/video_generation` `{model, prompt, duration:6|10, resolution:"768P"|"1080P"…,
 *   first_frame_image (URL or data URI), callback_url}` → `{task_id, base_resp:{status_code, status_msg}}`;
 * - `GET {base}/v1/query/video_generation?task_id=` → `{task_id, status: Preparing|Queueing|Processing|Success|Fail,
 *   file_id, base_resp}`;
 * - `GET {base}/v1/files/retrieve?file_id=` → `{file:{download_url}}`, a URL valid for 9 hours: asked for on every
 *   `get`, never kept.
 * Errors come as HTTP 200 with a non-zero `base_resp.status_code`. No text→video ratio parameter exists (the
 * video is landscape); image→video follows the image. With `callback_url`, MiniMax first posts `{challenge}`
 * and fails the create unless it is echoed within 3 s (`minimaxCallbackChallenge`), then posts the query
 * body on each status change. No lookup by a client reference exists: a create whose answer was lost is
 * found again only through its callback. MiniMax reports no progress.
 */
export interface MinimaxOptions {
  /** Default https://api.minimaxi.com (mainland; the global site's keys do not work there). */
  baseUrl?: string;
  apiKey: string;
  /** Per HTTP call, default 30 000 ms. */
  timeoutMs?: number;
}

const VENDOR = "minimax";
export const MINIMAX_DEFAULT_BASE_URL = "https://api.minimaxi.com";
const RETRIEVE_PATH = "/v1/files/retrieve";

/** `base_resp.status_code` per the error-code page; null: not a code the page lists. */
export function minimaxErrorKind(code: number): VendorErrorKind | null {
  switch (code) {
    case 1000: // unknown error: "retry later"
    case 1001: // request timeout
    case 1002: // rate limit
    case 1024: // internal error
    case 1033: // system error
    case 1039: // token limit
    case 1041: // connection limit
    case 2045: // rate growth limit
    case 2056: // usage limit of the 5-hour window
      return "transient";
    case 1004: // not authorized
    case 2049: // invalid API key
    case 1008: // insufficient balance
    case 1026: // input sensitive
    case 1027: // output sensitive
    case 1042: // invisible characters
    case 2013: // invalid parameters (also: the callback URL failed its challenge)
      return "rejected";
    default:
      return null;
  }
}

const CONTENT_REFUSALS: Record<number, string> = {
  1026: "输入内容涉及敏感内容",
  1027: "生成的视频涉及敏感内容",
};

interface BaseResp {
  code: number;
  message: string;
}

function baseRespOf(body: Record<string, unknown>): BaseResp | null {
  const r = asRecord(body.base_resp);
  const raw = asString(r?.status_code);
  if (raw === null || !/^-?\d+$/.test(raw.trim())) return null;
  return { code: Number(raw), message: asString(r?.status_msg) ?? "" };
}

function describe(resp: BaseResp): string {
  const text = CONTENT_REFUSALS[resp.code];
  const own = resp.message.trim();
  return `${text && own ? `${text}（${own}）` : text || own || "error"} (${VENDOR} status_code ${resp.code})`;
}

/** The `challenge` of MiniMax's callback verification, to be echoed as `{challenge}`; null for a task report. */
export function minimaxCallbackChallenge(body: unknown): string | null {
  const challenge = asRecord(body)?.challenge;
  return typeof challenge === "string" && challenge !== "" ? challenge : null;
}

/** MiniMax's resolutions are upper-case (`768P`); the catalog's are lower-case (`768p`). */
export function minimaxResolution(resolution: string): string {
  if (!/^\d{3,4}p$/i.test(resolution)) throw new VendorError("rejected", `invalid resolution ${resolution}`);
  return resolution.toUpperCase();
}

export function createMinimaxVendor(opts: MinimaxOptions): VideoVendor {
  const base = trimBase(opts.baseUrl ?? MINIMAX_DEFAULT_BASE_URL);
  const timeoutMs = opts.timeoutMs ?? 30_000;

  /** One call; resolves with a body whose base_resp is 0, throws a classified VendorError otherwise. */
  async function call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    createsTask = false,
  ): Promise<Record<string, unknown>> {
    const req: VendorRequest = {
      vendor: VENDOR,
      method,
      url: `${base}${path}`,
      apiKey: opts.apiKey,
      body,
      timeoutMs,
      createsTask,
      // A gateway error may still carry base_resp.
      classify: (failure) => {
        const resp = asRecord(failure.body) ? baseRespOf(failure.body as Record<string, unknown>) : null;
        return resp ? minimaxErrorKind(resp.code) : null;
      },
    };
    try {
      const res = await vendorFetch(req);
      const json = asRecord(await readJson(res, req));
      if (!json) {
        throw new VendorError(
          createsTask ? "unanswered" : "transient",
          `${VENDOR}: ${method} ${path} answered a non-object`,
        );
      }
      const resp = baseRespOf(json);
      if (resp && resp.code !== 0) {
        const kind = minimaxErrorKind(resp.code) ?? (createsTask ? "rejected" : "transient");
        const retryAfter = kind === "transient" ? parseRetryAfter(res.headers.get("retry-after")) : null;
        throw Object.assign(new VendorError(kind, describe(resp), retryAfter), { minimaxCode: resp.code });
      }
      return json;
    } catch (err) {
      throw asVendorError(err, VENDOR, opts.apiKey);
    }
  }

  /** A fresh download URL for a finished video (each one expires after 9 hours). */
  async function downloadUrl(fileId: string): Promise<string> {
    const body = await call("GET", `${RETRIEVE_PATH}?file_id=${encodeURIComponent(fileId)}`);
    const url = asString(asRecord(body.file)?.download_url);
    if (!url) throw new VendorError("transient", `${VENDOR}: file ${fileId} has no download_url yet`);
    return url;
  }

  /** A reference to a finished video that `download` turns into a fresh URL when it is fetched. */
  const fileRef = (fileId: string) => `${base}${RETRIEVE_PATH}?file_id=${encodeURIComponent(fileId)}`;

  function stateOf(body: Record<string, unknown>, videoUrl: string | null): VendorTaskState {
    const rawStatus = asString(body.status) ?? "";
    const { status } = mapVendorStatus(rawStatus);
    if (status === "SUCCESS") {
      if (!videoUrl) {
        return {
          status: "FAILURE",
          progress: null,
          videoUrl: null,
          errorMessage: "供应商报告成功但未返回视频文件",
          rawStatus,
        };
      }
      return { status, progress: 100, videoUrl, errorMessage: null, rawStatus };
    }
    if (status === "FAILURE") {
      const resp = baseRespOf(body);
      const reason = resp && resp.code !== 0 ? describe(resp) : "视频生成失败";
      return { status, progress: null, videoUrl: null, errorMessage: reason, rawStatus };
    }
    return { status, progress: null, videoUrl: null, errorMessage: null, rawStatus };
  }

  return {
    name: "minimax",

    async create(input) {
      if (!Number.isInteger(input.durationSec) || input.durationSec <= 0) {
        throw new VendorError("rejected", `invalid duration ${input.durationSec}`);
      }
      const body: Record<string, unknown> = {
        model: input.model.vendorModel,
        prompt: input.prompt,
        duration: input.durationSec,
        resolution: minimaxResolution(input.resolution),
      };
      if (input.referenceImageUrl) body.first_frame_image = input.referenceImageUrl;
      if (input.callbackUrl) body.callback_url = input.callbackUrl;
      const answer = await call("POST", "/v1/video_generation", body, true);
      const id = asString(answer.task_id);
      if (!id) throw new VendorError("unanswered", `${VENDOR}: create answered without a task id`);
      return { vendorTaskId: id };
    },

    async get(vendorTaskId) {
      let body: Record<string, unknown>;
      try {
        body = await call("GET", `/v1/query/video_generation?task_id=${encodeURIComponent(vendorTaskId)}`);
      } catch (err) {
        // The query reports a task refused by moderation through base_resp: the task failed, the call did not.
        const code = (err as { minimaxCode?: number }).minimaxCode;
        if (code !== undefined && CONTENT_REFUSALS[code]) {
          const message = (err as VendorError).message;
          return {
            status: "FAILURE",
            progress: null,
            videoUrl: null,
            errorMessage: message,
            rawStatus: "Fail",
          };
        }
        throw err;
      }
      const fileId = asString(body.file_id);
      const finished = mapVendorStatus(asString(body.status)).status === "SUCCESS";
      return stateOf(body, finished && fileId ? await downloadUrl(fileId) : null);
    },

    callbackChallenge: minimaxCallbackChallenge,

    parseCallback(body): VendorCallback | null {
      if (minimaxCallbackChallenge(body) !== null) return null;
      const b = asRecord(body);
      const vendorTaskId = b ? asString(b.task_id) : null;
      if (!b || !vendorTaskId || !asString(b.status)) return null;
      const fileId = asString(b.file_id);
      const finished = mapVendorStatus(asString(b.status)).status === "SUCCESS";
      // A report of success without its file is left to the next poll.
      if (finished && !fileId) return null;
      return { vendorTaskId, state: stateOf(b, finished && fileId ? fileRef(fileId) : null) };
    },

    /** Follows a file reference (from a callback) to a fresh URL; any other URL is fetched as it is. */
    async download(videoUrl, signal) {
      let url = videoUrl;
      if (videoUrl.startsWith(`${base}${RETRIEVE_PATH}?`)) {
        const fileId = new URL(videoUrl).searchParams.get("file_id");
        if (!fileId) throw new VendorError("rejected", `${VENDOR}: no file_id in ${videoUrl}`);
        url = await downloadUrl(fileId);
      }
      return fetch(url, { signal });
    },
  };
}
