import { ReloadOutlined } from "@ant-design/icons";
import type { AdminProduct } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, InputNumber, Modal, Switch, Table, Tag } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { type AdminProductPatch, adminApi, errorMessage } from "../api.ts";
import { PageHeader, QueryError } from "../components/common.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCny, formatCoins, formatCredits } from "../money.ts";

const mono = (v: string) => <span className="mono">{v}</span>;
/** SPEC §1/§7 products: price, credits, coins and whether the app offers it. */
export function ProductsPage() {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ["admin", "products"], queryFn: () => adminApi.products() });
  const [editing, setEditing] = useState<AdminProduct | null>(null);

  const patch = async (p: AdminProduct, body: AdminProductPatch) => {
    const updated = await adminApi.patchProduct(p.product_id, body);
    queryClient.setQueryData<{ items: AdminProduct[] }>(["admin", "products"], (old) =>
      old ? { items: old.items.map((x) => (x.product_id === updated.product_id ? updated : x)) } : old,
    );
    await queryClient.invalidateQueries({ queryKey: ["admin", "audit"] });
    return updated;
  };

  const toggle = (p: AdminProduct, active: boolean) =>
    modal.confirm({
      title: t(active ? "products.toggleOnTitle" : "products.toggleOffTitle", { name: p.name }),
      content: t("products.toggleContent"),
      okText: t("common.confirm"),
      cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await patch(p, { active });
          void message.success(active ? t("products.activeOn") : t("products.activeOff"));
        } catch (err) {
          void message.error(errorMessage(err, t("common.networkError")));
        }
      },
    });

  const columns: ColumnsType<AdminProduct> = [
    { title: t("common.id"), dataIndex: "product_id", render: mono },
    {
      title: t("products.type"),
      dataIndex: "type",
      render: (v: AdminProduct["type"]) => <Tag>{t(`products.type.${v}`)}</Tag>,
    },
    { title: t("products.name"), dataIndex: "name" },
    {
      title: t("products.price"),
      dataIndex: "price_cny",
      align: "right",
      render: (v: string) => formatCny(v),
    },
    {
      title: t("products.credits"),
      dataIndex: "credits_amount",
      align: "right",
      render: (v: number) => formatCredits(v),
    },
    {
      title: t("products.coins"),
      dataIndex: "coins_amount",
      align: "right",
      render: (v: string) => formatCoins(v),
    },
    { title: t("products.duration"), dataIndex: "duration_days", align: "right" },
    { title: t("products.sort"), dataIndex: "sort", align: "right" },
    {
      title: t("products.active"),
      dataIndex: "active",
      render: (v: boolean, p) => (
        <Switch checked={v} onChange={(on) => toggle(p, on)} data-testid={`product-active-${p.product_id}`} />
      ),
    },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, p) => (
        <Button type="link" size="small" onClick={() => setEditing(p)} data-testid="product-edit">
          {t("common.edit")}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="products-page">
      <PageHeader
        title={t("menu.products")}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void query.refetch()}>
            {t("common.refresh")}
          </Button>
        }
      />
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      <Table<AdminProduct>
        rowKey="product_id"
        columns={columns}
        dataSource={query.data?.items ?? []}
        loading={query.isFetching}
        pagination={false}
        size="middle"
      />
      {editing && (
        <EditProduct
          product={editing}
          onClose={() => setEditing(null)}
          onSave={async (body) => {
            await patch(editing, body);
            void message.success(t("common.saved"));
          }}
        />
      )}
    </div>
  );
}

type ProductForm = { name: string; price_cny: string; credits_amount: number; coins_amount: string };

function EditProduct({
  product,
  onClose,
  onSave,
}: {
  product: AdminProduct;
  onClose: () => void;
  onSave: (body: AdminProductPatch) => Promise<void>;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<ProductForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open
      title={t("products.editTitle", { id: product.product_id })}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy }}
      onCancel={onClose}
      onOk={async () => {
        const v = await form.validateFields().catch(() => null);
        if (!v) return;
        const body: AdminProductPatch = {};
        if (v.name.trim() !== product.name) body.name = v.name.trim();
        if (v.price_cny !== product.price_cny) body.price_cny = v.price_cny;
        if (v.credits_amount !== product.credits_amount) body.credits_amount = v.credits_amount;
        if (formatCoins(v.coins_amount) !== formatCoins(product.coins_amount))
          body.coins_amount = v.coins_amount;
        if (Object.keys(body).length === 0) {
          onClose();
          return;
        }
        setBusy(true);
        setError(null);
        try {
          await onSave(body);
          onClose();
        } catch (err) {
          setError(errorMessage(err, t("common.networkError")));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form<ProductForm>
        form={form}
        layout="vertical"
        initialValues={{
          name: product.name,
          price_cny: product.price_cny,
          credits_amount: product.credits_amount,
          coins_amount: formatCoins(product.coins_amount).replace(/,/g, ""),
        }}
      >
        <Form.Item
          name="name"
          label={t("products.name")}
          rules={[{ required: true, whitespace: true, max: 40 }]}
        >
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item
          name="price_cny"
          label={t("products.price")}
          rules={[{ pattern: /^\d+\.\d{2}$/, message: t("products.priceInvalid"), required: true }]}
        >
          <Input prefix="¥" />
        </Form.Item>
        <Form.Item name="credits_amount" label={t("products.credits")} rules={[{ required: true }]}>
          <InputNumber min={0} max={10_000_000} precision={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item
          name="coins_amount"
          label={t("products.coins")}
          rules={[{ pattern: /^\d{1,7}(\.\d{1,2})?$/, message: t("products.coinsInvalid"), required: true }]}
        >
          <Input />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} />}
    </Modal>
  );
}
