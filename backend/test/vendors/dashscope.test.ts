import { describe, expect, it } from "vitest";
import { createDashscopeVendor, wanSize } from "../../src/vendors/dashscope-wan.js";
import { startDashscopeFake } from "../fakes/vendors/dashscope.js";
import { catalogModel, vendorContract } from "./contract.js";

const wan = catalogModel("wan2.5");

const { fake } = vendorContract({
  name: "DashScope Wan",
  start: startDashscopeFake,
  make: (f, over = {}) =>
    createDashscopeVendor({
      baseUrl: f.url,
      apiKey: over.apiKey ?? f.apiKey,
      timeoutMs: over.timeoutMs ?? 5000,
    }),
  model: wan,
  durationSec: 10,
  ratio: "16:9",
  reportsProgress: false,
});

describe("DashScope wire format", () => {
  const base = { taskId: "task-1", model: wan, prompt: "一只小猫在月光下奔跑", durationSec: 10 };

  it("posts text→video with X-DashScope-Async and a pixel size", async () => {
    const v = createDashscopeVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    await v.create({ ...base, ratio: "9:16", referenceImageUrl: null });
    const post = fake().requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/api/v1/services/aigc/video-generation/video-synthesis");
    expect(post?.headers["x-dashscope-async"]).toBe("enable");
    expect(post?.body).toEqual({
      model: "wan2.5-t2v-preview",
      input: { prompt: "一只小猫在月光下奔跑" },
      parameters: { size: "720*1280", duration: 10, prompt_extend: true, watermark: false },
    });
  });

  it("posts image→video with input.img_url and a resolution tier", async () => {
    const v = createDashscopeVendor({ baseUrl: fake().url, apiKey: fake().apiKey, i2vModel: "wan2.6-i2v" });
    await v.create({ ...base, ratio: "16:9", referenceImageUrl: "https://cdn.example.com/cat.png" });
    const post = fake().requests.find((r) => r.method === "POST");
    expect(post?.body).toEqual({
      model: "wan2.6-i2v",
      input: { prompt: "一只小猫在月光下奔跑", img_url: "https://cdn.example.com/cat.png" },
      parameters: { resolution: "720P", duration: 10, prompt_extend: true, watermark: false },
    });
  });

  it("maps sizes per ratio", () => {
    expect(wanSize("9:16")).toBe("720*1280");
    expect(wanSize("16:9")).toBe("1280*720");
    expect(wanSize("1:1")).toBe("960*960");
    expect(wanSize("1:1", "1080P")).toBe("1440*1440");
  });

  it("treats task_status UNKNOWN (no such task / older than 24 h) as FAILURE", async () => {
    const v = createDashscopeVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    const s = await v.get("00000000-0000-0000-0000-000000000000");
    expect(s).toMatchObject({ status: "FAILURE", rawStatus: "UNKNOWN", videoUrl: null });
    expect(s.errorMessage).toBeTruthy();
  });

  it("reads the vendor's parameter error as rejected", async () => {
    const v = createDashscopeVendor({ baseUrl: fake().url, apiKey: fake().apiKey });
    await expect(
      v.create({ ...base, durationSec: 7, ratio: "9:16", referenceImageUrl: null }),
    ).rejects.toMatchObject({
      kind: "rejected",
      message: expect.stringMatching(/duration.*InvalidParameter/),
    });
  });
});
