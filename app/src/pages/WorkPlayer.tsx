import type { Work } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, DotLoading, ErrorBlock } from "antd-mobile";
import { LeftOutline } from "antd-mobile-icons";
import { useCallback, useEffect, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router-dom";
import { ApiError, client, errorMessage } from "../api.ts";
import { findCachedWork, parseListKey, useWorkList, workPath } from "../community.tsx";
import { WorkSwiper } from "../components/WorkSwiper.tsx";
import "../components/community.css";
import { useI18n } from "../i18n.tsx";

const MAX_SEARCH_PAGES = 10;

/**
 * `/play/:id` — one work in the swipe player, the page the share page's 打开 App links to. With
 * `?list=user:<id>` or `?list=favorites` (a profile's grid, the 收藏 tab) swiping walks that list.
 */
export function WorkPlayerPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { id = "" } = useParams();
  const [params] = useSearchParams();
  const list = parseListKey(params.get("list"));
  const work = useQuery({
    queryKey: ["work", id],
    queryFn: () => client.work(id),
    initialData: () => findCachedWork(queryClient, id),
    // A listed copy is shown at once; the detail (which counts the view) still loads once.
    initialDataUpdatedAt: 0,
  });
  const listed = useWorkList(list, list !== null);
  const listItems = listed.data?.pages.flatMap((p) => p.items) ?? [];
  const [index, setIndex] = useState<number | null>(null);

  const found = listItems.findIndex((w) => w.work_id === id);
  // Opened on a work further down than the loaded pages: load on until it is found.
  const pagesLoaded = listed.data?.pages.length ?? 0;
  useEffect(() => {
    if (list === null || found >= 0 || !listed.hasNextPage || listed.isFetching) return;
    if (pagesLoaded >= MAX_SEARCH_PAGES) return;
    void listed.fetchNextPage();
  }, [list, found, listed.hasNextPage, listed.isFetching, pagesLoaded, listed.fetchNextPage]);

  const inList = list !== null && found >= 0;
  const items: Work[] = inList ? listItems : work.data ? [work.data] : [];
  const current = inList ? (index ?? found) : 0;
  const loadMore = useCallback(() => listed.fetchNextPage(), [listed.fetchNextPage]);

  const back = () => {
    const idx = (window.history.state as { idx?: number } | null)?.idx ?? 0;
    if (idx > 0) navigate(-1);
    else navigate("/", { replace: true });
  };

  const backButton = (
    <button
      type="button"
      className="work-player-back"
      aria-label={t("common.back")}
      data-testid="player-back"
      onClick={back}
    >
      <LeftOutline />
    </button>
  );

  if (items.length === 0) {
    const missing = work.error instanceof ApiError && work.error.status === 404;
    return (
      <div className="work-player-page" data-testid="work-player">
        {backButton}
        <div className="feed-state">
          {work.isError ? (
            <ErrorBlock
              status={missing ? "empty" : "default"}
              title={missing ? t("feed.workGone") : errorMessage(work.error, t("common.networkError"))}
              description=""
            >
              {!missing && (
                <Button size="small" onClick={() => void work.refetch()}>
                  {t("common.retry")}
                </Button>
              )}
            </ErrorBlock>
          ) : (
            <DotLoading color="white" />
          )}
        </div>
      </div>
    );
  }

  return (
    <div className="work-player-page" data-testid="work-player">
      <WorkSwiper
        items={items}
        index={Math.min(current, items.length - 1)}
        onIndexChange={(i) => {
          setIndex(i);
          const w = items[i];
          if (w) navigate(workPath(w.work_id, list), { replace: true });
        }}
        hasMore={inList && listed.hasNextPage}
        loadMore={loadMore}
        overlayTop={backButton}
      />
    </div>
  );
}
