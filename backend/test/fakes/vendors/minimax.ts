/**
 * Local fake of MiniMax Hailuo (海螺) video generation, written from the official doc
 * (platform.minimaxi.com/docs/api-reference/video-generation-*, errorcode; shared/integrations/living-video-vendors.md §4):
 *   POST /v1/video_generation {model, prompt, duration:6|10, resolution:"512P"|"768P"|"1080P", first_frame_image,
 *        callback_url} → {task_id, base_resp:{status_code:0, status_msg:"success"}}
 *        With callback_url the fake first POSTs {challenge} there and fails the create (2013 "fail to check
 *        callback url") unless the same challenge comes back within 3 s.
 *   GET  /v1/query/video_generation?task_id= → {task_id, status: Queueing|Preparing|Processing|Success|Fail, file_id,
 *        video_width, video_height, base_resp}
 *   GET  /v1/files/retrieve?file_id= → {file:{file_id, bytes, created_at, filename, purpose, download_url,
 *        backup_download_url}, base_resp}; every call signs a new download_url valid `urlTtlMs` (default 9 h)
 *   GET  /minimax-cdn/{file_id}.mp4?Expires=… → the video bytes (no key; 403 once expired)
 * Errors are HTTP 200 with a non-zero base_resp.status_code: 1002 rate limit, 1004 not authorized (a wrong key),
 * 1008 insufficient balance, 1026 input sensitive, 1027 output sensitive (a late failure: status Fail),
 * 2013 invalid params; gateways may still answer 5xx.
 * Prompt tags: those of engine.ts (#reject → 1026, #latefail → Fail with 1027, #unknown, #hang, #drop,
 * #ratelimit → 1002, #arrears → 1008, #5xx → HTTP 502 from the gateway; #quota: MiniMax has none).
 * `failQueries(n, code)` makes the next n task queries answer base_resp `code` (e.g. 1002). After the challenge,
 * a task's status changes are POSTed to its callback_url as the query body (engine.ts `callbackIntervalMs`,
 * `deliverCallback`).
 */
import { randomBytes, randomUUID } from "node:crypto";
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

/** Resolutions per model, and whether it does text→video (2.3-Fast is image→video only). */
export const MINIMAX_MODELS: Record<string, { t2v: boolean; resolutions: string[] }> = {
  "MiniMax-Hailuo-2.3": { t2v: true, resolutions: ["768P", "1080P"] },
  "MiniMax-Hailuo-2.3-Fast": { t2v: false, resolutions: ["768P", "1080P"] },
  "MiniMax-Hailuo-02": { t2v: true, resolutions: ["512P", "768P", "1080P"] },
};
const NINE_HOURS_MS = 9 * 3600 * 1000;
const CHALLENGE_TIMEOUT_MS = 3000;

interface MinimaxTask {
  fileId: string;
}

export interface MinimaxFake extends FakeVendor {
  setUrlTtlMs(ms: number): void;
  /** The next `n` task queries answer HTTP 200 with base_resp `statusCode`. */
  failQueries(n: number, statusCode: number): void;
}

export interface MinimaxFakeOptions extends FakeVendorOptions {
  /** How long a download_url stays valid (default 9 h, as MiniMax documents). */
  urlTtlMs?: number;
}

const MESSAGES: Record<number, string> = {
  1000: "unknown error",
  1002: "rate limit exceeded(RPM)",
  1004: "login fail: Please carry the API secret key in the 'Authorization' field of the request header",
  1008: "insufficient balance",
  1024: "internal error",
  1026: "input new_sensitive",
  1027: "output new_sensitive",
  2013: "invalid params",
};
const baseResp = (code: number, message = MESSAGES[code] ?? "error") => ({
  base_resp: { status_code: code, status_msg: code === 0 ? "success" : message },
});

let seq = 0;
const numericId = () => `${Date.now()}${(seq++ % 1000).toString().padStart(3, "0")}`.slice(-15);

async function challengeAnswered(callbackUrl: string): Promise<boolean> {
  const challenge = randomUUID();
  try {
    const res = await fetch(callbackUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ challenge }),
      signal: AbortSignal.timeout(CHALLENGE_TIMEOUT_MS),
    });
    const echoed = (await res.json()) as { challenge?: unknown };
    return res.ok && echoed?.challenge === challenge;
  } catch {
    return false;
  }
}

export async function startMinimaxFake(opts: MinimaxFakeOptions = {}): Promise<MinimaxFake> {
  let urlTtlMs = opts.urlTtlMs ?? NINE_HOURS_MS;
  let queryFailures = { left: 0, code: 1002 };
  const meta = new Map<string, MinimaxTask>();
  const byFile = new Map<string, string>();
  let baseUrl = "";

  function queryBody(task: FakeTask, phase: Phase) {
    const m = meta.get(task.id);
    switch (phase.kind) {
      case "queued":
        return { task_id: task.id, status: "Queueing", file_id: "", ...baseResp(0) };
      case "running": {
        const word = task.flags.unknown ? "Warming_Up" : task.polls === 2 ? "Preparing" : "Processing";
        return { task_id: task.id, status: word, file_id: "", ...baseResp(0) };
      }
      case "succeeded":
        return {
          task_id: task.id,
          status: "Success",
          file_id: m?.fileId ?? "",
          video_width: 1366,
          video_height: 768,
          ...baseResp(0),
        };
      case "failed":
        return { task_id: task.id, status: "Fail", file_id: "", ...baseResp(1027) };
    }
  }

  const dialect: Dialect = {
    defaultApiKey: "sk-api-fake-minimax-0123456789abcdef",
    unauthorized: () => baseResp(1004),
    pollFailure: (status) => baseResp(status === 429 ? 1002 : 1024),
    isPoll: (method, path) => method === "GET" && path === "/v1/query/video_generation",
    notFound: () => ({ ...baseResp(2013, "invalid params, path not found") }),
    // MiniMax answers a wrong key with HTTP 200 and status_code 1004.
    createFailure(kind) {
      if (kind === "ratelimit") return { status: 200, body: { task_id: "", ...baseResp(1002) } };
      if (kind === "arrears") return { status: 200, body: { task_id: "", ...baseResp(1008) } };
      if (kind === "servererror") return { status: 502, body: { error: "502 Bad Gateway" } };
      return null;
    },
    callbackUrlOf: (body) => {
      const url = (body as { callback_url?: unknown } | null)?.callback_url;
      return typeof url === "string" && url !== "" ? url : null;
    },
    callback(task, phase) {
      // The query body without video_width / video_height.
      const {
        video_width: _w,
        video_height: _h,
        ...report
      } = queryBody(task, phase) as Record<string, unknown>;
      return { word: String(report.status), body: report };
    },
    authorize: (req) =>
      req.headers.authorization === `Bearer ${fake.apiKey}` || { status: 200, body: baseResp(1004) },
    publicRoute({ req, res, method, path, engine }) {
      const m = /^\/minimax-cdn\/([^/]+)\.mp4$/.exec(path);
      if (method !== "GET" || !m) return false;
      const expires = Number(new URL(req.url ?? "/", "http://fake").searchParams.get("Expires"));
      if (!byFile.has(m[1] ?? "") || !(expires > Date.now())) {
        res.writeHead(403, { "content-type": "application/xml" });
        res.end("<Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>");
        return true;
      }
      const bytes = engine.videoBytes();
      res.writeHead(200, { "content-type": "video/mp4", "content-length": bytes.length });
      res.end(bytes);
      return true;
    },
    async route({ req, res, method, path, body, engine }) {
      const query = new URL(req.url ?? "/", "http://fake").searchParams;
      if (method === "POST" && path === "/v1/video_generation") {
        const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
        const refuse = (code: number, message?: string) => {
          sendJson(res, 200, { task_id: "", ...baseResp(code, message) });
          return true;
        };
        const model = MINIMAX_MODELS[String(b.model)];
        if (!model) return refuse(2013, `invalid params, model ${String(b.model)} not support`);
        const prompt = typeof b.prompt === "string" ? b.prompt : "";
        const image = b.first_frame_image;
        if (
          image !== undefined &&
          !(typeof image === "string" && /^(https?:\/\/|data:image\/(jpeg|jpg|png|webp);base64,)/.test(image))
        )
          return refuse(
            2013,
            "invalid params, first_frame_image must be a URL or a data:image base64 string",
          );
        if (!image && !model.t2v)
          return refuse(2013, `invalid params, ${String(b.model)} needs first_frame_image`);
        if (!image && prompt.trim() === "") return refuse(2013, "invalid params, prompt is required");
        if (prompt.length > 2000) return refuse(2013, "invalid params, prompt too long");
        const duration = b.duration ?? 6;
        const resolution = String(b.resolution ?? "768P");
        if (duration !== 6 && duration !== 10)
          return refuse(2013, "invalid params, duration must be 6 or 10");
        if (!model.resolutions.includes(resolution) || (resolution === "512P" && !image))
          return refuse(2013, `invalid params, resolution ${resolution} not support`);
        if (resolution === "1080P" && duration !== 6)
          return refuse(2013, "invalid params, 1080P supports 6s only");
        const callbackUrl =
          typeof b.callback_url === "string" && b.callback_url !== "" ? b.callback_url : null;
        if (callbackUrl && !(await challengeAnswered(callbackUrl)))
          return refuse(2013, "invalid params, fail to check callback url");
        if (engine.createScenario(res, prompt)) return true;
        if (prompt.includes("#reject")) return refuse(1026);
        const id = numericId();
        const fileId = numericId();
        meta.set(id, { fileId });
        byFile.set(fileId, id);
        const task = engine.addTask(id, prompt, body);
        engine.answerCreate(res, task, 200, { task_id: task.id, ...baseResp(0) });
        return true;
      }
      if (method === "GET" && path === "/v1/query/video_generation") {
        if (queryFailures.left > 0) {
          queryFailures.left -= 1;
          sendJson(res, 200, { task_id: "", status: "", ...baseResp(queryFailures.code) });
          return true;
        }
        const task = engine.tasks.get(query.get("task_id") ?? "");
        if (!task) {
          sendJson(res, 200, { task_id: "", status: "", ...baseResp(2013, "invalid task_id") });
          return true;
        }
        sendJson(res, 200, queryBody(task, engine.poll(task)));
        return true;
      }
      if (method === "GET" && path === "/v1/files/retrieve") {
        const fileId = query.get("file_id") ?? "";
        const taskId = byFile.get(fileId);
        const task = taskId ? engine.tasks.get(taskId) : undefined;
        if (!task || task.flags.latefail || task.polls <= 0) {
          sendJson(res, 200, { ...baseResp(2013, "invalid params, file not found") });
          return true;
        }
        const sign = () =>
          `Expires=${Date.now() + urlTtlMs}&OSSAccessKeyId=fake&Signature=${randomBytes(12).toString("hex")}`;
        sendJson(res, 200, {
          file: {
            file_id: Number(fileId),
            bytes: engine.videoBytes().length,
            created_at: Math.floor(task.createdAt / 1000),
            filename: "output.mp4",
            purpose: "video_generation",
            download_url: `${baseUrl}/minimax-cdn/${fileId}.mp4?${sign()}`,
            backup_download_url: `${baseUrl}/minimax-cdn/${fileId}.mp4?backup=1&${sign()}`,
          },
          ...baseResp(0),
        });
        return true;
      }
      return false;
    },
  };

  const fake = await startFakeVendor(dialect, opts);
  baseUrl = fake.url;
  return Object.assign(fake, {
    setUrlTtlMs(ms: number) {
      urlTtlMs = ms;
    },
    failQueries(n: number, statusCode: number) {
      queryFailures = { left: n, code: statusCode };
    },
  });
}
