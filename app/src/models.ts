import type { Lang } from "./i18n.tsx";

/**
 * Display names of the catalog's models. The server's `name` is the Chinese product name (即梦, 通义万相 are
 * what Chinese users know them by); English mode shows the vendors' international names instead.
 */
const names: Record<string, { zh: string; en: string }> = {
  sora2: { zh: "Sora 2", en: "Sora 2" },
  "sora2-pro": { zh: "Sora 2 Pro", en: "Sora 2 Pro" },
  "seedance-1-pro": { zh: "即梦 Seedance 1.0 Pro", en: "Seedance 1.0 Pro" },
  "wan2.5": { zh: "通义万相 2.5", en: "Wan 2.5" },
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
