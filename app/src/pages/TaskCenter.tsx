import type { DailyTask, TaskKey } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, DotLoading, ProgressBar, PullToRefresh, Toast } from "antd-mobile";
import { CheckCircleFill, ClockCircleOutline } from "antd-mobile-icons";
import { type CSSProperties, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { client, errorMessage, newIdempotencyKey } from "../api.ts";
import { setCreditsBalance } from "../community.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { useNow } from "../generation.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";
import { isApiError, STATE_CONFLICT } from "../payments.tsx";
import { TASK_COPY, TASK_TARGET } from "../rewards.tsx";

const CATEGORY_LABEL: Record<DailyTask["category"], MessageKey> = {
  active: "tc.categoryActive",
  create: "tc.categoryCreate",
  interact: "tc.categoryInteract",
};

/** A "+2" on its way from a card's 领取 to the balance at the top. */
type Flight = { id: number; credits: number; x: number; y: number; dx: number; dy: number };

const reducedMotion = () =>
  typeof window.matchMedia === "function" && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/**
 * `/me/tasks-center` — 任务中心 (SPEC §5): today's three tasks (每日登录, one 创作 and one 互动 task) with
 * progress, reward and 去完成 / 领取 / 已领取; a claim flies "+2" into the balance at the top.
 */
export function TaskCenterPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // Titles and descriptions come from the server in the request's language: one copy per language.
  const today = useQuery({
    queryKey: ["tasks-center", lang],
    queryFn: () => client.tasksToday(),
    staleTime: 0,
  });
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() });
  const balanceRef = useRef<HTMLSpanElement>(null);
  const [claiming, setClaiming] = useState<TaskKey | null>(null);
  const [flights, setFlights] = useState<Flight[]>([]);
  // The balance before a claim, shown until its "+2" lands (then the new one, with a pulse).
  const [held, setHeld] = useState<number | null>(null);
  const [pulse, setPulse] = useState(0);
  const nextId = useRef(1);

  const tasks = today.data?.tasks ?? [];
  const live = wallets.data?.credits.balance;
  const shown = flights.length > 0 && held !== null ? held : live;
  const total = tasks.reduce((sum, x) => sum + x.reward_credits, 0);
  const claimed = tasks.filter((x) => x.status === "claimed").reduce((sum, x) => sum + x.reward_credits, 0);
  const done = tasks.filter((x) => x.status !== "in_progress").length;

  const land = (id: number) => {
    setFlights((fs) => fs.filter((f) => f.id !== id));
    setPulse((p) => p + 1);
  };
  useEffect(() => {
    if (flights.length === 0) setHeld(null);
  }, [flights.length]);

  const claim = async (task: DailyTask, from: HTMLElement | null) => {
    setClaiming(task.task_key);
    const before = live;
    try {
      const res = await client.claimTask(task.task_key, newIdempotencyKey());
      const target = balanceRef.current?.getBoundingClientRect();
      const start = from?.getBoundingClientRect();
      if (target && start && !reducedMotion()) {
        if (before !== undefined) setHeld((h) => h ?? before);
        const x = start.left + start.width / 2;
        const y = start.top + start.height / 2;
        const flight: Flight = {
          id: nextId.current++,
          credits: res.reward_credits,
          x,
          y,
          dx: target.left + target.width / 2 - x,
          dy: target.top + target.height / 2 - y,
        };
        setFlights((fs) => [...fs, flight]);
      } else {
        setPulse((p) => p + 1);
      }
      setCreditsBalance(queryClient, res.balance_after);
      queryClient.setQueryData(["tasks-center", lang], (d: typeof today.data) =>
        d
          ? {
              ...d,
              tasks: d.tasks.map((x) =>
                x.task_key === task.task_key
                  ? { ...x, status: "claimed" as const, claimed_at: new Date().toISOString() }
                  : x,
              ),
            }
          : d,
      );
      void queryClient.invalidateQueries({ queryKey: ["tasks-center"] });
      Toast.show({
        icon: "success",
        content: t("tc.claimDone", { credits: formatCredits(res.reward_credits) }),
      });
    } catch (err) {
      // Not completed yet, or already claimed (another tab): the server's word, then its state.
      if (isApiError(err, STATE_CONFLICT)) void today.refetch();
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    } finally {
      setClaiming(null);
    }
  };

  const refresh = async () => {
    await Promise.all([today.refetch(), wallets.refetch()]);
  };

  return (
    <div className="page tc-page" data-testid="tasks-center-page">
      <PageHeader title={t("tc.title")} fallback="/me" />
      <PullToRefresh onRefresh={refresh}>
        <section className="tc-hero">
          <div className="tc-hero-label">{t("tc.balance")}</div>
          <span
            key={pulse}
            ref={balanceRef}
            className={`tc-hero-balance${pulse > 0 ? " tc-pulse" : ""}`}
            data-testid="tc-balance"
          >
            {shown !== undefined ? formatCredits(shown) : "—"}
          </span>
          {tasks.length > 0 && (
            <div className="tc-hero-sub">
              <span data-testid="tc-earned">
                {t("tc.todayEarned", { claimed: formatCredits(claimed), total: formatCredits(total) })}
              </span>
              <span className="tc-hero-dot">·</span>
              <span>{t("tc.todayDone", { done, count: tasks.length })}</span>
            </div>
          )}
        </section>

        {today.isPending ? (
          <div className="center-block muted">
            {t("common.loading")}
            <DotLoading />
          </div>
        ) : today.isError ? (
          <div className="center-block">
            <Button size="small" onClick={() => void today.refetch()}>
              {t("common.loadFailedRetry")}
            </Button>
          </div>
        ) : (
          <>
            <ul className="tc-list" data-testid="tc-list">
              {tasks.map((task) => (
                <TaskCard
                  key={task.task_key}
                  task={task}
                  busy={claiming === task.task_key}
                  onGo={() => navigate(TASK_TARGET[task.task_key] ?? "/")}
                  onClaim={(el) => void claim(task, el)}
                />
              ))}
            </ul>
            <ResetLine resetsAt={today.data.resets_at} />
          </>
        )}

        <section className="tc-rules">
          <div className="tc-rules-title">{t("tc.rulesTitle")}</div>
          <ol>
            <li>{t("tc.rule1")}</li>
            <li>{t("tc.rule2", { credits: formatCredits(tasks[0]?.reward_credits ?? 2) })}</li>
            <li>{t("tc.rule3")}</li>
          </ol>
        </section>
      </PullToRefresh>

      {flights.map((f) => (
        <span
          key={f.id}
          className="tc-fly"
          aria-hidden
          data-testid="tc-fly"
          style={
            {
              left: `${f.x}px`,
              top: `${f.y}px`,
              "--dx": `${f.dx}px`,
              "--dy": `${f.dy}px`,
            } as CSSProperties
          }
          onAnimationEnd={() => land(f.id)}
        >
          +{formatCredits(f.credits)}
        </span>
      ))}
    </div>
  );
}

function TaskCard({
  task,
  busy,
  onGo,
  onClaim,
}: {
  task: DailyTask;
  busy: boolean;
  onGo: () => void;
  onClaim: (el: HTMLElement | null) => void;
}) {
  const { t } = useI18n();
  const buttonRef = useRef<HTMLDivElement>(null);
  const copy = TASK_COPY[task.task_key];
  // The server's words (its task definitions, localized); the app's own for a definition without them.
  const title = task.title || (copy ? t(copy.title) : task.task_key);
  const description = task.description || (copy ? t(copy.description) : "");
  const target = Math.max(1, task.target);
  const progress = Math.min(task.progress, target);
  const percent = task.status === "in_progress" ? Math.round((progress / target) * 100) : 100;

  return (
    <li
      className={`tc-card tc-card-${task.status}`}
      data-testid="tc-task"
      data-task-key={task.task_key}
      data-status={task.status}
    >
      <span className={`tc-icon tc-icon-${task.category}`} aria-hidden>
        {copy?.icon}
      </span>
      <div className="tc-main">
        <div className="tc-title-row">
          <span className="tc-title" data-testid="tc-task-title">
            {title}
          </span>
          <span className={`tc-category tc-category-${task.category}`}>
            {t(CATEGORY_LABEL[task.category])}
          </span>
        </div>
        <div className="tc-desc">{description}</div>
        <div className="tc-meta">
          <ProgressBar percent={percent} className="tc-progress" />
          <span className="tc-count" data-testid="tc-task-progress">
            {task.status === "in_progress" ? progress : target}/{target}
          </span>
          <span className="tc-reward" data-testid="tc-task-reward">
            {t("tc.reward", { credits: formatCredits(task.reward_credits) })}
          </span>
        </div>
      </div>
      <div className="tc-action" ref={buttonRef}>
        {task.status === "claimed" ? (
          <span className="tc-claimed" data-testid="tc-task-button">
            <CheckCircleFill /> {t("tc.claimed")}
          </span>
        ) : task.status === "completed" ? (
          <Button
            size="small"
            shape="rounded"
            className="tc-claim"
            data-testid="tc-task-button"
            loading={busy}
            disabled={busy}
            onClick={() => onClaim(buttonRef.current)}
          >
            {t("tc.claim")}
          </Button>
        ) : (
          <Button
            size="small"
            shape="rounded"
            fill="outline"
            color="primary"
            className="tc-go"
            data-testid="tc-task-button"
            onClick={onGo}
          >
            {t("tc.go")}
          </Button>
        )}
      </div>
    </li>
  );
}

/** "每日 0 点刷新 · 5 小时 12 分钟后刷新", counting down by the minute. */
function ResetLine({ resetsAt }: { resetsAt: string }) {
  const { t } = useI18n();
  const now = useNow(true, 30_000);
  const left = Math.max(0, Date.parse(resetsAt) - now);
  const minutes = Math.max(1, Math.ceil(left / 60_000));
  const time =
    minutes >= 60
      ? t("tc.resetHours", { h: Math.floor(minutes / 60), m: minutes % 60 })
      : t("tc.resetMinutes", { m: minutes });
  return (
    <div className="tc-reset" data-testid="tc-reset">
      <ClockCircleOutline /> {t("tc.resetHint", { time })}
    </div>
  );
}
