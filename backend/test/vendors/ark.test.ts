import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arkTaskState, createArkVendor } from "../../src/vendors/ark-seedance.js";
import type { ModelDef, VendorCreateInput } from "../../src/vendors/types.js";
import { startArkFake } from "../fakes/vendors/ark.js";
import { pngBytes, pngDataUri } from "../fakes/vendors/engine.js";
import {
  catalogModel,
  pollUntilDone,
  startCallbackReceiver,
  vendorContract,
  vendorErrorOf,
} from "./contract.js";

const seedance = catalogModel("seedance-2.0");
const fast = catalogModel("seedance-2.0-fast");

const { fake } = vendorContract({
  name: "Ark Seedance 2.0",
  start: startArkFake,
  make: (f, over = {}) =>
    createArkVendor({ baseUrl: f.url, apiKey: over.apiKey ?? f.apiKey, timeoutMs: over.timeoutMs ?? 5000 }),
  model: seedance,
  durationSec: 5,
  ratio: "1:1",
  resolution: "720p",
  reportsProgress: false,
  createScenarios: true,
  callbacks: true,
});

const input = (over: Partial<VendorCreateInput> = {}): VendorCreateInput => ({
  taskId: "task-1",
  model: seedance,
  prompt: "海浪轻轻拍打沙滩",
  durationSec: 10,
  ratio: "9:16",
  resolution: "720p",
  referenceImageUrl: null,
  callbackUrl: null,
  ...over,
});
const vendor = () => createArkVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
const lastPost = () =>
  fake()
    .requests.filter((r) => r.method === "POST")
    .at(-1);

/** Serves PNGs at /img/{w}x{h}.png, like the signed link to a prepared reference. */
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

describe("Ark wire format (Seedance 2.0)", () => {
  it("posts the catalog's model id, content[text] and ratio/duration/resolution as body fields", async () => {
    const { vendorTaskId } = await vendor().create(input());
    expect(vendorTaskId).toMatch(/^cgt-\d{14}-[0-9a-f]{6}$/);
    const post = lastPost();
    expect(post?.path).toBe("/api/v3/contents/generations/tasks");
    expect(post?.body).toEqual({
      model: "doubao-seedance-2-0-260128",
      content: [{ type: "text", text: "海浪轻轻拍打沙滩" }],
      ratio: "9:16",
      duration: 10,
      resolution: "720p",
      watermark: false,
    });
  });

  it("sends callback_url when the task has one", async () => {
    await vendor().create(input({ callbackUrl: "http://127.0.0.1:9/api/v1/vendors/ark/callback/tok" }));
    expect(lastPost()?.body).toMatchObject({
      callback_url: "http://127.0.0.1:9/api/v1/vendors/ark/callback/tok",
    });
  });

  it("calls a model through the deployment's endpoint id when ARK_ENDPOINTS has one", async () => {
    const v = createArkVendor({
      baseUrl: `${fake().url}/api/v3/`,
      apiKey: fake().apiKey,
      endpoints: new Map([["doubao-seedance-2-0-260128", "ep-20260101-abc"]]),
    });
    await v.create(input());
    expect(lastPost()?.body).toMatchObject({ model: "ep-20260101-abc" });
  });

  it("adds a reference image given as a URL as a first_frame image_url item", async () => {
    const url = `${imagesUrl}/img/1280x720.png?sig=1`;
    const { vendorTaskId } = await vendor().create(input({ ratio: "16:9", referenceImageUrl: url }));
    expect(lastPost()?.body).toMatchObject({
      content: [
        { type: "text", text: "海浪轻轻拍打沙滩" },
        { type: "image_url", image_url: { url }, role: "first_frame" },
      ],
    });
    expect((await pollUntilDone(vendor(), vendorTaskId)).at(-1)?.status).toBe("SUCCESS");
  });

  it("accepts a data: URI reference, its format lower-cased as Ark requires", async () => {
    const data = pngDataUri(640, 480).replace("image/png", "image/PNG");
    await vendor().create(input({ ratio: "16:9", referenceImageUrl: data }));
    const body = lastPost()?.body as { content: { image_url?: { url: string } }[] } | undefined;
    const item = body?.content[1];
    expect(item?.image_url?.url.startsWith("data:image/png;base64,")).toBe(true);
  });

  it.each([
    ["too small", 200, 200, /\[300, 6000\]/],
    ["too wide", 1500, 500, /aspect ratio/],
  ])("has its image refused by the vendor when %s", async (_what, w, h, reason) => {
    const e = await vendorErrorOf(vendor().create(input({ referenceImageUrl: pngDataUri(w, h) })));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(reason);
    expect(e.message).toMatch(/InvalidParameter/);
  });

  it("takes 4–15 s on 2.0: 15 s goes through, 16 s is refused before sending", async () => {
    await vendor().create(input({ durationSec: 15 }));
    expect(lastPost()?.body).toMatchObject({ duration: 15 });
    fake().requests.length = 0;
    const e = await vendorErrorOf(vendor().create(input({ durationSec: 16 })));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/4–15 s/);
    expect(fake().requests).toHaveLength(0);
  });

  it("refuses 1080p on 2.0 fast before sending; 720p goes through", async () => {
    await vendor().create(input({ model: fast, resolution: "720p" }));
    expect(lastPost()?.body).toMatchObject({ model: "doubao-seedance-2-0-fast-260128", resolution: "720p" });
    fake().requests.length = 0;
    const e = await vendorErrorOf(vendor().create(input({ model: fast, resolution: "1080p" })));
    expect(e.kind).toBe("rejected");
    expect(fake().requests).toHaveLength(0);
  });

  it("has the vendor refuse what an endpoint id cannot do (the adapter does not know its model)", async () => {
    const endpoint: ModelDef = { ...seedance, vendorModel: "ep-20260101-abc" };
    const e = await vendorErrorOf(vendor().create(input({ model: endpoint, durationSec: 3 })));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/duration.*\[4, 15\].*InvalidParameter/);
  });

  it("answers the retired 1.0 pro model with a definitive 404", async () => {
    const retired: ModelDef = { ...seedance, vendorModel: "doubao-seedance-1-0-pro-250528" };
    const e = await vendorErrorOf(vendor().create(input({ model: retired })));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/InvalidEndpointOrModel\.NotFound/);
  });

  it("treats a paused model (429 SetLimitExceeded) as rejected, not as a rate limit", async () => {
    const e = await vendorErrorOf(vendor().create(input({ prompt: "paused #quota" })));
    expect(e.kind).toBe("rejected");
    expect(e.message).toMatch(/HTTP 429 SetLimitExceeded/);
  });

  it("answers 404 for an unknown task as rejected", async () => {
    await expect(vendor().get("cgt-nope")).rejects.toMatchObject({ kind: "rejected" });
  });

  it("retries a final callback 3 times when our receiver does not acknowledge it", async () => {
    const failing = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((r) => failing.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/cb`;
    try {
      const { vendorTaskId } = await vendor().create(input({ callbackUrl: url }));
      const finals = () => fake().callbacks.filter((c) => c.taskId === vendorTaskId && c.url === url);
      const deadline = Date.now() + 5000;
      while (
        Date.now() < deadline &&
        finals().filter((c) => arkTaskState(c.body as never).status === "SUCCESS").length < 4
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const words = finals().map((c) => (c.body as { status: string }).status);
      expect(words.filter((w) => w === "succeeded")).toHaveLength(4);
      expect(words.slice(0, 2)).toEqual(["queued", "running"]);
    } finally {
      failing.closeAllConnections();
      await new Promise<void>((r) => failing.close(() => r()));
    }
  });

  it("reads a failed callback as FAILURE with a Chinese reason", async () => {
    const receiver = await startCallbackReceiver();
    try {
      const v = vendor();
      const { vendorTaskId } = await v.create(
        input({ prompt: "a late problem #latefail", callbackUrl: receiver.url }),
      );
      const deadline = Date.now() + 5000;
      while (
        Date.now() < deadline &&
        !receiver.bodies.some((b) => (b as { status: string }).status === "failed")
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const failed = v.parseCallback!(receiver.bodies.at(-1));
      expect(failed).toMatchObject({ vendorTaskId, state: { status: "FAILURE", videoUrl: null } });
      expect(failed?.state.errorMessage).toMatch(
        /^生成的视频可能包含敏感信息.*output video may contain sensitive/,
      );
    } finally {
      await receiver.close();
    }
  });
});
