/**
 * The MiniMax Hailuo adapter against its fake (every scenario of the issue), and a contract test that replays
 * bodies shaped exactly like the official documentation's examples:
 * - https://platform.minimaxi.com/docs/api-reference/video-generation-query (statuses Preparing, Queueing,
 *   Processing, Success, Fail; file_id, video_width, video_height) and the openapi.json behind the video pages
 *   (https://platform.minimax.io/docs/api-reference/video/generation/api/openapi.json);
 * - the create / query / files-retrieve examples and the callback verification (`challenge` echoed within 3 s,
 *   then the query body on each status change) of MiniMax's video-generation guide (copy:
 *   github.com/sub0xdai/quantum-cat example.md);
 * - the error codes: https://platform.minimax.io/docs/api-reference/errorcode.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configuredVendorNames, createVendors } from "../../src/vendors/index.js";
import {
  createMinimaxVendor,
  minimaxCallbackChallenge,
  minimaxErrorKind,
  minimaxResolution,
} from "../../src/vendors/minimax-hailuo.js";
import type { VendorCreateInput } from "../../src/vendors/types.js";
import { type MinimaxFake, startMinimaxFake } from "../fakes/vendors/minimax.js";
import { catalogModel, pollUntilDone, transportCases, vendorErrorOf } from "./contract.js";

/** The catalog's own model (config/models.ts), so the test sends what production sends. */
const model = catalogModel("hailuo-2.3");

let taskSeq = 0;
const input = (prompt: string, over: Partial<VendorCreateInput> = {}): VendorCreateInput => ({
  taskId: `task-${process.pid}-${taskSeq++}`,
  model,
  prompt,
  durationSec: 6,
  ratio: "16:9",
  resolution: "768p",
  referenceImageUrl: null,
  callbackUrl: null,
  ...over,
});

/** A tiny HTTP server that records what it is sent and answers with `reply`. */
async function receiver(reply: (req: IncomingMessage, body: unknown, res: ServerResponse) => void) {
  const received: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const body = text ? JSON.parse(text) : null;
      received.push(body);
      reply(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Our callback route as MiniMax needs it: echo the challenge, accept the reports. */
const echoChallenge = (_req: IncomingMessage, body: unknown, res: ServerResponse) => {
  const challenge = minimaxCallbackChallenge(body);
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(challenge ? { challenge } : { status: "success" }));
};

describe("MiniMax Hailuo adapter against its fake", () => {
  let fake: MinimaxFake;
  const make = (over: { apiKey?: string; timeoutMs?: number } = {}) =>
    createMinimaxVendor({
      baseUrl: fake.url,
      apiKey: over.apiKey ?? fake.apiKey,
      timeoutMs: over.timeoutMs ?? 5000,
    });

  beforeAll(async () => {
    fake = await startMinimaxFake({ pollsToSuccess: 4, callbackIntervalMs: null });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode("normal");
    fake.setPollFailures(0, 500);
    fake.failQueries(0, 1002);
    fake.setPollsToSuccess(4);
    fake.setUrlTtlMs(9 * 3600 * 1000);
    fake.requests.length = 0;
  });

  it("creates a text→video task, polls it to Success and fetches the download URL from files/retrieve", async () => {
    const v = make();
    const { vendorTaskId } = await v.create(input("一只柯基在海边奔跑，电影感", { durationSec: 10 }));
    expect(vendorTaskId).toMatch(/^\d+$/);
    const post = fake.requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/v1/video_generation");
    expect(post?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(post?.body).toEqual({
      model: "MiniMax-Hailuo-2.3",
      prompt: "一只柯基在海边奔跑，电影感",
      duration: 10,
      resolution: "768P",
    });
    const states = await pollUntilDone(v, vendorTaskId);
    expect(states.map((s) => s.rawStatus)).toEqual([
      "Queueing",
      "Preparing",
      "Processing",
      "Processing",
      "Success",
    ]);
    // living-video-vendors.md: Preparing / Queueing → QUEUED, Processing → IN_PROGRESS.
    expect(states.slice(0, 2).every((s) => s.status === "QUEUED")).toBe(true);
    expect(states.slice(2, -1).every((s) => s.status === "IN_PROGRESS" && s.progress === null)).toBe(true);
    const last = states.at(-1)!;
    expect(last).toMatchObject({ status: "SUCCESS", progress: 100, errorMessage: null });
    expect(last.videoUrl).toMatch(/\/minimax-cdn\/\d+\.mp4\?Expires=/);
    expect(fake.requests.filter((r) => r.path === "/v1/files/retrieve")).toHaveLength(1);
    const file = await fetch(last.videoUrl!);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it("sends image→video as first_frame_image (URL or data URI, as it is)", async () => {
    const v = make();
    const dataUri = "data:image/jpeg;base64,/9j/4AAQSkZJRg==";
    await v.create(input("让照片里的人挥手", { referenceImageUrl: dataUri }));
    await v.create(
      input("a dog", { referenceImageUrl: "https://cdn.example.com/dog.png", resolution: "1080p" }),
    );
    const posts = fake.requests.filter((r) => r.method === "POST").map((r) => r.body);
    expect(posts[0]).toMatchObject({ first_frame_image: dataUri, resolution: "768P" });
    expect(posts[1]).toMatchObject({
      first_frame_image: "https://cdn.example.com/dog.png",
      resolution: "1080P",
    });
  });

  it("reads MiniMax's parameter errors (HTTP 200, status_code 2013) as rejected", async () => {
    const e = await vendorErrorOf(make().create(input("a cat", { resolution: "1080p", durationSec: 10 })));
    expect(e).toMatchObject({ kind: "rejected", message: expect.stringMatching(/1080P.*status_code 2013/) });
    expect(() => minimaxResolution("HD")).toThrow(/invalid resolution/);
  });

  it("turns a wrong key (status_code 1004) into rejected without leaking it", async () => {
    const wrongKey = "sk-wrong-key-that-must-not-leak-123456";
    const e = await vendorErrorOf(make({ apiKey: wrongKey }).create(input("anything")));
    expect(e).toMatchObject({ kind: "rejected", message: expect.stringMatching(/status_code 1004/) });
    expect(e.message).not.toContain(wrongKey);
    expect((await vendorErrorOf(make({ apiKey: wrongKey }).get("1"))).kind).toBe("rejected");
  });

  it("turns a content rejection at create (1026) into rejected with MiniMax's reason", async () => {
    const e = await vendorErrorOf(make().create(input("a famous person dancing #reject")));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/输入内容涉及敏感内容.*new_sensitive.*status_code 1026/);
  });

  it("reports a late failure (Fail, 1027) as FAILURE with the reason", async () => {
    const v = make();
    const { vendorTaskId } = await v.create(input("a street scene #latefail"));
    const last = (await pollUntilDone(v, vendorTaskId)).at(-1)!;
    expect(last).toMatchObject({ status: "FAILURE", videoUrl: null });
    expect(last.errorMessage).toMatch(/生成的视频涉及敏感内容.*sensitive/);
  });

  it("treats insufficient balance (1008) as definitive", async () => {
    const before = fake.tasks.size;
    const e = await vendorErrorOf(make().create(input("a cat #arrears")));
    expect(e).toMatchObject({
      kind: "rejected",
      retryAfterMs: null,
      message: expect.stringMatching(/balance.*1008/),
    });
    expect(fake.tasks.size).toBe(before);
  });

  it("treats the rate limit (1002) as transient, at create and while polling, then recovers", async () => {
    const c = await vendorErrorOf(make().create(input("a cat #ratelimit")));
    expect(c).toMatchObject({ kind: "transient", message: expect.stringMatching(/status_code 1002/) });
    const v = make();
    const { vendorTaskId } = await v.create(input("clouds over mountains"));
    fake.failQueries(2, 1002);
    for (let i = 0; i < 2; i++) expect((await vendorErrorOf(v.get(vendorTaskId))).kind).toBe("transient");
    expect((await v.get(vendorTaskId)).status).toBe("QUEUED");
  });

  it("treats 5xx from the gateway and internal errors (1024) as transient", async () => {
    const c = await vendorErrorOf(make().create(input("a cat #5xx")));
    expect(c).toMatchObject({ kind: "transient", message: expect.stringMatching(/HTTP 502/) });
    const v = make();
    const { vendorTaskId } = await v.create(input("rain on a window"));
    for (const status of [500, 502, 503]) {
      fake.setPollFailures(1, status);
      const e = await vendorErrorOf(v.get(vendorTaskId));
      expect(e).toMatchObject({ kind: "transient", retryAfterMs: null });
      expect(e.message).toContain(String(status));
    }
    fake.failQueries(1, 1024);
    expect((await vendorErrorOf(v.get(vendorTaskId))).kind).toBe("transient");
    expect((await pollUntilDone(v, vendorTaskId)).at(-1)?.status).toBe("SUCCESS");
  });

  transportCases({ make: (over) => make(over), fake: () => fake, input: (prompt) => input(prompt) });

  it("asks files/retrieve on every get, so an expired download_url is replaced", async () => {
    const v = make();
    const { vendorTaskId } = await v.create(input("a night market"));
    fake.setPollsToSuccess(1);
    fake.setUrlTtlMs(150);
    const first = (await pollUntilDone(v, vendorTaskId)).at(-1)!;
    expect((await fetch(first.videoUrl!)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 250));
    expect((await fetch(first.videoUrl!)).status).toBe(403);
    const again = await v.get(vendorTaskId);
    expect(again.videoUrl).not.toBe(first.videoUrl);
    expect((await fetch(again.videoUrl!)).status).toBe(200);
    expect(fake.requests.filter((r) => r.path === "/v1/files/retrieve")).toHaveLength(2);
  });

  it("passes the callback challenge, then reads the reports, whose file download fetches a fresh URL", async () => {
    const hook = await receiver(echoChallenge);
    try {
      const v = make();
      const ok = input("a blue kite", { callbackUrl: `${hook.url}/api/v1/vendors/minimax/callback/t1` });
      const bad = input("a red kite #latefail", {
        callbackUrl: `${hook.url}/api/v1/vendors/minimax/callback/t2`,
      });
      const done = await v.create(ok);
      const failed = await v.create(bad);
      expect(
        fake.requests
          .filter((r) => r.method === "POST")
          .map((r) => (r.body as { callback_url: string }).callback_url),
      ).toEqual([ok.callbackUrl, bad.callbackUrl]);
      expect(hook.received.map((b) => minimaxCallbackChallenge(b))).toEqual([
        expect.any(String),
        expect.any(String),
      ]);
      expect(hook.received.map((b) => v.parseCallback!(b))).toEqual([null, null]);

      fake.setUrlTtlMs(100);
      fake.requests.length = 0;
      for (let i = 0; i < 8; i++) await fake.deliverCallback(done.vendorTaskId);
      const reports = hook.received.slice(2).map((b) => v.parseCallback!(b));
      expect(reports.map((r) => r?.state.rawStatus)).toEqual([
        "Queueing",
        "Preparing",
        "Processing",
        "Success",
      ]);
      expect(fake.requests.filter((r) => r.path === "/v1/query/video_generation")).toHaveLength(0); // no poll
      for (let i = 0; i < 8; i++) await fake.deliverCallback(failed.vendorTaskId);
      const success = reports.at(-1);
      const failure = v.parseCallback!(hook.received.at(-1));
      expect(success).toMatchObject({
        vendorTaskId: done.vendorTaskId,
        state: { status: "SUCCESS", progress: 100 },
      });
      expect(failure).toMatchObject({
        vendorTaskId: failed.vendorTaskId,
        state: { status: "FAILURE", errorMessage: expect.stringMatching(/敏感/) },
      });
      // The report carries a file, not a URL: download asks for a fresh one, however late it runs.
      await new Promise((r) => setTimeout(r, 150));
      const res = await v.download!(success!.state.videoUrl!, AbortSignal.timeout(2000));
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    } finally {
      await hook.close();
    }
  });

  it("fails the create when the callback URL does not echo the challenge", async () => {
    const hook = await receiver((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    try {
      const e = await vendorErrorOf(make().create(input("a kite", { callbackUrl: `${hook.url}/cb` })));
      expect(e).toMatchObject({ kind: "rejected", message: expect.stringMatching(/callback url.*2013/) });
    } finally {
      await hook.close();
    }
  });

  it("loses the answer of a create but learns its task from the callback (no lookup exists)", async () => {
    const hook = await receiver(echoChallenge);
    try {
      const v = make();
      expect(v.findByReference).toBeUndefined();
      const before = fake.tasks.size;
      const e = await vendorErrorOf(
        v.create(input("accepted, answer dropped #drop", { callbackUrl: `${hook.url}/cb` })),
      );
      expect(e.kind).toBe("unanswered");
      expect(fake.tasks.size).toBe(before + 1);
      const stored = [...fake.tasks.values()].at(-1)!;
      for (let i = 0; i < 8; i++) await fake.deliverCallback(stored.id);
      expect(v.parseCallback!(hook.received.at(-1))).toMatchObject({
        vendorTaskId: stored.id,
        state: { status: "SUCCESS" },
      });
    } finally {
      await hook.close();
    }
  });

  it("turns a refused connection into VendorError transient", async () => {
    const closed = await startMinimaxFake();
    await closed.close();
    const e = await vendorErrorOf(
      createMinimaxVendor({ baseUrl: closed.url, apiKey: "k" }).create(input("x")),
    );
    expect(e).toMatchObject({ kind: "transient", message: expect.stringMatching(/network error/) });
  });
});

describe("MiniMax status codes", () => {
  it.each([
    [1000, "transient"],
    [1001, "transient"],
    [1002, "transient"],
    [1004, "rejected"],
    [1008, "rejected"],
    [1024, "transient"],
    [1026, "rejected"],
    [1027, "rejected"],
    [1033, "transient"],
    [1039, "transient"],
    [1041, "transient"],
    [1042, "rejected"],
    [2013, "rejected"],
    [2045, "transient"],
    [2049, "rejected"],
    [2056, "transient"],
    [9999, null],
  ] as const)("%i → %s", (code, kind) => {
    expect(minimaxErrorKind(code)).toBe(kind);
  });
});

/** Answers recorded bodies: `routes["GET /v1/query/video_generation?task_id=1"] = {status, body}`. */
async function replay(routes: Record<string, { status: number; body: unknown }>) {
  return receiver((req, _body, res) => {
    const route = routes[`${req.method} ${req.url}`];
    res.writeHead(route?.status ?? 404, { "content-type": "application/json" });
    res.end(JSON.stringify(route?.body ?? { base_resp: { status_code: 2013, status_msg: "not found" } }));
  });
}

describe("MiniMax contract: documented bodies", () => {
  it("reads the create, query and files/retrieve examples of the doc through the adapter", async () => {
    const server = await replay({
      "POST /v1/video_generation": {
        status: 200,
        body: { task_id: "106916112212032", base_resp: { status_code: 0, status_msg: "success" } },
      },
      "GET /v1/query/video_generation?task_id=176843862716480": {
        status: 200,
        body: {
          task_id: "176843862716480",
          status: "Success",
          file_id: "176844028768320",
          video_width: 1366,
          video_height: 768,
          base_resp: { status_code: 0, status_msg: "success" },
        },
      },
      "GET /v1/files/retrieve?file_id=176844028768320": {
        status: 200,
        body: {
          file: {
            file_id: 176844028768320,
            bytes: 0,
            created_at: 1700469398,
            filename: "output.mp4",
            purpose: "video_generation",
            download_url:
              "https://public-cdn-video-data-algeng.oss-cn-wulanchabu.aliyuncs.com/output.mp4?Expires=1700501798",
            backup_download_url:
              "https://public-cdn-video-data-algeng.oss-cn-wulanchabu.aliyuncs.com/backup.mp4",
          },
          base_resp: { status_code: 0, status_msg: "success" },
        },
      },
      "GET /v1/query/video_generation?task_id=1": {
        status: 200,
        body: {
          task_id: "1",
          status: "Preparing",
          file_id: "",
          base_resp: { status_code: 0, status_msg: "success" },
        },
      },
      "GET /v1/query/video_generation?task_id=2": {
        status: 200,
        body: {
          task_id: "2",
          status: "Fail",
          file_id: "",
          base_resp: { status_code: 1027, status_msg: "output new_sensitive" },
        },
      },
      "GET /v1/query/video_generation?task_id=3": {
        status: 200,
        body: {
          task_id: "3",
          status: "Queueing",
          file_id: "",
          base_resp: { status_code: 0, status_msg: "success" },
        },
      },
    });
    try {
      const v = createMinimaxVendor({ baseUrl: server.url, apiKey: "k" });
      expect(await v.create(input("On a distant planet, there is a MiniMax."))).toEqual({
        vendorTaskId: "106916112212032",
      });
      expect(await v.get("176843862716480")).toEqual({
        status: "SUCCESS",
        progress: 100,
        videoUrl:
          "https://public-cdn-video-data-algeng.oss-cn-wulanchabu.aliyuncs.com/output.mp4?Expires=1700501798",
        errorMessage: null,
        rawStatus: "Success",
      });
      expect(await v.get("1")).toMatchObject({ status: "QUEUED", rawStatus: "Preparing" });
      expect(await v.get("3")).toMatchObject({ status: "QUEUED", rawStatus: "Queueing" });
      expect(await v.get("2")).toEqual({
        status: "FAILURE",
        progress: null,
        videoUrl: null,
        errorMessage: "生成的视频涉及敏感内容（output new_sensitive） (minimax status_code 1027)",
        rawStatus: "Fail",
      });
    } finally {
      await server.close();
    }
  });

  it("reads the callback verification and the reports of the doc", () => {
    const v = createMinimaxVendor({ baseUrl: "https://api.minimaxi.com", apiKey: "k" });
    const verification = { challenge: "1a3cs1j-601a-118y-ch52-o48911eabc3u" };
    expect(minimaxCallbackChallenge(verification)).toBe("1a3cs1j-601a-118y-ch52-o48911eabc3u");
    expect(v.parseCallback!(verification)).toBeNull();
    const report = {
      task_id: "115334141465231360",
      status: "Success",
      file_id: "205258526306433",
      base_resp: { status_code: 0, status_msg: "success" },
    };
    expect(minimaxCallbackChallenge(report)).toBeNull();
    expect(v.parseCallback!(report)).toEqual({
      vendorTaskId: "115334141465231360",
      state: {
        status: "SUCCESS",
        progress: 100,
        videoUrl: "https://api.minimaxi.com/v1/files/retrieve?file_id=205258526306433",
        errorMessage: null,
        rawStatus: "Success",
      },
    });
    // Status reports also come lower-case.
    expect(v.parseCallback!({ ...report, status: "processing", file_id: "" })).toMatchObject({
      state: { status: "IN_PROGRESS", videoUrl: null },
    });
    expect(v.parseCallback!({ ...report, status: "failed", file_id: "" })).toMatchObject({
      state: { status: "FAILURE" },
    });
    expect(v.parseCallback!({ ...report, file_id: "" })).toBeNull();
  });
});

describe("MiniMax registration", () => {
  it("is configured by MINIMAX_API_KEY", () => {
    expect(configuredVendorNames({ MINIMAX_API_KEY: "k" }).has("minimax")).toBe(true);
    expect(configuredVendorNames({ MINIMAX_API_KEY: "" }).has("minimax")).toBe(false);
    expect(createVendors({ MINIMAX_API_KEY: "k" }).get("minimax")?.name).toBe("minimax");
  });
});
