import type { Task, TaskStatus } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, DotLoading, ProgressBar, PullToRefresh, SpinLoading, Tabs, Tag } from "antd-mobile";
import { CloseCircleOutline, PlayOutline, RightOutline } from "antd-mobile-icons";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import "../components/generation-loop.css";
import { PageFooter } from "../components/PageFooter.tsx";
import {
  bodyFromTask,
  draftFromTask,
  estimatedSecondsFor,
  formatRelativeTime,
  formatWait,
  isFinished,
  remainingSeconds,
  TASK_STATUS_LABEL,
  useConfig,
  useLiveTask,
  useNow,
  useOpenCreatePrefilled,
  useStartGeneration,
  useSteadyProgress,
} from "../generation.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { modelName } from "../models.ts";
import { formatCredits } from "../money.ts";
import { useCursorPages } from "../paging.ts";
import { displayServerText } from "../userDisplay.ts";

type Filter = "ALL" | "QUEUED" | "IN_PROGRESS" | "SUCCESS" | "FAILURE";
const FILTERS: { key: Filter; title: MessageKey; empty: MessageKey }[] = [
  { key: "ALL", title: "tasks.all", empty: "tasks.empty" },
  { key: "QUEUED", title: "tasks.queued", empty: "tasks.emptyQueued" },
  { key: "IN_PROGRESS", title: "tasks.inProgress", empty: "tasks.emptyInProgress" },
  { key: "SUCCESS", title: "tasks.success", empty: "tasks.emptySuccess" },
  { key: "FAILURE", title: "tasks.failure", empty: "tasks.emptyFailure" },
];

const STATUS_COLOR: Record<TaskStatus, string> = {
  NOT_START: "default",
  QUEUED: "default",
  IN_PROGRESS: "primary",
  SUCCESS: "success",
  FAILURE: "danger",
};

export function TasksPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const raw = params.get("status");
  const filter: Filter = FILTERS.some((f) => f.key === raw) ? (raw as Filter) : "ALL";
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() });
  const select = (key: string) => setParams(key === "ALL" ? {} : { status: key }, { replace: true });

  return (
    <div className="page tasks-page">
      <PageHeader
        title={t("tasks.title")}
        fallback="/create"
        right={
          <button type="button" className="link-button" onClick={() => navigate("/create")}>
            {t("tasks.goCreate")}
          </button>
        }
      />
      <div className="tasks-balance">
        {t("tasks.balance")}{" "}
        <b data-testid="tasks-balance">{wallets.data ? formatCredits(wallets.data.credits.balance) : "—"}</b>
      </div>
      <Tabs activeKey={filter} onChange={select}>
        {FILTERS.map((f) => (
          <Tabs.Tab key={f.key} title={t(f.title)} />
        ))}
      </Tabs>
      <TaskList key={filter} filter={filter} onShowAll={() => select("ALL")} />
    </div>
  );
}

function TaskList({ filter, onShowAll }: { filter: Filter; onShowAll: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  // Relative times ("3 分钟前") stay true while the page is open.
  const now = useNow(true, 30_000);
  const query = useCursorPages(
    ["tasks", filter],
    (pageParam) => client.tasks({ status: filter, cursor: pageParam }),
    { staleTime: 0 },
  );

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
    const empty = FILTERS.find((f) => f.key === filter)?.empty ?? "tasks.empty";
    // A filter with nothing in it says so for that filter; only 全部 invites a first creation.
    return filter === "ALL" ? (
      <EmptyState
        testId="tasks-empty"
        illustration="tasks"
        title={t(empty)}
        action={
          <Button color="primary" shape="rounded" onClick={() => navigate("/create")}>
            {t("tasks.goCreate")}
          </Button>
        }
      />
    ) : (
      <EmptyState
        testId="tasks-empty"
        illustration="filter"
        title={t(empty)}
        description={t("tasks.emptyFilterHint")}
        action={
          <Button shape="rounded" onClick={onShowAll} data-testid="tasks-show-all">
            {t("tasks.showAll")}
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
      <ul className="task-list" data-testid="task-list">
        {items.map((task) => (
          <TaskRow key={task.task_id} task={task} now={now} onRegenerated={onShowAll} />
        ))}
      </ul>
      <PageFooter query={query} />
    </PullToRefresh>
  );
}

/** The finished video's thumbnail at the task's own ratio; a spinner or a mark until then. */
function TaskThumb({ task }: { task: Task }) {
  const video = useQuery({
    queryKey: ["video", task.video_id],
    queryFn: () => client.video(task.video_id!),
    enabled: task.status === "SUCCESS" && !!task.video_id,
    staleTime: 10 * 60_000,
  });
  const ratioClass = `gl-thumb-${task.ratio.replace(":", "x")}`;
  if (task.status === "SUCCESS") {
    return (
      <span className={`gl-task-thumb ${ratioClass}`} data-testid="task-thumb">
        {video.data && <img src={video.data.thumbnail_url} alt="" data-testid="task-thumb-img" />}
        <PlayOutline className="gl-task-thumb-play" />
      </span>
    );
  }
  if (task.status === "FAILURE") {
    return (
      <span className={`gl-task-thumb gl-task-thumb-failed ${ratioClass}`} data-testid="task-thumb">
        <CloseCircleOutline />
      </span>
    );
  }
  return (
    <span className={`gl-task-thumb gl-task-thumb-pending ${ratioClass}`} data-testid="task-thumb">
      <SpinLoading color="white" style={{ "--size": "20px" }} />
    </span>
  );
}

function TaskRow({
  task: initial,
  now,
  onRegenerated,
}: {
  task: Task;
  now: number;
  onRegenerated: () => void;
}) {
  const { t, lang } = useI18n();
  const config = useConfig();
  const queryClient = useQueryClient();
  const openCreate = useOpenCreatePrefilled();
  const { start, submitting } = useStartGeneration();
  const task = useLiveTask(initial);
  const model = config.data?.models.find((m) => m.id === task.model);
  const modelLabel = modelName(task.model, model?.name, lang);
  const finished = isFinished(task.status);
  const estimate = estimatedSecondsFor(task, model);
  const shown = useSteadyProgress(task, estimate);
  const tick = useNow(!finished, 1000);
  const left = remainingSeconds(task, estimate, Math.max(tick, now));
  const meta = t("tasks.meta", { model: modelLabel, seconds: task.duration_sec, ratio: task.ratio });

  const regenerate = async () => {
    const body = bodyFromTask(task);
    // The same project, unless it was deleted meanwhile (then 未分类, as the server would refuse it).
    if (body.project_id) {
      const projects = await queryClient
        .fetchQuery({ queryKey: ["projects"], queryFn: () => client.projects() })
        .catch(() => null);
      if (projects && !projects.items.some((p) => p.project_id === body.project_id)) body.project_id = null;
    }
    const res = await start(body, {
      summary: (
        <>
          <div className="gl-confirm-prompt">{task.prompt}</div>
          <div>
            {meta}
            {task.reference_image_asset_id ? ` · ${t("tasks.imageToVideo")}` : ""}
          </div>
        </>
      ),
    });
    if (res) onRegenerated();
  };

  const body = (
    <>
      <div className="gl-task-main">
        <TaskThumb task={task} />
        <div className="gl-task-body">
          <div className="task-head">
            <div className="task-prompt" data-testid="task-prompt">
              {task.prompt}
            </div>
            <Tag
              color={STATUS_COLOR[task.status]}
              fill="outline"
              className="task-status"
              data-testid="task-status"
            >
              {t(TASK_STATUS_LABEL[task.status])}
            </Tag>
          </div>
          <div className="task-meta" data-testid="task-meta">
            {meta}
            {task.reference_image_asset_id && <span className="task-chip">{t("tasks.imageToVideo")}</span>}
          </div>
          <div className="gl-task-time" data-testid="task-time">
            <time dateTime={task.created_at}>
              {formatRelativeTime(task.created_at, lang, t("gen.justNow"), now)}
            </time>
          </div>
        </div>
      </div>
      {!finished && (
        <div
          className="task-progress"
          data-testid="task-progress"
          data-progress={task.progress}
          data-shown={shown}
        >
          <ProgressBar percent={shown} text={`${shown}%`} />
          <div className="gl-task-eta" data-testid="task-eta">
            {left > 0 ? t("gen.eta", { wait: formatWait(left, t) }) : t("gen.etaSoon")}
          </div>
        </div>
      )}
      {task.status === "FAILURE" && (
        <>
          <div className="task-failure">
            <span className="task-error" data-testid="task-error">
              {displayServerText(task.error_message, lang, t("tasks.failedDefault"))}
            </span>
            {task.refunded && (
              <span className="task-refunded" data-testid="task-refunded">
                {t("tasks.refunded", { credits: formatCredits(task.cost_credits) })}
              </span>
            )}
          </div>
          <div className="gl-task-actions">
            <Button
              size="small"
              shape="rounded"
              data-testid="task-edit"
              onClick={() => openCreate(draftFromTask(task))}
            >
              {t("tasks.editRegenerate")}
            </Button>
            <Button
              size="small"
              shape="rounded"
              color="primary"
              data-testid="task-regenerate"
              loading={submitting}
              disabled={submitting}
              onClick={() => void regenerate()}
            >
              {t("tasks.regenerate")}
            </Button>
          </div>
        </>
      )}
      {task.status === "SUCCESS" && task.video_id && (
        <div className="task-watch">
          {t("tasks.watch")} <RightOutline />
        </div>
      )}
    </>
  );

  return (
    <li className="task-row" data-testid="task-row" data-status={task.status} data-task-id={task.task_id}>
      {task.status === "SUCCESS" && task.video_id ? (
        <Link className="task-link" to={`/assets/videos/${encodeURIComponent(task.video_id)}`}>
          {body}
        </Link>
      ) : (
        body
      )}
    </li>
  );
}
