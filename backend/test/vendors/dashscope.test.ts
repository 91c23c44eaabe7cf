import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDashscopeVendor,
  wanModelId,
  wanSize,
  wanUsesMediaFormat,
} from "../../src/vendors/dashscope-wan.js";
import type { ModelDef, VendorCreateInput } from "../../src/vendors/types.js";
import { startDashscopeFake } from "../fakes/vendors/dashscope.js";
import { type FakeVendor, pngBytes, pngDataUri } from "../fakes/vendors/engine.js";
import { catalogModel, pollUntilDone, vendorContract, vendorErrorOf } from "./contract.js";

const wan26 = catalogModel("wan2.6");
const wan27 = catalogModel("wan2.7");

const make = (f: FakeVendor, over: { apiKey?: string; timeoutMs?: number } = {}) =>
  createDashscopeVendor({
    baseUrl: f.url,
    apiKey: over.apiKey ?? f.apiKey,
    timeoutMs: over.timeoutMs ?? 5000,
  });

const { fake } = vendorContract({
  name: "DashScope wan2.6 (size / img_url format)",
  start: startDashscopeFake,
  make,
  model: wan26,
  durationSec: 5,
  ratio: "16:9",
  resolution: "720p",
  reportsProgress: false,
  createScenarios: true,
  rateLimitRetryAfterMs: null,
});

vendorContract({
  name: "DashScope wan2.7 (resolution + ratio / media format)",
  start: startDashscopeFake,
  make,
  model: wan27,
  durationSec: 7,
  ratio: "9:16",
  resolution: "1080p",
  reportsProgress: false,
  createScenarios: true,
  rateLimitRetryAfterMs: null,
});

const input = (model: ModelDef, over: Partial<VendorCreateInput> = {}): VendorCreateInput => ({
  taskId: "task-1",
  model,
  prompt: "一只小猫在月光下奔跑",
  durationSec: 10,
  ratio: "9:16",
  resolution: "720p",
  referenceImageUrl: null,
  callbackUrl: null,
  ...over,
});
const vendor = () => make(fake());
const lastPost = () =>
  fake()
    .requests.filter((r) => r.method === "POST")
    .at(-1);

let images: Server;
let imagesUrl: string;
beforeAll(async () => {
  images = createServer((req, res) => {
    const m = /^\/img\/(\d+)x(\d+)\.png/.exec(req.url ?? "");
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const png = pngBytes(Number(m[1]), Number(m[2]));
    res.writeHead(200, { "content-type": "image/png", "content-length": png.length }).end(png);
  });
  await new Promise<void>((r) => images.listen(0, "127.0.0.1", r));
  imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
});
afterAll(async () => {
  images.closeAllConnections();
  await new Promise<void>((r) => images.close(() => r()));
});

describe("DashScope wire format", () => {
  it("wan2.6 text→video: X-DashScope-Async and a pixel size", async () => {
    await vendor().create(input(wan26));
    const post = lastPost();
    expect(post?.path).toBe("/api/v1/services/aigc/video-generation/video-synthesis");
    expect(post?.headers["x-dashscope-async"]).toBe("enable");
    expect(post?.body).toEqual({
      model: "wan2.6-t2v",
      input: { prompt: "一只小猫在月光下奔跑" },
      parameters: { size: "720*1280", duration: 10, prompt_extend: true, watermark: false },
    });
    await vendor().create(input(wan26, { ratio: "1:1", resolution: "1080p", durationSec: 15 }));
    expect(lastPost()?.body).toMatchObject({ parameters: { size: "1440*1440", duration: 15 } });
  });

  it("wan2.6 image→video: input.img_url (URL or data: URI) and a resolution tier", async () => {
    const data = pngDataUri(720, 1280);
    const { vendorTaskId } = await vendor().create(input(wan26, { referenceImageUrl: data }));
    expect(lastPost()?.body).toEqual({
      model: "wan2.6-i2v",
      input: { prompt: "一只小猫在月光下奔跑", img_url: data },
      parameters: { resolution: "720P", duration: 10, prompt_extend: true, watermark: false },
    });
    expect((await pollUntilDone(vendor(), vendorTaskId)).at(-1)?.status).toBe("SUCCESS");
  });

  it("wan2.7 text→video: resolution + ratio, no size", async () => {
    await vendor().create(input(wan27, { resolution: "1080p", durationSec: 12 }));
    expect(lastPost()?.body).toEqual({
      model: "wan2.7-t2v",
      input: { prompt: "一只小猫在月光下奔跑" },
      parameters: { resolution: "1080P", ratio: "9:16", duration: 12, prompt_extend: true, watermark: false },
    });
  });

  it("wan2.7 image→video: input.media first_frame by URL, no ratio (the video keeps the image's)", async () => {
    const url = `${imagesUrl}/img/1080x1920.png?Expires=1`;
    const { vendorTaskId } = await vendor().create(input(wan27, { referenceImageUrl: url }));
    expect(lastPost()?.body).toEqual({
      model: "wan2.7-i2v",
      input: { prompt: "一只小猫在月光下奔跑", media: [{ type: "first_frame", url }] },
      parameters: { resolution: "720P", duration: 10, prompt_extend: true, watermark: false },
    });
    expect((await pollUntilDone(vendor(), vendorTaskId)).at(-1)?.status).toBe("SUCCESS");
  });

  it("has wan2.7 refuse a data: URI in media (documented: a public URL)", async () => {
    const e = await vendorErrorOf(vendor().create(input(wan27, { referenceImageUrl: pngDataUri(720, 720) })));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/http\(s\) URL.*InvalidParameter/);
  });

  it.each([
    ["wider than 2000 px", 3000, 1000],
    ["smaller than 360 px", 300, 300],
  ])("has an image %s refused by the vendor", async (_what, w, h) => {
    const e = await vendorErrorOf(
      vendor().create(input(wan26, { referenceImageUrl: `${imagesUrl}/img/${w}x${h}.png` })),
    );
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/\[360, 2000\]/);
  });

  it("has the vendor check durations per model: wan2.6 5/10/15, wan2.7 2–15", async () => {
    const e = await vendorErrorOf(vendor().create(input(wan26, { durationSec: 7 })));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/duration.*InvalidParameter/);
    await expect(vendor().create(input(wan27, { durationSec: 7 }))).resolves.toHaveProperty("vendorTaskId");
  });

  it("treats task_status UNKNOWN (no such task / older than 24 h) as FAILURE", async () => {
    const s = await vendor().get("00000000-0000-0000-0000-000000000000");
    expect(s).toMatchObject({ status: "FAILURE", rawStatus: "UNKNOWN", videoUrl: null });
    expect(s.errorMessage).toBeTruthy();
  });

  it("reads a late content failure with a Chinese reason", async () => {
    const { vendorTaskId } = await vendor().create(input(wan26, { prompt: "a crowd #latefail" }));
    const last = (await pollUntilDone(vendor(), vendorTaskId)).at(-1);
    expect(last?.errorMessage).toMatch(/^内容审核未通过.*inappropriate content/);
  });

  it("offers no callbacks (DashScope's video API takes no callback URL)", () => {
    expect(vendor().parseCallback).toBeUndefined();
    expect(vendor().findByReference).toBeUndefined();
  });
});

describe("Wan model ids and sizes", () => {
  it("derives each mode's id from the catalog's vendorModel", () => {
    expect(wanModelId("wan2.7", "t2v")).toBe("wan2.7-t2v");
    expect(wanModelId("wan2.7", "i2v")).toBe("wan2.7-i2v");
    expect(wanModelId("wan2.6-t2v", "i2v")).toBe("wan2.6-i2v");
    expect(wanModelId("wan2.5-t2v-preview", "i2v")).toBe("wan2.5-i2v-preview");
  });

  it("uses the media format from wan2.7 on", () => {
    expect(wanUsesMediaFormat("wan2.7")).toBe(true);
    expect(wanUsesMediaFormat("wan3.0-t2v")).toBe(true);
    expect(wanUsesMediaFormat("wan2.6")).toBe(false);
    expect(wanUsesMediaFormat("wanx2.1-t2v-turbo")).toBe(false);
  });

  it("maps sizes per ratio and resolution", () => {
    expect(wanSize("9:16")).toBe("720*1280");
    expect(wanSize("16:9", "720p")).toBe("1280*720");
    expect(wanSize("1:1")).toBe("960*960");
    expect(wanSize("1:1", "1080p")).toBe("1440*1440");
    expect(wanSize("16:9", "480p")).toBe("832*480");
  });
});
