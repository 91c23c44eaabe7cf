/**
 * Shared machinery of the video-vendor fakes (dyuapi.ts, ark.ts, dashscope.ts): an HTTP server on
 * 127.0.0.1:0, Bearer-key check, request recording, global modes (normal | hang | malformed), injected
 * poll failures (429 + Retry-After, 5xx), a task Map and the per-task timeline. Each vendor file only
 * speaks its wire format. Cheap per request: no timers except those of `hang`, O(1) task lookups.
 *
 * Per-task behaviour comes from tags in the prompt:
 *   #reject   → refused at create with the vendor's content-policy error (HTTP 400)
 *   #latefail → runs normally, then fails at 90 % with the vendor's moderation message
 *   #unknown  → while running, reports an unknown status word (e.g. "warming_up")
 *   #hang     → the create request is never answered (until close)
 *   #nourl    → (dyuapi) succeeds without `video_url`; the URL is only given by `/content`
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeMode = "normal" | "hang" | "malformed";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or the raw text when it is not JSON; null without a body. */
  body: unknown;
  at: number;
}

export interface FakeTaskFlags {
  reject: boolean;
  latefail: boolean;
  unknown: boolean;
  hang: boolean;
  nourl: boolean;
}

export interface FakeTask {
  id: string;
  prompt: string;
  /** The create request body as received. */
  body: unknown;
  flags: FakeTaskFlags;
  createdAt: number;
  /** Successful polls answered so far. */
  polls: number;
}

/** Where a task is on one poll. */
export type Phase =
  | { kind: "queued"; progress: number }
  | { kind: "running"; progress: number }
  | { kind: "succeeded"; progress: 100 }
  | { kind: "failed"; progress: 90 };

export interface FakeVendorOptions {
  apiKey?: string;
  /**
   * Polls until success (default 3): poll 1 → queued, polls 2..N → running with rising progress,
   * poll N+1 → succeeded (or failed at 90 % for #latefail).
   */
  pollsToSuccess?: number;
  /** When set, the timeline follows wall-clock time since create instead of the poll count. */
  msToSuccess?: number;
  /** Bytes served at `GET /files/<id>.mp4` (default: a small placeholder, not a playable MP4). */
  videoBytes?: Buffer;
  /** Record requests in `requests` (default true; turn off for long benches). */
  record?: boolean;
}

export interface FakeVendor {
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  tasks: Map<string, FakeTask>;
  /** normal | hang (no answer until close) | malformed (truncated JSON with HTTP 200). */
  setMode(mode: FakeMode): void;
  /** The next `n` task polls answer `status` (429 carries `Retry-After: retryAfterSec`, default 2). */
  setPollFailures(n: number, status: number, retryAfterSec?: number): void;
  setPollsToSuccess(n: number): void;
  setMsToSuccess(ms: number | null): void;
  setVideoBytes(bytes: Buffer): void;
  close(): Promise<void>;
}

/** What a vendor file plugs into the engine. */
export interface Dialect {
  defaultApiKey: string;
  /** 401 body for a missing or wrong key. */
  unauthorized(): unknown;
  /** Body for an injected poll failure (429 or 5xx). */
  pollFailure(status: number): unknown;
  /** True for the task-poll route (the one `setPollFailures` targets). */
  isPoll(method: string, path: string): boolean;
  /** Vendor routes; returns false when no route matched (→ 404). */
  route(ctx: RouteContext): boolean | Promise<boolean>;
  /** 404 body. */
  notFound(path: string): unknown;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  body: unknown;
  engine: Engine;
}

export interface Engine {
  baseUrl: string;
  tasks: Map<string, FakeTask>;
  /** Registers a task; returns it. */
  addTask(id: string, prompt: string, body: unknown): FakeTask;
  /** Advances the task by one poll and returns its phase. */
  poll(task: FakeTask): Phase;
  /** Keeps the response open until close (for #hang). */
  hold(res: ServerResponse): void;
  videoUrl(task: FakeTask): string;
}

export const PLACEHOLDER_MP4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from("ftypisom", "ascii"),
  Buffer.from([0, 0, 2, 0]),
  Buffer.from("isomiso2", "ascii"),
  Buffer.alloc(1024, 0),
]);

export function flagsOf(prompt: string): FakeTaskFlags {
  return {
    reject: prompt.includes("#reject"),
    latefail: prompt.includes("#latefail"),
    unknown: prompt.includes("#unknown"),
    hang: prompt.includes("#hang"),
    nourl: prompt.includes("#nourl"),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function phaseByFraction(frac: number, task: FakeTask): Phase {
  if (frac >= 1)
    return task.flags.latefail ? { kind: "failed", progress: 90 } : { kind: "succeeded", progress: 100 };
  if (frac < 0.1) return { kind: "queued", progress: 0 };
  const progress = Math.min(task.flags.latefail ? 90 : 99, Math.max(1, Math.floor(frac * 100)));
  return { kind: "running", progress };
}

export async function startFakeVendor(dialect: Dialect, opts: FakeVendorOptions = {}): Promise<FakeVendor> {
  const apiKey = opts.apiKey ?? dialect.defaultApiKey;
  const record = opts.record ?? true;
  const requests: RecordedRequest[] = [];
  const tasks = new Map<string, FakeTask>();
  const held = new Set<ServerResponse>();
  let mode: FakeMode = "normal";
  let pollFailures = { left: 0, status: 500, retryAfterSec: 2 };
  let pollsToSuccess = Math.max(1, opts.pollsToSuccess ?? 3);
  let msToSuccess: number | null = opts.msToSuccess ?? null;
  let videoBytes = opts.videoBytes ?? PLACEHOLDER_MP4;
  let baseUrl = "";

  const hold = (res: ServerResponse) => {
    held.add(res);
    res.on("close", () => held.delete(res));
  };

  const engine: Engine = {
    get baseUrl() {
      return baseUrl;
    },
    tasks,
    addTask(id, prompt, body) {
      const task: FakeTask = { id, prompt, body, flags: flagsOf(prompt), createdAt: Date.now(), polls: 0 };
      tasks.set(id, task);
      return task;
    },
    poll(task) {
      task.polls += 1;
      if (msToSuccess !== null) {
        return phaseByFraction((Date.now() - task.createdAt) / Math.max(1, msToSuccess), task);
      }
      const p = task.polls;
      if (p > pollsToSuccess) {
        return task.flags.latefail ? { kind: "failed", progress: 90 } : { kind: "succeeded", progress: 100 };
      }
      if (p === 1 && pollsToSuccess > 1) return { kind: "queued", progress: 0 };
      const ceiling = task.flags.latefail ? 90 : 95;
      return {
        kind: "running",
        progress: Math.max(1, Math.round(((p - 1) / Math.max(1, pollsToSuccess - 1)) * ceiling)),
      };
    },
    hold,
    videoUrl(task) {
      return `${baseUrl}/files/${encodeURIComponent(task.id)}.mp4?Expires=${Math.floor(task.createdAt / 1000) + 86_400}&Signature=fake`;
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const text = method === "GET" || method === "HEAD" ? "" : await readBody(req);
    let body: unknown = null;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (record) requests.push({ method, path, headers: { ...req.headers }, body, at: Date.now() });

    if (mode === "hang") return hold(res);

    // Result files are "signed URLs": no key needed, like the vendors' object-storage links.
    if (method === "GET" && path.startsWith("/files/") && path.endsWith(".mp4")) {
      const id = decodeURIComponent(path.slice("/files/".length, -".mp4".length));
      if (!tasks.has(id)) return sendJson(res, 404, dialect.notFound(path));
      res.writeHead(200, { "content-type": "video/mp4", "content-length": videoBytes.length });
      res.end(videoBytes);
      return;
    }

    if (req.headers.authorization !== `Bearer ${apiKey}`) return sendJson(res, 401, dialect.unauthorized());

    if (mode === "malformed") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end('{"id":"x","status":"que');
      return;
    }

    if (pollFailures.left > 0 && dialect.isPoll(method, path)) {
      pollFailures.left -= 1;
      const headers: Record<string, string> =
        pollFailures.status === 429 ? { "retry-after": String(pollFailures.retryAfterSec) } : {};
      return sendJson(res, pollFailures.status, dialect.pollFailure(pollFailures.status), headers);
    }

    const matched = await dialect.route({ req, res, method, path, body, engine });
    if (!matched) sendJson(res, 404, dialect.notFound(path));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake error: ${String(err)}` } });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    apiKey,
    requests,
    tasks,
    setMode(next) {
      mode = next;
    },
    setPollFailures(n, status, retryAfterSec = 2) {
      pollFailures = { left: n, status, retryAfterSec };
    },
    setPollsToSuccess(n) {
      pollsToSuccess = Math.max(1, n);
    },
    setMsToSuccess(ms) {
      msToSuccess = ms;
    },
    setVideoBytes(bytes) {
      videoBytes = bytes;
    },
    close() {
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
