import { ReloadOutlined } from "@ant-design/icons";
import type { AuditEntry } from "@skyriff/contracts";
import { AutoComplete, Button, Col, Form, Input, Row, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { adminApi } from "../api.ts";
import { CursorPager, useCursorPage } from "../components/CursorPager.tsx";
import { JsonBlock, PageHeader, QueryError, UserCell } from "../components/common.tsx";
import { formatTime, useI18n } from "../i18n.tsx";
import { AUDIT_ACTION_OPTIONS, auditActionLabel } from "../labels.tsx";

type Filters = { actor_id?: string; action?: string; target_type?: string; target_id?: string };
const KEYS = ["actor_id", "action", "target_type", "target_id"] as const;
const TARGET_TYPES = [
  "user",
  "withdrawal",
  "payment",
  "order",
  "work",
  "sensitive_words",
  "product",
  "model",
  "vendor",
];

function clean(f: Filters): Filters {
  const out: Filters = {};
  for (const k of KEYS) {
    const v = f[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/** Every admin action (SPEC §7), newest first, filtered by actor, action and target. */
export function AuditPage() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const initial = clean(Object.fromEntries(KEYS.map((k) => [k, params.get(k) ?? undefined])) as Filters);
  const [filters, setFilters] = useState<Filters>(initial);
  const [form] = Form.useForm<Filters>();
  const list = useCursorPage(["admin", "audit", filters], (cursor) =>
    adminApi.audit({ ...filters, cursor, limit: 20 }),
  );

  const apply = (f: Filters) => {
    const c = clean(f);
    setFilters(c);
    setParams(new URLSearchParams(c as Record<string, string>), { replace: true });
  };

  const columns: ColumnsType<AuditEntry> = [
    { title: t("audit.time"), dataIndex: "created_at", render: (v: string) => formatTime(v), width: 170 },
    {
      title: t("audit.actor"),
      key: "actor",
      render: (_, e) => <UserCell nickname={e.actor.nickname} userId={e.actor.user_id} />,
    },
    {
      title: t("audit.action"),
      dataIndex: "action",
      render: (v: string) => (
        <div>
          <div>{auditActionLabel(v, lang)}</div>
          <span className="mono" data-testid="audit-action">
            {v}
          </span>
        </div>
      ),
    },
    {
      title: t("audit.target"),
      key: "target",
      render: (_, e) => (
        <div>
          <Tag>{e.target_type}</Tag>
          <Typography.Text className="mono" copyable={{ text: e.target_id }}>
            {e.target_id}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: t("common.reason"),
      dataIndex: "reason",
      render: (v: string | null) => <span data-testid="audit-reason">{v ?? t("common.none")}</span>,
    },
    {
      title: t("audit.requestId"),
      dataIndex: "request_id",
      render: (v: string | null) => (v ? <span className="mono">{v}</span> : t("common.none")),
    },
  ];

  return (
    <div data-testid="audit-page">
      <PageHeader
        title={t("menu.audit")}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void list.query.refetch()}>
            {t("common.refresh")}
          </Button>
        }
      />
      <Form<Filters> form={form} layout="vertical" initialValues={initial} onFinish={apply}>
        <Row gutter={12} align="bottom">
          <Col span={5}>
            <Form.Item name="actor_id" label={t("audit.actorId")}>
              <Input allowClear />
            </Form.Item>
          </Col>
          <Col span={5}>
            <Form.Item name="action" label={t("audit.action")}>
              <AutoComplete
                allowClear
                options={AUDIT_ACTION_OPTIONS.map((a) => ({
                  value: a,
                  label: `${a} · ${auditActionLabel(a, lang)}`,
                }))}
                data-testid="audit-filter-action"
              />
            </Form.Item>
          </Col>
          <Col span={4}>
            <Form.Item name="target_type" label={t("audit.targetType")}>
              <AutoComplete allowClear options={TARGET_TYPES.map((v) => ({ value: v }))} />
            </Form.Item>
          </Col>
          <Col span={5}>
            <Form.Item name="target_id" label={t("audit.targetId")}>
              <Input allowClear data-testid="audit-filter-target" />
            </Form.Item>
          </Col>
          <Col span={5}>
            <Form.Item>
              <Button type="primary" htmlType="submit" data-testid="audit-search">
                {t("common.search")}
              </Button>
              <Button
                style={{ marginInlineStart: 8 }}
                onClick={() => {
                  form.resetFields();
                  form.setFieldsValue({ actor_id: "", action: "", target_type: "", target_id: "" });
                  apply({});
                }}
              >
                {t("common.reset")}
              </Button>
            </Form.Item>
          </Col>
        </Row>
      </Form>
      {list.query.isError && (
        <QueryError error={list.query.error} onRetry={() => void list.query.refetch()} />
      )}
      <Table<AuditEntry>
        rowKey="audit_id"
        columns={columns}
        dataSource={list.items}
        loading={list.query.isFetching}
        pagination={false}
        size="middle"
        expandable={{
          rowExpandable: (e) => e.before !== null || e.after !== null,
          expandedRowRender: (e) => (
            <Row gutter={16}>
              <Col span={12}>
                <Typography.Text strong>{t("audit.before")}</Typography.Text>
                <JsonBlock value={e.before} />
              </Col>
              <Col span={12}>
                <Typography.Text strong>{t("audit.after")}</Typography.Text>
                <JsonBlock value={e.after} />
              </Col>
            </Row>
          ),
        }}
        onRow={(e) =>
          ({
            "data-testid": "audit-row",
            "data-action": e.action,
            "data-target": e.target_id,
          }) as React.HTMLAttributes<HTMLElement>
        }
      />
      <CursorPager pager={list.pager} />
    </div>
  );
}
