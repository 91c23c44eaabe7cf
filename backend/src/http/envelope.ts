/** SPEC §0 success envelope. */
export const ok = <T>(data: T) => ({ code: 0 as const, message: "ok", data });
