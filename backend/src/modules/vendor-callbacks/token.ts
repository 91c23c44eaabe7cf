import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The per-task token in a vendor's callback URL: `{taskId}.{HMAC(taskId)}` under a key derived from the
 * app secret. Only a URL we handed to the vendor for that task passes, so a forged callback, or one
 * replayed onto another task, is refused before anything is read.
 */
export function callbackToken(appSecret: string, taskId: string): string {
  return `${taskId}.${sign(appSecret, taskId)}`;
}

/** The task id a genuine token names, else null. */
export function taskOfCallbackToken(appSecret: string, token: string): string | null {
  const dot = token.lastIndexOf(".");
  if (dot <= 0) return null;
  const taskId = token.slice(0, dot);
  const expected = Buffer.from(sign(appSecret, taskId));
  const given = Buffer.from(token.slice(dot + 1));
  return expected.length === given.length && timingSafeEqual(expected, given) ? taskId : null;
}

export function callbackPath(vendor: string, token: string): string {
  return `/api/v1/vendors/${encodeURIComponent(vendor)}/callback/${encodeURIComponent(token)}`;
}

function sign(appSecret: string, taskId: string): string {
  const key = createHmac("sha256", appSecret).update("vendor-callbacks").digest();
  return createHmac("sha256", key).update(taskId).digest("base64url");
}
