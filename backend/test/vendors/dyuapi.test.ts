import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDyuapiVendor } from "../../src/vendors/dyuapi-sora2.js";
import { startDyuapiFake } from "../fakes/vendors/dyuapi.js";
import { catalogModel, pollUntilDone, vendorContract, vendorErrorOf } from "./contract.js";

const sora2 = catalogModel("sora2");
const sora2pro = catalogModel("sora2-pro");

const { fake } = vendorContract({
  name: "dyuapi (Sora 2)",
  start: startDyuapiFake,
  make: (f, over = {}) =>
    createDyuapiVendor({
      baseUrl: f.url,
      apiKey: over.apiKey ?? f.apiKey,
      timeoutMs: over.timeoutMs ?? 5000,
    }),
  model: sora2,
  durationSec: 10,
  ratio: "9:16",
  reportsProgress: true,
});

describe("dyuapi wire format", () => {
  const base = {
    taskId: "task-1",
    prompt: "a cat flying a plane",
    referenceImageUrl: null,
  };

  it("posts {model, prompt} to /v1/videos with the model name from duration and ratio", async () => {
    const v = createDyuapiVendor({ baseUrl: `${fake().url}/`, apiKey: fake().apiKey });
    await v.create({ ...base, model: sora2, durationSec: 15, ratio: "16:9" });
    await v.create({ ...base, model: sora2pro, durationSec: 25, ratio: "9:16" });
    const posts = fake().requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.path)).toEqual(["/v1/videos", "/v1/videos"]);
    expect(posts[0]!.body).toEqual({ model: "sora2-landscape-15s", prompt: "a cat flying a plane" });
    expect(posts[1]!.body).toEqual({ model: "sora2-pro-portrait-25s", prompt: "a cat flying a plane" });
    expect(posts[0]!.headers["content-type"]).toBe("application/json");
  });

  it("passes the reference image as image_url", async () => {
    const v = createDyuapiVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    await v.create({
      ...base,
      model: sora2,
      durationSec: 10,
      ratio: "9:16",
      referenceImageUrl: "https://cdn.example.com/ref.png?sig=1",
    });
    const post = fake().requests.find((r) => r.method === "POST");
    expect(post?.body).toEqual({
      model: "sora2-portrait",
      prompt: "a cat flying a plane",
      image_url: "https://cdn.example.com/ref.png?sig=1",
    });
  });

  it("rejects an unsupported duration or ratio before calling the vendor", async () => {
    const v = createDyuapiVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    const e1 = await vendorErrorOf(v.create({ ...base, model: sora2, durationSec: 25, ratio: "9:16" }));
    expect(e1.kind).toBe("rejected");
    const e2 = await vendorErrorOf(v.create({ ...base, model: sora2, durationSec: 10, ratio: "1:1" }));
    expect(e2.kind).toBe("rejected");
    expect(fake().requests).toHaveLength(0);
  });

  it("falls back to /v1/videos/{id}/content when a finished task has no video_url", async () => {
    const v = createDyuapiVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    const { vendorTaskId } = await v.create({
      ...base,
      prompt: "a red kite #nourl",
      model: sora2,
      durationSec: 10,
      ratio: "9:16",
    });
    const states = await pollUntilDone(v, vendorTaskId);
    expect(states.at(-1)).toMatchObject({ status: "SUCCESS", rawStatus: "completed" });
    expect(states.at(-1)!.videoUrl).toContain(`/files/${vendorTaskId}.mp4`);
    expect(fake().requests.some((r) => r.path === `/v1/videos/${vendorTaskId}/content`)).toBe(true);
  });

  it("answers 404 for an unknown task as rejected", async () => {
    const v = createDyuapiVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    const e = await vendorErrorOf(v.get("video_does-not-exist"));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/404/);
  });
});

describe("dyuapi parsing of reseller variants", () => {
  let server: Server;
  let url: string;
  let content: { status: number; headers?: Record<string, string>; body?: string };
  let task: unknown;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.endsWith("/content")) {
        res.writeHead(content.status, content.headers ?? {});
        res.end(content.body ?? "");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(task));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const vendor = () => createDyuapiVendor({ baseUrl: url, apiKey: "sk-x", timeoutMs: 2000 });

  it("unwraps {data:{…}}, reads task_id-less bodies, '45%' progress and `url`", async () => {
    task = { code: 0, data: { id: "v1", status: "processing", progress: "45%" } };
    expect(await vendor().get("v1")).toMatchObject({ status: "IN_PROGRESS", progress: 45 });
    task = { data: { id: "v1", status: "success", url: "https://cdn.example.com/v1.mp4" } };
    expect(await vendor().get("v1")).toMatchObject({
      status: "SUCCESS",
      progress: 100,
      videoUrl: "https://cdn.example.com/v1.mp4",
    });
  });

  it("follows a /content redirect for the URL without downloading it", async () => {
    task = { id: "v2", status: "completed", progress: 100, video_url: null };
    content = { status: 302, headers: { location: "https://cdn.example.com/v2.mp4?se=1" } };
    expect(await vendor().get("v2")).toMatchObject({
      status: "SUCCESS",
      videoUrl: "https://cdn.example.com/v2.mp4?se=1",
    });
  });

  it("fails a finished task whose URL cannot be had (no video_url, /content 404)", async () => {
    task = { id: "v3", status: "completed", progress: 100 };
    content = {
      status: 404,
      headers: { "content-type": "application/json" },
      body: '{"error":{"message":"nope"}}',
    };
    const s = await vendor().get("v3");
    expect(s.status).toBe("FAILURE");
    expect(s.errorMessage).toBeTruthy();
  });

  it("keeps /content 5xx transient", async () => {
    task = { id: "v4", status: "completed", progress: 100 };
    content = { status: 503, body: "busy" };
    await expect(vendor().get("v4")).rejects.toMatchObject({ kind: "transient" });
  });

  it("reads a failed task's reason from error.message or fail_reason", async () => {
    task = { id: "v5", status: "failed", progress: 0, fail_reason: "Generation timeout" };
    expect(await vendor().get("v5")).toMatchObject({
      status: "FAILURE",
      errorMessage: "Generation timeout",
    });
  });
});
