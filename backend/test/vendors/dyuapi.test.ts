import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchToFile } from "../../src/media/pipeline.js";
import { createDyuapiVendor } from "../../src/vendors/dyuapi-sora2.js";
import type { ModelDef, VendorCreateInput } from "../../src/vendors/types.js";
import { startDyuapiFake } from "../fakes/vendors/dyuapi.js";
import { PLACEHOLDER_MP4 } from "../fakes/vendors/engine.js";
import { catalogModel, pollUntilDone, vendorContract, vendorErrorOf } from "./contract.js";

const sora2 = catalogModel("sora2");
const sora2pro = catalogModel("sora2-pro");
/** A model of an OpenAI-shaped reseller: `seconds` and `size` on the wire. */
const openAiSora: ModelDef = { ...sora2, id: "sora-2-openai", vendorModel: "sora-2", durations: [4, 8, 12] };

const { fake } = vendorContract({
  name: "dyuapi (OpenAI /v1/videos reseller)",
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
  resolution: "720p",
  reportsProgress: true,
  createScenarios: true,
});

const input = (over: Partial<VendorCreateInput> = {}): VendorCreateInput => ({
  taskId: "task-1",
  model: sora2,
  prompt: "a cat flying a plane",
  durationSec: 10,
  ratio: "9:16",
  resolution: "720p",
  referenceImageUrl: null,
  callbackUrl: null,
  ...over,
});
const vendor = () => createDyuapiVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
const posts = () => fake().requests.filter((r) => r.method === "POST");

describe("dyuapi wire format", () => {
  it("posts {model, prompt} to /v1/videos with DyuAPI's name for duration and ratio", async () => {
    const v = createDyuapiVendor({ baseUrl: `${fake().url}/`, apiKey: fake().apiKey });
    await v.create(input({ durationSec: 15, ratio: "16:9" }));
    await v.create(input({ model: sora2pro, durationSec: 25 }));
    expect(posts().map((r) => r.path)).toEqual(["/v1/videos", "/v1/videos"]);
    expect(posts()[0]?.body).toEqual({ model: "sora2-landscape-15s", prompt: "a cat flying a plane" });
    expect(posts()[1]?.body).toEqual({ model: "sora2-pro-portrait-25s", prompt: "a cat flying a plane" });
    expect(posts()[0]?.headers["content-type"]).toBe("application/json");
  });

  it("passes the reference image as image_url (named style)", async () => {
    await vendor().create(input({ referenceImageUrl: "https://cdn.example.com/ref.png?sig=1" }));
    expect(posts().at(-1)?.body).toEqual({
      model: "sora2-portrait",
      prompt: "a cat flying a plane",
      image_url: "https://cdn.example.com/ref.png?sig=1",
    });
  });

  it("speaks the OpenAI style for any other model: seconds, size and input_reference", async () => {
    const { vendorTaskId } = await vendor().create(
      input({
        model: openAiSora,
        durationSec: 8,
        ratio: "16:9",
        referenceImageUrl: "https://cdn.example.com/r.png",
      }),
    );
    expect(posts().at(-1)?.body).toEqual({
      model: "sora-2",
      prompt: "a cat flying a plane",
      seconds: "8",
      size: "1280x720",
      input_reference: { image_url: "https://cdn.example.com/r.png" },
    });
    expect((await pollUntilDone(vendor(), vendorTaskId)).at(-1)?.status).toBe("SUCCESS");
  });

  it("has an OpenAI-style reseller refuse what the model cannot do (10 s)", async () => {
    const e = await vendorErrorOf(vendor().create(input({ model: openAiSora, durationSec: 10 })));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/seconds must be one of 4, 8, 12/);
  });

  it("takes the reseller's own names from DYUAPI_MODELS", async () => {
    const v = createDyuapiVendor({
      baseUrl: fake().url,
      apiKey: fake().apiKey,
      models: new Map([["sora2/10/9:16", "sora2-portrait-15s"]]),
    });
    await v.create(input());
    expect(posts().at(-1)?.body).toMatchObject({ model: "sora2-portrait-15s" });
  });

  it("rejects an unsupported duration or ratio before calling the vendor", async () => {
    const e1 = await vendorErrorOf(vendor().create(input({ durationSec: 25 })));
    expect(e1.kind).toBe("rejected");
    const e2 = await vendorErrorOf(vendor().create(input({ ratio: "1:1" })));
    expect(e2.kind).toBe("rejected");
    expect(fake().requests).toHaveLength(0);
  });

  it("answers 404 for an unknown task as rejected", async () => {
    const e = await vendorErrorOf(vendor().get("video_does-not-exist"));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/404/);
  });
});

describe("dyuapi download of the /content stream", () => {
  it("hands over /v1/videos/{id}/content when a finished task has no video_url; only download() can open it", async () => {
    const { vendorTaskId } = await vendor().create(input({ prompt: "a red kite #nourl" }));
    const last = (await pollUntilDone(vendor(), vendorTaskId)).at(-1)!;
    expect(last).toMatchObject({ status: "SUCCESS", rawStatus: "completed", progress: 100 });
    expect(last.videoUrl).toBe(`${fake().url}/v1/videos/${vendorTaskId}/content`);
    // Without the key the reseller refuses; through the vendor it streams MP4 bytes, not JSON.
    expect((await fetch(last.videoUrl!)).status).toBe(401);
    const res = await vendor().download!(last.videoUrl!, AbortSignal.timeout(5000));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await res.arrayBuffer()).equals(PLACEHOLDER_MP4)).toBe(true);
  });

  it("lets the media step fetch it through the vendor (fetchToFile's open hook)", async () => {
    const { vendorTaskId } = await vendor().create(input({ prompt: "a blue kite #nourl" }));
    const last = (await pollUntilDone(vendor(), vendorTaskId)).at(-1)!;
    const dir = await mkdtemp(path.join(tmpdir(), "dyuapi-"));
    try {
      const v = vendor();
      const file = path.join(dir, "source.mp4");
      const got = await fetchToFile(last.videoUrl!, file, {
        allowFileUrls: false,
        open: v.download?.bind(v),
      });
      expect(got).toMatchObject({ bytes: PLACEHOLDER_MP4.length, contentType: "video/mp4" });
      expect((await readFile(file)).equals(PLACEHOLDER_MP4)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("dyuapi parsing of reseller variants", () => {
  let server: Server;
  let url: string;
  let content: { status: number; headers?: Record<string, string>; body?: string };
  let task: unknown;
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? "", headers: req.headers });
      if (req.url?.endsWith("/content")) {
        res.writeHead(content.status, content.headers ?? {});
        res.end(content.body ?? "");
        return;
      }
      if (req.url?.startsWith("/cdn/")) {
        res.writeHead(200, { "content-type": "video/mp4" });
        res.end(PLACEHOLDER_MP4);
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

  const v = () => createDyuapiVendor({ baseUrl: url, apiKey: "sk-x-0123456789", timeoutMs: 2000 });

  it("unwraps {data:{…}}, reads '45%' progress and `url`", async () => {
    task = { code: 0, data: { id: "v1", status: "processing", progress: "45%" } };
    expect(await v().get("v1")).toMatchObject({ status: "IN_PROGRESS", progress: 45 });
    task = { data: { id: "v1", status: "success", url: "https://cdn.example.com/v1.mp4" } };
    expect(await v().get("v1")).toMatchObject({
      status: "SUCCESS",
      progress: 100,
      videoUrl: "https://cdn.example.com/v1.mp4",
    });
  });

  it("follows a reseller's /content JSON {url} to the file, without our key", async () => {
    content = {
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `http://localhost:${new URL(url).port}/cdn/v2.mp4` }),
    };
    seen.length = 0;
    const res = await v().download!(`${url}/v1/videos/v2/content`, AbortSignal.timeout(2000));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PLACEHOLDER_MP4)).toBe(true);
    expect(seen[0]?.headers.authorization).toBe("Bearer sk-x-0123456789");
    expect(seen[1]?.headers.authorization).toBeUndefined();
  });

  it("never sends our key to a CDN URL or across a redirect to another origin", async () => {
    seen.length = 0;
    await (
      await v().download!(`http://localhost:${new URL(url).port}/cdn/v3.mp4`, AbortSignal.timeout(2000))
    ).arrayBuffer();
    content = { status: 302, headers: { location: `http://localhost:${new URL(url).port}/cdn/v4.mp4` } };
    await (await v().download!(`${url}/v1/videos/v4/content`, AbortSignal.timeout(2000))).arrayBuffer();
    expect(seen.map((s) => s.headers.authorization)).toEqual([
      undefined,
      "Bearer sk-x-0123456789",
      undefined,
    ]);
  });

  it("passes a /content error status through for the media step to judge", async () => {
    content = {
      status: 404,
      headers: { "content-type": "application/json" },
      body: '{"error":{"message":"gone"}}',
    };
    expect((await v().download!(`${url}/v1/videos/v5/content`, AbortSignal.timeout(2000))).status).toBe(404);
  });

  it("reads a failed task's reason from error.message or fail_reason", async () => {
    task = { id: "v6", status: "failed", progress: 0, fail_reason: "Generation timeout" };
    expect(await v().get("v6")).toMatchObject({ status: "FAILURE", errorMessage: "Generation timeout" });
  });
});
