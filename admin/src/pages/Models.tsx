import { ReloadOutlined } from "@ant-design/icons";
import type { AdminModel } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  InputNumber,
  Modal,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { type AdminModelPatch, adminApi, errorMessage } from "../api.ts";
import { PageHeader, QueryError } from "../components/common.tsx";
import { formatTime, useI18n } from "../i18n.tsx";

const RATIOS = ["9:16", "16:9", "1:1"] as const;
type Ratio = (typeof RATIOS)[number];

/**
 * The model catalog at runtime (SPEC §7): switch a model or a whole vendor on and off, credits per
 * second, durations, ratios and timeout. The app's 创作 follows without a restart.
 */
export function ModelsPage() {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ["admin", "models"], queryFn: () => adminApi.models() });
  const [editing, setEditing] = useState<AdminModel | null>(null);
  const models = query.data?.items ?? [];
  // Vendors that can be offered first (configured), then alphabetically.
  const vendors = [...new Set(models.map((m) => m.vendor))].sort((a, b) => {
    const ready = (v: string) => (models.some((m) => m.vendor === v && m.vendor_configured) ? 0 : 1);
    return ready(a) - ready(b) || a.localeCompare(b);
  });

  const setItems = (updated: AdminModel[]) => {
    queryClient.setQueryData<{ items: AdminModel[] }>(["admin", "models"], (old) => {
      if (!old) return old;
      const byId = new Map(updated.map((m) => [m.id, m]));
      return { items: old.items.map((m) => byId.get(m.id) ?? m) };
    });
    void queryClient.invalidateQueries({ queryKey: ["admin", "audit"] });
  };

  const switchModel = (m: AdminModel, on: boolean) =>
    modal.confirm({
      title: t(on ? "models.onTitle" : "models.offTitle", { name: m.name }),
      content: t(on ? "models.onContent" : "models.offContent"),
      okText: t("common.confirm"),
      cancelText: t("common.cancel"),
      okButtonProps: { danger: !on, "data-testid": "model-switch-ok" },
      onOk: async () => {
        try {
          setItems([await adminApi.patchModel(m.id, { switched_on: on })]);
          void message.success(on ? t("models.switchedOnMsg") : t("models.switchedOffMsg"));
        } catch (err) {
          void message.error(errorMessage(err, t("common.networkError")));
        }
      },
    });

  const switchVendor = (vendor: string, on: boolean) =>
    modal.confirm({
      title: t(on ? "models.vendorOnTitle" : "models.vendorOffTitle", { vendor }),
      content: t(on ? "models.onContent" : "models.offContent"),
      okText: t("common.confirm"),
      cancelText: t("common.cancel"),
      okButtonProps: { danger: !on, "data-testid": "vendor-switch-ok" },
      onOk: async () => {
        try {
          setItems((await adminApi.switchVendor(vendor, on)).items);
          void message.success(on ? t("models.switchedOnMsg") : t("models.switchedOffMsg"));
        } catch (err) {
          void message.error(errorMessage(err, t("common.networkError")));
        }
      },
    });

  const columns: ColumnsType<AdminModel> = [
    {
      title: t("models.model"),
      width: 200,
      key: "model",
      render: (_, m) => (
        <div>
          <div>{m.name}</div>
          <span className="mono">{m.id}</span>
        </div>
      ),
    },
    {
      title: t("models.offered"),
      width: 96,
      dataIndex: "enabled",
      render: (v: boolean) => (
        <Tag color={v ? "green" : "default"} data-testid="model-offered">
          {v ? t("models.offeredYes") : t("models.offeredNo")}
        </Tag>
      ),
    },
    {
      title: t("models.switchedOn"),
      width: 70,
      dataIndex: "switched_on",
      render: (v: boolean, m) => (
        <Switch checked={v} onChange={(on) => switchModel(m, on)} data-testid={`model-switch-${m.id}`} />
      ),
    },
    { title: t("models.creditsPerSecond"), width: 80, dataIndex: "credits_per_second", align: "right" },
    {
      title: t("models.durations"),
      width: 110,
      dataIndex: "durations",
      render: (v: number[]) => v.join(" / "),
    },
    {
      title: t("models.ratios"),
      width: 150,
      dataIndex: "ratios",
      render: (v: string[]) => (
        <Space size={4}>
          {v.map((r) => (
            <Tag key={r} style={{ marginInlineEnd: 0 }}>
              {r}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t("models.i2v"),
      width: 80,
      dataIndex: "image_to_video",
      render: (v: boolean) => (v ? t("common.yes") : t("common.no")),
    },
    { title: t("models.timeout"), width: 100, dataIndex: "timeout_minutes", align: "right" },
    {
      title: t("common.updatedAt"),
      width: 160,
      dataIndex: "updated_at",
      render: (v: string | null) => formatTime(v),
    },
    {
      title: t("common.actions"),
      key: "actions",
      width: 70,
      render: (_, m) => (
        <Button type="link" size="small" onClick={() => setEditing(m)} data-testid="model-edit">
          {t("common.edit")}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="models-page">
      <PageHeader
        title={t("menu.models")}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void query.refetch()}>
            {t("common.refresh")}
          </Button>
        }
      />
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        {vendors.map((vendor) => {
          const list = models.filter((m) => m.vendor === vendor);
          const configured = list.every((m) => m.vendor_configured);
          const anyOn = list.some((m) => m.switched_on);
          return (
            <Card
              key={vendor}
              size="small"
              data-testid={`vendor-${vendor}`}
              title={
                <Space>
                  <span>
                    {t("models.vendor")}：{vendor}
                  </span>
                  <Tag color={configured ? "green" : "orange"}>
                    {configured ? t("models.vendorConfigured") : t("models.vendorNotConfigured")}
                  </Tag>
                </Space>
              }
              extra={
                <Space>
                  <Button
                    size="small"
                    disabled={list.every((m) => m.switched_on)}
                    onClick={() => switchVendor(vendor, true)}
                    data-testid={`vendor-on-${vendor}`}
                  >
                    {t("models.vendorOn")}
                  </Button>
                  <Button
                    size="small"
                    danger
                    disabled={!anyOn}
                    onClick={() => switchVendor(vendor, false)}
                    data-testid={`vendor-off-${vendor}`}
                  >
                    {t("models.vendorOff")}
                  </Button>
                </Space>
              }
            >
              <Table<AdminModel>
                rowKey="id"
                columns={columns}
                dataSource={list}
                pagination={false}
                size="small"
                tableLayout="fixed"
                onRow={(m) =>
                  ({
                    "data-testid": "model-row",
                    "data-id": m.id,
                    "data-enabled": String(m.enabled),
                  }) as React.HTMLAttributes<HTMLElement>
                }
              />
            </Card>
          );
        })}
        {query.isPending && <Card loading />}
      </Space>
      {editing && (
        <EditModel
          model={editing}
          onClose={() => setEditing(null)}
          onSave={async (body) => {
            setItems([await adminApi.patchModel(editing.id, body)]);
            void message.success(t("common.saved"));
          }}
        />
      )}
    </div>
  );
}

type ModelForm = {
  credits_per_second: number;
  durations: string[];
  ratios: Ratio[];
  timeout_minutes: number;
};

function EditModel({
  model,
  onClose,
  onSave,
}: {
  model: AdminModel;
  onClose: () => void;
  onSave: (body: AdminModelPatch) => Promise<void>;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<ModelForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open
      title={t("models.editTitle", { name: model.name })}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy }}
      onCancel={onClose}
      onOk={async () => {
        const v = await form.validateFields().catch(() => null);
        if (!v) return;
        const durations = [...new Set(v.durations.map((d) => Number(d)))].sort((a, b) => a - b);
        setBusy(true);
        setError(null);
        try {
          await onSave({
            credits_per_second: v.credits_per_second,
            durations,
            ratios: v.ratios,
            timeout_minutes: v.timeout_minutes,
          });
          onClose();
        } catch (err) {
          setError(errorMessage(err, t("common.networkError")));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph type="secondary" className="mono">
        {model.id} · {model.vendor}
      </Typography.Paragraph>
      <Form<ModelForm>
        form={form}
        layout="vertical"
        initialValues={{
          credits_per_second: model.credits_per_second,
          durations: model.durations.map(String),
          ratios: model.ratios.filter((r): r is Ratio => (RATIOS as readonly string[]).includes(r)),
          timeout_minutes: model.timeout_minutes,
        }}
      >
        <Form.Item
          name="credits_per_second"
          label={t("models.creditsPerSecond")}
          rules={[{ required: true }]}
        >
          <InputNumber min={1} max={100} precision={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item
          name="durations"
          label={t("models.durations")}
          extra={t("models.durationsHint")}
          rules={[
            {
              validator: (_, v: string[] | undefined) => {
                const list = v ?? [];
                const ok =
                  list.length >= 1 &&
                  list.length <= 8 &&
                  list.every((d) => /^\d+$/.test(d) && Number(d) >= 1 && Number(d) <= 60);
                return ok ? Promise.resolve() : Promise.reject(new Error(t("models.durationsHint")));
              },
            },
          ]}
        >
          <Select mode="tags" tokenSeparators={[",", " "]} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item
          name="ratios"
          label={t("models.ratios")}
          rules={[{ required: true, type: "array", min: 1 }]}
        >
          <Checkbox.Group options={RATIOS.map((r) => ({ value: r, label: r }))} />
        </Form.Item>
        <Form.Item name="timeout_minutes" label={t("models.timeout")} rules={[{ required: true }]}>
          <InputNumber min={1} max={240} precision={0} style={{ width: "100%" }} />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} />}
    </Modal>
  );
}
