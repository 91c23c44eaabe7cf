import { createArkVendor } from "./ark-seedance.js";
import { createDashscopeVendor } from "./dashscope-wan.js";
import { createDyuapiVendor } from "./dyuapi-sora2.js";
import type { VendorName, VideoVendor } from "./types.js";

export { createArkVendor } from "./ark-seedance.js";
export { createDashscopeVendor } from "./dashscope-wan.js";
export { createDyuapiVendor, selectSoraModel } from "./dyuapi-sora2.js";
export type { ModelDef, VendorCreateInput, VendorName, VendorTaskState, VideoVendor } from "./types.js";
export { mapVendorStatus, VendorError } from "./types.js";

export const DYUAPI_DEFAULT_BASE_URL = "https://api.dyuapi.com";

/** Vendor settings (env names). A vendor is configured when its API key is set (non-empty). */
export interface VendorSettings {
  /** Default https://api.dyuapi.com. */
  DYUAPI_BASE_URL?: string;
  DYUAPI_API_KEY?: string;
  /** Default https://ark.cn-beijing.volces.com. */
  ARK_BASE_URL?: string;
  ARK_API_KEY?: string;
  /** Seedance model ID or endpoint ID (`ep-…`), default doubao-seedance-1-0-pro-250528. */
  ARK_MODEL?: string;
  /** Default https://dashscope.aliyuncs.com. */
  DASHSCOPE_BASE_URL?: string;
  DASHSCOPE_API_KEY?: string;
  /** Default wan2.5-t2v-preview. */
  DASHSCOPE_T2V_MODEL?: string;
  /** Default wan2.5-i2v-preview. */
  DASHSCOPE_I2V_MODEL?: string;
  /** Per HTTP call to any vendor, default 30 000 ms. */
  VENDOR_HTTP_TIMEOUT_MS?: number;
  /** The embedded simulator, when it is on. */
  simulated?: VideoVendor;
}

function set(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** Names of the vendors `createVendors` would build (for the model catalog's `configuredVendors`). */
export function configuredVendorNames(settings: VendorSettings): Set<VendorName> {
  const names = new Set<VendorName>();
  if (set(settings.DYUAPI_API_KEY)) names.add("dyuapi");
  if (set(settings.ARK_API_KEY)) names.add("ark");
  if (set(settings.DASHSCOPE_API_KEY)) names.add("dashscope");
  if (settings.simulated) names.add("simulated");
  return names;
}

export function createVendors(settings: VendorSettings): Map<VendorName, VideoVendor> {
  const vendors = new Map<VendorName, VideoVendor>();
  const timeoutMs = settings.VENDOR_HTTP_TIMEOUT_MS;
  const dyuKey = set(settings.DYUAPI_API_KEY);
  if (dyuKey) {
    vendors.set(
      "dyuapi",
      createDyuapiVendor({
        baseUrl: set(settings.DYUAPI_BASE_URL) ?? DYUAPI_DEFAULT_BASE_URL,
        apiKey: dyuKey,
        timeoutMs,
      }),
    );
  }
  const arkKey = set(settings.ARK_API_KEY);
  if (arkKey) {
    vendors.set(
      "ark",
      createArkVendor({
        baseUrl: set(settings.ARK_BASE_URL),
        apiKey: arkKey,
        modelName: set(settings.ARK_MODEL),
        timeoutMs,
      }),
    );
  }
  const dashKey = set(settings.DASHSCOPE_API_KEY);
  if (dashKey) {
    vendors.set(
      "dashscope",
      createDashscopeVendor({
        baseUrl: set(settings.DASHSCOPE_BASE_URL),
        apiKey: dashKey,
        t2vModel: set(settings.DASHSCOPE_T2V_MODEL),
        i2vModel: set(settings.DASHSCOPE_I2V_MODEL),
        timeoutMs,
      }),
    );
  }
  if (settings.simulated) vendors.set("simulated", settings.simulated);
  return vendors;
}
