import type {
  AdminJobs,
  AdminModel,
  AdminPayment,
  AdminProduct,
  AdminRole,
  AdminUser,
  AdminUserDetail,
  AdminWithdrawal,
  AdminWork,
  AuditEntry,
  adminModelPatch,
  adminProductPatch,
  Dashboard,
  Order,
  OrderSettleBody,
  OrderStatusFilter,
  Page,
  Reconciliation,
  sensitiveWords,
  WithdrawalStatus,
} from "@skyriff/contracts";
import { ApiError, SkyriffClient, type TokenStore } from "@skyriff/contracts/client";
import type { z } from "zod";
import { getLang } from "./i18n.tsx";

/** The console keeps its own session, apart from the H5 app's (same origin, other keys). */
export const ACCESS_TOKEN_KEY = "skyriff.admin.access_token";
export const REFRESH_TOKEN_KEY = "skyriff.admin.refresh_token";
export const API_BASE = "/api/v1";

type Listener = () => void;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** localStorage tokens, shared by the console's tabs (a logout in one logs out all). */
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
 * Refresh tokens rotate (a reused one revokes the session), so the console's tabs refresh one at a time
 * through the Web Locks API; a tab that waited adopts the pair another tab already got.
 */
const lockingFetch: typeof fetch = async (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.endsWith("/auth/refresh") || !("locks" in navigator) || typeof init?.body !== "string") {
    return fetch(input, init);
  }
  const sent = (JSON.parse(init.body) as { refresh_token?: string }).refresh_token;
  return navigator.locks.request("skyriff.admin.auth.refresh", async () => {
    const current = tokenStore.getRefreshToken();
    const access = tokenStore.getAccessToken();
    if (current && access && current !== sent) {
      const body = { code: 0, message: "ok", data: { access_token: access, refresh_token: current } };
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
    const res = await fetch(input, init);
    if (res.ok) {
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
/** Called when the refresh token is refused: the admin must log in again. */
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
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** The server's (localized) message; a generic one for network failures. */
export function errorMessage(err: unknown, fallback: string): string {
  if (err instanceof ApiError && err.code !== 0 && err.message) return err.message;
  return fallback;
}

export { ApiError };

function qs(query: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
const seg = encodeURIComponent;

export type AdminMe = { user_id: string; nickname: string; roles: AdminRole[] };
export type SensitiveWords = z.infer<typeof sensitiveWords>;
export type AdminProductPatch = z.input<typeof adminProductPatch>;
export type AdminModelPatch = z.input<typeof adminModelPatch>;
export type AdjustResult = { ledger_id: string; balance_after: number | string };
export type Cursor = string | null | undefined;

/** The console's routes (SPEC §7), all under `/api/v1/admin/…`, typed by the contracts. */
export const adminApi = {
  me: () => client.request<AdminMe>("GET", "/admin/me"),
  dashboard: (days: 7 | 30 | 90) => client.request<Dashboard>("GET", `/admin/dashboard${qs({ days })}`),

  users: (q: { q?: string; status?: string; cursor?: Cursor; limit?: number }) =>
    client.request<Page<AdminUser>>("GET", `/admin/users${qs(q)}`),
  user: (id: string) => client.request<AdminUserDetail>("GET", `/admin/users/${seg(id)}`),
  ban: (id: string, reason: string) =>
    client.request<AdminUser>("POST", `/admin/users/${seg(id)}/ban`, { body: { reason } }),
  unban: (id: string, reason: string) =>
    client.request<AdminUser>("POST", `/admin/users/${seg(id)}/unban`, { body: { reason } }),
  adjust: (
    id: string,
    body: { asset: "credits" | "coins"; amount: string; reason: string },
    idempotencyKey: string,
  ) => client.request<AdjustResult>("POST", `/admin/users/${seg(id)}/adjust`, { body, idempotencyKey }),
  setRoles: (id: string, roles: AdminRole[]) =>
    client.request<AdminUser>("PUT", `/admin/users/${seg(id)}/roles`, { body: { roles } }),

  withdrawals: (q: { status?: WithdrawalStatus; cursor?: Cursor; limit?: number }) =>
    client.request<Page<AdminWithdrawal>>("GET", `/admin/withdrawals${qs(q)}`),
  approveWithdrawal: (id: string) =>
    client.request<AdminWithdrawal>("POST", `/admin/withdrawals/${seg(id)}/approve`, { body: {} }),
  rejectWithdrawal: (id: string, reason: string) =>
    client.request<AdminWithdrawal>("POST", `/admin/withdrawals/${seg(id)}/reject`, { body: { reason } }),
  markWithdrawalPaid: (id: string) =>
    client.request<AdminWithdrawal>("POST", `/admin/withdrawals/${seg(id)}/mark_paid`, { body: {} }),

  payments: (q: { status?: string; q?: string; cursor?: Cursor; limit?: number }) =>
    client.request<Page<AdminPayment>>("GET", `/admin/payments${qs(q)}`),
  payment: (id: string) => client.request<AdminPayment>("GET", `/admin/payments/${seg(id)}`),
  requeryPayment: (id: string) =>
    client.request<AdminPayment>("POST", `/admin/payments/${seg(id)}/requery`, { body: {} }),

  reconciliation: () => client.request<Reconciliation>("GET", "/admin/reconciliation"),
  runReconciliation: () => client.request<Reconciliation>("POST", "/admin/reconciliation/run", { body: {} }),

  works: (q: { status?: string; q?: string; cursor?: Cursor; limit?: number }) =>
    client.request<Page<AdminWork>>("GET", `/admin/works${qs(q)}`),
  takeDown: (id: string, reason: string) =>
    client.request<AdminWork>("POST", `/admin/works/${seg(id)}/take_down`, { body: { reason } }),
  restore: (id: string, reason: string) =>
    client.request<AdminWork>("POST", `/admin/works/${seg(id)}/restore`, { body: { reason } }),
  sensitiveWords: () => client.request<SensitiveWords>("GET", "/admin/sensitive_words"),
  saveSensitiveWords: (words: string[]) =>
    client.request<SensitiveWords>("PUT", "/admin/sensitive_words", { body: { words } }),

  orders: (q: { status?: OrderStatusFilter; cursor?: Cursor; limit?: number }) =>
    client.request<Page<Order>>("GET", `/admin/orders${qs(q)}`),
  order: (id: string) => client.request<Order>("GET", `/admin/orders/${seg(id)}`),
  settleOrder: (id: string, body: OrderSettleBody, idempotencyKey: string) =>
    client.request<Order>("POST", `/admin/orders/${seg(id)}/settle`, { body, idempotencyKey }),

  products: () => client.request<{ items: AdminProduct[] }>("GET", "/admin/products"),
  patchProduct: (id: string, body: AdminProductPatch) =>
    client.request<AdminProduct>("PATCH", `/admin/products/${seg(id)}`, { body }),
  models: () => client.request<{ items: AdminModel[] }>("GET", "/admin/models"),
  patchModel: (id: string, body: AdminModelPatch) =>
    client.request<AdminModel>("PATCH", `/admin/models/${seg(id)}`, { body }),
  switchVendor: (vendor: string, switchedOn: boolean) =>
    client.request<{ items: AdminModel[] }>("PATCH", `/admin/vendors/${seg(vendor)}`, {
      body: { switched_on: switchedOn },
    }),

  jobs: () => client.request<AdminJobs>("GET", "/admin/jobs"),
  audit: (q: {
    actor_id?: string;
    action?: string;
    target_type?: string;
    target_id?: string;
    cursor?: Cursor;
    limit?: number;
  }) => client.request<Page<AuditEntry>>("GET", `/admin/audit${qs(q)}`),
};

/**
 * The bank batch (CSV) with the bearer token: fetched as a blob and saved through a temporary link.
 * A 401 first refreshes the session (through any authenticated call) and tries once more.
 */
export async function downloadBankBatch(): Promise<string> {
  const get = () =>
    fetch(`${API_BASE}/admin/withdrawals/bank_batch.csv`, {
      headers: {
        authorization: `Bearer ${tokenStore.getAccessToken() ?? ""}`,
        "accept-language": getLang(),
      },
    });
  let res = await get();
  if (res.status === 401) {
    await adminApi.me();
    res = await get();
  }
  if (!res.ok) {
    const json = (await res.json().catch(() => null)) as { code: number; message: string } | null;
    throw new ApiError(res.status, json?.code ?? 0, json?.message ?? res.statusText, null);
  }
  const blob = await res.blob();
  const disposition = res.headers.get("content-disposition") ?? "";
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  const filename = name
    ? decodeURIComponent(name)
    : `bank_batch_${new Date().toISOString().slice(0, 10)}.csv`;
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return filename;
}
