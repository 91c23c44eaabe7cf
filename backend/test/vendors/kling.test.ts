/**
 * The Kling adapter against its fake (every scenario of the issue), and a contract test that replays bodies
 * shaped exactly like the official documentation's examples:
 * - https://app.klingai.com/cn/dev/document-api (text2video / image2video create and query, callback
 *   protocol, error codes; copies: github.com/WHQ25/rawgenai docs/research/kling/{text-to-video,
 *   image-to-video,callback-protocol}.md and github.com/inference-sh/grid api/klingai/docs/00-general.md);
 * - a failed task as Kling really answers it (`message` SUCCEED, the reason in task_status_msg):
 *   https://github.com/QuantumNous/new-api/pull/2532.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { configuredVendorNames, createVendors } from "../../src/vendors/index.js";
import {
  createKlingVendor,
  klingErrorKind,
  klingImage,
  klingToken,
  parseKlingCallback,
} from "../../src/vendors/kling.js";
import type { VendorCreateInput } from "../../src/vendors/types.js";
import { type KlingFake, startKlingFake } from "../fakes/vendors/kling.js";
import { catalogModel, pollUntilDone, transportCases, vendorErrorOf } from "./contract.js";

/** The catalog's own model (config/models.ts), so the test sends what production sends. */
const model = catalogModel("kling-v2.6");

let taskSeq = 0;
const input = (prompt: string, over: Partial<VendorCreateInput> = {}): VendorCreateInput => ({
  taskId: `task-${process.pid}-${taskSeq++}`,
  model,
  prompt,
  durationSec: 5,
  ratio: "9:16",
  resolution: "720p",
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
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const decode = (segment: string | undefined) =>
  JSON.parse(Buffer.from(segment ?? "", "base64url").toString());

describe("Kling adapter against its fake", () => {
  let fake: KlingFake;
  const make = (over: { secretKey?: string; accessKey?: string; timeoutMs?: number } = {}) =>
    createKlingVendor({
      baseUrl: fake.url,
      accessKey: over.accessKey ?? fake.accessKey,
      secretKey: over.secretKey ?? fake.secretKey,
      timeoutMs: over.timeoutMs ?? 5000,
    });

  beforeAll(async () => {
    fake = await startKlingFake({ pollsToSuccess: 4, callbackIntervalMs: null });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode("normal");
    fake.setPollFailures(0, 500);
    fake.setPollsToSuccess(4);
    fake.setResultTtlMs(30 * 24 * 3600 * 1000);
    fake.requests.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("creates a text→video task and polls it to SUCCESS with a downloadable video URL", async () => {
    const v = make();
    const req = input("一只柯基在海边奔跑，电影感", { durationSec: 10, ratio: "16:9", resolution: "1080p" });
    const { vendorTaskId } = await v.create(req);
    expect(vendorTaskId).toMatch(/^\d{18}$/);
    const post = fake.requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/v1/videos/text2video");
    expect(post?.body).toEqual({
      model_name: "kling-v2-6",
      prompt: "一只柯基在海边奔跑，电影感",
      duration: "10",
      mode: "pro",
      aspect_ratio: "16:9",
      external_task_id: req.taskId,
    });
    const states = await pollUntilDone(v, vendorTaskId);
    expect(states.map((s) => s.rawStatus)).toEqual([
      "submitted",
      "processing",
      "processing",
      "processing",
      "succeed",
    ]);
    expect(states.map((s) => s.status)).toEqual([
      "QUEUED",
      "IN_PROGRESS",
      "IN_PROGRESS",
      "IN_PROGRESS",
      "SUCCESS",
    ]);
    expect(states.slice(0, -1).every((s) => s.progress === null)).toBe(true);
    const last = states.at(-1)!;
    expect(last).toMatchObject({ status: "SUCCESS", progress: 100, errorMessage: null });
    const file = await fetch(last.videoUrl!);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(fake.requests.every((r) => !r.path.startsWith("/v1/videos/image2video"))).toBe(true);
  });

  it("sends image→video to /image2video with the image as raw Base64 and no aspect_ratio", async () => {
    const v = make();
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAUA";
    const { vendorTaskId } = await v.create(
      input("让照片里的人挥手", { referenceImageUrl: `data:image/png;base64,${png}` }),
    );
    const post = fake.requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/v1/videos/image2video");
    expect(post?.body).toMatchObject({ model_name: "kling-v2-6", image: png, duration: "5", mode: "std" });
    expect(post?.body).not.toHaveProperty("aspect_ratio");
    expect((await v.get(vendorTaskId)).status).toBe("QUEUED");
    expect(fake.requests.at(-1)?.path).toBe(`/v1/videos/image2video/${vendorTaskId}`);

    // Another process (no memory of the create) finds the task's path by asking text2video first.
    const other = make();
    const states = await pollUntilDone(other, vendorTaskId);
    expect(states.at(-1)?.status).toBe("SUCCESS");
    const paths = fake.requests.filter((r) => r.method === "GET").map((r) => r.path.split("/")[3]);
    expect(paths.filter((p) => p === "text2video")).toHaveLength(1);
  });

  it("passes an image URL through unchanged", async () => {
    expect(klingImage("https://cdn.example.com/a.jpg")).toBe("https://cdn.example.com/a.jpg");
    expect(klingImage("data:image/jpeg;base64,/9j/4AAQ")).toBe("/9j/4AAQ");
  });

  it("signs a JWT the fake verifies: HS256, iss = AccessKey, exp = now + 1800, nbf = now − 5", async () => {
    const v = make();
    const before = Math.floor(Date.now() / 1000);
    const { vendorTaskId } = await v.create(input("a quiet lake at dawn"));
    await v.get(vendorTaskId);
    const auths = fake.requests.map((r) => String(r.headers.authorization));
    expect(auths).toHaveLength(2);
    expect(new Set(auths).size).toBe(1); // the token is reused
    const [header, payload] = (auths[0] ?? "").replace(/^Bearer /, "").split(".");
    expect(decode(header)).toEqual({ alg: "HS256", typ: "JWT" });
    const claims = decode(payload) as { iss: string; exp: number; nbf: number };
    expect(claims.iss).toBe(fake.accessKey);
    expect(claims.exp - claims.nbf).toBe(1805);
    expect(claims.nbf).toBeGreaterThanOrEqual(before - 5);
    expect(claims.nbf).toBeLessThanOrEqual(before - 4);
  });

  it("renews the token before it expires", async () => {
    const v = make();
    const { vendorTaskId } = await v.create(input("a paper lantern"));
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 26 * 60 * 1000);
    // The fake checks exp against the real clock: a token signed 26 min "later" is still valid for it.
    await v.get(vendorTaskId);
    const [first, second] = fake.requests.map((r) => String(r.headers.authorization));
    expect(second).not.toBe(first);
  });

  it("is refused for a wrong secret, a wrong access key or an expired token (401 1000–1004: rejected)", async () => {
    const wrongSecret = "SK-wrong-secret-that-must-not-leak-1234";
    const e = await vendorErrorOf(make({ secretKey: wrongSecret }).create(input("anything")));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/HTTP 401 1000/);
    expect(e.message).not.toContain(wrongSecret);
    const g = await vendorErrorOf(make({ accessKey: "AK-someone-else" }).get("123"));
    expect(g).toMatchObject({ kind: "rejected", message: expect.stringMatching(/401 1000/) });

    const stale = klingToken(fake.accessKey, fake.secretKey, Date.now() - 31 * 60 * 1000);
    const res = await fetch(`${fake.url}/v1/videos/text2video/1`, {
      headers: { authorization: `Bearer ${stale}` },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: number }).code).toBe(1004);
    const early = klingToken(fake.accessKey, fake.secretKey, Date.now() + 60_000);
    const res2 = await fetch(`${fake.url}/v1/videos/text2video/1`, {
      headers: { authorization: `Bearer ${early}` },
    });
    expect(((await res2.json()) as { code: number }).code).toBe(1003);
    const none = await fetch(`${fake.url}/v1/videos/text2video/1`);
    expect(((await none.json()) as { code: number }).code).toBe(1001);
  });

  it("turns a content rejection at create into VendorError rejected with Kling's message", async () => {
    const e = await vendorErrorOf(make().create(input("a famous person dancing #reject")));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/risk control.*kling HTTP 400 1301/);
  });

  it("reads the vendor's parameter error as rejected", async () => {
    const e = await vendorErrorOf(make().create(input("too long", { durationSec: 7 })));
    expect(e).toMatchObject({ kind: "rejected", message: expect.stringMatching(/duration.*400 1201/) });
  });

  it("reports a late failure as FAILURE with task_status_msg", async () => {
    const v = make();
    const { vendorTaskId } = await v.create(input("a street scene #latefail"));
    const last = (await pollUntilDone(v, vendorTaskId)).at(-1)!;
    expect(last).toMatchObject({ status: "FAILURE", videoUrl: null, rawStatus: "failed" });
    expect(last.errorMessage).toMatch(/risk control.*sensitive/);
  });

  it("treats arrears and an exhausted resource pack (429 1101 / 1102) as definitive", async () => {
    const before = fake.tasks.size;
    for (const tag of ["#arrears", "#quota"]) {
      const e = await vendorErrorOf(make().create(input(`a cat ${tag}`)));
      expect(e.kind).toBe("rejected");
      expect(e.retryAfterMs).toBeNull();
      expect(e.message).toMatch(/HTTP 429 110[12]/);
    }
    expect(fake.tasks.size).toBe(before);
  });

  it("treats true rate limits (429 1302 / 1303) as transient, with Retry-After or a 1 s back-off", async () => {
    const r = await vendorErrorOf(make().create(input("a cat #ratelimit")));
    expect(r).toMatchObject({ kind: "transient", retryAfterMs: 3000 });
    const c = await vendorErrorOf(make().create(input("a cat #concurrency")));
    expect(c).toMatchObject({ kind: "transient", retryAfterMs: 1000 });

    const v = make();
    const { vendorTaskId } = await v.create(input("clouds over mountains"));
    fake.setPollFailures(2, 429, 7);
    for (let i = 0; i < 2; i++) {
      const e = await vendorErrorOf(v.get(vendorTaskId));
      expect(e).toMatchObject({ kind: "transient", retryAfterMs: 7000 });
    }
    expect((await v.get(vendorTaskId)).status).toBe("QUEUED");
  });

  it("treats 5xx (5000–5002) as transient at create and while polling", async () => {
    const c = await vendorErrorOf(make().create(input("a cat #5xx")));
    expect(c).toMatchObject({ kind: "transient", message: expect.stringMatching(/HTTP 500 5000/) });
    const v = make();
    const { vendorTaskId } = await v.create(input("rain on a window"));
    for (const status of [500, 503, 504]) {
      fake.setPollFailures(1, status);
      const e = await vendorErrorOf(v.get(vendorTaskId));
      expect(e).toMatchObject({ kind: "transient", retryAfterMs: null });
      expect(e.message).toContain(String(status));
    }
    expect((await pollUntilDone(v, vendorTaskId)).at(-1)?.status).toBe("SUCCESS");
  });

  transportCases({ make: (over) => make(over), fake: () => fake, input: (prompt) => input(prompt) });

  it("reads the result URL from Kling on every get (media expire: Kling clears them after 30 days)", async () => {
    const v = make();
    const { vendorTaskId } = await v.create(input("a night market"));
    fake.setPollsToSuccess(1);
    fake.setResultTtlMs(0);
    const expired = (await pollUntilDone(v, vendorTaskId)).at(-1)!;
    expect(expired.status).toBe("SUCCESS");
    expect((await fetch(expired.videoUrl!)).status).toBe(403);
    fake.setResultTtlMs(60_000);
    const again = await v.get(vendorTaskId);
    expect(again.videoUrl).not.toBe(expired.videoUrl);
    expect((await fetch(again.videoUrl!)).status).toBe(200);
  });

  it("finds a create whose answer was dropped by its external_task_id, and Kling refuses a second one", async () => {
    const v = make();
    const lost = input("accepted, answer dropped #drop");
    const before = fake.tasks.size;
    const e = await vendorErrorOf(v.create(lost));
    expect(e.kind).toBe("unanswered");
    expect(fake.tasks.size).toBe(before + 1);
    const stored = [...fake.tasks.values()].at(-1)!;

    const found = await make().findByReference!(lost.taskId);
    expect(found).toEqual({ vendorTaskId: stored.id });
    expect((await pollUntilDone(make(), stored.id)).at(-1)?.status).toBe("SUCCESS");

    const again = await vendorErrorOf(v.create({ ...lost, prompt: "accepted, answer dropped" }));
    expect(again).toMatchObject({ kind: "rejected", message: expect.stringMatching(/already exists/) });
    expect(fake.tasks.size).toBe(before + 1);
  });

  it("finds an image→video task by reference too, and answers null when Kling has none", async () => {
    const v = make();
    const req = input("a dog", { referenceImageUrl: "https://cdn.example.com/dog.png" });
    const { vendorTaskId } = await v.create(req);
    expect(await make().findByReference!(req.taskId)).toEqual({ vendorTaskId });
    expect(await make().findByReference!("task-never-sent")).toBeNull();
  });

  it("sends callback_url, and the callbacks Kling posts there alone bring a task to SUCCESS", async () => {
    const hook = await receiver((_req, _body, res) => {
      res.writeHead(200).end("ok");
    });
    try {
      const v = make();
      const ok = input("a blue kite", { callbackUrl: `${hook.url}/api/v1/vendors/kling/callback/t1` });
      const bad = input("a red kite #latefail", {
        callbackUrl: `${hook.url}/api/v1/vendors/kling/callback/t2`,
      });
      const done = await v.create(ok);
      const failed = await v.create(bad);
      const posted = fake.requests.filter((r) => r.method === "POST").map((r) => r.body);
      expect(posted.map((b) => (b as { callback_url: string }).callback_url)).toEqual([
        ok.callbackUrl,
        bad.callbackUrl,
      ]);
      fake.requests.length = 0;

      for (let i = 0; i < 8; i++) await fake.deliverCallback(done.vendorTaskId);
      const reports = hook.received.map((b) => make().parseCallback!(b));
      expect(reports.map((r) => r?.state.status)).toEqual(["QUEUED", "IN_PROGRESS", "SUCCESS"]);
      const success = reports.at(-1)!;
      expect(success).toMatchObject({
        vendorTaskId: done.vendorTaskId,
        state: { status: "SUCCESS", progress: 100, rawStatus: "succeed" },
      });
      expect((await fetch(success.state.videoUrl!)).status).toBe(200);
      expect(fake.requests.filter((r) => r.path.startsWith("/v1/videos/"))).toHaveLength(0); // no poll

      for (let i = 0; i < 8; i++) await fake.deliverCallback(failed.vendorTaskId);
      expect(make().parseCallback!(hook.received.at(-1))).toMatchObject({
        vendorTaskId: failed.vendorTaskId,
        state: { status: "FAILURE", errorMessage: expect.stringMatching(/risk control/) },
      });
    } finally {
      await hook.close();
    }
  });

  it("turns a refused connection into VendorError transient", async () => {
    const closed = await startKlingFake();
    await closed.close();
    const v = createKlingVendor({ baseUrl: closed.url, accessKey: "ak", secretKey: "sk" });
    const e = await vendorErrorOf(v.create(input("anything")));
    expect(e).toMatchObject({ kind: "transient", message: expect.stringMatching(/network error/) });
  });
});

describe("Kling error codes", () => {
  it.each([
    [1000, "rejected"],
    [1001, "rejected"],
    [1002, "rejected"],
    [1003, "rejected"],
    [1004, "rejected"],
    [1100, "rejected"],
    [1101, "rejected"],
    [1102, "rejected"],
    [1103, "rejected"],
    [1200, "rejected"],
    [1201, "rejected"],
    [1202, "rejected"],
    [1203, "rejected"],
    [1300, "rejected"],
    [1301, "rejected"],
    [1302, "transient"],
    [1303, "transient"],
    [1304, "rejected"],
    [5000, "transient"],
    [5001, "transient"],
    [5002, "transient"],
    [4242, null],
  ] as const)("%i → %s", (code, kind) => {
    expect(klingErrorKind(code)).toBe(kind);
  });
});

/** Answers recorded bodies: `routes["GET /v1/videos/text2video/1"] = {status, body, headers}`. */
async function replay(
  routes: Record<string, { status: number; body: unknown; headers?: Record<string, string> }>,
) {
  return receiver((req, _body, res) => {
    const route = routes[`${req.method} ${req.url}`];
    if (!route) return res.writeHead(404, { "content-type": "application/json" }).end('{"code":1202}');
    res.writeHead(route.status, { "content-type": "application/json", ...route.headers });
    res.end(JSON.stringify(route.body));
  });
}

describe("Kling contract: documented bodies", () => {
  // Create response (text2video / image2video doc pages).
  const created = {
    code: 0,
    message: "SUCCEED",
    request_id: "3f2a1c4e-8b0d-4d2e-9a61-0c7d5e8f1a22",
    data: {
      task_id: "867283741759111202",
      task_status: "submitted",
      task_info: { external_task_id: "task-0001" },
      created_at: 1722769557708,
      updated_at: 1722769557708,
    },
  };
  // Query response of a finished task (text2video doc page, "查询任务（单个）").
  const succeeded = {
    code: 0,
    message: "SUCCEED",
    request_id: "a1b2c3d4-0000-4000-8000-000000000001",
    data: {
      task_id: "867283741759111202",
      task_status: "succeed",
      task_status_msg: "",
      task_info: { external_task_id: "task-0001" },
      task_result: {
        videos: [
          {
            id: "f0c8a9b2-1111-4222-8333-944455556666",
            url: "https://v1-kling.kechuangai.com/bs2/upload-ylab-stunt/se/ai_portal_queue_mmu_txt2video_aiweb/abc.mp4",
            watermark_url: "https://v1-kling.kechuangai.com/bs2/upload-ylab-stunt/se/abc_wm.mp4",
            duration: "5.1",
          },
        ],
      },
      watermark_info: { enabled: false },
      final_unit_deduction: "2",
      created_at: 1722769557708,
      updated_at: 1722769623155,
    },
  };
  // A failed task as Kling answers it (new-api PR #2532).
  const failed = {
    code: 0,
    data: {
      task_id: "833446756000000001",
      task_info: {},
      created_at: 1766737710125,
      updated_at: 1766737711775,
      task_result: {},
      task_status: "failed",
      task_status_msg: "Image pixel is invalid",
    },
    message: "SUCCEED",
    request_id: "ace7625a-3e18-49aa-abc4-000000000000",
  };

  it("reads the create, query and error bodies of the doc through the adapter", async () => {
    const server = await replay({
      "POST /v1/videos/text2video": { status: 200, body: created },
      "GET /v1/videos/text2video/867283741759111202": { status: 200, body: succeeded },
      "GET /v1/videos/text2video/833446756000000001": {
        status: 404,
        body: { code: 1203, message: "not found" },
      },
      "GET /v1/videos/image2video/833446756000000001": { status: 200, body: failed },
      "POST /v1/videos/image2video": {
        status: 429,
        body: { code: 1102, message: "resource pack exhausted", request_id: "r-1" },
      },
    });
    try {
      const v = createKlingVendor({ baseUrl: server.url, accessKey: "ak", secretKey: "sk" });
      expect(await v.create(input("a corgi", { taskId: "task-0001" }))).toEqual({
        vendorTaskId: "867283741759111202",
      });
      expect(await v.get("867283741759111202")).toEqual({
        status: "SUCCESS",
        progress: 100,
        videoUrl: succeeded.data.task_result.videos[0]?.url,
        errorMessage: null,
        rawStatus: "succeed",
      });
      expect(await v.get("833446756000000001")).toEqual({
        status: "FAILURE",
        progress: null,
        videoUrl: null,
        errorMessage: "Image pixel is invalid",
        rawStatus: "failed",
      });
      const e = await vendorErrorOf(v.create(input("x", { referenceImageUrl: "https://a.example/x.png" })));
      expect(e).toMatchObject({ kind: "rejected", message: "resource pack exhausted (kling HTTP 429 1102)" });
    } finally {
      await server.close();
    }
  });

  it("reads both callback shapes: the bare task object and the query's envelope", () => {
    // Callback protocol page: the task object itself.
    const bare = {
      task_id: "867283741759111202",
      task_status: "succeed",
      task_status_msg: "",
      task_info: { parent_video: { id: "", url: "", duration: "" }, external_task_id: "task-0001" },
      created_at: 1722769557708,
      updated_at: 1722769623155,
      task_result: { images: [], videos: [{ id: "v1", url: "https://cdn.example/k.mp4", duration: "5.1" }] },
    };
    expect(parseKlingCallback(bare)).toEqual({
      vendorTaskId: "867283741759111202",
      state: {
        status: "SUCCESS",
        progress: 100,
        videoUrl: "https://cdn.example/k.mp4",
        errorMessage: null,
        rawStatus: "succeed",
      },
    });
    // General-information page: {code, message, request_id, data:{…}}.
    expect(
      parseKlingCallback({
        code: 0,
        message: "SUCCEED",
        request_id: "r",
        data: { ...bare, task_status: "processing" },
      }),
    ).toMatchObject({
      vendorTaskId: "867283741759111202",
      state: { status: "IN_PROGRESS", videoUrl: null },
    });
    expect(parseKlingCallback({ hello: "world" })).toBeNull();
    expect(parseKlingCallback("not json")).toBeNull();
  });
});

describe("Kling registration", () => {
  it("is configured only with both keys of the pair", () => {
    expect(configuredVendorNames({ KLING_ACCESS_KEY: "ak", KLING_SECRET_KEY: "sk" }).has("kling")).toBe(true);
    expect(configuredVendorNames({ KLING_ACCESS_KEY: "ak", KLING_SECRET_KEY: " " }).has("kling")).toBe(false);
    expect(configuredVendorNames({ KLING_SECRET_KEY: "sk" }).has("kling")).toBe(false);
    expect(createVendors({ KLING_ACCESS_KEY: "ak", KLING_SECRET_KEY: "sk" }).get("kling")?.name).toBe(
      "kling",
    );
    expect(createVendors({ KLING_ACCESS_KEY: "ak" }).has("kling")).toBe(false);
  });
});
