import type { ModelImageLimits } from "@skyriff/contracts";
import type { Lang } from "./i18n.tsx";

/**
 * Display names of the catalog's models. The server's `name` is the Chinese product name (即梦, 通义万相 are
 * what Chinese users know them by); English mode shows the vendors' international names instead.
 */
const names: Record<string, { zh: string; en: string }> = {
  "seedance-2.0": { zh: "即梦 Seedance 2.0", en: "Seedance 2.0" },
  "seedance-2.0-fast": { zh: "即梦 Seedance 2.0 Fast", en: "Seedance 2.0 Fast" },
  "wan2.7": { zh: "通义万相 2.7", en: "Wan 2.7" },
  "wan2.6": { zh: "通义万相 2.6", en: "Wan 2.6" },
  "kling-v2.6": { zh: "可灵 2.6", en: "Kling 2.6" },
  "kling-v2.5-turbo": { zh: "可灵 2.5 Turbo", en: "Kling 2.5 Turbo" },
  "hailuo-2.3": { zh: "海螺 Hailuo 2.3", en: "Hailuo 2.3" },
  "hailuo-02": { zh: "海螺 Hailuo 02", en: "Hailuo 02" },
  // OpenAI shut Sora 2 down on 2026-09-24: a reseller channel may still answer, or not.
  sora2: { zh: "Sora 2（转售渠道，上游已停服）", en: "Sora 2 (reseller, upstream shut down)" },
  "sora2-pro": { zh: "Sora 2 Pro（转售渠道，上游已停服）", en: "Sora 2 Pro (reseller, upstream shut down)" },
  "skyriff-sim": { zh: "SkyRiff 模拟生成", en: "SkyRiff Simulator" },
};

const CJK = /[\u3400-\u9fff]/;

/** A model's name in `lang`; an unknown model keeps the server's name (or its id if that is Chinese). */
export function modelName(id: string, serverName: string | undefined, lang: Lang): string {
  const known = names[id];
  if (known) return lang === "en" ? known.en : known.zh;
  const name = serverName ?? id;
  return lang === "en" && CJK.test(name) ? id : name;
}

/** `720p` → `720P`, as Chinese video apps write it. */
export function resolutionLabel(resolution: string): string {
  return resolution.replace(/p$/i, "P");
}

/** Resolutions from low to high for the buttons (the catalog lists the default first). */
export function resolutionsAscending(resolutions: readonly string[]): string[] {
  const lines = (r: string) => Number.parseInt(r, 10) || 0;
  return [...resolutions].sort((a, b) => lines(a) - lines(b));
}

/**
 * What the server will do to a reference of this size before sending it to the model's vendor (it
 * fits every image in; see backend media/prepare-image.ts): `small` when it must be scaled up (a loss
 * of sharpness), `padded` when black bars must be added to reach the model's aspect range.
 */
export function referenceFit(
  size: { width: number; height: number },
  limits: ModelImageLimits,
): { small: boolean; padded: boolean } {
  const aspect = size.width / size.height;
  return {
    small: Math.min(size.width, size.height) < limits.min_side,
    padded: aspect < limits.min_aspect || aspect > limits.max_aspect,
  };
}
