import type { FeedTab, Page, Wallets, Work } from "@skyriff/contracts";
import { type InfiniteData, type QueryClient, useQueryClient } from "@tanstack/react-query";
import { Dialog, Toast } from "antd-mobile";
import { useCallback } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { client, errorMessage, tokenStore } from "./api.ts";
import type { LocationState } from "./auth.tsx";
import { copyText } from "./generation.tsx";
import { type MessageKey, useI18n } from "./i18n.tsx";
import { useCursorPages } from "./paging.ts";

/**
 * The lists a swipe player can walk through: a feed tab, a user's works, the viewer's favorites.
 * Encoded in the player's `?list=` so a reload (or a shared link) opens the same list.
 */
export type WorkListKey = `feed:${FeedTab}` | `user:${string}` | "favorites";

export const FEED_TABS: { key: FeedTab; title: MessageKey }[] = [
  { key: "discover", title: "feed.discover" },
  { key: "hot", title: "feed.hot" },
  { key: "following", title: "feed.following" },
];

const PAGE_SIZE = 10;

export function parseListKey(raw: string | null): WorkListKey | null {
  if (!raw) return null;
  if (raw === "favorites") return raw;
  if (raw === "feed:discover" || raw === "feed:hot" || raw === "feed:following") return raw;
  if (raw.startsWith("user:") && raw.length > 5) return raw as WorkListKey;
  return null;
}

function listQueryKey(list: WorkListKey): readonly unknown[] {
  if (list === "favorites") return ["favorites"];
  if (list.startsWith("feed:")) return ["feed", list.slice(5)];
  return ["userWorks", list.slice(5)];
}

function fetchList(list: WorkListKey, cursor: string | null): Promise<Page<Work>> {
  if (list === "favorites") return client.favorites(cursor, PAGE_SIZE);
  if (list.startsWith("feed:"))
    return client.feed({ tab: list.slice(5) as FeedTab, cursor, limit: PAGE_SIZE });
  return client.userWorks(list.slice(5), cursor, PAGE_SIZE);
}

/** One list of works, paged with `next_cursor`. */
export function useWorkList(list: WorkListKey | null, enabled = true) {
  const key = list ?? "feed:discover";
  return useCursorPages(
    listQueryKey(key),
    (pageParam) => fetchList(key, pageParam),
    // The swipe player must not reshuffle under the viewer's finger: lists refresh on pull or revisit.
    { enabled: enabled && list !== null, refetchOnWindowFocus: false, staleTime: 30_000 },
  );
}

export function workPath(workId: string, list?: WorkListKey | null): string {
  const base = `/play/${encodeURIComponent(workId)}`;
  return list ? `${base}?list=${encodeURIComponent(list)}` : base;
}

type WorkPages = InfiniteData<Page<Work>, string | null>;

/** Applies `patch` to a work wherever it is cached: every list and its own detail query. */
export function patchWork(queryClient: QueryClient, workId: string, patch: (w: Work) => Work) {
  for (const prefix of [["feed"], ["userWorks"], ["favorites"]]) {
    queryClient.setQueriesData<WorkPages>({ queryKey: prefix }, (data) =>
      data
        ? {
            ...data,
            pages: data.pages.map((p) => ({
              ...p,
              items: p.items.map((w) => (w.work_id === workId ? patch(w) : w)),
            })),
          }
        : data,
    );
  }
  queryClient.setQueryData<Work>(["work", workId], (w) => (w ? patch(w) : w));
}

/** Applies `patch` to every cached work of one creator (the follow flag is per creator). */
export function patchCreatorWorks(queryClient: QueryClient, userId: string, patch: (w: Work) => Work) {
  const apply = (w: Work) => (w.creator.user_id === userId ? patch(w) : w);
  for (const prefix of [["feed"], ["userWorks"], ["favorites"]]) {
    queryClient.setQueriesData<WorkPages>({ queryKey: prefix }, (data) =>
      data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map(apply) })) } : data,
    );
  }
  for (const [key, w] of queryClient.getQueriesData<Work>({ queryKey: ["work"] }))
    if (w) queryClient.setQueryData(key, apply(w));
}

/** A work already in a loaded list (the player shows it at once). */
export function findCachedWork(queryClient: QueryClient, workId: string): Work | undefined {
  for (const prefix of [["feed"], ["userWorks"], ["favorites"]]) {
    for (const [, data] of queryClient.getQueriesData<WorkPages>({ queryKey: prefix })) {
      for (const page of data?.pages ?? []) {
        const hit = page.items.find((w) => w.work_id === workId);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

export function setCreditsBalance(queryClient: QueryClient, balance: number) {
  queryClient.setQueryData<Wallets>(["wallets"], (w) =>
    w ? { ...w, credits: { ...w.credits, balance } } : w,
  );
  void queryClient.invalidateQueries({ queryKey: ["wallets"] });
  void queryClient.invalidateQueries({ queryKey: ["ledger"] });
  void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
}

/**
 * Guards an action that needs an account: logged-out visitors may browse 发现 / 热门, and an action asks
 * them to log in (and come back to this page afterwards). Resolves true when logged in.
 */
export function useRequireLogin() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  return useCallback(async (): Promise<boolean> => {
    if (tokenStore.getAccessToken() !== null || tokenStore.getRefreshToken() !== null) return true;
    const go = await Dialog.confirm({
      title: t("feed.loginTitle"),
      content: <div data-testid="login-prompt">{t("feed.loginContent")}</div>,
      confirmText: t("feed.loginGo"),
      cancelText: t("common.cancel"),
    });
    if (go)
      navigate("/login", {
        state: { from: `${location.pathname}${location.search}` } satisfies LocationState,
      });
    return false;
  }, [t, navigate, location.pathname, location.search]);
}

/** Like, follow and share: optimistic where it is safe, reconciled with the server's counts. */
export function useWorkActions() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const requireLogin = useRequireLogin();

  const setLiked = useCallback(
    async (work: Work, liked: boolean) => {
      if (!(await requireLogin())) return;
      const before = work.viewer.is_liked;
      if (before === liked) return;
      patchWork(queryClient, work.work_id, (w) => ({
        ...w,
        viewer: { ...w.viewer, is_liked: liked },
        stats: { ...w.stats, like_count: Math.max(0, w.stats.like_count + (liked ? 1 : -1)) },
      }));
      try {
        const res = liked ? await client.like(work.work_id) : await client.unlike(work.work_id);
        patchWork(queryClient, work.work_id, (w) => ({
          ...w,
          viewer: { ...w.viewer, is_liked: res.is_liked },
          stats: { ...w.stats, like_count: res.like_count },
        }));
        void queryClient.invalidateQueries({ queryKey: ["profile", work.creator.user_id] });
      } catch (err) {
        patchWork(queryClient, work.work_id, (w) => ({
          ...w,
          viewer: { ...w.viewer, is_liked: before },
          stats: { ...w.stats, like_count: work.stats.like_count },
        }));
        Toast.show({ content: errorMessage(err, t("common.networkError")) });
      }
    },
    [queryClient, requireLogin, t],
  );

  const setFollowing = useCallback(
    async (userId: string, following: boolean): Promise<boolean> => {
      if (!(await requireLogin())) return false;
      try {
        const res = following ? await client.follow(userId) : await client.unfollow(userId);
        patchCreatorWorks(queryClient, userId, (w) => ({
          ...w,
          viewer: { ...w.viewer, is_following: res.is_following },
        }));
        queryClient.setQueryData<import("@skyriff/contracts").Profile>(["profile", userId], (p) =>
          p
            ? {
                ...p,
                is_following: res.is_following,
                stats: { ...p.stats, followers_count: res.followers_count },
              }
            : p,
        );
        void queryClient.invalidateQueries({ queryKey: ["profile"] });
        void queryClient.invalidateQueries({ queryKey: ["followers"] });
        void queryClient.invalidateQueries({ queryKey: ["following"] });
        void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
        // The 关注 feed changes with every follow.
        void queryClient.invalidateQueries({ queryKey: ["feed", "following"] });
        Toast.show({
          icon: "success",
          content: (
            <span data-testid="follow-toast">
              {res.is_following ? t("feed.followed") : t("feed.unfollowed")}
            </span>
          ),
        });
        return true;
      } catch (err) {
        Toast.show({ content: errorMessage(err, t("common.networkError")) });
        return false;
      }
    },
    [queryClient, requireLogin, t],
  );

  const share = useCallback(
    async (work: Work) => {
      let url = work.share_url;
      // Logged-out visitors copy the link; a logged-in share is counted.
      if (tokenStore.getAccessToken() !== null || tokenStore.getRefreshToken() !== null) {
        try {
          const res = await client.shareWork(work.work_id);
          url = res.share_url;
          patchWork(queryClient, work.work_id, (w) => ({
            ...w,
            stats: { ...w.stats, share_count: res.share_count },
          }));
        } catch (err) {
          Toast.show({ content: errorMessage(err, t("common.networkError")) });
          return;
        }
      }
      const ok = await copyText(url);
      Toast.show(
        ok
          ? { icon: "success", content: <span data-testid="share-toast">{t("feed.linkCopied")}</span> }
          : { content: <span data-testid="share-toast">{t("feed.copyFailed", { url })}</span> },
      );
    },
    [queryClient, t],
  );

  /** 取消发布 (own works): after a red confirmation the work leaves every feed, profile and 收藏 list. */
  const unpublish = useCallback(
    async (work: Work): Promise<boolean> => {
      const confirmed = await Dialog.confirm({
        title: t("work.unpublishTitle"),
        content: t("work.unpublishBody"),
        confirmText: <span style={{ color: "var(--adm-color-danger)" }}>{t("work.unpublish")}</span>,
        cancelText: t("common.cancel"),
      });
      if (!confirmed) return false;
      try {
        await client.unpublishWork(work.work_id);
        for (const key of ["videos", "feed", "userWorks", "profile", "favorites", "me"]) {
          void queryClient.invalidateQueries({ queryKey: [key] });
        }
        Toast.show({
          icon: "success",
          content: <span data-testid="unpublish-toast">{t("work.unpublished")}</span>,
        });
        return true;
      } catch (err) {
        Toast.show({ content: errorMessage(err, t("common.networkError")) });
        return false;
      }
    },
    [queryClient, t],
  );

  return { setLiked, setFollowing, share, unpublish, requireLogin };
}
