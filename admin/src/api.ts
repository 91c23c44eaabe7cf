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
  VendorCosts,
  WithdrawalStatus,
} from "@skyriff/contracts";
import { createBrowserSession, errorMessage, newIdempotencyKey } from "@skyriff/contracts/browser-session";
import { ApiError } from "@skyriff/contracts/client";
import type { z } from "zod";
import { getLang } from "./i18n.tsx";

/** The console keeps its own session, apart from the H5 app's (same origin, other keys). */
export const ACCESS_TOKEN_KEY = "skyriff.admin.access_token";
export const REFRESH_TOKEN_KEY = "skyriff.admin.refresh_token";
export const API_BASE = "/api/v1";

const session = createBrowserSession({
  baseUrl: API_BASE,
  accessTokenKey: ACCESS_TOKEN_KEY,
  refreshTokenKey: REFRESH_TOKEN_KEY,
  refreshLockName: "skyriff.admin.auth.refresh",
  language: getLang,
});

/** localStorage tokens, shared by the console's tabs (a logout in one logs out all). */
export const tokenStore = session.tokenStore;
export const client = session.client;
/** Called when the refresh token is refused: the admin must log in again. */
export const onSessionEnded = session.onSessionEnded;

export { ApiError, errorMessage, newIdempotencyKey };

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
/**
 * `GET /admin/vendor-costs` (backend/src/modules/generation/vendor-costs.ts; its schema is the route's
 * own, not in the contracts): per Shanghai day and model, the succeeded tasks' credits and vendor bill.
 */

/** The console's routes (SPEC §7), all under `/api/v1/admin/…`, typed by the contracts. */
export const adminApi = {
  me: () => client.request<AdminMe>("GET", "/admin/me"),
  dashboard: (days: 7 | 30 | 90) => client.request<Dashboard>("GET", `/admin/dashboard${qs({ days })}`),
  vendorCosts: (days: 7 | 30 | 90) =>
    client.request<VendorCosts>("GET", `/admin/vendor-costs${qs({ days })}`),

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
