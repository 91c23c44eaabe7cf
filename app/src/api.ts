import { createBrowserSession, errorMessage, newIdempotencyKey } from "@skyriff/contracts/browser-session";
import { ApiError } from "@skyriff/contracts/client";
import { getLang } from "./i18n.tsx";

export const ACCESS_TOKEN_KEY = "skyriff.access_token";
export const REFRESH_TOKEN_KEY = "skyriff.refresh_token";
export const API_BASE = "/api/v1";

const session = createBrowserSession({
  baseUrl: API_BASE,
  accessTokenKey: ACCESS_TOKEN_KEY,
  refreshTokenKey: REFRESH_TOKEN_KEY,
  refreshLockName: "skyriff.auth.refresh",
  language: getLang,
});

export const tokenStore = session.tokenStore;
export const client = session.client;
export const onSessionEnded = session.onSessionEnded;

export { ApiError, errorMessage, newIdempotencyKey };
