import { PlayCircleOutlined, ReloadOutlined } from "@ant-design/icons";
import type { AdminWork } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Input, Modal, Select, Space, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useState } from "react";
import { Link } from "react-router-dom";
import { adminApi } from "../api.ts";
import { CursorTable, useCursorPage } from "../components/CursorPager.tsx";
import { IdText, PageHeader } from "../components/common.tsx";
import { ReasonModal } from "../components/ReasonModal.tsx";
import { formatTime, useI18n } from "../i18n.tsx";
import { WorkStatusTag } from "../labels.tsx";
import { formatCount } from "../money.ts";

type WorkStatus = AdminWork["status"];

/** SPEC §7 works moderation: take a work down with a reason (gone from 发现), restore it. */
export function WorksPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<WorkStatus | undefined>(undefined);
  const [acting, setActing] = useState<{ work: AdminWork; action: "take_down" | "restore" } | null>(null);
  const [preview, setPreview] = useState<AdminWork | null>(null);
  const list = useCursorPage(["admin", "works", q, status ?? ""], (cursor) =>
    adminApi.works({ q: q || undefined, status, cursor, limit: 20 }),
  );

  const columns: ColumnsType<AdminWork> = [
    {
      title: t("works.work"),
      key: "work",
      render: (_, w) => (
        <Space>
          <button
            type="button"
            className="cover-button"
            onClick={() => setPreview(w)}
            aria-label={t("works.preview")}
          >
            <img className="work-cover" src={w.cover_url} alt="" loading="lazy" />
          </button>
          <div>
            <div data-testid="work-title">{w.title}</div>
            <IdText id={w.work_id} />
          </div>
        </Space>
      ),
    },
    {
      title: t("works.creator"),
      key: "creator",
      render: (_, w) => (
        <Link to={`/users?user=${encodeURIComponent(w.creator.user_id)}`}>{w.creator.nickname}</Link>
      ),
    },
    {
      title: t("common.status"),
      key: "status",
      render: (_, w) => (
        <Space orientation="vertical" size={2}>
          <WorkStatusTag status={w.status} t={t} />
          {w.takedown_reason && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="work-takedown-reason">
              {w.takedown_reason}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("works.likes"),
      dataIndex: "like_count",
      align: "right",
      render: (v: number) => formatCount(v),
    },
    { title: t("works.tips"), dataIndex: "tip_count", align: "right", render: (v: number) => formatCount(v) },
    { title: t("common.createdAt"), dataIndex: "created_at", render: (v: string) => formatTime(v) },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, w) => (
        <Space size={4}>
          <Button size="small" icon={<PlayCircleOutlined />} onClick={() => setPreview(w)}>
            {t("works.preview")}
          </Button>
          {w.status === "taken_down" ? (
            <Button
              size="small"
              onClick={() => setActing({ work: w, action: "restore" })}
              data-testid="work-restore"
            >
              {t("works.restore")}
            </Button>
          ) : (
            <Button
              size="small"
              danger
              onClick={() => setActing({ work: w, action: "take_down" })}
              data-testid="work-take-down"
            >
              {t("works.takeDown")}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="works-page">
      <PageHeader title={t("menu.works")} />
      <div className="filters">
        <Input.Search
          allowClear
          placeholder={t("works.searchPlaceholder")}
          enterButton={t("common.search")}
          style={{ width: 380 }}
          onSearch={(v) => setQ(v.trim())}
          data-testid="works-search"
        />
        <Select
          allowClear
          placeholder={t("common.status")}
          style={{ width: 180 }}
          value={status}
          onChange={(v) => setStatus(v)}
          options={(["published", "unpublished", "taken_down"] as const).map((s) => ({
            value: s,
            label: t(`works.status.${s}`),
          }))}
        />
        <Button icon={<ReloadOutlined />} onClick={() => void list.query.refetch()}>
          {t("common.refresh")}
        </Button>
      </div>
      <CursorTable<AdminWork>
        list={list}
        rowKey="work_id"
        columns={columns}
        rowData={(w) => ({ "data-testid": "work-row", "data-id": w.work_id, "data-status": w.status })}
      />
      <ReasonModal
        open={acting !== null}
        title={
          acting
            ? t(acting.action === "take_down" ? "works.takeDownTitle" : "works.restoreTitle", {
                title: acting.work.title,
              })
            : ""
        }
        hint={acting?.action === "take_down" ? t("works.takeDownHint") : undefined}
        okText={acting?.action === "restore" ? t("works.restore") : t("works.takeDown")}
        danger={acting?.action === "take_down"}
        onClose={() => setActing(null)}
        onSubmit={async (reason) => {
          if (!acting) return;
          if (acting.action === "take_down") await adminApi.takeDown(acting.work.work_id, reason);
          else await adminApi.restore(acting.work.work_id, reason);
          void message.success(acting.action === "take_down" ? t("works.takenDown") : t("works.restored"));
          await Promise.all([
            queryClient.invalidateQueries({ queryKey: ["admin", "works"] }),
            queryClient.invalidateQueries({ queryKey: ["admin", "audit"] }),
          ]);
        }}
      />
      <Modal
        open={preview !== null}
        title={preview?.title}
        footer={null}
        onCancel={() => setPreview(null)}
        destroyOnHidden
        width={480}
      >
        {preview && (
          // biome-ignore lint/a11y/useMediaCaption: generated clips have no captions
          <video
            className="work-preview"
            src={preview.play_url}
            poster={preview.cover_url}
            controls
            autoPlay
          />
        )}
      </Modal>
    </div>
  );
}
