import { ReloadOutlined, SyncOutlined } from "@ant-design/icons";
import type { AdminPayment, PaymentStatus } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Descriptions, Drawer, Empty, Input, Select, Space, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { adminApi, errorMessage } from "../api.ts";
import { CursorTable, useCursorPage } from "../components/CursorPager.tsx";
import { IdText, JsonBlock, PageHeader, QueryError } from "../components/common.tsx";
import { formatTime, useI18n } from "../i18n.tsx";
import { PaymentStatusTag } from "../labels.tsx";
import { formatCny, formatCoins, formatCredits } from "../money.ts";

const STATUSES: PaymentStatus[] = ["pending", "paid", "failed", "closed"];

/** SPEC §7 payments: search, the detail with the raw verified callback, a re-query of the gateway. */
export function PaymentsPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState(params.get("q") ?? "");
  const [status, setStatus] = useState<PaymentStatus | undefined>(undefined);
  const openId = params.get("payment");
  const list = useCursorPage(["admin", "payments", q, status ?? ""], (cursor) =>
    adminApi.payments({ q: q || undefined, status, cursor, limit: 20 }),
  );
  const open = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("payment", id);
    else next.delete("payment");
    setParams(next, { replace: true });
  };

  const columns: ColumnsType<AdminPayment> = [
    { title: t("common.id"), dataIndex: "payment_id", render: (v: string) => <IdText id={v} /> },
    {
      title: t("common.user"),
      key: "user",
      render: (_, p) => <Link to={`/users?user=${encodeURIComponent(p.user_id)}`}>{p.nickname}</Link>,
    },
    { title: t("pay.product"), dataIndex: "product_name" },
    {
      title: t("common.amount"),
      dataIndex: "amount_cny",
      align: "right",
      render: (v: string) => formatCny(v),
    },
    {
      title: t("pay.channel"),
      dataIndex: "pay_channel",
      render: (v: AdminPayment["pay_channel"]) => t(`pay.channel.${v}`),
    },
    {
      title: t("common.status"),
      key: "status",
      render: (_, p) => (
        <Space size={4}>
          <PaymentStatusTag status={p.status} t={t} />
          {p.status === "paid" && (
            <Tag color={p.fulfilled ? "green" : "orange"}>
              {p.fulfilled ? t("pay.fulfilled") : t("pay.notFulfilled")}
            </Tag>
          )}
        </Space>
      ),
    },
    {
      title: t("pay.tradeNo"),
      dataIndex: "gateway_trade_no",
      render: (v: string | null) => (v ? <span className="mono">{v}</span> : t("common.none")),
    },
    { title: t("common.createdAt"), dataIndex: "created_at", render: (v: string) => formatTime(v) },
    { title: t("pay.paidAt"), dataIndex: "paid_at", render: (v: string | null) => formatTime(v) },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, p) => (
        <Button type="link" size="small" onClick={() => open(p.payment_id)} data-testid="payment-open">
          {t("common.detail")}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="payments-page">
      <PageHeader title={t("menu.payments")} />
      <div className="filters">
        <Input.Search
          allowClear
          defaultValue={q}
          placeholder={t("pay.searchPlaceholder")}
          enterButton={t("common.search")}
          style={{ width: 420 }}
          onSearch={(v) => setQ(v.trim())}
        />
        <Select
          allowClear
          placeholder={t("common.status")}
          style={{ width: 160 }}
          value={status}
          onChange={(v) => setStatus(v)}
          options={STATUSES.map((s) => ({ value: s, label: t(`pay.status.${s}`) }))}
        />
        <Button icon={<ReloadOutlined />} onClick={() => void list.query.refetch()}>
          {t("common.refresh")}
        </Button>
      </div>
      <CursorTable<AdminPayment>
        list={list}
        rowKey="payment_id"
        columns={columns}
        rowData={(p) => ({ "data-testid": "payment-row", "data-id": p.payment_id })}
      />
      {openId && <PaymentDrawer id={openId} onClose={() => open(null)} />}
    </div>
  );
}

function PaymentDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const detail = useQuery({ queryKey: ["admin", "payment", id], queryFn: () => adminApi.payment(id) });
  const [busy, setBusy] = useState(false);
  const p = detail.data;

  const requery = async () => {
    setBusy(true);
    try {
      const updated = await adminApi.requeryPayment(id);
      queryClient.setQueryData(["admin", "payment", id], updated);
      void message.success(t("pay.requeried", { status: t(`pay.status.${updated.status}`) }));
      await queryClient.invalidateQueries({ queryKey: ["admin", "payments"] });
    } catch (err) {
      void message.error(errorMessage(err, t("common.networkError")));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      open
      size={760}
      onClose={onClose}
      title={t("pay.detailTitle", { id })}
      extra={
        <Button
          icon={<SyncOutlined />}
          onClick={() => void requery()}
          loading={busy}
          data-testid="payment-requery"
        >
          {t("pay.requery")}
        </Button>
      }
    >
      {detail.isError && <QueryError error={detail.error} onRetry={() => void detail.refetch()} />}
      {p && (
        <div data-testid="payment-detail" data-status={p.status}>
          <Descriptions
            size="small"
            bordered
            column={2}
            items={[
              {
                key: "id",
                label: t("common.id"),
                span: 2,
                children: <Typography.Text copyable>{p.payment_id}</Typography.Text>,
              },
              {
                key: "user",
                label: t("common.user"),
                children: <Link to={`/users?user=${encodeURIComponent(p.user_id)}`}>{p.nickname}</Link>,
              },
              {
                key: "status",
                label: t("common.status"),
                children: <PaymentStatusTag status={p.status} t={t} />,
              },
              { key: "product", label: t("pay.product"), children: `${p.product_name} (${p.product_id})` },
              { key: "amount", label: t("common.amount"), children: formatCny(p.amount_cny) },
              {
                key: "grants",
                label: t("pay.grants"),
                children: t("pay.grantsValue", {
                  credits: formatCredits(p.credits_amount),
                  coins: formatCoins(p.coins_amount),
                }),
              },
              {
                key: "fulfilled",
                label: t("pay.fulfilled"),
                children: p.fulfilled ? t("common.yes") : t("common.no"),
              },
              { key: "channel", label: t("pay.channel"), children: t(`pay.channel.${p.pay_channel}`) },
              { key: "client", label: t("pay.client"), children: p.client },
              {
                key: "trade",
                label: t("pay.tradeNo"),
                span: 2,
                children: p.gateway_trade_no ? (
                  <Typography.Text copyable>{p.gateway_trade_no}</Typography.Text>
                ) : (
                  t("common.none")
                ),
              },
              { key: "created", label: t("common.createdAt"), children: formatTime(p.created_at) },
              { key: "paid", label: t("pay.paidAt"), children: formatTime(p.paid_at) },
              { key: "expire", label: t("pay.expireAt"), children: formatTime(p.expire_at) },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t("pay.rawCallback")}
          </Typography.Title>
          {p.raw_callback ? (
            <div data-testid="payment-callback">
              <JsonBlock value={p.raw_callback} />
            </div>
          ) : (
            <Empty description={t("pay.noCallback")} />
          )}
        </div>
      )}
    </Drawer>
  );
}
