import type { Ratio } from "@skyriff/contracts";
import { describe, expect, it } from "vitest";
import { loadModels } from "../config/models.js";
import { selectSoraModel } from "./dyuapi-sora2.js";
import { type ModelDef, VendorError } from "./types.js";

const models = loadModels({
  configuredVendors: new Set(["dyuapi", "ark", "dashscope"]),
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
    rejected(() => selectSoraModel(byId("seedance-1-pro"), 10, "9:16"));
  });
});
