import type { Task, TaskStatus } from "@skyriff/contracts";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Button, DotLoading, InfiniteScroll, ProgressBar, PullToRefresh, Tabs, Tag } from "antd-mobile";
import { RightOutline } from "antd-mobile-icons";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { client } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { isFinished, TASK_STATUS_LABEL, useConfig, useLiveTask } from "../generation.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";

type Filter = "ALL" | "QUEUED" | "IN_PROGRESS" | "SUCCESS" | "FAILURE";
const FILTERS: { key: Filter; title: MessageKey }[] = [
  { key: "ALL", title: "tasks.all" },
  { key: "QUEUED", title: "tasks.queued" },
  { key: "IN_PROGRESS", title: "tasks.inProgress" },
  { key: "SUCCESS", title: "tasks.success" },
  { key: "FAILURE", title: "tasks.failure" },
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
      <Tabs
        activeKey={filter}
        onChange={(key) => setParams(key === "ALL" ? {} : { status: key }, { replace: true })}
      >
        {FILTERS.map((f) => (
          <Tabs.Tab key={f.key} title={t(f.title)} />
        ))}
      </Tabs>
      <TaskList key={filter} filter={filter} />
    </div>
  );
}

function TaskList({ filter }: { filter: Filter }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const query = useInfiniteQuery({
    queryKey: ["tasks", filter],
    queryFn: ({ pageParam }) => client.tasks({ status: filter, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
    staleTime: 0,
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
        testId="tasks-empty"
        title={t("tasks.empty")}
        action={
          <Button color="primary" shape="rounded" onClick={() => navigate("/create")}>
            {t("tasks.goCreate")}
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
          <TaskRow key={task.task_id} task={task} />
        ))}
      </ul>
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

function TaskRow({ task: initial }: { task: Task }) {
  const { t } = useI18n();
  const config = useConfig();
  const task = useLiveTask(initial);
  const modelName = config.data?.models.find((m) => m.id === task.model)?.name ?? task.model;
  const finished = isFinished(task.status);

  const body = (
    <>
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
      <div className="task-meta">
        {t("tasks.meta", { model: modelName, seconds: task.duration_sec, ratio: task.ratio })}
        {task.reference_image_asset_id && <span className="task-chip">{t("tasks.imageToVideo")}</span>}
      </div>
      {!finished && (
        <div className="task-progress" data-testid="task-progress" data-progress={task.progress}>
          <ProgressBar percent={task.progress} text={`${task.progress}%`} />
        </div>
      )}
      {task.status === "FAILURE" && (
        <div className="task-failure">
          <span className="task-error" data-testid="task-error">
            {task.error_message || t("tasks.failedDefault")}
          </span>
          {task.refunded && (
            <span className="task-refunded" data-testid="task-refunded">
              {t("tasks.refunded", { credits: formatCredits(task.cost_credits) })}
            </span>
          )}
        </div>
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
