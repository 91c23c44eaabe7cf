import { Button, DotLoading, InfiniteScroll } from "antd-mobile";
import type { ReactNode } from "react";
import { useI18n } from "../i18n.tsx";

/** The part of an infinite query a list footer needs (TanStack Query's useInfiniteQuery result). */
interface PagedQuery {
  hasNextPage: boolean;
  fetchNextPage: () => Promise<{ isError: boolean; error: unknown }>;
}

/**
 * The footer of every paged list: loads the next page when it scrolls into view, then says 加载中 /
 * 没有更多了, or offers a retry when a page failed.
 */
export function PageFooter({ query, labels }: { query: PagedQuery; labels?: Partial<FooterLabels> }) {
  const { t } = useI18n();
  const text: FooterLabels = {
    retry: t("common.loadFailedRetry"),
    loading: t("common.loading"),
    noMore: t("common.noMore"),
    ...labels,
  };
  return (
    <InfiniteScroll
      hasMore={query.hasNextPage}
      loadMore={async () => {
        const res = await query.fetchNextPage();
        if (res.isError) throw res.error;
      }}
    >
      {(hasMore, failed, retry) =>
        failed ? (
          <button type="button" className="link-button" onClick={() => void retry()}>
            {text.retry}
          </button>
        ) : hasMore ? (
          <>
            {text.loading}
            <DotLoading />
          </>
        ) : (
          <span className="muted">{text.noMore}</span>
        )
      }
    </InfiniteScroll>
  );
}

interface FooterLabels {
  retry: ReactNode;
  loading: ReactNode;
  noMore: ReactNode;
}

/**
 * What a list page shows before it has rows: 加载中 while the first page loads, a retry when it failed;
 * null once data is there (the page then renders its rows or its empty state).
 */
export function FirstPageState({
  query,
}: {
  query: { isPending: boolean; isError: boolean; refetch: () => Promise<unknown> };
}): ReactNode {
  const { t } = useI18n();
  if (query.isPending) {
    return (
      <div className="center-block muted">
        {t("common.loading")}
        <DotLoading />
      </div>
    );
  }
  if (query.isError) {
    return (
      <div className="center-block">
        <Button size="small" onClick={() => void query.refetch()}>
          {t("common.loadFailedRetry")}
        </Button>
      </div>
    );
  }
  return null;
}
