import type { Project, Task, VideoAsset } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Button,
  CapsuleTabs,
  Dialog,
  Input,
  NavBar,
  ProgressBar,
  PullToRefresh,
  SpinLoading,
  Tabs,
  Toast,
} from "antd-mobile";
import { AddOutline, CloseCircleOutline, UnorderedListOutline } from "antd-mobile-icons";
import { useCallback, useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { client, errorMessage } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import "../components/generation-loop.css";
import { FirstPageState, PageFooter } from "../components/PageFooter.tsx";
import {
  ALL_VIDEOS,
  estimatedSecondsFor,
  formatClock,
  isFinished,
  TASK_STATUS_LABEL,
  UNCATEGORIZED,
  useConfig,
  useLiveTask,
  useSteadyProgress,
  useUnfinishedTasks,
  useVideoList,
} from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCount, formatCredits } from "../money.ts";
import { WorkGrid } from "./UserProfile.tsx";

const ALL = ALL_VIDEOS;
const PROJECT_NAME_MAX = 30;

type NameDialog = { mode: "create" } | { mode: "rename"; project: Project };

export function AssetsPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => client.projects() });
  const projectItems = projects.data?.items ?? [];
  const section = params.get("tab") === "favorites" ? "favorites" : "videos";
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
    void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
  };

  const deleteProject = async (project: Project) => {
    const ok = await Dialog.confirm({
      title: t("assets.deleteProject"),
      content: <div data-testid="delete-project-confirm">{t("assets.deleteProjectConfirm")}</div>,
      confirmText: <span className="gl-danger-text">{t("assets.delete")}</span>,
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
          section === "videos" ? (
            <button
              type="button"
              className="link-button"
              onClick={() => setNameDialog({ mode: "create" })}
              data-testid="new-project"
            >
              <AddOutline /> {t("assets.newProject")}
            </button>
          ) : null
        }
      >
        {t("assets.title")}
      </NavBar>

      <div className="assets-sections" data-testid="assets-sections">
        <Tabs
          activeKey={section}
          onChange={(key) => setParams(key === "favorites" ? { tab: "favorites" } : {}, { replace: true })}
        >
          <Tabs.Tab
            key="videos"
            title={<span data-testid="assets-tab-videos">{t("assets.videosTab")}</span>}
          />
          <Tabs.Tab
            key="favorites"
            title={<span data-testid="assets-tab-favorites">{t("assets.favoritesTab")}</span>}
          />
        </Tabs>
      </div>

      {section === "favorites" ? (
        <FavoritesGrid />
      ) : (
        <>
          <div className="assets-projects" data-testid="project-tabs">
            <CapsuleTabs activeKey={filter} onChange={select}>
              <CapsuleTabs.Tab key={ALL} title={t("assets.all")} />
              <CapsuleTabs.Tab key={UNCATEGORIZED} title={t("assets.uncategorized")} />
              {projectItems.map((p) => (
                <CapsuleTabs.Tab
                  key={p.project_id}
                  title={
                    <span data-testid="project-tab">
                      {p.name} <span className="assets-count">{formatCount(p.video_count, lang)}</span>
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
              <span className="muted">
                {t("assets.videoCount", { count: formatCount(selected.video_count, lang) })}
              </span>
              <span className="assets-project-actions">
                <Button size="mini" onClick={() => setNameDialog({ mode: "rename", project: selected })}>
                  {t("assets.rename")}
                </Button>
                <Button
                  size="mini"
                  color="danger"
                  fill="outline"
                  onClick={() => void deleteProject(selected)}
                >
                  {t("assets.delete")}
                </Button>
              </span>
            </div>
          )}

          <VideoGrid key={filter} filter={filter} />
        </>
      )}

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

/** Whether a task's video will land in the grid shown for `filter`. */
function inFilter(task: Task, filter: string): boolean {
  if (filter === ALL) return true;
  if (filter === UNCATEGORIZED) return task.project_id === null;
  return task.project_id === filter;
}

function VideoGrid({ filter }: { filter: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const query = useVideoList(filter);
  const unfinished = useUnfinishedTasks();
  // Tasks that ended while this grid was open: a success stays as a tile until its video is listed
  // (no gap between the tile and the video); a failure stays as a failed tile with its refund.
  const [settled, setSettled] = useState<Map<string, Task>>(() => new Map());
  const onSettled = useCallback((task: Task) => {
    setSettled((prev) =>
      prev.get(task.task_id)?.status === task.status ? prev : new Map(prev).set(task.task_id, task),
    );
  }, []);

  if (!query.isSuccess) return <FirstPageState query={query} />;
  const items = query.data.pages.flatMap((p) => p.items);
  const listed = new Set(items.map((v) => v.video_id));
  const tiles = new Map<string, Task>();
  for (const task of unfinished.data ?? []) if (inFilter(task, filter)) tiles.set(task.task_id, task);
  for (const task of settled.values()) {
    if (!inFilter(task, filter)) continue;
    if (task.status === "SUCCESS" && task.video_id && listed.has(task.video_id)) {
      tiles.delete(task.task_id);
      continue;
    }
    tiles.set(task.task_id, task);
  }
  const pending = [...tiles.values()].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));

  if (items.length === 0 && pending.length === 0) {
    return (
      <EmptyState
        testId="assets-empty"
        illustration="videos"
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
        await Promise.all([query.refetch(), unfinished.refetch()]);
      }}
    >
      <div className="video-grid" data-testid="video-grid">
        {pending.map((task) =>
          task.status === "FAILURE" ? (
            <FailedTile key={task.task_id} task={task} />
          ) : (
            <PendingTile key={task.task_id} task={task} onSettled={onSettled} />
          ),
        )}
        {items.map((video) => (
          <VideoCard key={video.video_id} video={video} list={filter} />
        ))}
      </div>
      <PageFooter query={query} />
    </PullToRefresh>
  );
}

/** A task still queued or rendering, as a 生成中 tile with its live progress. */
function PendingTile({ task: initial, onSettled }: { task: Task; onSettled: (task: Task) => void }) {
  const { t } = useI18n();
  const config = useConfig();
  const task = useLiveTask(initial);
  const model = config.data?.models.find((m) => m.id === task.model);
  const shown = useSteadyProgress(task, estimatedSecondsFor(task, model));
  const done = isFinished(task.status);

  useEffect(() => {
    if (done) onSettled(task);
  }, [done, task, onSettled]);

  return (
    <Link
      to="/tasks"
      className={`video-card gl-pending-tile gl-tile-${task.ratio.replace(":", "x")}`}
      data-testid="pending-tile"
      data-task-id={task.task_id}
      data-status={task.status}
      data-progress={task.progress}
      data-shown={shown}
    >
      <span className="gl-pending-glow" aria-hidden />
      <span className="gl-pending-center">
        <SpinLoading color="white" style={{ "--size": "26px" }} />
        <b data-testid="pending-status">{t(TASK_STATUS_LABEL[task.status])}</b>
        <span className="gl-pending-percent" data-testid="pending-percent">
          {shown}%
        </span>
      </span>
      <span className="gl-pending-bar">
        <ProgressBar percent={shown} />
      </span>
      {task.prompt && <span className="video-card-prompt">{task.prompt}</span>}
    </Link>
  );
}

/** A task that failed while 资产 was open: its refund is stated and 任务 offers 重新生成. */
function FailedTile({ task }: { task: Task }) {
  const { t } = useI18n();
  return (
    <Link
      to="/tasks?status=FAILURE"
      className="video-card gl-pending-tile gl-failed-tile"
      data-testid="failed-tile"
      data-task-id={task.task_id}
    >
      <span className="gl-pending-center">
        <CloseCircleOutline fontSize={26} />
        <b>{t("tasks.failure")}</b>
        <span className="gl-pending-percent">
          {task.refunded
            ? t("assets.pendingFailed", { credits: formatCredits(task.cost_credits) })
            : t("tasks.failedDefault")}
        </span>
      </span>
      {task.prompt && <span className="video-card-prompt">{task.prompt}</span>}
    </Link>
  );
}

function VideoCard({ video, list }: { video: VideoAsset; list: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const published = video.publish_status === "published";
  return (
    <div className="video-card-slot" data-testid="video-slot" data-video-id={video.video_id}>
      <Link
        to={`/assets/videos/${encodeURIComponent(video.video_id)}?list=${encodeURIComponent(list)}`}
        className="video-card"
        data-testid="video-card"
        data-video-id={video.video_id}
        data-ratio={video.ratio}
        data-publish-status={video.publish_status}
      >
        <img src={video.thumbnail_url} alt={video.prompt} loading="lazy" />
        <span className="video-card-duration" data-testid="video-duration">
          {formatClock(video.duration_sec)}
        </span>
        {video.prompt && <span className="video-card-prompt">{video.prompt}</span>}
      </Link>
      {published ? (
        <span className="video-card-published" data-testid="video-published">
          {t("assets.published")}
        </span>
      ) : (
        <button
          type="button"
          className="video-card-publish"
          data-testid="video-publish"
          onClick={() => navigate(`/assets/videos/${encodeURIComponent(video.video_id)}/publish`)}
        >
          {t("assets.publish")}
        </button>
      )}
    </div>
  );
}

/** 收藏: the works the viewer favorited (a tip favorites too); a tap opens the swipe player. */
function FavoritesGrid() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <div className="assets-favorites" data-testid="favorites-grid">
      <WorkGrid
        list="favorites"
        emptyTitle={t("assets.favoritesEmpty")}
        emptyAction={
          <Button color="primary" shape="rounded" onClick={() => navigate("/")}>
            {t("feed.goDiscover")}
          </Button>
        }
      />
    </div>
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
