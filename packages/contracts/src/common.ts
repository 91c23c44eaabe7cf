import { z } from "zod";

/** Response envelope of every endpoint (SPEC §0). */
export const envelope = <T extends z.ZodTypeAny>(data: T) =>
  z.object({ code: z.literal(0), message: z.string(), data });

export const errorEnvelope = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelope>;

export const id = z.string().min(1).max(64);
export const isoDateTime = z.string().describe("ISO-8601 UTC");
/** Coins as a decimal string with up to 3 decimals, e.g. "0.225". */
export const coinAmount = z.string().regex(/^-?\d+(\.\d{1,3})?$/);
/** CNY as a decimal string with exactly 2 decimals, e.g. "6.00". */
export const cnyAmount = z.string().regex(/^\d+\.\d{2}$/);

export const paginationQuery = z.strictObject({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable(), has_more: z.boolean() });

export type Page<T> = { items: T[]; next_cursor: string | null; has_more: boolean };
