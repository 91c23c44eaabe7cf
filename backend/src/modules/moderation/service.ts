/**
 * Sensitive-word moderation (SPEC §9, issue 8): titles, descriptions, prompts and nicknames pass one
 * Aho–Corasick matcher (`modern-ahocorasick`) over the `sensitive_words` table, a small built-in seed
 * list and `SENSITIVE_WORDS` (comma list). The compiled matcher is cached per process; a timer compares
 * the table's version (count + newest row) every 30 s and recompiles only when it changed.
 *
 *   assertClean({ title: body.title, description: body.description });   // throws 400/4220
 */
import { ErrorCode } from "@skyriff/contracts";
import AhoCorasick from "modern-ahocorasick";
import type { AppContext } from "../../context.js";
import type { Executor } from "../../db/client.js";
import { AppError } from "../../lib/errors.js";
import * as repo from "./repository.js";

/** Always on, whatever the table holds (gambling, drugs, porn, forged documents, weapons). */
export const DEFAULT_SENSITIVE_WORDS = [
  "赌博",
  "博彩",
  "网赌",
  "毒品",
  "冰毒",
  "海洛因",
  "色情",
  "裸聊",
  "约炮",
  "代开发票",
  "办假证",
  "枪支出售",
  "porn",
] as const;

const REFRESH_MS = 30_000;

/** Case, width and invisible characters do not hide a word: NFKC, lower case, no spaces or ZW chars. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\u200b-\u200f\u2060\ufeff]+/g, "");
}

export class WordMatcher {
  private readonly matcher: AhoCorasick | null;
  readonly size: number;
  constructor(words: Iterable<string>) {
    const unique = [...new Set([...words].map(normalizeText).filter((w) => w.length > 0))];
    this.size = unique.length;
    this.matcher = unique.length > 0 ? new AhoCorasick(unique) : null;
  }
  /** The first sensitive word found in `text`, or null. */
  find(text: string): string | null {
    if (!this.matcher || !text) return null;
    const hit = this.matcher.search(normalizeText(text))[0];
    return hit ? hit.pattern : null;
  }
}

let extraWords: string[] = [];
let current = new WordMatcher(DEFAULT_SENSITIVE_WORDS);
let currentVersion: string | null = null;

function configured(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);
}

/** Reloads the table's words when its version changed (or `force`); returns the matcher's size. */
export async function refreshModeration(ex: Executor, force = false): Promise<number> {
  const version = await repo.wordsVersion(ex);
  if (!force && version === currentVersion) return current.size;
  const words = await repo.loadWords(ex);
  current = new WordMatcher([...DEFAULT_SENSITIVE_WORDS, ...extraWords, ...words]);
  currentVersion = version;
  return current.size;
}

/** Loads the list at boot and keeps it fresh; the returned function stops the refresh timer. */
export async function startModeration(ctx: Pick<AppContext, "db" | "config" | "log">): Promise<() => void> {
  extraWords = configured(ctx.config.SENSITIVE_WORDS);
  await refreshModeration(ctx.db, true);
  const timer = setInterval(() => {
    refreshModeration(ctx.db).catch((err) => ctx.log.warn({ err }, "sensitive words refresh failed"));
  }, REFRESH_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The fields (of those given) that contain a sensitive word. */
export function sensitiveFields(fields: Record<string, string | null | undefined>): string[] {
  return Object.entries(fields)
    .filter(([, value]) => typeof value === "string" && current.find(value) !== null)
    .map(([name]) => name);
}

/**
 * 400/4220 naming every field that contains a sensitive word (`data.fields.<name>`); the word itself is
 * not echoed back.
 */
export function assertClean(fields: Record<string, string | null | undefined>): void {
  const bad = sensitiveFields(fields);
  if (bad.length === 0) return;
  throw new AppError(
    ErrorCode.VALIDATION,
    { fields: Object.fromEntries(bad.map((f) => [f, "contains a sensitive word"])) },
    { zh: "内容包含敏感词，请修改后再提交", en: "The text contains a sensitive word" },
    400,
  );
}

/** Adds words to the table (admin tools, tests) and recompiles at once. */
export async function addSensitiveWords(ex: Executor, words: string[]): Promise<void> {
  await repo.insertWords(ex, words.map((w) => w.trim()).filter(Boolean));
  await refreshModeration(ex, true);
}
