import { ErrorCode } from "@skyriff/contracts";
import { AppError } from "./errors.js";

/** Keyset position: rows are ordered by (created_at DESC, id DESC), stable under inserts. */
export interface Keyset {
  createdAt: Date;
  id: string;
}

export function encodeCursor(k: Keyset): string {
  return Buffer.from(`${k.createdAt.toISOString()}|${k.id}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): Keyset | null {
  if (!cursor) return null;
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || Number.isNaN(createdAt.getTime())) {
    throw new AppError(ErrorCode.VALIDATION, { fields: { cursor: "invalid cursor" } });
  }
  return { createdAt, id };
}

/** Turns `limit + 1` fetched rows into a page. */
export function toPage<R extends { createdAt: Date; id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): { items: T[]; next_cursor: string | null; has_more: boolean } {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return {
    items: kept.map(map),
    next_cursor: hasMore && last ? encodeCursor(last) : null,
    has_more: hasMore,
  };
}
