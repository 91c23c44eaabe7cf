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
 *   #drop     → the create is accepted (the task exists and runs) but the connection is cut before the
 *               answer: "accepted, answer lost"
 *   #ratelimit / #arrears / #5xx / #quota → the create answers the vendor's rate-limit, arrears,
 *               server-error or definitive-quota error (`Dialect.createFailure`)
 *   #nourl    → (dyuapi) succeeds without `video_url`; the URL is only given by `/content`
 *
 * Result URLs expire (`resultTtlMs`, default 24 h): past it `/files/…` answers 403 like object storage.
 * A create carrying the vendor's callback URL (`Dialect.callbackUrlOf`) gets the vendor's callbacks: every
 * `callbackIntervalMs` the task advances one step and each status change is POSTed to that URL (final
 * ones retried 3 times); `deliverCallback` does one step by hand.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32, deflateSync } from "node:zlib";

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
  drop: boolean;
  ratelimit: boolean;
  arrears: boolean;
  servererror: boolean;
  quota: boolean;
}

/** An error a create can answer (see the prompt tags). */
export type CreateFailureKind = "ratelimit" | "arrears" | "servererror" | "quota";

/** A callback the fake POSTed to a task's callback URL. */
export interface DeliveredCallback {
  taskId: string;
  url: string;
  body: unknown;
  /** The receiver's HTTP status, or null when it could not be reached. */
  status: number | null;
  at: number;
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
  /** How long result URLs stay valid after the create (default 24 h, as Ark and DashScope). */
  resultTtlMs?: number;
  /** Step between callbacks of a task with a callback URL (default 50 ms); null: only `deliverCallback`. */
  callbackIntervalMs?: number | null;
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
  setResultTtlMs(ms: number): void;
  /** Callbacks sent so far (auto or by hand). */
  callbacks: DeliveredCallback[];
  /** Advances the task one step and POSTs its state to its callback URL now; null without one. */
  deliverCallback(taskId: string): Promise<DeliveredCallback | null>;
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
  /**
   * The vendor's own credential check (Kling verifies a JWT), instead of `Authorization: Bearer <apiKey>`;
   * returns true or the error answer to send.
   */
  authorize?(req: IncomingMessage): true | { status: number; body: unknown };
  /** Routes answered before the credential check (a vendor's signed, expiring result URLs); false: none matched. */
  publicRoute?(ctx: RouteContext): boolean | Promise<boolean>;
  /** The vendor's answer to a create tagged #ratelimit/#arrears/#5xx/#quota; null: the vendor has none. */
  createFailure?(
    kind: CreateFailureKind,
  ): { status: number; body: unknown; headers?: Record<string, string> } | null;
  /** The callback URL a create body carries (vendors with callbacks). */
  callbackUrlOf?(body: unknown): string | null;
  /** What the vendor POSTs for a phase; `word` is its status word (one POST per change of word). */
  callback?(task: FakeTask, phase: Phase, videoUrl: string): { word: string; body: unknown };
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
  /** The bytes a finished video has (what `/files/…` serves). */
  videoBytes(): Buffer;
  /**
   * Answers a validated create for its scenario tags (#hang, #ratelimit, #arrears, #5xx, #quota); true
   * when it did (the dialect then stops), false to go on.
   */
  createScenario(res: ServerResponse, prompt: string): boolean;
  /** Sends the create's answer, or for #drop cuts the connection instead (the task exists). */
  answerCreate(res: ServerResponse, task: FakeTask, status: number, body: unknown): void;
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
    drop: prompt.includes("#drop"),
    ratelimit: prompt.includes("#ratelimit"),
    arrears: prompt.includes("#arrears"),
    servererror: prompt.includes("#5xx"),
    quota: prompt.includes("#quota"),
  };
}

/** Width × height of a PNG, JPEG, GIF or WebP, or null when the bytes are none of those. */
export function imageSize(bytes: Buffer): { width: number; height: number; format: string } | null {
  if (
    bytes.length >= 24 &&
    bytes.readUInt32BE(0) === 0x89504e47 &&
    bytes.toString("ascii", 12, 16) === "IHDR"
  ) {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), format: "png" };
  }
  if (bytes.length >= 10 && bytes.toString("ascii", 0, 3) === "GIF") {
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8), format: "gif" };
  }
  if (
    bytes.length >= 30 &&
    bytes.toString("ascii", 0, 4) === "RIFF" &&
    bytes.toString("ascii", 8, 12) === "WEBP"
  ) {
    const chunk = bytes.toString("ascii", 12, 16);
    if (chunk === "VP8X")
      return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1, format: "webp" };
    if (chunk === "VP8 ")
      return {
        width: bytes.readUInt16LE(26) & 0x3fff,
        height: bytes.readUInt16LE(28) & 0x3fff,
        format: "webp",
      };
    if (chunk === "VP8L") {
      const b = bytes.readUInt32LE(21);
      return { width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1, format: "webp" };
    }
    return null;
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let at = 2;
    while (at + 9 < bytes.length) {
      if (bytes[at] !== 0xff) return null;
      const marker = bytes[at + 1] ?? 0;
      const length = bytes.readUInt16BE(at + 2);
      // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7), format: "jpeg" };
      }
      at += 2 + length;
    }
  }
  return null;
}

/**
 * A reference image as a vendor sees it: the bytes of a `data:` URI, or of an http(s) URL it downloads.
 * Returns an error text when it cannot be had.
 */
export async function fetchImage(
  url: string,
): Promise<{ bytes: Buffer; mime: string | null; dataUri: boolean } | { error: string }> {
  const data = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
  if (data) {
    if (!data[2]) return { error: "data URI is not base64" };
    return { bytes: Buffer.from(data[3] ?? "", "base64"), mime: data[1] || null, dataUri: true };
  }
  if (!/^https?:\/\//.test(url)) return { error: "not an http(s) URL or data URI" };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return { error: `download answered HTTP ${res.status}` };
    return {
      bytes: Buffer.from(await res.arrayBuffer()),
      mime: res.headers.get("content-type"),
      dataUri: false,
    };
  } catch (err) {
    return { error: `download failed (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** A real (grey) PNG of the given size, for image→video tests. */
export function pngBytes(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([len, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const raw = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export function pngDataUri(width: number, height: number): string {
  return `data:image/png;base64,${pngBytes(width, height).toString("base64")}`;
}

const okStatus = (status: number | null) => status !== null && status >= 200 && status < 300;

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
  let resultTtlMs = opts.resultTtlMs ?? 86_400_000;
  const callbackIntervalMs = opts.callbackIntervalMs === undefined ? 50 : opts.callbackIntervalMs;
  const callbacks: DeliveredCallback[] = [];
  const callbackTimers = new Set<NodeJS.Timeout>();
  /** Per task: the last status word POSTed, and whether its final state went through. */
  const pushed = new Map<string, { word: string | null; done: boolean }>();
  let closed = false;
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
      if (callbackIntervalMs !== null && dialect.callbackUrlOf?.(body)) scheduleCallback(task);
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
      const expires = Math.floor((task.createdAt + resultTtlMs) / 1000);
      return `${baseUrl}/files/${encodeURIComponent(task.id)}.mp4?Expires=${expires}&Signature=fake`;
    },
    videoBytes() {
      return videoBytes;
    },
    createScenario(res, prompt) {
      const flags = flagsOf(prompt);
      if (flags.hang) {
        hold(res);
        return true;
      }
      const kind: CreateFailureKind | null = flags.ratelimit
        ? "ratelimit"
        : flags.arrears
          ? "arrears"
          : flags.servererror
            ? "servererror"
            : flags.quota
              ? "quota"
              : null;
      const failure = kind ? dialect.createFailure?.(kind) : null;
      if (!failure) return false;
      sendJson(res, failure.status, failure.body, failure.headers);
      return true;
    },
    answerCreate(res, task, status, body) {
      if (task.flags.drop) {
        // Accepted and then lost: the socket dies before a byte of the answer.
        res.socket?.destroy();
        return;
      }
      sendJson(res, status, body);
    },
  };

  async function postCallback(task: FakeTask, url: string, body: unknown): Promise<DeliveredCallback> {
    let status: number | null = null;
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      status = r.status;
      await r.body?.cancel();
    } catch {
      status = null;
    }
    const delivered = { taskId: task.id, url, body, status, at: Date.now() };
    callbacks.push(delivered);
    return delivered;
  }

  /** One step of a task's callback timeline: advance, then POST when the status word changed. */
  async function callbackStep(task: FakeTask): Promise<DeliveredCallback | null> {
    const url = dialect.callbackUrlOf?.(task.body);
    if (!url || !dialect.callback) return null;
    const state = pushed.get(task.id) ?? { word: null, done: false };
    pushed.set(task.id, state);
    if (state.done) return null;
    const phase = engine.poll(task);
    const { word, body } = dialect.callback(task, phase, engine.videoUrl(task));
    const final = phase.kind === "succeeded" || phase.kind === "failed";
    if (word === state.word && !final) return null;
    state.word = word;
    let delivered = await postCallback(task, url, body);
    // Final states are retried 3 times when the receiver does not acknowledge (Ark's rule).
    for (let retry = 0; final && retry < 3 && !okStatus(delivered.status) && !closed; retry++) {
      delivered = await postCallback(task, url, body);
    }
    if (final) state.done = true;
    return delivered;
  }

  function scheduleCallback(task: FakeTask): void {
    if (closed || callbackIntervalMs === null) return;
    const timer = setTimeout(() => {
      callbackTimers.delete(timer);
      void callbackStep(task).then(() => {
        if (!pushed.get(task.id)?.done) scheduleCallback(task);
      });
    }, callbackIntervalMs);
    timer.unref();
    callbackTimers.add(timer);
  }

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
      const expires = Number(new URL(req.url ?? "/", "http://fake").searchParams.get("Expires"));
      if (!Number.isFinite(expires) || Date.now() >= expires * 1000) {
        const xml =
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>';
        res.writeHead(403, { "content-type": "application/xml", "content-length": Buffer.byteLength(xml) });
        res.end(xml);
        return;
      }
      res.writeHead(200, { "content-type": "video/mp4", "content-length": videoBytes.length });
      res.end(videoBytes);
      return;
    }

    if (dialect.publicRoute && (await dialect.publicRoute({ req, res, method, path, body, engine }))) return;

    const auth = dialect.authorize
      ? dialect.authorize(req)
      : req.headers.authorization === `Bearer ${apiKey}` || { status: 401, body: dialect.unauthorized() };
    if (auth !== true) return sendJson(res, auth.status, auth.body);

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
    setResultTtlMs(ms) {
      resultTtlMs = ms;
    },
    callbacks,
    async deliverCallback(taskId) {
      const task = tasks.get(taskId);
      return task ? callbackStep(task) : null;
    },
    close() {
      closed = true;
      for (const timer of callbackTimers) clearTimeout(timer);
      callbackTimers.clear();
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
