import { describe, expect, it } from "vitest";
import { createArkVendor } from "../../src/vendors/ark-seedance.js";
import { startArkFake } from "../fakes/vendors/ark.js";
import { catalogModel, vendorContract } from "./contract.js";

const seedance = catalogModel("seedance-1-pro");

const { fake } = vendorContract({
  name: "Ark Seedance",
  start: startArkFake,
  make: (f, over = {}) =>
    createArkVendor({ baseUrl: f.url, apiKey: over.apiKey ?? f.apiKey, timeoutMs: over.timeoutMs ?? 5000 }),
  model: seedance,
  durationSec: 10,
  ratio: "1:1",
  reportsProgress: false,
});

describe("Ark wire format", () => {
  const base = { taskId: "task-1", model: seedance, prompt: "海浪轻轻拍打沙滩", durationSec: 10 };

  it("posts model, content[text], ratio, duration, resolution and watermark:false", async () => {
    const v = createArkVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    const { vendorTaskId } = await v.create({ ...base, ratio: "9:16", referenceImageUrl: null });
    expect(vendorTaskId).toMatch(/^cgt-\d{14}-[0-9a-f]{6}$/);
    const post = fake().requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/api/v3/contents/generations/tasks");
    expect(post?.body).toEqual({
      model: "doubao-seedance-1-0-pro-250528",
      content: [{ type: "text", text: "海浪轻轻拍打沙滩" }],
      ratio: "9:16",
      duration: 10,
      resolution: "720p",
      watermark: false,
    });
  });

  it("adds the reference image as a first_frame image_url item and honours modelName", async () => {
    const v = createArkVendor({
      baseUrl: `${fake().url}/api/v3/`,
      apiKey: fake().apiKey,
      modelName: "ep-20250101-abc",
    });
    await v.create({ ...base, ratio: "16:9", referenceImageUrl: "https://cdn.example.com/first.png" });
    const post = fake().requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/api/v3/contents/generations/tasks");
    expect(post?.body).toMatchObject({
      model: "ep-20250101-abc",
      content: [
        { type: "text", text: "海浪轻轻拍打沙滩" },
        { type: "image_url", image_url: { url: "https://cdn.example.com/first.png" }, role: "first_frame" },
      ],
    });
  });

  it("reads the vendor's parameter error as rejected", async () => {
    const v = createArkVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    await expect(
      v.create({ ...base, durationSec: 30, ratio: "9:16", referenceImageUrl: null }),
    ).rejects.toMatchObject({
      kind: "rejected",
      message: expect.stringMatching(/duration.*InvalidParameter/),
    });
  });

  it("answers 404 for an unknown task as rejected", async () => {
    const v = createArkVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    await expect(v.get("cgt-nope")).rejects.toMatchObject({ kind: "rejected" });
  });
});
