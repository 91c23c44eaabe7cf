import { ApiError, SkyriffClient, type TokenStore } from "@skyriff/contracts/client";
import { getLang } from "./i18n.tsx";

export const ACCESS_TOKEN_KEY = "skyriff.access_token";
export const REFRESH_TOKEN_KEY = "skyriff.refresh_token";
export const API_BASE = "/api/v1";

type Listener = () => void;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * Tokens live in localStorage so the session survives reloads and closed tabs and is shared by every
 * tab. Subscribers hear about changes made here and (through the `storage` event) in other tabs, so a
 * logout anywhere logs out everywhere.
 */
class LocalStorageTokenStore implements TokenStore {
  private listeners = new Set<Listener>();

  constructor() {
    window.addEventListener("storage", (e) => {
      if (e.key === null || e.key === ACCESS_TOKEN_KEY || e.key === REFRESH_TOKEN_KEY) this.emit();
    });
  }

  getAccessToken() {
    return read(ACCESS_TOKEN_KEY);
  }
  getRefreshToken() {
    return read(REFRESH_TOKEN_KEY);
  }
  save(tokens: { access_token: string; refresh_token: string }) {
    const changed =
      this.getAccessToken() !== tokens.access_token || this.getRefreshToken() !== tokens.refresh_token;
    localStorage.setItem(ACCESS_TOKEN_KEY, tokens.access_token);
    localStorage.setItem(REFRESH_TOKEN_KEY, tokens.refresh_token);
    if (changed) this.emit();
  }
  clear() {
    const had = this.getAccessToken() !== null || this.getRefreshToken() !== null;
    localStorage.removeItem(ACCESS_TOKEN_KEY);
    localStorage.removeItem(REFRESH_TOKEN_KEY);
    if (had) this.emit();
  }
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private emit() {
    for (const l of this.listeners) l();
  }
}

export const tokenStore = new LocalStorageTokenStore();

/**
 * Refresh tokens rotate and re-using a rotated one revokes the whole session, so two tabs must never
 * refresh with the same token. Refreshes are serialized across tabs with the Web Locks API; a tab that
 * waited finds the token already rotated by another tab and simply adopts the new pair.
 */
const lockingFetch: typeof fetch = async (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.endsWith("/auth/refresh") || !("locks" in navigator) || typeof init?.body !== "string") {
    return fetch(input, init);
  }
  const sent = (JSON.parse(init.body) as { refresh_token?: string }).refresh_token;
  return navigator.locks.request("skyriff.auth.refresh", async () => {
    const current = tokenStore.getRefreshToken();
    const access = tokenStore.getAccessToken();
    if (current && access && current !== sent) {
      // Another tab rotated the pair while we waited.
      const body = { code: 0, message: "ok", data: { access_token: access, refresh_token: current } };
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
    const body = current && current !== sent ? JSON.stringify({ refresh_token: current }) : init.body;
    const res = await fetch(input, { ...init, body });
    if (res.ok) {
      // Store the new pair before releasing the lock so a waiting tab sees it.
      const json = (await res
        .clone()
        .json()
        .catch(() => null)) as {
        code?: number;
        data?: { access_token: string; refresh_token: string };
      } | null;
      if (json?.code === 0 && json.data) tokenStore.save(json.data);
    }
    return res;
  });
};

type SessionEndedListener = () => void;
const sessionEndedListeners = new Set<SessionEndedListener>();
export function onSessionEnded(listener: SessionEndedListener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

export const client = new SkyriffClient({
  baseUrl: API_BASE,
  tokens: tokenStore,
  language: getLang,
  fetch: lockingFetch,
  onSessionEnded: () => {
    for (const l of sessionEndedListeners) l();
  },
});

/** A random key for endpoints that accept `Idempotency-Key`. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // randomUUID needs a secure context; plain-http LAN dev servers fall back to random bytes.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** The server's localized message, or a generic one for network failures. */
export function errorMessage(err: unknown, fallback: string): string {
  if (err instanceof ApiError && err.code !== 0 && err.message) return err.message;
  return fallback;
}

export { ApiError };
