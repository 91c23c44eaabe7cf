import type { Lang } from "./i18n.tsx";

/** The server's default nickname for a new account ("用户" + 4 digits) and a closed account's name. */
const DEFAULT_NICKNAME = /^用户(\d{4})$/;
const DELETED_NICKNAME = "已注销用户";

/**
 * A nickname as shown in the UI. Nicknames are user content and shown as written, except the two the
 * server assigns: the default "用户1234" reads "User 1234" in English and the closed account's
 * "已注销用户" reads "Deleted user". A person who typed a nickname of their own keeps it in every language.
 */
export function displayNickname(nickname: string, lang: Lang): string {
  if (lang !== "en") return nickname;
  const match = DEFAULT_NICKNAME.exec(nickname);
  if (match) return `User ${match[1]}`;
  if (nickname === DELETED_NICKNAME) return "Deleted user";
  return nickname;
}

const CJK = /[\u3400-\u9fff]/;

/**
 * A message the server or a vendor wrote in Chinese (a failure reason, say): shown as is in Chinese, and
 * in English only when it has no Chinese in it; otherwise the app's own English `fallback` says it.
 */
export function displayServerText(text: string | null | undefined, lang: Lang, fallback: string): string {
  if (!text) return fallback;
  return lang === "en" && CJK.test(text) ? fallback : text;
}
