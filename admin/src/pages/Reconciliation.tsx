import { PlayCircleOutlined } from "@ant-design/icons";
import type { Reconciliation } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Col, Empty, Result, Row, Skeleton, Statistic, Table } from "antd";
import { useState } from "react";
import { ApiError, adminApi, errorMessage } from "../api.ts";
import { PageHeader, QueryError } from "../components/common.tsx";
import { formatTime, useI18n } from "../i18n.tsx";

/** SPEC §7 / ARCHITECTURE: the latest ledger-vs-balances run, and a button that runs it now. */
export function ReconciliationPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [running, setRunning] = useState(false);
  const query = useQuery({
    queryKey: ["admin", "reconciliation"],
    // 404: it never ran yet.
    queryFn: () =>
      adminApi.reconciliation().catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
  });
  const r = query.data;

  const run = async () => {
    setRunning(true);
    try {
      const result = await adminApi.runReconciliation();
      queryClient.setQueryData(["admin", "reconciliation"], result);
      void message.success(t("recon.done", { result: result.ok ? t("recon.ok") : t("recon.notOk") }));
      await queryClient.invalidateQueries({ queryKey: ["admin", "audit"] });
    } catch (err) {
      void message.error(errorMessage(err, t("common.networkError")));
    } finally {
      setRunning(false);
    }
  };

  return (
    <div data-testid="reconciliation-page">
      <PageHeader
        title={t("menu.reconciliation")}
        extra={
          <Button
            type="primary"
            icon={<PlayCircleOutlined />}
            loading={running}
            onClick={() => void run()}
            data-testid="recon-run"
          >
            {t("recon.run")}
          </Button>
        }
      />
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      {query.isPending && <Skeleton active />}
      {r === null && (
        <Empty description={`${t("recon.never")} · ${t("recon.neverDesc")}`} data-testid="recon-never" />
      )}
      {r && <Report r={r} />}
    </div>
  );
}

const mono = (v: string) => <span className="mono">{v}</span>;

function Report({ r }: { r: Reconciliation }) {
  const { t } = useI18n();
  const small = { size: "small" as const, pagination: false as const };
  return (
    <div data-testid="recon-report" data-ok={String(r.ok)}>
      <Card style={{ marginBottom: 16 }}>
        <Row align="middle">
          <Col span={12}>
            <Result
              style={{ padding: 0 }}
              status={r.ok ? "success" : "error"}
              title={<span data-testid="recon-result">{r.ok ? t("recon.ok") : t("recon.notOk")}</span>}
              subTitle={r.ok ? t("recon.okDesc") : t("recon.notOkDesc")}
            />
          </Col>
          <Col span={6}>
            <Statistic title={t("recon.accountsChecked")} value={r.accounts_checked} />
          </Col>
          <Col span={6}>
            <Statistic
              title={t("recon.ranAt")}
              value={formatTime(r.ran_at)}
              styles={{ content: { fontSize: 18 } }}
            />
          </Col>
        </Row>
      </Card>
      <Row gutter={[16, 16]}>
        <Col span={12}>
          <Card title={t("recon.assetTotals")} size="small" className="fill-card">
            <Table
              {...small}
              rowKey="asset"
              dataSource={r.asset_totals}
              columns={[
                { title: t("recon.asset"), dataIndex: "asset" },
                { title: t("recon.cached"), dataIndex: "cached", align: "right", render: mono },
                { title: t("recon.posted"), dataIndex: "posted", align: "right", render: mono },
              ]}
            />
          </Card>
        </Col>
        <Col span={12}>
          <Card
            title={`${t("recon.accountMismatches")} (${r.account_mismatches.length})`}
            size="small"
            className="fill-card"
          >
            <Table
              {...small}
              rowKey="account_id"
              dataSource={r.account_mismatches}
              columns={[
                { title: t("recon.account"), dataIndex: "account_id", render: mono },
                { title: t("recon.cached"), dataIndex: "cached", align: "right", render: mono },
                { title: t("recon.posted"), dataIndex: "posted", align: "right", render: mono },
              ]}
            />
          </Card>
        </Col>
        <Col span={12}>
          <Card
            title={`${t("recon.unbalanced")} (${r.unbalanced_transactions.length})`}
            size="small"
            className="fill-card"
          >
            <Table
              {...small}
              rowKey={(x) => `${x.transaction_id}:${x.asset}`}
              dataSource={r.unbalanced_transactions}
              columns={[
                { title: t("recon.transaction"), dataIndex: "transaction_id", render: mono },
                { title: t("recon.asset"), dataIndex: "asset" },
                { title: t("recon.total"), dataIndex: "total", align: "right", render: mono },
              ]}
            />
          </Card>
        </Col>
        <Col span={12}>
          <Card
            title={`${t("recon.escrowMismatches")} (${r.escrow_mismatches.length})`}
            size="small"
            className="fill-card"
          >
            <Table
              {...small}
              rowKey="order_id"
              dataSource={r.escrow_mismatches}
              columns={[
                { title: t("recon.order"), dataIndex: "order_id", render: mono },
                { title: t("common.status"), dataIndex: "status" },
                { title: t("recon.escrow"), dataIndex: "escrow", align: "right", render: mono },
                { title: t("recon.expected"), dataIndex: "expected", align: "right", render: mono },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
