import type { AdminRole } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import { type AdminMe, adminApi, tokenStore } from "./api.ts";

const subscribe = (cb: () => void) => tokenStore.subscribe(cb);
const getLoggedIn = () => tokenStore.getAccessToken() !== null || tokenStore.getRefreshToken() !== null;

/** True while this browser holds a console session (in any tab). */
export function useLoggedIn(): boolean {
  return useSyncExternalStore(subscribe, getLoggedIn);
}

export function useAdminMe(enabled = true) {
  return useQuery<AdminMe>({
    queryKey: ["admin", "me"],
    queryFn: () => adminApi.me(),
    enabled,
    staleTime: 60_000,
  });
}

/** The console's pages, each with the roles that may open it (SPEC §7; admin may open all). */
export type PageKey =
  | "dashboard"
  | "users"
  | "withdrawals"
  | "payments"
  | "reconciliation"
  | "vendorCosts"
  | "works"
  | "sensitiveWords"
  | "orders"
  | "products"
  | "models"
  | "jobs"
  | "audit";

const PAGE_ROLES: Record<PageKey, AdminRole[]> = {
  dashboard: ["admin", "finance", "moderator"],
  users: ["admin", "finance", "moderator"],
  withdrawals: ["admin", "finance"],
  payments: ["admin", "finance"],
  reconciliation: ["admin", "finance"],
  vendorCosts: ["admin", "finance"],
  works: ["admin", "moderator"],
  sensitiveWords: ["admin", "moderator"],
  orders: ["admin"],
  products: ["admin"],
  models: ["admin"],
  jobs: ["admin"],
  audit: ["admin", "finance"],
};

export function canOpen(roles: readonly AdminRole[], page: PageKey): boolean {
  return roles.some((r) => PAGE_ROLES[page].includes(r));
}

/** What a role may do on the users page beyond reading. */
export function userPermissions(roles: readonly AdminRole[]) {
  const admin = roles.includes("admin");
  return {
    ban: admin || roles.includes("moderator"),
    adjust: admin || roles.includes("finance"),
    roles: admin,
  };
}
