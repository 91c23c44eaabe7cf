import type { Page } from "@skyriff/contracts";
import { keepPreviousData, type QueryKey, useQuery } from "@tanstack/react-query";
import { Button, Space, Table, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n.tsx";
import { QueryError } from "./common.tsx";

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

export type CursorList<T> = ReturnType<typeof useCursorPage<T>>;

/**
 * A keyset-paged list page's table: the query's error with a retry, the rows, the pager. `rowData`
 * gives each row's `data-*` attributes (the e2e finds rows by them).
 */
export function CursorTable<Row extends object>(props: {
  list: CursorList<Row>;
  rowKey: keyof Row & string;
  columns: ColumnsType<Row>;
  rowData: (row: Row) => Record<string, string>;
  /** Background refreshes (a polling queue) keep the rows on screen instead of a spinner. */
  quietRefetch?: boolean;
}) {
  const { list } = props;
  const loading = list.query.isFetching && !(props.quietRefetch && list.query.isRefetching);
  return (
    <>
      {list.query.isError && (
        <QueryError error={list.query.error} onRetry={() => void list.query.refetch()} />
      )}
      <Table<Row>
        rowKey={props.rowKey}
        columns={props.columns}
        dataSource={list.items}
        loading={loading}
        pagination={false}
        size="middle"
        onRow={(row) => props.rowData(row) as React.HTMLAttributes<HTMLElement>}
      />
      <CursorPager pager={list.pager} />
    </>
  );
}
