import type { Ratio } from "@skyriff/contracts";
import type { ModelDef, VendorName } from "../vendors/types.js";

/**
 * The model catalog. Cost = seconds × credits_per_second (the seed: 10 s = 10 credits). A model is
 * enabled when its vendor is configured, and can be switched off with MODELS_DISABLED=id,id.
 */
const catalog: Omit<ModelDef, "enabled">[] = [
  {
    id: "sora2",
    name: "Sora 2",
    vendor: "dyuapi",
    durations: [10, 15],
    ratios: ["9:16", "16:9"],
    imageToVideo: true,
    creditsPerSecond: 1,
    timeoutMinutes: 30,
  },
  {
    id: "sora2-pro",
    name: "Sora 2 Pro",
    vendor: "dyuapi",
    durations: [15, 25],
    ratios: ["9:16", "16:9"],
    imageToVideo: true,
    creditsPerSecond: 1,
    timeoutMinutes: 40,
  },
  {
    id: "seedance-1-pro",
    name: "即梦 Seedance 1.0 Pro",
    vendor: "ark",
    durations: [10],
    ratios: ["9:16", "16:9", "1:1"],
    imageToVideo: true,
    creditsPerSecond: 1,
    timeoutMinutes: 30,
  },
  {
    id: "wan2.5",
    name: "通义万相 2.5",
    vendor: "dashscope",
    durations: [10],
    ratios: ["9:16", "16:9", "1:1"],
    imageToVideo: true,
    creditsPerSecond: 1,
    timeoutMinutes: 30,
  },
  {
    id: "skyriff-sim",
    name: "SkyRiff 模拟生成",
    vendor: "simulated",
    durations: [10, 15, 25],
    ratios: ["9:16", "16:9", "1:1"] as Ratio[],
    imageToVideo: true,
    creditsPerSecond: 1,
    timeoutMinutes: 30,
  },
];

export interface ModelSettings {
  /** Vendors with credentials (plus `simulated` when the simulator is on). */
  configuredVendors: Set<VendorName>;
  disabled: Set<string>;
  timeoutOverrideMinutes?: number;
}

export function loadModels(settings: ModelSettings): ModelDef[] {
  return catalog.map((m) => ({
    ...m,
    timeoutMinutes: settings.timeoutOverrideMinutes ?? m.timeoutMinutes,
    enabled: settings.configuredVendors.has(m.vendor) && !settings.disabled.has(m.id),
  }));
}

export function costOf(model: ModelDef, durationSec: number): number {
  return model.creditsPerSecond * durationSec;
}
