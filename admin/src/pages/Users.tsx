import { ReloadOutlined } from "@ant-design/icons";
import type { AdminRole, AdminUser, AdminUserDetail, LedgerEntry } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Avatar,
  Button,
  Checkbox,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { type AdminMe, adminApi, errorMessage, newIdempotencyKey } from "../api.ts";
import { userPermissions } from "../auth.tsx";
import { CursorTable, useCursorPage } from "../components/CursorPager.tsx";
import {
  createdAtColumn,
  DetailTable,
  IdText,
  idColumn,
  PageHeader,
  QueryError,
} from "../components/common.tsx";
import { ReasonModal } from "../components/ReasonModal.tsx";
import { formatTime, type T, useI18n } from "../i18n.tsx";
import {
  ledgerTypeLabel,
  PaymentStatusTag,
  UserStatusTag,
  WithdrawalStatusTag,
  WorkStatusTag,
} from "../labels.tsx";
import { formatCny, formatCoins, formatCredits, formatLedgerAmount, validAdjustAmount } from "../money.ts";

type TaskRow = AdminUserDetail["tasks"][number];
type WorkRow = AdminUserDetail["works"][number];
type PaymentRow = AdminUserDetail["payments"][number];
type WithdrawalRow = AdminUserDetail["withdrawals"][number];

const ROLE_COLORS: Record<AdminRole, string> = { admin: "red", finance: "gold", moderator: "blue" };

export function RoleTags({ roles, t }: { roles: readonly AdminRole[]; t: T }) {
  if (roles.length === 0) return <Typography.Text type="secondary">{t("common.none")}</Typography.Text>;
  return (
    <Space size={4} wrap>
      {roles.map((r) => (
        <Tag key={r} color={ROLE_COLORS[r]} style={{ marginInlineEnd: 0 }}>
          {t(`role.${r}`)}
        </Tag>
      ))}
    </Space>
  );
}

/** SPEC §7 users: search by phone, nickname or id; the detail drawer with every action the role allows. */
export function UsersPage({ me }: { me: AdminMe }) {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState(params.get("q") ?? "");
  const [status, setStatus] = useState<string | undefined>(undefined);
  const openId = params.get("user");
  const list = useCursorPage(["admin", "users", q, status ?? ""], (cursor) =>
    adminApi.users({ q: q || undefined, status, cursor, limit: 20 }),
  );

  const open = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("user", id);
    else next.delete("user");
    setParams(next, { replace: true });
  };

  const columns: ColumnsType<AdminUser> = [
    {
      title: t("common.user"),
      key: "user",
      render: (_, u) => (
        <Space>
          <Avatar src={u.avatar_url ?? undefined} size={32}>
            {u.nickname.slice(0, 1)}
          </Avatar>
          <div>
            <div>{u.nickname}</div>
            <IdText id={u.user_id} />
          </div>
        </Space>
      ),
    },
    { title: t("common.phone"), dataIndex: "phone", render: (p: string | null) => p ?? t("common.none") },
    {
      title: t("common.status"),
      dataIndex: "status",
      render: (s: AdminUser["status"], u) => (
        <Space orientation="vertical" size={0}>
          <UserStatusTag status={s} t={t} />
          {u.ban_reason && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {u.ban_reason}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    { title: t("users.roles"), dataIndex: "roles", render: (r: AdminRole[]) => <RoleTags roles={r} t={t} /> },
    {
      title: t("users.credits"),
      dataIndex: "credits",
      align: "right",
      render: (v: number) => formatCredits(v),
    },
    {
      title: t("users.coinsAvailable"),
      dataIndex: "coins_available",
      align: "right",
      render: (v: string) => formatCoins(v),
    },
    {
      title: t("users.coinsPending"),
      dataIndex: "coins_pending",
      align: "right",
      render: (v: string) => formatCoins(v),
    },
    { title: t("users.registered"), dataIndex: "created_at", render: (v: string) => formatTime(v) },
    {
      title: t("common.actions"),
      key: "actions",
      fixed: "right",
      render: (_, u) => (
        <Button type="link" size="small" onClick={() => open(u.user_id)} data-testid="user-open">
          {t("common.detail")}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="users-page">
      <PageHeader title={t("menu.users")} />
      <div className="filters">
        <Input.Search
          allowClear
          defaultValue={q}
          placeholder={t("users.searchPlaceholder")}
          enterButton={t("common.search")}
          style={{ width: 380 }}
          onSearch={(v) => setQ(v.trim())}
          data-testid="users-search"
        />
        <Select
          allowClear
          placeholder={t("common.status")}
          style={{ width: 160 }}
          value={status}
          onChange={(v) => setStatus(v)}
          options={(["active", "banned", "deleted"] as const).map((s) => ({
            value: s,
            label: t(`users.status.${s}`),
          }))}
          data-testid="users-status"
        />
        <Button icon={<ReloadOutlined />} onClick={() => void list.query.refetch()}>
          {t("common.refresh")}
        </Button>
      </div>
      <CursorTable<AdminUser>
        list={list}
        rowKey="user_id"
        columns={columns}
        rowData={(u) => ({ "data-testid": "user-row", "data-user-id": u.user_id })}
      />
      {openId && <UserDrawer userId={openId} me={me} onClose={() => open(null)} />}
    </div>
  );
}

function UserDrawer({ userId, me, onClose }: { userId: string; me: AdminMe; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const perms = userPermissions(me.roles);
  const detail = useQuery({ queryKey: ["admin", "user", userId], queryFn: () => adminApi.user(userId) });
  const [dialog, setDialog] = useState<"ban" | "unban" | "adjust" | "roles" | null>(null);
  const u = detail.data;

  const refresh = async (updated?: AdminUser) => {
    if (updated) {
      queryClient.setQueryData<AdminUserDetail>(["admin", "user", userId], (old) =>
        old ? { ...old, ...updated } : old,
      );
    }
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ["admin", "user", userId] }),
      queryClient.invalidateQueries({ queryKey: ["admin", "users"] }),
      queryClient.invalidateQueries({ queryKey: ["admin", "audit"] }),
    ]);
  };

  const ledgerColumns: ColumnsType<LedgerEntry> = [
    { title: t("ledger.time"), dataIndex: "created_at", render: (v: string) => formatTime(v), width: 170 },
    {
      title: t("ledger.type"),
      dataIndex: "type",
      width: 120,
      render: (v: string) => ledgerTypeLabel(v, lang),
    },
    {
      title: t("ledger.wallet"),
      dataIndex: "wallet",
      width: 110,
      render: (v: LedgerEntry["wallet"]) => t(`ledger.wallet.${v}`),
    },
    {
      title: t("ledger.amount"),
      key: "amount",
      align: "right",
      render: (_, e) => {
        const text = formatLedgerAmount(e.amount, e.wallet);
        return <span className={text.startsWith("-") ? "amount-minus" : "amount-plus"}>{text}</span>;
      },
    },
    {
      title: t("ledger.balanceAfter"),
      key: "balance",
      align: "right",
      render: (_, e) =>
        e.wallet === "credits"
          ? formatCredits(e.balance_after)
          : formatCoins(e.balance_after, { keepExact: true }),
    },
    {
      title: t("common.status"),
      dataIndex: "status",
      render: (v: LedgerEntry["status"]) => t(`ledger.status.${v}`),
    },
    { title: t("ledger.description"), dataIndex: "description", ellipsis: { showTitle: true } },
  ];

  return (
    <Drawer
      open
      size={1000}
      onClose={onClose}
      title={u ? t("users.detailTitle", { name: u.nickname }) : t("common.detail")}
      destroyOnHidden
      extra={
        u && (
          <Space>
            {perms.ban &&
              (u.status === "banned" ? (
                <Button onClick={() => setDialog("unban")} data-testid="user-unban">
                  {t("users.unban")}
                </Button>
              ) : (
                <Button
                  danger
                  onClick={() => setDialog("ban")}
                  disabled={u.status === "deleted"}
                  data-testid="user-ban"
                >
                  {t("users.ban")}
                </Button>
              ))}
            {perms.adjust && (
              <Button
                type="primary"
                onClick={() => setDialog("adjust")}
                disabled={u.status === "deleted"}
                data-testid="user-adjust"
              >
                {t("users.adjust")}
              </Button>
            )}
            {perms.roles && (
              <Button onClick={() => setDialog("roles")} data-testid="user-roles">
                {t("users.setRoles")}
              </Button>
            )}
          </Space>
        )
      }
    >
      {detail.isError && <QueryError error={detail.error} onRetry={() => void detail.refetch()} />}
      {u && (
        <div data-testid="user-detail" data-user-id={u.user_id} data-status={u.status}>
          {u.status === "banned" && (
            <Alert
              type="error"
              showIcon
              title={`${t("users.status.banned")}${u.ban_reason ? `：${u.ban_reason}` : ""}`}
              style={{ marginBottom: 16 }}
              data-testid="user-banned-alert"
            />
          )}
          <Descriptions
            size="small"
            bordered
            column={3}
            items={[
              {
                key: "id",
                label: t("common.id"),
                children: <Typography.Text copyable>{u.user_id}</Typography.Text>,
              },
              { key: "nickname", label: t("common.nickname"), children: u.nickname },
              { key: "phone", label: t("common.phone"), children: u.phone ?? t("common.none") },
              {
                key: "status",
                label: t("common.status"),
                children: <UserStatusTag status={u.status} t={t} />,
              },
              { key: "roles", label: t("users.roles"), children: <RoleTags roles={u.roles} t={t} /> },
              { key: "created", label: t("users.registered"), children: formatTime(u.created_at) },
            ]}
          />
          <Space size={48} style={{ margin: "20px 0 8px" }}>
            <Statistic
              title={t("users.credits")}
              value={formatCredits(u.credits)}
              data-testid="user-credits"
            />
            <Statistic
              title={t("users.coinsAvailable")}
              value={formatCoins(u.coins_available)}
              data-testid="user-coins-available"
            />
            <Statistic
              title={t("users.coinsPending")}
              value={formatCoins(u.coins_pending)}
              data-testid="user-coins-pending"
            />
          </Space>
          <Tabs
            items={[
              {
                key: "ledger",
                label: `${t("users.tab.ledger")} (${u.ledger.length})`,
                children: (
                  <Table<LedgerEntry>
                    rowKey="ledger_id"
                    size="small"
                    columns={ledgerColumns}
                    dataSource={u.ledger}
                    pagination={{ pageSize: 10, hideOnSinglePage: true }}
                    onRow={(e) =>
                      ({
                        "data-testid": "ledger-row",
                        "data-type": e.type,
                      }) as React.HTMLAttributes<HTMLElement>
                    }
                  />
                ),
              },
              {
                key: "tasks",
                label: `${t("users.tab.tasks")} (${u.tasks.length})`,
                children: (
                  <DetailTable<TaskRow>
                    rowKey="task_id"
                    rows={u.tasks}
                    columns={[
                      createdAtColumn<TaskRow>(t),
                      { title: t("task.prompt"), dataIndex: "prompt", ellipsis: true },
                      { title: t("task.model"), dataIndex: "model" },
                      { title: t("task.cost"), dataIndex: "cost_credits", align: "right" },
                      {
                        title: t("common.status"),
                        dataIndex: "status",
                        render: (v: string) => <Tag>{v}</Tag>,
                      },
                    ]}
                  />
                ),
              },
              {
                key: "works",
                label: `${t("users.tab.works")} (${u.works.length})`,
                children: (
                  <DetailTable<WorkRow>
                    rowKey="work_id"
                    rows={u.works}
                    columns={[
                      createdAtColumn<WorkRow>(t),
                      { title: t("work.title"), dataIndex: "title" },
                      idColumn<WorkRow>(t, "work_id"),
                      {
                        title: t("common.status"),
                        dataIndex: "status",
                        render: (v: string) =>
                          v === "published" || v === "unpublished" || v === "taken_down" ? (
                            <WorkStatusTag status={v} t={t} />
                          ) : (
                            <Tag>{v}</Tag>
                          ),
                      },
                    ]}
                  />
                ),
              },
              {
                key: "payments",
                label: `${t("users.tab.payments")} (${u.payments.length})`,
                children: (
                  <DetailTable<PaymentRow>
                    rowKey="payment_id"
                    rows={u.payments}
                    columns={[
                      createdAtColumn<PaymentRow>(t),
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
                        render: (v: "wechat" | "alipay" | "sandbox") => t(`pay.channel.${v}`),
                      },
                      {
                        title: t("common.status"),
                        dataIndex: "status",
                        render: (v: "pending" | "paid" | "failed" | "closed") => (
                          <PaymentStatusTag status={v} t={t} />
                        ),
                      },
                      idColumn<PaymentRow>(t, "payment_id"),
                    ]}
                  />
                ),
              },
              {
                key: "withdrawals",
                label: `${t("users.tab.withdrawals")} (${u.withdrawals.length})`,
                children: (
                  <DetailTable<WithdrawalRow>
                    rowKey="withdrawal_id"
                    rows={u.withdrawals}
                    columns={[
                      createdAtColumn<WithdrawalRow>(t),
                      {
                        title: t("common.amount"),
                        dataIndex: "amount_cny",
                        align: "right",
                        render: (v: string) => formatCny(v),
                      },
                      {
                        title: t("common.status"),
                        dataIndex: "status",
                        render: (v: string) =>
                          ["applied", "approved", "paid", "rejected", "failed"].includes(v) ? (
                            <WithdrawalStatusTag status={v as "applied"} t={t} />
                          ) : (
                            <Tag>{v}</Tag>
                          ),
                      },
                      idColumn<WithdrawalRow>(t, "withdrawal_id"),
                    ]}
                  />
                ),
              },
              {
                key: "daily",
                label: t("users.tab.dailyTasks"),
                children: (
                  <Table
                    rowKey="task_key"
                    size="small"
                    dataSource={u.daily_tasks}
                    pagination={false}
                    columns={[
                      { title: t("common.id"), dataIndex: "task_key" },
                      {
                        title: t("common.status"),
                        dataIndex: "status",
                        render: (v: string) => <Tag>{v}</Tag>,
                      },
                    ]}
                  />
                ),
              },
            ]}
          />
          <ReasonModal
            open={dialog === "ban"}
            title={t("users.banTitle", { name: u.nickname })}
            hint={t("users.banHint")}
            okText={t("users.ban")}
            danger
            onClose={() => setDialog(null)}
            onSubmit={async (reason) => {
              const updated = await adminApi.ban(u.user_id, reason);
              void message.success(t("users.banned"));
              await refresh(updated);
            }}
          />
          <ReasonModal
            open={dialog === "unban"}
            title={t("users.unbanTitle", { name: u.nickname })}
            okText={t("users.unban")}
            onClose={() => setDialog(null)}
            onSubmit={async (reason) => {
              const updated = await adminApi.unban(u.user_id, reason);
              void message.success(t("users.unbanned"));
              await refresh(updated);
            }}
          />
          {dialog === "adjust" && (
            <AdjustModal user={u} onClose={() => setDialog(null)} onDone={() => refresh()} />
          )}
          {dialog === "roles" && (
            <RolesModal
              user={u}
              onClose={() => setDialog(null)}
              onDone={async (updated) => {
                await refresh(updated);
                if (updated.user_id === me.user_id)
                  await queryClient.invalidateQueries({ queryKey: ["admin", "me"] });
              }}
            />
          )}
        </div>
      )}
    </Drawer>
  );
}

type AdjustForm = { asset: "credits" | "coins"; amount: string; reason: string };

/** A credits or coins adjustment: a signed amount and a mandatory reason, confirmed once more. */
function AdjustModal({
  user,
  onClose,
  onDone,
}: {
  user: AdminUserDetail;
  onClose: () => void;
  onDone: () => Promise<void>;
}) {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<AdjustForm>();
  const asset = Form.useWatch("asset", form) ?? "credits";
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One key per dialog: a retry after a network failure cannot post the adjustment twice.
  const [idempotencyKey] = useState(newIdempotencyKey);

  const submit = async () => {
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const amount = values.amount.trim();
    const assetLabel = t(`users.asset.${values.asset}`);
    const shown =
      values.asset === "credits"
        ? formatCredits(amount, { sign: true })
        : formatCoins(amount, { sign: true, keepExact: true });
    modal.confirm({
      title: t("users.adjustConfirmTitle"),
      content: t("users.adjustConfirm", {
        name: user.nickname,
        asset: assetLabel,
        amount: shown,
        reason: values.reason.trim(),
      }),
      okText: t("common.confirm"),
      cancelText: t("common.cancel"),
      okButtonProps: { "data-testid": "adjust-confirm-ok" },
      onOk: async () => {
        setBusy(true);
        setError(null);
        try {
          const res = await adminApi.adjust(
            user.user_id,
            { asset: values.asset, amount, reason: values.reason.trim() },
            idempotencyKey,
          );
          const balance =
            values.asset === "credits" ? formatCredits(res.balance_after) : formatCoins(res.balance_after);
          void message.success(t("users.adjusted", { asset: assetLabel, balance }));
          onClose();
          await onDone();
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
      title={t("users.adjustTitle", { name: user.nickname })}
      okText={t("users.adjust")}
      cancelText={t("common.cancel")}
      onOk={() => void submit()}
      okButtonProps={{ loading: busy, "data-testid": "adjust-ok" }}
      onCancel={onClose}
      destroyOnHidden
    >
      <Alert
        type="info"
        showIcon
        title={t("users.adjustLimits", {
          credits: formatCredits(user.adjust_limits.credits),
          coins: formatCoins(user.adjust_limits.coins),
        })}
        style={{ marginBottom: 16 }}
        data-testid="adjust-limits"
      />
      <Form<AdjustForm>
        form={form}
        layout="vertical"
        initialValues={{ asset: "credits", amount: "", reason: "" }}
      >
        <Form.Item name="asset" label={t("users.asset")}>
          <Radio.Group
            optionType="button"
            options={[
              { value: "credits", label: `${t("users.asset.credits")} (${formatCredits(user.credits)})` },
              { value: "coins", label: `${t("users.asset.coins")} (${formatCoins(user.coins_available)})` },
            ]}
            data-testid="adjust-asset"
          />
        </Form.Item>
        <Form.Item
          name="amount"
          label={t("users.adjustAmount")}
          extra={t("users.adjustAmountHint")}
          dependencies={["asset"]}
          rules={[
            {
              validator: (_, v: string | undefined) =>
                validAdjustAmount(asset, v ?? "")
                  ? Promise.resolve()
                  : Promise.reject(new Error(t("users.adjustAmountInvalid"))),
            },
          ]}
        >
          <Input placeholder={asset === "credits" ? "50 / -20" : "1.5 / -0.25"} data-testid="adjust-amount" />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t("common.reason")}
          rules={[
            { required: true, whitespace: true, min: 2, max: 200, message: t("common.reasonRequired") },
          ]}
        >
          <Input.TextArea
            rows={3}
            maxLength={200}
            showCount
            placeholder={t("common.reasonPlaceholder")}
            data-testid="adjust-reason"
          />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="adjust-error" />}
    </Modal>
  );
}

function RolesModal({
  user,
  onClose,
  onDone,
}: {
  user: AdminUserDetail;
  onClose: () => void;
  onDone: (updated: AdminUser) => Promise<void>;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [roles, setRoles] = useState<AdminRole[]>(user.roles);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open
      title={t("users.rolesTitle", { name: user.nickname })}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, "data-testid": "roles-ok" }}
      onCancel={onClose}
      onOk={async () => {
        setBusy(true);
        setError(null);
        try {
          const updated = await adminApi.setRoles(user.user_id, roles);
          void message.success(t("users.rolesSaved"));
          onClose();
          await onDone(updated);
        } catch (err) {
          setError(errorMessage(err, t("common.networkError")));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph type="secondary">{t("users.rolesHint")}</Typography.Paragraph>
      <Checkbox.Group<AdminRole>
        value={roles}
        onChange={(v) => setRoles(v)}
        options={(["admin", "finance", "moderator"] as const).map((r) => ({
          value: r,
          label: t(`role.${r}`),
        }))}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} />}
    </Modal>
  );
}
