import type { Ratio } from "@skyriff/contracts";
import { describe, expect, it } from "vitest";
import { loadModels } from "../config/models.js";
import { classifyResellerError, resellerCreateBody, selectSoraModel } from "./dyuapi-sora2.js";
import { type ModelDef, VendorError } from "./types.js";

const models = loadModels({
  configuredVendors: new Set(["dyuapi", "ark", "dashscope", "kling", "minimax"]),
  disabled: new Set(),
});
const byId = (id: string): ModelDef => {
  const m = models.find((x) => x.id === id);
  if (!m) throw new Error(id);
  return m;
};

function rejected(fn: () => unknown): VendorError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VendorError);
    expect((err as VendorError).kind).toBe("rejected");
    return err as VendorError;
  }
  throw new Error("expected VendorError");
}

describe("selectSoraModel", () => {
  it.each([
    ["sora2", 10, "9:16", "sora2-portrait"],
    ["sora2", 10, "16:9", "sora2-landscape"],
    ["sora2", 15, "9:16", "sora2-portrait-15s"],
    ["sora2", 15, "16:9", "sora2-landscape-15s"],
    ["sora2-pro", 25, "9:16", "sora2-pro-portrait-25s"],
    ["sora2-pro", 25, "16:9", "sora2-pro-landscape-25s"],
    ["sora2-pro", 15, "9:16", "sora2-pro-portrait-hd-15s"],
    ["sora2-pro", 15, "16:9", "sora2-pro-landscape-hd-15s"],
  ] as const)("%s %i s %s → %s", (id, duration, ratio, name) => {
    expect(selectSoraModel(byId(id), duration, ratio)).toBe(name);
  });

  it("covers every duration × ratio the catalog offers for the dyuapi models", () => {
    for (const m of models.filter((x) => x.vendor === "dyuapi")) {
      for (const d of m.durations)
        for (const r of m.ratios) expect(selectSoraModel(m, d, r)).toMatch(/^sora2-/);
    }
  });

  it("rejects 1:1 (no square Sora model)", () => {
    expect(rejected(() => selectSoraModel(byId("sora2"), 10, "1:1" as Ratio)).message).toMatch(/1:1/);
  });

  it("rejects durations the model does not have", () => {
    rejected(() => selectSoraModel(byId("sora2"), 25, "9:16"));
    rejected(() => selectSoraModel(byId("sora2"), 5, "9:16"));
    rejected(() => selectSoraModel(byId("sora2-pro"), 10, "16:9"));
  });

  it("rejects models of other vendors", () => {
    rejected(() => selectSoraModel(byId("seedance-2.0"), 10, "9:16"));
  });
});

describe("resellerCreateBody", () => {
  const base = { prompt: "p", resolution: "720p" } as const;

  it("uses DyuAPI's names for the sora2 families, image as image_url", () => {
    expect(
      resellerCreateBody(
        { ...base, model: byId("sora2"), durationSec: 15, ratio: "9:16" },
        "https://x/i.png",
      ),
    ).toEqual({
      model: "sora2-portrait-15s",
      prompt: "p",
      image_url: "https://x/i.png",
    });
  });

  it("lets DYUAPI_MODELS rename any model, duration and ratio", () => {
    const names = new Map([["sora2-pro/15/16:9", "sora-2-pro-landscape-hd"]]);
    expect(
      resellerCreateBody({ ...base, model: byId("sora2-pro"), durationSec: 15, ratio: "16:9" }, null, names),
    ).toEqual({ model: "sora-2-pro-landscape-hd", prompt: "p" });
  });

  it("speaks OpenAI's fields for other models, 1080p sizes included", () => {
    const model: ModelDef = { ...byId("sora2"), vendorModel: "sora-2-pro" };
    expect(
      resellerCreateBody({ ...base, model, durationSec: 12, ratio: "9:16", resolution: "1080p" }, null),
    ).toEqual({
      model: "sora-2-pro",
      prompt: "p",
      seconds: "12",
      size: "1080x1920",
    });
    expect(() => resellerCreateBody({ ...base, model, durationSec: 12, ratio: "1:1" }, null)).toThrow(
      VendorError,
    );
  });
});

describe("classifyResellerError", () => {
  const f = (status: number, code: string | null, type?: string) => ({
    status,
    code,
    message: null,
    body: { error: { code, type } },
  });

  it("keeps an out-of-money 429 definitive and a rate limit transient", () => {
    expect(classifyResellerError(f(429, "insufficient_quota", "insufficient_quota"))).toBe("rejected");
    expect(classifyResellerError(f(429, null, "insufficient_quota"))).toBe("rejected");
    expect(classifyResellerError(f(402, "insufficient_credits"))).toBe("rejected");
    expect(classifyResellerError(f(429, "rate_limit_exceeded", "rate_limit_error"))).toBe("transient");
    expect(classifyResellerError(f(500, "upstream_error"))).toBeNull();
  });
});
