import type { Ratio } from "@skyriff/contracts";
import type { ModelDef, VendorName } from "../vendors/types.js";

/**
 * The model catalog's code defaults. Cost = seconds × credits_per_second (the seed: 10 s = 10 credits).
 * A model is offered when its vendor is configured, it is not in MODELS_DISABLED=id,id, and an admin
 * has not switched it (or its vendor) off; admins may also narrow its durations and ratios and change
 * its price and timeout at runtime (`model_settings` / `vendor_settings`, see modules/catalog/models.ts).
 * The durations and ratios here are what the vendor's adapter can do: an admin can only pick among them.
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

/** What an admin changed on one model (null or absent: the code default). */
export interface ModelOverride {
  switchedOn?: boolean | null;
  creditsPerSecond?: number | null;
  durations?: number[] | null;
  ratios?: string[] | null;
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

/** The code defaults of every model, as an admin may narrow them (durations, ratios). */
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
