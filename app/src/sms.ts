import { useEffect, useState } from "react";
import { ApiError } from "./api.ts";

/** Mainland mobile, optionally with +86 (the server normalizes it). */
export const PHONE_RE = /^(?:\+?86)?1[3-9]\d{9}$/;
export const DEFAULT_RESEND_SECONDS = 60;

export const normalizePhone = (raw: string) => raw.replace(/[\s-]/g, "");

/** Seconds left until `until` (ms epoch), re-rendering while positive. */
export function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [until]);
  if (until === null) return 0;
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** The server's `retry_after` of a 429 (rate-limited send), or null for any other outcome. */
export function retryAfterSeconds(err: unknown): number | null {
  if (!(err instanceof ApiError) || err.status !== 429) return null;
  const value = Number(err.data?.retry_after);
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : DEFAULT_RESEND_SECONDS;
}
