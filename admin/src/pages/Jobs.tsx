import { LinkOutlined, ReloadOutlined } from "@ant-design/icons";
import type { AdminJobs } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, Space, Table, Tag, Typography } from "antd";
import { adminApi } from "../api.ts";
import { PageHeader, QueryError } from "../components/common.tsx";
import { formatTime, useI18n } from "../i18n.tsx";
import { formatCount } from "../money.ts";

type Queue = AdminJobs["queues"][number];
type Failure = AdminJobs["recent_failures"][number];

const mono = (v: string) => <span className="mono">{v}</span>;
/** Job queues (SPEC §7): depths by state, the recent failures, a link to bull-board when there is one. */
export function JobsPage() {
  const { t } = useI18n();
  const query = useQuery({
    queryKey: ["admin", "jobs"],
    queryFn: () => adminApi.jobs(),
    refetchInterval: 10_000,
  });
  const data = query.data;
  const count = (v: number) => formatCount(v);
  const warn = (v: number) =>
    v > 0 ? <Typography.Text type="danger">{count(v)}</Typography.Text> : count(v);
  return (
    <div data-testid="jobs-page">
      <PageHeader
        title={t("menu.jobs")}
        sub={t("jobs.autoRefresh")}
        extra={
          <Space>
            {data?.board_url ? (
              <Button
                icon={<LinkOutlined />}
                href={data.board_url}
                target="_blank"
                rel="noreferrer"
                data-testid="jobs-board"
              >
                {t("jobs.board")}
              </Button>
            ) : (
              data && <Typography.Text type="secondary">{t("jobs.noBoard")}</Typography.Text>
            )}
            <Button icon={<ReloadOutlined />} onClick={() => void query.refetch()} loading={query.isFetching}>
              {t("common.refresh")}
            </Button>
          </Space>
        }
      />
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      <Card
        size="small"
        title={t("jobs.queues")}
        extra={
          data && (
            <span>
              {t("jobs.backend")}: <Tag color="blue">{t(`jobs.backend.${data.backend}`)}</Tag>
            </span>
          )
        }
        style={{ marginBottom: 16 }}
      >
        <Table<Queue>
          rowKey="name"
          size="small"
          loading={query.isPending}
          dataSource={data?.queues ?? []}
          pagination={false}
          columns={[
            { title: t("jobs.queue"), dataIndex: "name", render: mono },
            { title: t("jobs.waiting"), dataIndex: "waiting", align: "right", render: count },
            { title: t("jobs.active"), dataIndex: "active", align: "right", render: count },
            { title: t("jobs.delayed"), dataIndex: "delayed", align: "right", render: count },
            { title: t("jobs.failed"), dataIndex: "failed", align: "right", render: warn },
            { title: t("jobs.completed"), dataIndex: "completed", align: "right", render: count },
          ]}
        />
      </Card>
      <Card size="small" title={`${t("jobs.recentFailures")} (${data?.recent_failures.length ?? 0})`}>
        <Table<Failure>
          rowKey={(f) => `${f.job_id}:${f.at}`}
          size="small"
          dataSource={data?.recent_failures ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          columns={[
            { title: t("jobs.at"), dataIndex: "at", render: (v: string) => formatTime(v), width: 170 },
            { title: t("jobs.name"), dataIndex: "name", render: mono },
            { title: t("jobs.jobId"), dataIndex: "job_id", render: mono },
            { title: t("jobs.attempts"), dataIndex: "attempts", align: "right" },
            { title: t("jobs.error"), dataIndex: "error", ellipsis: true },
          ]}
        />
      </Card>
    </div>
  );
}
