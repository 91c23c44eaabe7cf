import { DownloadOutlined, ReloadOutlined } from "@ant-design/icons";
import type { AdminWithdrawal, WithdrawalStatus } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Space, Tabs, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { Link } from "react-router-dom";
import { adminApi, downloadBankBatch, errorMessage } from "../api.ts";
import { CursorTable, useCursorPage } from "../components/CursorPager.tsx";
import { IdText, PageHeader } from "../components/common.tsx";
import { ReasonModal } from "../components/ReasonModal.tsx";
import { formatTime, useI18n } from "../i18n.tsx";
import { PayoutTag, WithdrawalStatusTag } from "../labels.tsx";
import { formatCny } from "../money.ts";

const STATUSES: (WithdrawalStatus | "all")[] = ["applied", "approved", "paid", "rejected", "failed", "all"];

/** SPEC §7 withdrawal review: the queue by status, approve / reject with a reason / mark paid, the bank batch. */
export function WithdrawalsPage() {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<WithdrawalStatus | "all">("applied");
  const [rejecting, setRejecting] = useState<AdminWithdrawal | null>(null);
  const [downloading, setDownloading] = useState(false);
  const list = useCursorPage(
    ["admin", "withdrawals", status],
    (cursor) => adminApi.withdrawals({ status: status === "all" ? undefined : status, cursor, limit: 20 }),
    // Approved ones move on by themselves (the payout finishes in the background).
    { refetchInterval: status === "approved" ? 5_000 : false },
  );

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ["admin", "withdrawals"] }),
      queryClient.invalidateQueries({ queryKey: ["admin", "dashboard"] }),
      queryClient.invalidateQueries({ queryKey: ["admin", "audit"] }),
    ]);

  const method = (w: AdminWithdrawal) => t(`wd.method.${w.method}`);
  const account = (w: AdminWithdrawal) => `${method(w)} ${w.account_masked}`;

  const approve = (w: AdminWithdrawal) =>
    modal.confirm({
      title: t("wd.approveTitle"),
      content: t("wd.approveContent", {
        channel: w.payout_channel ?? method(w),
        payee: w.name_masked,
        account: account(w),
        amount: formatCny(w.amount_cny),
      }),
      okText: t("wd.approve"),
      cancelText: t("common.cancel"),
      okButtonProps: { "data-testid": "approve-ok" },
      onOk: async () => {
        try {
          const updated = await adminApi.approveWithdrawal(w.withdrawal_id);
          void message.success(t("wd.approved", { payout: t(`wd.payout.${updated.payout_status}`) }));
          await refresh();
        } catch (err) {
          void message.error(errorMessage(err, t("common.networkError")));
        }
      },
    });

  const markPaid = (w: AdminWithdrawal) =>
    modal.confirm({
      title: t("wd.markPaidTitle"),
      content: t("wd.markPaidContent", {
        payee: w.name_masked,
        account: account(w),
        amount: formatCny(w.amount_cny),
      }),
      okText: t("wd.markPaid"),
      cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await adminApi.markWithdrawalPaid(w.withdrawal_id);
          void message.success(t("wd.markedPaid"));
          await refresh();
        } catch (err) {
          void message.error(errorMessage(err, t("common.networkError")));
        }
      },
    });

  const columns: ColumnsType<AdminWithdrawal> = [
    { title: t("common.id"), dataIndex: "withdrawal_id", render: (v: string) => <IdText id={v} /> },
    {
      title: t("common.user"),
      key: "user",
      render: (_, w) => (
        <div>
          <Link to={`/users?user=${encodeURIComponent(w.user_id)}`}>{w.nickname}</Link>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {w.phone_masked ?? w.user_id}
            </Typography.Text>
          </div>
        </div>
      ),
    },
    {
      title: t("common.amount"),
      dataIndex: "amount_cny",
      align: "right",
      render: (v: string) => <strong data-testid="withdrawal-amount">{formatCny(v)}</strong>,
    },
    {
      title: t("wd.account"),
      key: "account",
      render: (_, w) => (
        <div>
          <div>{account(w)}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {w.name_masked}
            {w.bank_name ? ` · ${w.bank_name}` : ""}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: t("common.status"),
      dataIndex: "status",
      render: (s: WithdrawalStatus, w) => (
        <Space orientation="vertical" size={2}>
          <WithdrawalStatusTag status={s} t={t} />
          {w.reason && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {w.reason}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("wd.payout"),
      key: "payout",
      render: (_, w) => (
        <Space orientation="vertical" size={2}>
          <PayoutTag w={w} t={t} />
          {w.payout_ref && <span className="mono">{w.payout_ref}</span>}
        </Space>
      ),
    },
    {
      title: t("wd.appliedAt"),
      key: "times",
      render: (_, w) => (
        <div style={{ fontSize: 12 }}>
          <div>{formatTime(w.created_at)}</div>
          {w.processed_at && (
            <Typography.Text type="secondary">
              {t("wd.processedAt")} {formatTime(w.processed_at)}
            </Typography.Text>
          )}
          {w.finished_at && (
            <div>
              <Typography.Text type="secondary">
                {t("wd.finishedAt")} {formatTime(w.finished_at)}
              </Typography.Text>
            </div>
          )}
        </div>
      ),
    },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, w) => (
        <Space size={4}>
          {w.status === "applied" && (
            <>
              <Button type="primary" size="small" onClick={() => approve(w)} data-testid="withdrawal-approve">
                {t("wd.approve")}
              </Button>
              <Button danger size="small" onClick={() => setRejecting(w)} data-testid="withdrawal-reject">
                {t("wd.reject")}
              </Button>
            </>
          )}
          {w.status === "approved" && w.payout_status !== "success" && (
            <Button size="small" onClick={() => markPaid(w)} data-testid="withdrawal-mark-paid">
              {t("wd.markPaid")}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="withdrawals-page">
      <PageHeader
        title={t("menu.withdrawals")}
        extra={
          <>
            <Button
              icon={<DownloadOutlined />}
              loading={downloading}
              data-testid="bank-batch"
              onClick={async () => {
                setDownloading(true);
                try {
                  const file = await downloadBankBatch();
                  void message.success(t("wd.downloaded", { file }));
                } catch (err) {
                  void message.error(errorMessage(err, t("common.networkError")));
                } finally {
                  setDownloading(false);
                }
              }}
            >
              {t("wd.downloadCsv")}
            </Button>
            <Button icon={<ReloadOutlined />} onClick={() => void list.query.refetch()}>
              {t("common.refresh")}
            </Button>
          </>
        }
      />
      <Tabs
        activeKey={status}
        onChange={(k) => setStatus(k as WithdrawalStatus | "all")}
        items={STATUSES.map((s) => ({
          key: s,
          label: (
            <span data-testid={`wd-tab-${s}`}>{s === "all" ? t("common.all") : t(`wd.status.${s}`)}</span>
          ),
        }))}
      />
      <CursorTable<AdminWithdrawal>
        list={list}
        rowKey="withdrawal_id"
        columns={columns}
        rowData={(w) => ({
          "data-testid": "withdrawal-row",
          "data-id": w.withdrawal_id,
          "data-status": w.status,
        })}
        quietRefetch
      />
      <ReasonModal
        open={rejecting !== null}
        title={rejecting ? t("wd.rejectTitle", { amount: formatCny(rejecting.amount_cny) }) : ""}
        hint={t("wd.rejectHint")}
        okText={t("wd.reject")}
        danger
        onClose={() => setRejecting(null)}
        onSubmit={async (reason) => {
          if (!rejecting) return;
          await adminApi.rejectWithdrawal(rejecting.withdrawal_id, reason);
          void message.success(t("wd.rejected"));
          await refresh();
        }}
      />
    </div>
  );
}
