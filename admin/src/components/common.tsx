import { Alert, Button, Table, Tag, Typography } from "antd";
import type { ColumnsType, ColumnType } from "antd/es/table";
import type { ReactNode } from "react";
import { errorMessage } from "../api.ts";
import { formatTime, type T, useI18n } from "../i18n.tsx";

/** A failed query: the server's message and a retry. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <Alert
      type="error"
      showIcon
      title={t("common.loadFailed")}
      description={errorMessage(error, t("common.networkError"))}
      action={
        onRetry && (
          <Button size="small" onClick={onRetry}>
            {t("common.retry")}
          </Button>
        )
      }
      style={{ marginBottom: 16 }}
      data-testid="query-error"
    />
  );
}

/** A user as a cell: the nickname over the id (copyable). */
export function UserCell({
  nickname,
  userId,
  extra,
}: {
  nickname: string;
  userId: string;
  extra?: ReactNode;
}) {
  return (
    <div style={{ lineHeight: 1.35 }}>
      <div>{nickname}</div>
      <Typography.Text type="secondary" copyable={{ text: userId }} style={{ fontSize: 12 }}>
        {userId}
      </Typography.Text>
      {extra && <div style={{ fontSize: 12 }}>{extra}</div>}
    </div>
  );
}

/** An id, shortened in tables with the whole value copyable. */
export function IdText({ id }: { id: string }) {
  const short = id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id;
  return (
    <Typography.Text copyable={{ text: id }} style={{ fontFamily: "monospace", fontSize: 12 }} title={id}>
      {short}
    </Typography.Text>
  );
}

/** JSON as a readable block (callbacks, audit before/after). */
export function JsonBlock({ value }: { value: unknown }) {
  return <pre className="json-block">{JSON.stringify(value, null, 2)}</pre>;
}

const TONE: Record<string, string> = {
  success: "success",
  processing: "processing",
  warning: "warning",
  error: "error",
  default: "default",
};

/** A status as a coloured tag. */
export function StatusTag({
  tone,
  children,
  testId,
}: {
  tone: keyof typeof TONE;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Tag color={TONE[tone]} data-testid={testId} style={{ marginInlineEnd: 0 }}>
      {children}
    </Tag>
  );
}

export function PageHeader({ title, extra, sub }: { title: ReactNode; extra?: ReactNode; sub?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="page-title">
          {title}
        </Typography.Title>
        {sub && <Typography.Text type="secondary">{sub}</Typography.Text>}
      </div>
      {extra && <div className="page-header-extra">{extra}</div>}
    </div>
  );
}

export function useNone() {
  const { t } = useI18n();
  return t("common.none");
}

/** A table column of creation times. */
export function createdAtColumn<Row extends { created_at: string }>(t: T): ColumnType<Row> {
  return {
    title: t("common.createdAt"),
    dataIndex: "created_at",
    render: (v: string) => formatTime(v),
    width: 170,
  };
}

/** A table column of ids (shortened, copyable). */
export function idColumn<Row>(t: T, dataIndex: keyof Row & string): ColumnType<Row> {
  return { title: t("common.id"), dataIndex, render: (v: string) => <IdText id={v} /> };
}

/** A small paged table, as in a detail page's tabs. */
export function DetailTable<Row extends object>(props: {
  rowKey: keyof Row & string;
  rows: Row[];
  columns: ColumnsType<Row>;
}) {
  return (
    <Table<Row>
      rowKey={props.rowKey}
      size="small"
      dataSource={props.rows}
      columns={props.columns}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
    />
  );
}
