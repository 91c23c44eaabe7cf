/**
 * A browser's API session, shared by the H5 app and the admin console (each with its own storage keys):
 * tokens in localStorage, refreshes serialized across tabs, one SkyriffClient.
 */
import { ApiError, SkyriffClient, type TokenStore } from "./client.js";

type Listener = () => void;

export interface BrowserSessionOptions {
  baseUrl: string;
  accessTokenKey: string;
  refreshTokenKey: string;
  /** The Web Locks name the tabs refresh under. */
  refreshLockName: string;
  language: () => string;
}

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
export class LocalStorageTokenStore implements TokenStore {
  private listeners = new Set<Listener>();

  constructor(
    private readonly accessKey: string,
    private readonly refreshKey: string,
  ) {
    window.addEventListener("storage", (e) => {
      if (e.key === null || e.key === accessKey || e.key === refreshKey) this.emit();
    });
  }

  getAccessToken() {
    return read(this.accessKey);
  }
  getRefreshToken() {
    return read(this.refreshKey);
  }
  save(tokens: { access_token: string; refresh_token: string }) {
    const changed =
      this.getAccessToken() !== tokens.access_token || this.getRefreshToken() !== tokens.refresh_token;
    localStorage.setItem(this.accessKey, tokens.access_token);
    localStorage.setItem(this.refreshKey, tokens.refresh_token);
    if (changed) this.emit();
  }
  clear() {
    const had = this.getAccessToken() !== null || this.getRefreshToken() !== null;
    localStorage.removeItem(this.accessKey);
    localStorage.removeItem(this.refreshKey);
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

/**
 * Refresh tokens rotate and re-using a rotated one revokes the whole session, so two tabs must never
 * refresh with the same token. Refreshes are serialized across tabs with the Web Locks API; a tab that
 * waited finds the token already rotated by another tab and simply adopts the new pair.
 */
function lockingFetch(tokens: LocalStorageTokenStore, lockName: string): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith("/auth/refresh") || !("locks" in navigator) || typeof init?.body !== "string") {
      return fetch(input, init);
    }
    const sent = (JSON.parse(init.body) as { refresh_token?: string }).refresh_token;
    return navigator.locks.request(lockName, async () => {
      const current = tokens.getRefreshToken();
      const access = tokens.getAccessToken();
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
        if (json?.code === 0 && json.data) tokens.save(json.data);
      }
      return res;
    });
  };
}

export interface BrowserSession {
  tokenStore: LocalStorageTokenStore;
  client: SkyriffClient;
  /** Called when the refresh token is refused: the user must log in again. */
  onSessionEnded(listener: Listener): () => void;
}

export function createBrowserSession(opts: BrowserSessionOptions): BrowserSession {
  const tokenStore = new LocalStorageTokenStore(opts.accessTokenKey, opts.refreshTokenKey);
  const ended = new Set<Listener>();
  const client = new SkyriffClient({
    baseUrl: opts.baseUrl,
    tokens: tokenStore,
    language: opts.language,
    fetch: lockingFetch(tokenStore, opts.refreshLockName),
    onSessionEnded: () => {
      for (const l of ended) l();
    },
  });
  return {
    tokenStore,
    client,
    onSessionEnded(listener) {
      ended.add(listener);
      return () => ended.delete(listener);
    },
  };
}

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
