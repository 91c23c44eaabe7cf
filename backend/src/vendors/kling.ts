import { createHmac } from "node:crypto";
import {
  asRecord,
  asString,
  asVendorError,
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
 * Kuaishou Kling (可灵) video generation (shared/integrations/living-video-vendors.md §3; official doc
 * app.klingai.com/cn/dev/document-api):
 * - auth: a JWT (HS256, signed with the SecretKey; `iss` = AccessKey, `exp` = now + 1800 s, `nbf` = now − 5 s)
 *   sent as `Authorization: Bearer <jwt>`;
 * - `POST {base}/v1/videos/text2video` `{model_name, prompt, duration:"5"|"10", aspect_ratio, mode, callback_url,
 *   external_task_id}` and `POST {base}/v1/videos/image2video` (the same with `image`, no `aspect_ratio`: the
 *   output follows the image) → `{code:0, data:{task_id, task_status:"submitted"}}`;
 * - `GET {base}/v1/videos/{text2video|image2video}/{task_id or external_task_id}` → `{code, data:{task_status:
 *   submitted|processing|succeed|failed, task_status_msg, task_info:{external_task_id}, task_result:{videos:[{url}]}}}`;
 * - errors `{code, message, request_id}` with an HTTP status that is not enough on its own: 429 carries both rate
 *   limits (1302, 1303) and arrears / an exhausted resource pack (1101, 1102), which are definitive.
 *
 * Our vendorTaskId is Kling's own `task_id`, because a callback body carries only that: which of the two query
 * paths a task lives under is remembered from its create, and otherwise found by asking text2video, then
 * image2video. Kling reports no progress; `progress` is null until SUCCESS (100).
 */
export interface KlingOptions {
  /** Default https://api-beijing.klingai.com (keys of the Singapore site do not work there). */
  baseUrl?: string;
  accessKey: string;
  secretKey: string;
  /** Per HTTP call, default 30 000 ms. */
  timeoutMs?: number;
}

const VENDOR = "kling";
export const KLING_DEFAULT_BASE_URL = "https://api-beijing.klingai.com";

const TOKEN_LIFETIME_S = 1800;
/** Kling checks `nbf` against its own clock: a few seconds back absorbs a small skew. */
const TOKEN_NBF_SKEW_S = 5;
/** A cached token is replaced this long before it expires, so no request leaves with a dying one. */
const TOKEN_RENEW_BEFORE_S = 300;
/** The doc's advice for 1302/1303 when no Retry-After comes: back off at least 1 s. */
const RATE_LIMIT_BACKOFF_MS = 1000;
/** How many task ids' query paths are remembered (a task is polled for minutes, not days). */
const REMEMBERED_KINDS = 10_000;

type Kind = "text2video" | "image2video";
const KINDS: Kind[] = ["text2video", "image2video"];

/** `mode`: std renders 720p, pro 1080p. */
const MODES: Record<string, "std" | "pro"> = { "720p": "std", "1080p": "pro" };

/** A Kling API token: `{alg:HS256,typ:JWT}.{iss,exp,nbf}` signed with the SecretKey. */
export function klingToken(accessKey: string, secretKey: string, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const segment = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const unsigned = `${segment({ alg: "HS256", typ: "JWT" })}.${segment({
    iss: accessKey,
    exp: now + TOKEN_LIFETIME_S,
    nbf: now - TOKEN_NBF_SKEW_S,
  })}`;
  return `${unsigned}.${createHmac("sha256", secretKey).update(unsigned).digest("base64url")}`;
}

/** What a Kling error code means for us (the doc's error table); null: let the HTTP status decide. */
export function klingErrorKind(code: number): VendorErrorKind | null {
  if (code === 1302 || code === 1303) return "transient"; // rate limit, concurrency over the resource pack
  if (code >= 5000 && code <= 5999) return "transient"; // server error, unavailable, timeout
  if (code >= 1000 && code <= 1004) return "rejected"; // authentication (1004: token expired)
  if (code >= 1100 && code <= 1103) return "rejected"; // account exception, arrears, pack exhausted, no access
  if (code === 1304) return "rejected"; // IP whitelist
  if (code >= 1200 && code <= 1203) return "rejected"; // invalid parameters, method, resource
  if (code === 1300 || code === 1301) return "rejected"; // platform / content-safety policy
  return null;
}

/** Kling's answer to a query for a task that is not under this path (or does not exist). */
function isNotFound(status: number | null, code: number | null): boolean {
  return status === 404 || (code !== null && code >= 1200 && code <= 1203);
}

function codeOf(v: unknown): number | null {
  const s = asString(v);
  if (s === null || !/^-?\d+$/.test(s.trim())) return null;
  return Number(s);
}

/** `image`: a URL, or Base64 without the `data:` prefix (Kling refuses the prefix). */
export function klingImage(reference: string): string {
  const dataUri = /^data:[^,]*;base64,/i.exec(reference);
  return dataUri ? reference.slice(dataUri[0].length) : reference;
}

/** The task state in a query answer's `data` (also a callback's body). */
export function klingTaskState(data: Record<string, unknown>): VendorTaskState {
  const rawStatus = asString(data.task_status) ?? "";
  const { status } = mapVendorStatus(rawStatus);
  if (status === "SUCCESS") {
    const videos = asRecord(data.task_result)?.videos;
    const url = Array.isArray(videos) ? asString(asRecord(videos[0])?.url) : null;
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
    // Kling's `message` says SUCCEED even for a failed task: the reason is in task_status_msg.
    const reason = asString(data.task_status_msg) ?? "视频生成失败";
    return { status, progress: null, videoUrl: null, errorMessage: reason, rawStatus };
  }
  return { status, progress: null, videoUrl: null, errorMessage: null, rawStatus };
}

/** A callback body: the task object, bare (as the callback protocol shows it) or in the query's envelope. */
export function parseKlingCallback(body: unknown): VendorCallback | null {
  const b = asRecord(body);
  if (!b) return null;
  const envelope = asRecord(b.data);
  if (envelope && (codeOf(b.code) ?? 0) !== 0) return null;
  const data = envelope ?? b;
  const vendorTaskId = asString(data.task_id);
  if (!vendorTaskId || !asString(data.task_status)) return null;
  return { vendorTaskId, state: klingTaskState(data) };
}

interface Answer {
  data: Record<string, unknown>;
}

export function createKlingVendor(opts: KlingOptions): VideoVendor {
  const base = trimBase(opts.baseUrl ?? KLING_DEFAULT_BASE_URL);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const kinds = new Map<string, Kind>();
  let cached: { token: string; renewAt: number } | null = null;

  const token = (): string => {
    const now = Date.now();
    if (!cached || now >= cached.renewAt) {
      cached = {
        token: klingToken(opts.accessKey, opts.secretKey, now),
        renewAt: now + (TOKEN_LIFETIME_S - TOKEN_RENEW_BEFORE_S) * 1000,
      };
    }
    return cached.token;
  };

  const remember = (id: string, kind: Kind) => {
    if (kinds.size >= REMEMBERED_KINDS) kinds.delete(kinds.keys().next().value as string);
    kinds.set(id, kind);
  };

  /** One call; resolves with the envelope's `data`, throws a classified VendorError (with the answer's status and code). */
  async function call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    createsTask = false,
  ): Promise<Answer> {
    let status: number | null = null;
    let code: number | null = null;
    const req: VendorRequest = {
      vendor: VENDOR,
      method,
      url: `${base}${path}`,
      apiKey: token(),
      body,
      timeoutMs,
      createsTask,
      classify: (failure) => {
        status = failure.status;
        code = codeOf(failure.code);
        return code === null ? null : klingErrorKind(code);
      },
    };
    try {
      const res = await vendorFetch(req);
      status = res.status;
      const json = asRecord(await readJson(res, req));
      // An answer we cannot read: for a create the task may exist all the same.
      const lost: VendorErrorKind = createsTask ? "unanswered" : "transient";
      if (!json) throw new VendorError(lost, `${VENDOR}: ${method} ${path} answered a non-object`);
      code = codeOf(json.code);
      if (code !== null && code !== 0) {
        const message = asString(json.message) ?? "error";
        throw new VendorError(
          klingErrorKind(code) ?? (createsTask ? "rejected" : "transient"),
          `${message} (${VENDOR} code ${code})`,
        );
      }
      const data = asRecord(json.data);
      if (!data) throw new VendorError(lost, `${VENDOR}: ${method} ${path} answered without data`);
      return { data };
    } catch (err) {
      const e = asVendorError(err, VENDOR, req.apiKey);
      throw Object.assign(withBackoff(e, code), { klingStatus: status, klingCode: code });
    }
  }

  function withBackoff(e: VendorError, code: number | null): VendorError {
    if (code === 1003 || code === 1004) cached = null; // not yet valid / expired: sign afresh next time
    if (e.kind === "transient" && e.retryAfterMs === null && (code === 1302 || code === 1303)) {
      return new VendorError("transient", e.message, RATE_LIMIT_BACKOFF_MS);
    }
    return e;
  }

  const notFound = (err: unknown) => {
    const e = err as { kind?: string; klingStatus?: number | null; klingCode?: number | null };
    return e.kind === "rejected" && isNotFound(e.klingStatus ?? null, e.klingCode ?? null);
  };

  /** The task under `kind`'s query path, or null when Kling has none there. */
  async function query(kind: Kind, id: string): Promise<Record<string, unknown> | null> {
    try {
      return (await call("GET", `/v1/videos/${kind}/${encodeURIComponent(id)}`)).data;
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  return {
    name: "kling",

    async create(input) {
      if (!Number.isInteger(input.durationSec) || input.durationSec <= 0) {
        throw new VendorError("rejected", `invalid duration ${input.durationSec}`);
      }
      const mode = MODES[input.resolution];
      if (!mode) throw new VendorError("rejected", `Kling renders 720p or 1080p, not ${input.resolution}`);
      const kind: Kind = input.referenceImageUrl ? "image2video" : "text2video";
      const body: Record<string, unknown> = {
        model_name: input.model.vendorModel,
        prompt: input.prompt,
        duration: String(input.durationSec),
        mode,
        external_task_id: input.taskId,
      };
      if (input.referenceImageUrl) body.image = klingImage(input.referenceImageUrl);
      else body.aspect_ratio = input.ratio;
      if (input.callbackUrl) body.callback_url = input.callbackUrl;
      const { data } = await call("POST", `/v1/videos/${kind}`, body, true);
      const id = asString(data.task_id);
      if (!id) throw new VendorError("unanswered", `${VENDOR}: create answered without a task id`);
      remember(id, kind);
      return { vendorTaskId: id };
    },

    async get(vendorTaskId) {
      const known = kinds.get(vendorTaskId);
      for (const kind of known ? [known] : KINDS) {
        const data = await query(kind, vendorTaskId);
        if (!data) continue;
        remember(vendorTaskId, kind);
        return klingTaskState(data);
      }
      throw new VendorError("rejected", `${VENDOR}: no task ${vendorTaskId}`);
    },

    async findByReference(taskId) {
      for (const kind of KINDS) {
        const data = await query(kind, taskId);
        const id = data ? asString(data.task_id) : null;
        if (!data || !id) continue;
        // The path takes a task_id too: make sure this is the task that carries our reference.
        if (asString(asRecord(data.task_info)?.external_task_id) !== taskId) continue;
        remember(id, kind);
        return { vendorTaskId: id };
      }
      return null;
    },

    parseCallback: parseKlingCallback,
  };
}
