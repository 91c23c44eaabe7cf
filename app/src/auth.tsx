import { useQueryClient } from "@tanstack/react-query";
import { Toast } from "antd-mobile";
import { type ReactNode, useEffect, useSyncExternalStore } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { onSessionEnded, tokenStore } from "./api.ts";
import { useI18n } from "./i18n.tsx";

const subscribe = (cb: () => void) => tokenStore.subscribe(cb);
const getLoggedIn = () => tokenStore.getAccessToken() !== null || tokenStore.getRefreshToken() !== null;

/** True while this browser holds a session (in any tab: the token store follows `storage` events). */
export function useLoggedIn(): boolean {
  return useSyncExternalStore(subscribe, getLoggedIn);
}

export type LocationState = { from?: string } | null;

/**
 * Set while the user ends their own session (退出登录, 注销账号): the page they were on (settings, the
 * deletion page) is not where the next login should return to.
 */
let signingOut = false;
export function markSigningOut(on = true): void {
  signingOut = on;
}

/** Protected pages: visitors without a session go to /login and come back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const loggedIn = useLoggedIn();
  const location = useLocation();
  if (!loggedIn) {
    const from = `${location.pathname}${location.search}`;
    return <Navigate to="/login" replace state={signingOut ? null : ({ from } satisfies LocationState)} />;
  }
  return <>{children}</>;
}

/**
 * Reacts to the session ending: a logout in another tab, or a refresh token the server no longer
 * accepts. Cached user data is dropped; protected pages redirect through <RequireAuth>.
 */
export function SessionWatcher() {
  const queryClient = useQueryClient();
  const { t } = useI18n();
  const loggedIn = useLoggedIn();

  useEffect(() => {
    if (!loggedIn) queryClient.clear();
  }, [loggedIn, queryClient]);

  useEffect(
    () =>
      onSessionEnded(() => {
        queryClient.clear();
        // A request still in flight when the user logged out or closed the account ends this way too:
        // that is no news to them.
        if (!signingOut) Toast.show({ content: t("common.sessionEnded") });
      }),
    [queryClient, t],
  );

  return null;
}

export function saveLogin(tokens: { access_token: string; refresh_token: string }) {
  signingOut = false;
  tokenStore.save(tokens);
}
