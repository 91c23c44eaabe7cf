import { createArkVendor } from "./ark-seedance.js";
import { createDashscopeVendor } from "./dashscope-wan.js";
import { createDyuapiVendor } from "./dyuapi-sora2.js";
import { parsePairs } from "./http.js";
import { createKlingVendor } from "./kling.js";
import { createMinimaxVendor } from "./minimax-hailuo.js";
import type { VendorName, VideoVendor } from "./types.js";

export { createArkVendor } from "./ark-seedance.js";
export { createDashscopeVendor } from "./dashscope-wan.js";
export { createDyuapiVendor, selectSoraModel } from "./dyuapi-sora2.js";
export { createKlingVendor } from "./kling.js";
export { createMinimaxVendor, minimaxCallbackChallenge } from "./minimax-hailuo.js";
export type { ModelDef, VendorCreateInput, VendorName, VendorTaskState, VideoVendor } from "./types.js";
export { mapVendorStatus, VendorError } from "./types.js";

export const DYUAPI_DEFAULT_BASE_URL = "https://api.dyuapi.com";

/** Vendor settings (env names). A vendor is configured when its API key is set (non-empty). */
export interface VendorSettings {
  /** Default https://api.dyuapi.com. */
  DYUAPI_BASE_URL?: string;
  DYUAPI_API_KEY?: string;
  /**
   * The reseller's model names by `{vendorModel}/{seconds}/{ratio}`, comma-separated:
   * `sora2/10/9:16=sora2-portrait,…`; unset: DyuAPI's own names, or the OpenAI style for other models.
   */
  DYUAPI_MODELS?: string;
  /** Default https://ark.cn-beijing.volces.com. */
  ARK_BASE_URL?: string;
  ARK_API_KEY?: string;
  /** Endpoint ids by Seedance model id, comma-separated: `doubao-seedance-2-0-260128=ep-…,…`. */
  ARK_ENDPOINTS?: string;
  /** Default https://dashscope.aliyuncs.com. */
  DASHSCOPE_BASE_URL?: string;
  DASHSCOPE_API_KEY?: string;
  /** Default https://api-beijing.klingai.com. */
  KLING_BASE_URL?: string;
  /** Kling is configured when both keys of the pair are set. */
  KLING_ACCESS_KEY?: string;
  KLING_SECRET_KEY?: string;
  /** Default https://api.minimaxi.com. */
  MINIMAX_BASE_URL?: string;
  MINIMAX_API_KEY?: string;
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
  if (set(settings.KLING_ACCESS_KEY) && set(settings.KLING_SECRET_KEY)) names.add("kling");
  if (set(settings.MINIMAX_API_KEY)) names.add("minimax");
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
        models: parsePairs(settings.DYUAPI_MODELS),
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
        endpoints: parsePairs(settings.ARK_ENDPOINTS),
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
        timeoutMs,
      }),
    );
  }
  const klingAccessKey = set(settings.KLING_ACCESS_KEY);
  const klingSecretKey = set(settings.KLING_SECRET_KEY);
  if (klingAccessKey && klingSecretKey) {
    vendors.set(
      "kling",
      createKlingVendor({
        baseUrl: set(settings.KLING_BASE_URL),
        accessKey: klingAccessKey,
        secretKey: klingSecretKey,
        timeoutMs,
      }),
    );
  }
  const minimaxKey = set(settings.MINIMAX_API_KEY);
  if (minimaxKey) {
    vendors.set(
      "minimax",
      createMinimaxVendor({ baseUrl: set(settings.MINIMAX_BASE_URL), apiKey: minimaxKey, timeoutMs }),
    );
  }
  if (settings.simulated) vendors.set("simulated", settings.simulated);
  return vendors;
}
