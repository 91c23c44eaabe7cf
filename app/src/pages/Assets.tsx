import type { Project, VideoAsset } from "@skyriff/contracts";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Button,
  CapsuleTabs,
  Dialog,
  DotLoading,
  InfiniteScroll,
  Input,
  NavBar,
  PullToRefresh,
  Toast,
} from "antd-mobile";
import { AddOutline, UnorderedListOutline } from "antd-mobile-icons";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { client, errorMessage } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { formatClock } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";

const ALL = "all";
const UNCATEGORIZED = "none";
const PROJECT_NAME_MAX = 30;

type NameDialog = { mode: "create" } | { mode: "rename"; project: Project };

export function AssetsPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => client.projects() });
  const projectItems = projects.data?.items ?? [];
  const requested = params.get("project") ?? ALL;
  const selected = projectItems.find((p) => p.project_id === requested);
  // An unknown (e.g. deleted) project id falls back to 全部 once the list is known.
  const filter =
    requested === ALL || requested === UNCATEGORIZED || selected || projects.isPending ? requested : ALL;
  const [nameDialog, setNameDialog] = useState<NameDialog | null>(null);

  const select = (key: string) => setParams(key === ALL ? {} : { project: key }, { replace: true });

  const refreshAll = () => {
    void queryClient.invalidateQueries({ queryKey: ["projects"] });
    void queryClient.invalidateQueries({ queryKey: ["videos"] });
  };

  const deleteProject = async (project: Project) => {
    const ok = await Dialog.confirm({
      title: t("assets.deleteProject"),
      content: <div data-testid="delete-project-confirm">{t("assets.deleteProjectConfirm")}</div>,
      confirmText: t("assets.delete"),
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    try {
      await client.deleteProject(project.project_id);
      Toast.show({ icon: "success", content: t("assets.projectDeleted") });
      select(ALL);
      refreshAll();
    } catch (err) {
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    }
  };

  return (
    <div className="page assets-page">
      <NavBar
        className="page-header"
        backIcon={false}
        left={
          <button type="button" className="link-button" onClick={() => navigate("/tasks")}>
            <UnorderedListOutline /> {t("assets.tasks")}
          </button>
        }
        right={
          <button
            type="button"
            className="link-button"
            onClick={() => setNameDialog({ mode: "create" })}
            data-testid="new-project"
          >
            <AddOutline /> {t("assets.newProject")}
          </button>
        }
      >
        {t("assets.title")}
      </NavBar>

      <div className="assets-projects" data-testid="project-tabs">
        <CapsuleTabs activeKey={filter} onChange={select}>
          <CapsuleTabs.Tab key={ALL} title={t("assets.all")} />
          <CapsuleTabs.Tab key={UNCATEGORIZED} title={t("assets.uncategorized")} />
          {projectItems.map((p) => (
            <CapsuleTabs.Tab
              key={p.project_id}
              title={
                <span data-testid="project-tab">
                  {p.name} <span className="assets-count">{p.video_count}</span>
                </span>
              }
            />
          ))}
        </CapsuleTabs>
      </div>

      {selected && filter === selected.project_id && (
        <div className="assets-project-bar" data-testid="project-bar">
          <span className="assets-project-name" data-testid="project-bar-name">
            {selected.name}
          </span>
          <span className="muted">{t("assets.videoCount", { count: selected.video_count })}</span>
          <span className="assets-project-actions">
            <Button size="mini" onClick={() => setNameDialog({ mode: "rename", project: selected })}>
              {t("assets.rename")}
            </Button>
            <Button size="mini" color="danger" fill="outline" onClick={() => void deleteProject(selected)}>
              {t("assets.delete")}
            </Button>
          </span>
        </div>
      )}

      <VideoGrid key={filter} filter={filter} />

      {nameDialog && (
        <ProjectNameDialog
          key={nameDialog.mode === "rename" ? nameDialog.project.project_id : "new"}
          state={nameDialog}
          onClose={() => setNameDialog(null)}
          onDone={(project) => {
            setNameDialog(null);
            refreshAll();
            if (nameDialog.mode === "create") select(project.project_id);
          }}
        />
      )}
    </div>
  );
}

function VideoGrid({ filter }: { filter: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const query = useInfiniteQuery({
    queryKey: ["videos", filter],
    queryFn: ({ pageParam }) =>
      client.videos({ project_id: filter === ALL ? undefined : filter, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
  });

  if (query.isPending) {
    return (
      <div className="center-block muted">
        {t("common.loading")}
        <DotLoading />
      </div>
    );
  }
  if (query.isError) {
    return (
      <div className="center-block">
        <Button size="small" onClick={() => void query.refetch()}>
          {t("common.loadFailedRetry")}
        </Button>
      </div>
    );
  }
  const items = query.data.pages.flatMap((p) => p.items);
  if (items.length === 0) {
    return (
      <EmptyState
        testId="assets-empty"
        title={t("assets.empty")}
        action={
          <Button color="primary" shape="rounded" onClick={() => navigate("/create")}>
            {t("assets.goCreate")}
          </Button>
        }
      />
    );
  }

  return (
    <PullToRefresh
      onRefresh={async () => {
        await query.refetch();
      }}
    >
      <div className="video-grid" data-testid="video-grid">
        {items.map((video) => (
          <VideoCard key={video.video_id} video={video} />
        ))}
      </div>
      <InfiniteScroll
        hasMore={query.hasNextPage}
        loadMore={async () => {
          const res = await query.fetchNextPage();
          if (res.isError) throw res.error;
        }}
      >
        {(hasMore, failed, retry) =>
          failed ? (
            <button type="button" className="link-button" onClick={() => void retry()}>
              {t("common.loadFailedRetry")}
            </button>
          ) : hasMore ? (
            <>
              {t("common.loading")}
              <DotLoading />
            </>
          ) : (
            <span className="muted">{t("common.noMore")}</span>
          )
        }
      </InfiniteScroll>
    </PullToRefresh>
  );
}

function VideoCard({ video }: { video: VideoAsset }) {
  return (
    <Link
      to={`/assets/videos/${encodeURIComponent(video.video_id)}`}
      className="video-card"
      data-testid="video-card"
      data-video-id={video.video_id}
    >
      <img src={video.thumbnail_url} alt={video.prompt} loading="lazy" />
      <span className="video-card-duration" data-testid="video-duration">
        {formatClock(video.duration_sec)}
      </span>
      {video.prompt && <span className="video-card-prompt">{video.prompt}</span>}
    </Link>
  );
}

function ProjectNameDialog({
  state,
  onClose,
  onDone,
}: {
  state: NameDialog;
  onClose: () => void;
  onDone: (project: Project) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(state.mode === "rename" ? state.project.name : "");
  const [busy, setBusy] = useState(false);
  const trimmed = name.trim();

  const save = async () => {
    if (!trimmed || busy) return;
    setBusy(true);
    try {
      const project =
        state.mode === "create"
          ? await client.createProject(trimmed)
          : await client.renameProject(state.project.project_id, trimmed);
      Toast.show({
        icon: "success",
        content: state.mode === "create" ? t("assets.projectCreated") : t("assets.projectRenamed"),
      });
      onDone(project);
    } catch (err) {
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      visible
      title={state.mode === "create" ? t("assets.newProject") : t("assets.renameProject")}
      content={
        <Input
          className="project-name-input"
          data-testid="project-name-input"
          placeholder={t("assets.projectNamePlaceholder")}
          aria-label={t("assets.projectName")}
          value={name}
          onChange={setName}
          maxLength={PROJECT_NAME_MAX}
          clearable
          autoFocus
          onEnterPress={() => void save()}
        />
      }
      closeOnMaskClick
      onClose={onClose}
      actions={[
        [
          { key: "cancel", text: t("assets.cancel"), onClick: onClose },
          {
            key: "save",
            text: t("assets.save"),
            bold: true,
            disabled: !trimmed || busy,
            onClick: () => void save(),
          },
        ],
      ]}
    />
  );
}
