import { notInArray, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/client.js";
import { sensitiveWords } from "../../db/schema/index.js";

export async function loadWords(ex: Executor): Promise<string[]> {
  const rows = await ex.select({ word: sensitiveWords.word }).from(sensitiveWords);
  return rows.map((r) => r.word);
}

/** Changes whenever a word is added or removed: what a process compares to know its list is stale. */
export async function wordsVersion(ex: Executor): Promise<string> {
  const rows = await queryRows<{ n: number; latest: string | null }>(
    ex,
    sql`select count(*)::int as n, max(created_at)::text as latest from sensitive_words`,
  );
  return `${rows[0]?.n ?? 0}:${rows[0]?.latest ?? ""}`;
}

export async function insertWords(ex: Executor, words: string[]): Promise<void> {
  if (words.length === 0) return;
  await ex
    .insert(sensitiveWords)
    .values(words.map((word) => ({ word })))
    .onConflictDoNothing();
}

/** Makes the table hold exactly `words` (removed ones deleted, new ones inserted now). */
export async function replaceWords(ex: Executor, words: string[]): Promise<void> {
  const unique = [...new Set(words)];
  await ex
    .delete(sensitiveWords)
    .where(unique.length > 0 ? notInArray(sensitiveWords.word, unique) : undefined);
  await insertWords(ex, unique);
}
