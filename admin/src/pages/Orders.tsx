import { ReloadOutlined } from "@ant-design/icons";
import type { Order, OrderStatusFilter } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Typography,
} from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { adminApi, errorMessage, newIdempotencyKey } from "../api.ts";
import { CursorTable, useCursorPage } from "../components/CursorPager.tsx";
import { IdText, PageHeader, QueryError } from "../components/common.tsx";
import { formatTime, useI18n } from "../i18n.tsx";
import { OrderStatusTag, outcomeLabel } from "../labels.tsx";
import { formatCoins, parseMilliCoins } from "../money.ts";

const FILTERS: OrderStatusFilter[] = [
  "disputed",
  "active",
  "finished",
  "published",
  "awarded",
  "cancel_requested",
  "delivered",
  "completed",
  "cancelled",
  "split",
];

/** SPEC §6/§7 orders: the list by status (disputes first), the detail, dispute settlement with a note. */
export function OrdersPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const [status, setStatus] = useState<OrderStatusFilter | undefined>(
    (params.get("status") as OrderStatusFilter | null) ?? undefined,
  );
  const openId = params.get("order");
  const list = useCursorPage(["admin", "orders", status ?? ""], (cursor) =>
    adminApi.orders({ status, cursor, limit: 20 }),
  );
  const open = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("order", id);
    else next.delete("order");
    setParams(next, { replace: true });
  };

  const columns: ColumnsType<Order> = [
    {
      title: t("orders.title"),
      key: "title",
      render: (_, o) => (
        <div>
          <div>{o.title}</div>
          <IdText id={o.order_id} />
        </div>
      ),
    },
    {
      title: t("orders.publisher"),
      key: "publisher",
      render: (_, o) => (
        <Link to={`/users?user=${encodeURIComponent(o.publisher.user_id)}`}>{o.publisher.nickname}</Link>
      ),
    },
    {
      title: t("orders.creator"),
      key: "creator",
      render: (_, o) =>
        o.awarded_creator ? (
          <Link to={`/users?user=${encodeURIComponent(o.awarded_creator.user_id)}`}>
            {o.awarded_creator.nickname}
          </Link>
        ) : (
          t("common.none")
        ),
    },
    {
      title: t("orders.budget"),
      dataIndex: "budget_coins",
      align: "right",
      render: (v: string) => formatCoins(v),
    },
    {
      title: t("common.status"),
      key: "status",
      render: (_, o) => (
        <Space orientation="vertical" size={2}>
          <OrderStatusTag status={o.status} t={t} />
          {o.outcome && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {outcomeLabel(o.outcome, t)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    { title: t("orders.deadline"), dataIndex: "deadline_at", render: (v: string) => formatTime(v) },
    { title: t("common.createdAt"), dataIndex: "created_at", render: (v: string) => formatTime(v) },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, o) => (
        <Button
          type={o.status === "disputed" ? "primary" : "link"}
          size="small"
          onClick={() => open(o.order_id)}
          data-testid="order-open"
        >
          {o.status === "disputed" ? t("orders.settle") : t("common.detail")}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="orders-page">
      <PageHeader title={t("menu.orders")} />
      <div className="filters">
        <Select
          allowClear
          placeholder={t("common.status")}
          style={{ width: 200 }}
          value={status}
          onChange={(v) => setStatus(v)}
          options={FILTERS.map((s) => ({ value: s, label: t(`orders.status.${s}`) }))}
          data-testid="orders-status"
        />
        <Button icon={<ReloadOutlined />} onClick={() => void list.query.refetch()}>
          {t("common.refresh")}
        </Button>
      </div>
      <CursorTable<Order>
        list={list}
        rowKey="order_id"
        columns={columns}
        rowData={(o) => ({ "data-testid": "order-row", "data-id": o.order_id, "data-status": o.status })}
      />
      {openId && <OrderDrawer id={openId} onClose={() => open(null)} />}
    </div>
  );
}

function OrderDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const detail = useQuery({ queryKey: ["admin", "order", id], queryFn: () => adminApi.order(id) });
  const [settling, setSettling] = useState(false);
  const o = detail.data;
  return (
    <Drawer
      open
      size={820}
      onClose={onClose}
      title={o ? `${t("orders.detailTitle")} · ${o.title}` : t("orders.detailTitle")}
      extra={
        o?.status === "disputed" && (
          <Button type="primary" danger onClick={() => setSettling(true)} data-testid="order-settle">
            {t("orders.settle")}
          </Button>
        )
      }
    >
      {detail.isError && <QueryError error={detail.error} onRetry={() => void detail.refetch()} />}
      {o && (
        <div data-testid="order-detail" data-status={o.status} data-outcome={o.outcome ?? ""}>
          <Descriptions
            size="small"
            bordered
            column={2}
            items={[
              {
                key: "id",
                label: t("common.id"),
                span: 2,
                children: <Typography.Text copyable>{o.order_id}</Typography.Text>,
              },
              {
                key: "status",
                label: t("common.status"),
                children: <OrderStatusTag status={o.status} t={t} />,
              },
              { key: "outcome", label: t("orders.outcome"), children: outcomeLabel(o.outcome, t) },
              {
                key: "publisher",
                label: t("orders.publisher"),
                children: (
                  <Link to={`/users?user=${encodeURIComponent(o.publisher.user_id)}`}>
                    {o.publisher.nickname}
                  </Link>
                ),
              },
              {
                key: "creator",
                label: t("orders.creator"),
                children: o.awarded_creator ? (
                  <Link to={`/users?user=${encodeURIComponent(o.awarded_creator.user_id)}`}>
                    {o.awarded_creator.nickname}
                  </Link>
                ) : (
                  t("common.none")
                ),
              },
              { key: "budget", label: t("orders.budget"), children: formatCoins(o.budget_coins) },
              { key: "category", label: t("orders.category"), children: o.category },
              { key: "deadline", label: t("orders.deadline"), children: formatTime(o.deadline_at) },
              { key: "apps", label: t("orders.applications"), children: o.applications_count },
              {
                key: "work",
                label: t("orders.deliveredWork"),
                span: 2,
                children: o.delivered_work
                  ? `${o.delivered_work.title} (${o.delivered_work.work_id})`
                  : t("common.none"),
              },
              {
                key: "paid",
                label: t("orders.creatorPaid"),
                children: o.creator_paid_coins ? formatCoins(o.creator_paid_coins) : t("common.none"),
              },
              {
                key: "refunded",
                label: t("orders.publisherRefunded"),
                children: o.publisher_refunded_coins
                  ? formatCoins(o.publisher_refunded_coins)
                  : t("common.none"),
              },
              { key: "brief", label: t("orders.brief"), span: 2, children: o.brief },
            ]}
          />
          {o.dispute && (
            <Card
              title={t("orders.dispute")}
              size="small"
              style={{ marginTop: 16 }}
              data-testid="order-dispute"
            >
              <Descriptions
                size="small"
                column={1}
                items={[
                  { key: "reason", label: t("orders.disputeReason"), children: o.dispute.reason },
                  {
                    key: "opened",
                    label: t("orders.disputeOpenedAt"),
                    children: formatTime(o.dispute.opened_at),
                  },
                  ...(o.dispute.resolution
                    ? [
                        {
                          key: "resolution",
                          label: t("orders.resolution"),
                          children: (
                            <span data-testid="order-resolution">
                              {t(`orders.resolution.${o.dispute.resolution}`)}
                              {o.dispute.creator_share_coins
                                ? ` · ${formatCoins(o.dispute.creator_share_coins)}`
                                : ""}
                            </span>
                          ),
                        },
                        {
                          key: "note",
                          label: t("orders.settlementNote"),
                          children: o.dispute.note ?? t("common.none"),
                        },
                        {
                          key: "settled",
                          label: t("common.updatedAt"),
                          children: formatTime(o.dispute.settled_at),
                        },
                      ]
                    : []),
                ]}
              />
            </Card>
          )}
          {settling && <SettleModal order={o} onClose={() => setSettling(false)} />}
        </div>
      )}
    </Drawer>
  );
}

type SettleForm = { resolution: "pay" | "refund" | "split"; creator_share_coins?: string; note: string };

function validShare(raw: string | undefined, budget: string): boolean {
  const text = (raw ?? "").trim();
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(text)) return false;
  try {
    const share = parseMilliCoins(text);
    return share > 0n && share < parseMilliCoins(budget);
  } catch {
    return false;
  }
}

function SettleModal({ order, onClose }: { order: Order; onClose: () => void }) {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<SettleForm>();
  const resolution = Form.useWatch("resolution", form) ?? "pay";
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [idempotencyKey] = useState(newIdempotencyKey);

  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    modal.confirm({
      title: t("orders.settle"),
      content: t("orders.settleConfirm", { resolution: t(`orders.resolution.${v.resolution}`) }),
      okText: t("common.confirm"),
      cancelText: t("common.cancel"),
      okButtonProps: { "data-testid": "settle-confirm-ok" },
      onOk: async () => {
        setBusy(true);
        setError(null);
        try {
          const updated = await adminApi.settleOrder(
            order.order_id,
            {
              resolution: v.resolution,
              note: v.note.trim(),
              ...(v.resolution === "split"
                ? { creator_share_coins: (v.creator_share_coins ?? "").trim() }
                : {}),
            },
            idempotencyKey,
          );
          queryClient.setQueryData(["admin", "order", order.order_id], updated);
          void message.success(t("orders.settled"));
          onClose();
          await Promise.all([
            queryClient.invalidateQueries({ queryKey: ["admin", "orders"] }),
            queryClient.invalidateQueries({ queryKey: ["admin", "dashboard"] }),
            queryClient.invalidateQueries({ queryKey: ["admin", "audit"] }),
          ]);
        } catch (err) {
          setError(errorMessage(err, t("common.networkError")));
        } finally {
          setBusy(false);
        }
      },
    });
  };

  return (
    <Modal
      open
      title={t("orders.settleTitle", { title: order.title })}
      okText={t("orders.settle")}
      cancelText={t("common.cancel")}
      okButtonProps={{ danger: true, loading: busy, "data-testid": "settle-ok" }}
      onOk={() => void submit()}
      onCancel={onClose}
      width={560}
    >
      {order.dispute && (
        <Alert type="warning" showIcon title={order.dispute.reason} style={{ marginBottom: 16 }} />
      )}
      <Form<SettleForm> form={form} layout="vertical" initialValues={{ resolution: "pay", note: "" }}>
        <Form.Item name="resolution" label={t("orders.resolution")}>
          <Radio.Group
            data-testid="settle-resolution"
            options={(["pay", "refund", "split"] as const).map((r) => ({
              value: r,
              label: <span data-testid={`settle-${r}`}>{t(`orders.resolution.${r}`)}</span>,
            }))}
          />
        </Form.Item>
        {resolution === "split" && (
          <Form.Item
            name="creator_share_coins"
            label={t("orders.creatorShare")}
            extra={t("orders.creatorShareHint", { budget: formatCoins(order.budget_coins) })}
            rules={[
              {
                validator: (_, v: string | undefined) =>
                  validShare(v, order.budget_coins)
                    ? Promise.resolve()
                    : Promise.reject(new Error(t("orders.creatorShareInvalid"))),
              },
            ]}
          >
            <Input suffix={t("products.coins")} data-testid="settle-share" />
          </Form.Item>
        )}
        <Form.Item
          name="note"
          label={t("orders.settlementNote")}
          rules={[{ required: true, whitespace: true, max: 500, message: t("orders.noteRequired") }]}
        >
          <Input.TextArea
            rows={3}
            maxLength={500}
            showCount
            placeholder={t("orders.notePlaceholder")}
            data-testid="settle-note"
          />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="settle-error" />}
    </Modal>
  );
}
