import type { Ratio } from "@skyriff/contracts";
import type { ImageLimits, ModelDef, VendorName } from "../vendors/types.js";

const MB = 1024 * 1024;

/**
 * The model catalog's code defaults. Cost = seconds × credits_per_second (the seed: 10 s = 10 credits).
 * A model is offered when its vendor is configured, it is not in MODELS_DISABLED=id,id, and an admin
 * has not switched it (or its vendor) off; admins may also narrow its durations, ratios and resolutions
 * and change its price and timeout at runtime (`model_settings` / `vendor_settings`, see
 * modules/catalog/models.ts). The durations, ratios and resolutions here are what the vendor's model
 * can do (shared/integrations/living-video-vendors.md): an admin can only pick among them.
 *
 * Durations are the few buttons the app offers, not every second a vendor takes (Seedance takes 4–15 s).
 * `resolutions[0]` is the default. Vendor costs are milli-yuan per second of output at that default
 * resolution (the adapter's price sheet, see each comment); they feed cost accounting and the prices.
 *
 * Prices: a credit is ¥0.05 (20 credits per ¥1, SPEC §1). The seed's standard catalog (the Sora
 * resellers, the simulator) keeps SPEC's 1 credit per second; every model of a living vendor is priced
 * at its vendor cost plus about 30 %, rounded up to whole credits (⌈cost × 1.3 / 50⌉), so no default
 * sells a second below what it costs us (models.test.ts checks it). Admins change prices at runtime.
 */

/** Seedance: URL or data URI, 300–6000 px per side, aspect 0.4–2.5, < 30 MB; crops to `ratio` [official]. */
const SEEDANCE_IMAGE: ImageLimits = {
  minSide: 300,
  maxSide: 6000,
  minAspect: 0.4,
  maxAspect: 2.5,
  maxBytes: 30 * MB,
  output: "crops-to-ratio",
};

/**
 * Wan i2v: 360–2000 px per side, ≤ 10 MB; the video keeps the image's ratio. No aspect bound is
 * documented: 1:4–4:1 is our assumption (inside what 360–2000 px allows anyway).
 */
const WAN_IMAGE: ImageLimits = {
  minSide: 360,
  maxSide: 2000,
  minAspect: 0.25,
  maxAspect: 4,
  maxBytes: 10 * MB,
  output: "follows-image",
};

/**
 * Kling image2video: jpg/png ≤ 10 MB, each side ≥ 300 px, aspect 1:2.5–2.5:1, no `aspect_ratio`: the
 * output follows the image. No upper side is documented: 4096 px is our assumption.
 */
const KLING_IMAGE: ImageLimits = {
  minSide: 300,
  maxSide: 4096,
  minAspect: 0.4,
  maxAspect: 2.5,
  maxBytes: 10 * MB,
  output: "follows-image",
};

/**
 * Hailuo first frame: < 20 MB, short side over 300 px, aspect 2:5–5:2; resolution and ratio follow the
 * image. No upper side is documented: 4096 px is our assumption.
 */
const HAILUO_IMAGE: ImageLimits = {
  minSide: 301,
  maxSide: 4096,
  minAspect: 0.4,
  maxAspect: 2.5,
  maxBytes: 20 * MB,
  output: "follows-image",
};

/**
 * OpenAI-style Sora resellers: the reference "must match the target video's resolution" (720×1280 or
 * 1280×720): sides 720–1280 px between 9:16 and 16:9 come closest. 10 MB is our assumption.
 */
const SORA_IMAGE: ImageLimits = {
  minSide: 720,
  maxSide: 1280,
  minAspect: 0.5625,
  maxAspect: 1.7778,
  maxBytes: 10 * MB,
  output: "crops-to-ratio",
};

const catalog: Omit<ModelDef, "enabled">[] = [
  {
    id: "seedance-2.0",
    name: "即梦 Seedance 2.0",
    vendor: "ark",
    vendorModel: "doubao-seedance-2-0-260128",
    durations: [5, 10, 15],
    ratios: ["9:16", "16:9", "1:1"],
    resolutions: ["720p", "480p", "1080p"],
    imageToVideo: true,
    image: SEEDANCE_IMAGE,
    creditsPerSecond: 25,
    // Tokens ≈ W×H×fps×s/1024: 720p 1248×704×24/1024 = 20 592 tokens/s × ¥46/M tokens (new-api
    // constants, CN list 2026-01-28) ≈ ¥0.947/s. 1080p is ¥51/M and 2.36× the pixels (≈ ¥2.5/s).
    vendorCostMilliPerSecond: 947,
    failoverClass: "standard",
    timeoutMinutes: 30,
  },
  {
    id: "seedance-2.0-fast",
    name: "即梦 Seedance 2.0 Fast",
    vendor: "ark",
    vendorModel: "doubao-seedance-2-0-fast-260128",
    durations: [5, 10, 15],
    ratios: ["9:16", "16:9", "1:1"],
    resolutions: ["720p", "480p"],
    imageToVideo: true,
    image: SEEDANCE_IMAGE,
    creditsPerSecond: 20,
    // 20 592 tokens/s at 720p × ¥37/M tokens (2.0 fast, same source) ≈ ¥0.762/s.
    vendorCostMilliPerSecond: 762,
    failoverClass: "fast",
    timeoutMinutes: 30,
  },
  {
    id: "wan2.7",
    name: "通义万相 2.7",
    vendor: "dashscope",
    // DashScope has one id per mode: the adapter sends `{vendorModel}-t2v` / `{vendorModel}-i2v`.
    // wan2.7 speaks the new protocol (`resolution` + `ratio`, `input.media[]`).
    vendorModel: "wan2.7",
    durations: [5, 10, 15],
    ratios: ["9:16", "16:9", "1:1"],
    resolutions: ["720p", "1080p"],
    imageToVideo: true,
    image: WAN_IMAGE,
    creditsPerSecond: 16,
    // No official 2.7 price found: assumed equal to wan2.6 720P (¥0.6/s, console-scrape mirror [3rd]).
    vendorCostMilliPerSecond: 600,
    failoverClass: "standard",
    timeoutMinutes: 30,
  },
  {
    id: "wan2.6",
    name: "通义万相 2.6",
    vendor: "dashscope",
    // Old protocol: t2v pixel `size`, i2v `img_url` + `resolution`; `{vendorModel}-t2v` / `-i2v`.
    vendorModel: "wan2.6",
    durations: [5, 10, 15],
    ratios: ["9:16", "16:9", "1:1"],
    resolutions: ["720p", "1080p"],
    imageToVideo: true,
    image: WAN_IMAGE,
    creditsPerSecond: 16,
    // wan2.6 720P ¥0.6/s (1080P ¥1/s), console-scrape mirror [3rd].
    vendorCostMilliPerSecond: 600,
    failoverClass: "standard",
    timeoutMinutes: 30,
  },
  {
    id: "kling-v2.6",
    name: "可灵 2.6",
    vendor: "kling",
    vendorModel: "kling-v2-6",
    durations: [5, 10],
    // Text→video `aspect_ratio`; image→video has none (the output follows the image).
    ratios: ["9:16", "16:9", "1:1"],
    // `mode`: std = 720p, pro = 1080p.
    resolutions: ["720p", "1080p"],
    imageToVideo: true,
    image: KLING_IMAGE,
    creditsPerSecond: 13,
    // No official per-second price (prepaid resource packs): ¥0.5/s is our assumption, below the
    // $0.15–0.23/s resellers quote for kling-v3-omni [3rd modellix].
    vendorCostMilliPerSecond: 500,
    failoverClass: "standard",
    timeoutMinutes: 30,
  },
  {
    id: "kling-v2.5-turbo",
    name: "可灵 2.5 Turbo",
    vendor: "kling",
    vendorModel: "kling-v2-5-turbo",
    durations: [5, 10],
    ratios: ["9:16", "16:9", "1:1"],
    resolutions: ["720p", "1080p"],
    imageToVideo: true,
    image: KLING_IMAGE,
    creditsPerSecond: 11,
    // Assumption as for kling-v2.6, turbo a little cheaper.
    vendorCostMilliPerSecond: 400,
    failoverClass: "fast",
    timeoutMinutes: 30,
  },
  {
    id: "hailuo-2.3",
    name: "海螺 Hailuo 2.3",
    vendor: "minimax",
    vendorModel: "MiniMax-Hailuo-2.3",
    durations: [6, 10],
    // No ratio parameter for text→video (the video is landscape); image→video follows the image.
    ratios: ["16:9"],
    // 1080P takes only 6 s, which one list of durations cannot say: 768P only for now.
    resolutions: ["768p"],
    imageToVideo: true,
    image: HAILUO_IMAGE,
    creditsPerSecond: 8,
    // ≈ $0.25 per 6 s at 768P [3rd] at ¥7.2/$ ≈ ¥0.30/s.
    vendorCostMilliPerSecond: 300,
    failoverClass: "fast",
    timeoutMinutes: 30,
  },
  {
    id: "hailuo-02",
    name: "海螺 Hailuo 02",
    vendor: "minimax",
    vendorModel: "MiniMax-Hailuo-02",
    durations: [6, 10],
    ratios: ["16:9"],
    resolutions: ["768p"],
    imageToVideo: true,
    image: HAILUO_IMAGE,
    creditsPerSecond: 10,
    // ≈ $0.52 per 10 s at 768P [3rd] at ¥7.2/$ ≈ ¥0.37/s.
    vendorCostMilliPerSecond: 374,
    failoverClass: "fast",
    timeoutMinutes: 30,
  },
  {
    // The seed's reseller of OpenAI Sora 2, which shut down on 2026-09-24 (sora2-resellers…md §0):
    // kept for an OpenAI-`/v1/videos`-compatible reseller, named so no one takes it for a live model.
    id: "sora2",
    name: "Sora 2（转售渠道，上游已停服）",
    vendor: "dyuapi",
    // The DyuAPI adapter encodes duration and orientation in the model name (`sora2-portrait-15s`).
    vendorModel: "sora2",
    durations: [10, 15],
    ratios: ["9:16", "16:9"],
    resolutions: ["720p"],
    imageToVideo: true,
    image: SORA_IMAGE,
    creditsPerSecond: 1,
    // Reseller prices were per video, not documented: ¥0.3/s is our assumption.
    vendorCostMilliPerSecond: 300,
    failoverClass: "sora",
    timeoutMinutes: 30,
  },
  {
    id: "sora2-pro",
    name: "Sora 2 Pro（转售渠道，上游已停服）",
    vendor: "dyuapi",
    vendorModel: "sora2-pro",
    durations: [15, 25],
    ratios: ["9:16", "16:9"],
    resolutions: ["720p"],
    imageToVideo: true,
    image: SORA_IMAGE,
    creditsPerSecond: 1,
    // Assumption, as for sora2.
    vendorCostMilliPerSecond: 600,
    failoverClass: "sora",
    timeoutMinutes: 40,
  },
  {
    id: "skyriff-sim",
    name: "SkyRiff 模拟生成",
    vendor: "simulated",
    vendorModel: "skyriff-sim",
    durations: [10, 15, 25],
    ratios: ["9:16", "16:9", "1:1"] as Ratio[],
    resolutions: ["720p"],
    imageToVideo: true,
    image: {
      minSide: 64,
      maxSide: 4096,
      minAspect: 0.2,
      maxAspect: 5,
      maxBytes: 20 * MB,
      output: "crops-to-ratio",
    },
    creditsPerSecond: 1,
    // Our own machine time, nominal: non-zero so cost accounting has something to add up.
    vendorCostMilliPerSecond: 10,
    failoverClass: "simulated",
    timeoutMinutes: 30,
  },
];

export interface ModelSettings {
  /** Vendors with credentials (plus `simulated` when the simulator is on). */
  configuredVendors: Set<VendorName>;
  disabled: Set<string>;
  timeoutOverrideMinutes?: number;
}

/** What an admin changed on one model (null or absent: the code default). */
export interface ModelOverride {
  switchedOn?: boolean | null;
  creditsPerSecond?: number | null;
  durations?: number[] | null;
  ratios?: string[] | null;
  resolutions?: string[] | null;
  timeoutMinutes?: number | null;
  updatedAt?: Date | null;
}

/** The admins' changes: per model id, and per vendor its switch. */
export interface CatalogOverrides {
  models: ReadonlyMap<string, ModelOverride>;
  vendors: ReadonlyMap<string, { switchedOn: boolean; updatedAt: Date | null }>;
}

const NO_OVERRIDES: CatalogOverrides = { models: new Map(), vendors: new Map() };

/** One model as it runs now, with what decided whether it is offered (the admin view). */
export interface CatalogEntry {
  model: ModelDef;
  /** The admins' switches: the model's own and its vendor's (both on unless switched off). */
  switchedOn: boolean;
  vendorSwitchedOn: boolean;
  vendorConfigured: boolean;
  /** Listed in MODELS_DISABLED: off whatever the admins switch. */
  disabledByEnv: boolean;
  /** The latest admin change to the model or its vendor. */
  updatedAt: Date | null;
}

/** The code defaults of every model, as an admin may narrow them (durations, ratios, resolutions). */
export function modelDefaults(): readonly Omit<ModelDef, "enabled">[] {
  return catalog;
}

/**
 * The catalog as it runs: code defaults, then MODEL_TIMEOUT_MINUTES, then the admins' changes. A value
 * an admin stored that the adapter cannot do (a duration or ratio no longer in the defaults) is ignored.
 */
export function resolveCatalog(
  settings: ModelSettings,
  overrides: CatalogOverrides = NO_OVERRIDES,
): CatalogEntry[] {
  return catalog.map((m) => {
    const o = overrides.models.get(m.id) ?? {};
    const vendor = overrides.vendors.get(m.vendor);
    const switchedOn = o.switchedOn ?? true;
    const vendorSwitchedOn = vendor?.switchedOn ?? true;
    const vendorConfigured = settings.configuredVendors.has(m.vendor);
    const disabledByEnv = settings.disabled.has(m.id);
    const model: ModelDef = {
      ...m,
      durations: narrowed(m.durations, o.durations),
      ratios: narrowed(m.ratios, o.ratios as Ratio[] | null | undefined),
      resolutions: narrowed(m.resolutions, o.resolutions),
      creditsPerSecond: o.creditsPerSecond ?? m.creditsPerSecond,
      timeoutMinutes: o.timeoutMinutes ?? settings.timeoutOverrideMinutes ?? m.timeoutMinutes,
      enabled: switchedOn && vendorSwitchedOn && vendorConfigured && !disabledByEnv,
    };
    return {
      model: Object.freeze(model),
      switchedOn,
      vendorSwitchedOn,
      vendorConfigured,
      disabledByEnv,
      updatedAt: latest(o.updatedAt ?? null, vendor?.updatedAt ?? null),
    };
  });
}

/** The defaults `supported`, narrowed to `chosen` when an admin chose a non-empty subset of them. */
function narrowed<T>(supported: T[], chosen: T[] | null | undefined): T[] {
  const kept = chosen ? supported.filter((v) => chosen.includes(v)) : [];
  return kept.length > 0 ? kept : supported;
}

const latest = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));

/** The code defaults with the deployment's settings (no admin changes): vendor tests, tools. */
export function loadModels(settings: ModelSettings): ModelDef[] {
  return resolveCatalog(settings).map((e) => ({ ...e.model }));
}

export function costOf(model: ModelDef, durationSec: number): number {
  return model.creditsPerSecond * durationSec;
}
