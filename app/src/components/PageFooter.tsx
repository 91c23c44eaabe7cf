import { DotLoading, InfiniteScroll } from "antd-mobile";
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
