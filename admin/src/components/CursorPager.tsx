import type { Page } from "@skyriff/contracts";
import { keepPreviousData, type QueryKey, useQuery } from "@tanstack/react-query";
import { Button, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n.tsx";

/**
 * Keyset-paged lists (`next_cursor`, `has_more`) as pages: a stack of the cursors seen so far gives
 * 上一页 / 下一页. The stack starts over when `resetKey` (the filters) changes.
 */
export function useCursorPage<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  options: { refetchInterval?: number | false } = {},
) {
  const resetKey = JSON.stringify(queryKey);
  const [stack, setStack] = useState<(string | null)[]>([null]);
  useEffect(() => {
    void resetKey;
    setStack([null]);
  }, [resetKey]);
  const cursor = stack[stack.length - 1] ?? null;
  const query = useQuery({
    queryKey: [...queryKey, "cursor", cursor],
    queryFn: () => fetchPage(cursor),
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval,
  });
  const data = query.data;
  return {
    query,
    items: data?.items ?? [],
    pager: {
      page: stack.length,
      hasPrev: stack.length > 1,
      hasNext: Boolean(data?.has_more && data.next_cursor),
      prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
      next: () => {
        if (data?.has_more && data.next_cursor) setStack((s) => [...s, data.next_cursor]);
      },
    },
  };
}

export type Pager = ReturnType<typeof useCursorPage>["pager"];

export function CursorPager({ pager }: { pager: Pager }) {
  const { t } = useI18n();
  return (
    <Space style={{ marginTop: 16, display: "flex", justifyContent: "flex-end" }} data-testid="pager">
      <Typography.Text type="secondary">{t("common.pageNo", { n: pager.page })}</Typography.Text>
      <Button size="small" disabled={!pager.hasPrev} onClick={pager.prev}>
        {t("common.prev")}
      </Button>
      <Button size="small" disabled={!pager.hasNext} onClick={pager.next} data-testid="pager-next">
        {t("common.next")}
      </Button>
    </Space>
  );
}
