import { describe, expect, it } from "vitest";
import type { VendorName } from "../vendors/types.js";
import { type CatalogOverrides, type ModelOverride, modelDefaults, resolveCatalog } from "./models.js";

const settings = (disabled: string[] = [], timeoutOverrideMinutes?: number) => ({
  configuredVendors: new Set<VendorName>(["simulated", "dyuapi"]),
  disabled: new Set(disabled),
  timeoutOverrideMinutes,
});
const overrides = (
  models: Record<string, ModelOverride> = {},
  vendors: Record<string, boolean> = {},
): CatalogOverrides => ({
  models: new Map(Object.entries(models)),
  vendors: new Map(Object.entries(vendors).map(([v, on]) => [v, { switchedOn: on, updatedAt: null }])),
});
const entry = (entries: ReturnType<typeof resolveCatalog>, id: string) => {
  const e = entries.find((x) => x.model.id === id);
  if (!e) throw new Error(id);
  return e;
};

describe("the runtime catalog (code defaults + admin changes)", () => {
  it("offers a model when its vendor is configured, and nothing else", () => {
    const entries = resolveCatalog(settings());
    expect(entry(entries, "skyriff-sim").model.enabled).toBe(true);
    expect(entry(entries, "sora2").model.enabled).toBe(true);
    expect(entry(entries, "wan2.7")).toMatchObject({ vendorConfigured: false, model: { enabled: false } });
  });

  it("an admin switches a model or its whole vendor off; MODELS_DISABLED stays off whatever they switch", () => {
    const model = resolveCatalog(settings(), overrides({ "skyriff-sim": { switchedOn: false } }));
    expect(entry(model, "skyriff-sim")).toMatchObject({ switchedOn: false, model: { enabled: false } });
    const vendor = resolveCatalog(settings(), overrides({}, { dyuapi: false }));
    expect(entry(vendor, "sora2")).toMatchObject({ vendorSwitchedOn: false, model: { enabled: false } });
    expect(entry(vendor, "sora2-pro").model.enabled).toBe(false);
    expect(entry(vendor, "skyriff-sim").model.enabled).toBe(true);
    const env = resolveCatalog(settings(["sora2"]), overrides({ sora2: { switchedOn: true } }));
    expect(entry(env, "sora2")).toMatchObject({
      disabledByEnv: true,
      switchedOn: true,
      model: { enabled: false },
    });
  });

  it("price and timeout: admin value, else MODEL_TIMEOUT_MINUTES, else the code default", () => {
    const changed = resolveCatalog(
      settings([], 12),
      overrides({ "skyriff-sim": { creditsPerSecond: 3, timeoutMinutes: 5 } }),
    );
    expect(entry(changed, "skyriff-sim").model).toMatchObject({ creditsPerSecond: 3, timeoutMinutes: 5 });
    expect(entry(changed, "sora2").model).toMatchObject({ creditsPerSecond: 1, timeoutMinutes: 12 });
    expect(entry(resolveCatalog(settings()), "sora2-pro").model.timeoutMinutes).toBe(40);
  });

  it("durations and ratios are narrowed to what the adapter can do, never widened", () => {
    const entries = resolveCatalog(
      settings(),
      overrides({
        "skyriff-sim": { durations: [25, 10], ratios: ["1:1"] },
        sora2: { durations: [25], ratios: ["1:1"] },
      }),
    );
    expect(entry(entries, "skyriff-sim").model).toMatchObject({ durations: [10, 25], ratios: ["1:1"] });
    expect(entry(entries, "sora2").model).toMatchObject({ durations: [10, 15], ratios: ["9:16", "16:9"] });
  });

  it("resolutions are narrowed like durations; the first one left is the default", () => {
    const entries = resolveCatalog(
      settings(),
      overrides({
        "seedance-2.0": { resolutions: ["1080p", "480p"] },
        "seedance-2.0-fast": { resolutions: ["1080p"] },
      }),
    );
    expect(entry(entries, "seedance-2.0").model.resolutions).toEqual(["480p", "1080p"]);
    expect(entry(entries, "seedance-2.0-fast").model.resolutions).toEqual(["720p", "480p"]);
    expect(entry(resolveCatalog(settings()), "seedance-2.0").model.resolutions[0]).toBe("720p");
  });

  it("hands out frozen models, so no caller can change the catalog in place", () => {
    const model = entry(resolveCatalog(settings()), "skyriff-sim").model;
    expect(Object.isFrozen(model)).toBe(true);
  });
});

describe("the code defaults (living-video-vendors.md)", () => {
  const byId = (id: string) => {
    const m = modelDefaults().find((x) => x.id === id);
    if (!m) throw new Error(id);
    return m;
  };

  it("run on today's vendor models, with what each one can do", () => {
    expect(byId("seedance-2.0")).toMatchObject({
      vendor: "ark",
      vendorModel: "doubao-seedance-2-0-260128",
      resolutions: ["720p", "480p", "1080p"],
      image: { minSide: 300, maxSide: 6000, minAspect: 0.4, maxAspect: 2.5, output: "crops-to-ratio" },
    });
    expect(byId("seedance-2.0-fast")).toMatchObject({
      vendorModel: "doubao-seedance-2-0-fast-260128",
      resolutions: ["720p", "480p"],
    });
    for (const id of ["wan2.6", "wan2.7"]) {
      expect(byId(id)).toMatchObject({
        vendor: "dashscope",
        image: { minSide: 360, maxSide: 2000, output: "follows-image" },
      });
    }
    expect(byId("kling-v2.6")).toMatchObject({ vendorModel: "kling-v2-6", durations: [5, 10] });
    expect(byId("hailuo-2.3")).toMatchObject({ vendorModel: "MiniMax-Hailuo-2.3", durations: [6, 10] });
    expect(byId("hailuo-02")).toMatchObject({ vendorModel: "MiniMax-Hailuo-02" });
    expect(byId("sora2").name).toContain("上游已停服");
    expect(modelDefaults().map((m) => m.vendorModel)).not.toContain("doubao-seedance-1-0-pro-250528");
  });

  it("every model is complete: a default resolution, sane image limits, an integer vendor cost", () => {
    const ids = modelDefaults().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of modelDefaults()) {
      expect(m.resolutions.length, m.id).toBeGreaterThan(0);
      expect(m.durations.length, m.id).toBeGreaterThan(0);
      expect(m.ratios.length, m.id).toBeGreaterThan(0);
      expect(Number.isInteger(m.vendorCostMilliPerSecond) && m.vendorCostMilliPerSecond > 0, m.id).toBe(true);
      expect(m.failoverClass, m.id).not.toBe("");
      if (m.imageToVideo) {
        const image = m.image;
        expect(image, m.id).not.toBeNull();
        if (!image) continue;
        expect(image.minSide, m.id).toBeLessThan(image.maxSide);
        expect(image.minAspect, m.id).toBeLessThan(1);
        expect(image.maxAspect, m.id).toBeGreaterThan(1);
        expect(image.maxBytes, m.id).toBeGreaterThan(0);
      }
    }
  });

  it("no living vendor's model sells a second below its vendor cost (1 credit = ¥0.05 = 50 milli-yuan)", () => {
    // The seed's standard catalog keeps SPEC's 1 credit per second whatever the resellers charge.
    const standard = new Set(["sora2", "sora2-pro", "skyriff-sim"]);
    for (const m of modelDefaults()) {
      if (standard.has(m.id)) {
        expect(m.creditsPerSecond, m.id).toBe(1);
        continue;
      }
      expect(m.creditsPerSecond * 50, m.id).toBeGreaterThanOrEqual(m.vendorCostMilliPerSecond);
    }
  });

  it("keeps the simulator that tests and e2e run on", () => {
    expect(byId("skyriff-sim")).toMatchObject({
      vendor: "simulated",
      resolutions: ["720p"],
      durations: [10, 15, 25],
    });
  });
});
