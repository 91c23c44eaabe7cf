import { describe, expect, it } from "vitest";
import type { VendorName } from "../vendors/types.js";
import { type CatalogOverrides, type ModelOverride, resolveCatalog } from "./models.js";

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
    expect(entry(entries, "wan2.5")).toMatchObject({ vendorConfigured: false, model: { enabled: false } });
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

  it("hands out frozen models, so no caller can change the catalog in place", () => {
    const model = entry(resolveCatalog(settings()), "skyriff-sim").model;
    expect(Object.isFrozen(model)).toBe(true);
  });
});
