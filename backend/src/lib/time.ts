/** Business days roll over at 00:00 Asia/Shanghai (UTC+8, no DST). */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
export const DAY_MS = 24 * 3600_000;

/** Start of the Shanghai business day containing `at`, as a UTC instant. */
export function shanghaiDayStart(at: Date): Date {
  const local = at.getTime() + SHANGHAI_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - SHANGHAI_OFFSET_MS);
}

export function nextShanghaiDayStart(at: Date): Date {
  return new Date(shanghaiDayStart(at).getTime() + DAY_MS);
}

/** "2026-11-25" for the Shanghai business day containing `at`. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export const SHANGHAI_TZ = "Asia/Shanghai";
