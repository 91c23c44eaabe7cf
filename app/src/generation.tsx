import type {
  PublicConfig,
  Task,
  TaskCreateBody,
  TaskCreateResult,
  TaskStatus,
  VideoAsset,
  Wallets,
} from "@skyriff/contracts";
import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { Dialog, Toast } from "antd-mobile";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError, client, errorMessage, newIdempotencyKey } from "./api.ts";
import { type Lang, type MessageKey, useI18n } from "./i18n.tsx";
import { formatCredits } from "./money.ts";
import { useCursorPages } from "./paging.ts";

/** `GET /config` (public, changes rarely). */
export function useConfig() {
  return useQuery({ queryKey: ["config"], queryFn: () => client.config(), staleTime: 5 * 60_000 });
}

export type ModelInfo = PublicConfig["models"][number];

export const TASK_STATUS_LABEL: Record<TaskStatus, MessageKey> = {
  // Not yet handed to the vendor: for the user it is waiting in line as well.
  NOT_START: "tasks.queued",
  QUEUED: "tasks.queued",
  IN_PROGRESS: "tasks.inProgress",
  SUCCESS: "tasks.success",
  FAILURE: "tasks.failure",
};

export function isFinished(status: TaskStatus): boolean {
  return status === "SUCCESS" || status === "FAILURE";
}

/** "0:07", "1:05" — durations and playback positions. */
export function formatClock(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** A failed request that may not have reached the server (worth retrying with the same key). */
export function isRetryableFailure(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.code === 0 || err.status >= 500;
}

// ErrorCode.INSUFFICIENT_CREDITS; the contracts' index is not imported at runtime (it would bundle zod).
const INSUFFICIENT_CREDITS = 2001;

export function isInsufficientCredits(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code === INSUFFICIENT_CREDITS;
}

/** The 积分不足 dialog; its action leads to the recharge page. */
export function useInsufficientCreditsDialog() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return useCallback(
    async (details?: { required?: unknown; current_balance?: unknown } | null) => {
      const required = details?.required;
      const balance = details?.current_balance;
      const known = Number.isInteger(required) && Number.isInteger(balance);
      const go = await Dialog.confirm({
        title: t("credits.insufficientTitle"),
        content: (
          <div data-testid="insufficient-credits">
            {known
              ? t("credits.insufficientContent", {
                  required: formatCredits(required as number),
                  balance: formatCredits(balance as number),
                })
              : t("credits.insufficientGeneric")}
          </div>
        ),
        confirmText: t("credits.goRecharge"),
        cancelText: t("common.cancel"),
      });
      if (go) navigate("/me/recharge");
    },
    [t, navigate],
  );
}

/**
 * After a task ends, the balance (refund), the ledger, the task lists, the assets, the projects' counts
 * and 我的's counters change.
 */
export function invalidateAfterTask(queryClient: QueryClient) {
  void queryClient.invalidateQueries({ queryKey: ["wallets"] });
  void queryClient.invalidateQueries({ queryKey: ["ledger"] });
  void queryClient.invalidateQueries({ queryKey: ["tasks"] });
  void queryClient.invalidateQueries({ queryKey: ["videos"] });
  void queryClient.invalidateQueries({ queryKey: ["projects"] });
  void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
}

// Browsers allow ~6 HTTP/1.1 connections per origin; keep most of them free for API calls.
const MAX_EVENT_STREAMS = 3;
let openEventStreams = 0;
const POLL_MS = 5_000;

function newer(a: Task, b: Task): Task {
  if (isFinished(a.status) !== isFinished(b.status)) return isFinished(a.status) ? a : b;
  const ta = Date.parse(a.updated_at);
  const tb = Date.parse(b.updated_at);
  if (ta !== tb) return ta > tb ? a : b;
  return a.progress >= b.progress ? a : b;
}

/**
 * The latest state of an unfinished task: pushed over SSE (`event: task`), or polled every 5 s when
 * EventSource is unavailable, fails, or too many streams are already open. Stops at SUCCESS/FAILURE.
 */
export function useLiveTask(initial: Task): Task {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<Task>(initial);
  const current = newer(initial, live);
  const done = isFinished(current.status);
  const taskId = initial.task_id;
  const reported = useRef(false);

  useEffect(() => {
    if (done) return;
    let stopped = false;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const closeSource = () => {
      if (!source) return;
      source.close();
      source = null;
      openEventStreams--;
    };
    const apply = (task: Task) => {
      if (stopped) return;
      setLive((prev) => newer(prev, task));
      if (isFinished(task.status)) {
        stopped = true;
        closeSource();
        clearTimeout(timer);
      }
    };
    const poll = async () => {
      try {
        apply(await client.task(taskId));
      } catch {
        // keep polling: the next tick may succeed
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };

    if (typeof EventSource !== "undefined" && openEventStreams < MAX_EVENT_STREAMS) {
      openEventStreams++;
      source = new EventSource(client.taskEventsUrl(taskId));
      source.addEventListener("task", (e) => {
        try {
          apply(JSON.parse((e as MessageEvent<string>).data) as Task);
        } catch {
          // a malformed event: the poll fallback or the next event will do
        }
      });
      source.onerror = () => {
        // Closed, refused (e.g. an expired token) or unsupported: poll instead.
        closeSource();
        if (!stopped) void poll();
      };
    } else {
      timer = setTimeout(poll, POLL_MS);
    }
    return () => {
      stopped = true;
      closeSource();
      clearTimeout(timer);
    };
  }, [taskId, done]);

  // A task that finishes while watched: the balance (refund), lists and assets change.
  useEffect(() => {
    if (!done || reported.current || isFinished(initial.status)) return;
    reported.current = true;
    invalidateAfterTask(queryClient);
  }, [done, initial.status, queryClient]);

  return current;
}

// ---------------------------------------------------------------------------------------------------
// Estimates and steady progress

const ESTIMATES_KEY = "skyriff.task_estimates";
const MAX_ESTIMATES = 50;

function readEstimates(): Record<string, number> {
  try {
    const parsed = JSON.parse(localStorage.getItem(ESTIMATES_KEY) ?? "{}") as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** Keeps the server's `estimated_seconds` of a task this device created (the task itself lacks it). */
export function rememberEstimate(taskId: string, seconds: number) {
  try {
    const all = readEstimates();
    all[taskId] = seconds;
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ESTIMATES))) delete all[k];
    localStorage.setItem(ESTIMATES_KEY, JSON.stringify(all));
  } catch {
    // storage full or unavailable: the model-based estimate will do
  }
}

/** Expected seconds from creation to SUCCESS: the server's estimate when known, else the model's. */
export function estimatedSecondsFor(task: Task, model: ModelInfo | undefined): number {
  const known = readEstimates()[task.task_id];
  if (typeof known === "number" && known > 0) return known;
  // The server's rule: the simulated vendor takes its configured time (20 s by default) + 5 s.
  if (model?.vendor === "simulated") return 25;
  return Math.max(30, task.duration_sec * 12);
}

/**
 * Seconds still to wait: the estimate minus the time elapsed, and once the server reports progress, no
 * more than its pace predicts (a task at 99 % is "almost done" whatever the estimate said; an overdue one
 * still gets a figure from its pace).
 */
export function remainingSeconds(task: Task, estimate: number, now = Date.now()): number {
  const elapsed = Math.max(0, (now - Date.parse(task.created_at)) / 1000);
  const byTime = estimate - elapsed;
  const p = task.progress;
  if (p >= 10 && p < 100 && elapsed > 0) {
    const byPace = (elapsed * (100 - p)) / p;
    return Math.max(0, Math.round(byTime > 0 ? Math.min(byTime, byPace) : byPace));
  }
  return Math.max(0, Math.round(byTime));
}

/** A clock that ticks every `ms` while `active`. */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [active, ms]);
  return now;
}

/** How far the shown value may run ahead of the server's: a little while queued, more while rendering. */
const LEAD_QUEUED = 3;
const LEAD_RUNNING = 8;
const TICK_MS = 200;

/**
 * The progress to show: moves steadily between server updates (at the pace the estimate predicts, slowing
 * as it nears `server + lead`), glides up to a server value that jumped ahead, never goes backwards and
 * never runs more than a few points ahead of the server. 100 once the task succeeded.
 */
export function useSteadyProgress(task: Task, estimateSec: number): number {
  const server = task.progress;
  const finished = isFinished(task.status);
  const queued = task.status === "QUEUED" || task.status === "NOT_START";
  const [shown, setShown] = useState(server);
  const serverRef = useRef(server);
  serverRef.current = server;

  useEffect(() => {
    if (finished) {
      setShown((s) => (task.status === "SUCCESS" ? 100 : Math.max(s, serverRef.current)));
      return;
    }
    const lead = queued ? LEAD_QUEUED : LEAD_RUNNING;
    const perSecond = 100 / Math.max(5, estimateSec);
    let last = performance.now();
    const id = setInterval(() => {
      const now = performance.now();
      const dt = Math.min(1, (now - last) / 1000);
      last = now;
      setShown((prev) => {
        const target = serverRef.current;
        if (prev < target) {
          // Catch up within about a second, in small steps the bar's transition smooths out.
          return Math.min(target, prev + Math.max(0.6, (target - prev) * 0.22));
        }
        const ceiling = Math.min(99, target + lead);
        if (prev >= ceiling) return prev;
        const slow = 1 - (prev - target) / lead;
        return Math.min(ceiling, prev + perSecond * dt * Math.max(0.1, slow));
      });
    }, TICK_MS);
    return () => clearInterval(id);
  }, [finished, queued, estimateSec, task.status]);

  return Math.max(Math.floor(Math.max(shown, server)), 0);
}

// ---------------------------------------------------------------------------------------------------
// Time and durations in words

/** "刚刚" / "3 分钟前" / "昨天" …; older than a week: the date (and time within this year). */
export function formatRelativeTime(iso: string, lang: Lang, justNow: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return "";
  const diff = Math.round((now - at) / 1000);
  if (diff < 45) return justNow;
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  if (diff < 3600) return rtf.format(-Math.max(1, Math.round(diff / 60)), "minute");
  if (diff < 86_400) return rtf.format(-Math.round(diff / 3600), "hour");
  if (diff < 7 * 86_400) return rtf.format(-Math.round(diff / 86_400), "day");
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(lang, {
    ...(sameYear ? {} : { year: "numeric" }),
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(at);
}

/** "约 40 秒" / "about 2 min": rounded up to a friendly step. */
export function formatWait(seconds: number, t: ReturnType<typeof useI18n>["t"]): string {
  if (seconds < 60) return t("gen.waitSeconds", { n: Math.max(5, Math.ceil(seconds / 5) * 5) });
  return t("gen.waitMinutes", { n: Math.ceil(seconds / 60) });
}

// ---------------------------------------------------------------------------------------------------
// Starting a generation (创作, 重新生成)

export type StartOptions = {
  /** A line under the cost in the confirmation (e.g. the settings being repeated). */
  summary?: ReactNode;
};

/**
 * Confirms the exact cost, then creates the task: one fresh Idempotency-Key per confirmed action, the
 * same key when the user retries after a network failure (which can never charge twice). Handles 积分不足
 * (client-side and from the server). Resolves with the result, or null when nothing was started.
 */
export function useStartGeneration() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const showInsufficient = useInsufficientCreditsDialog();
  const [submitting, setSubmitting] = useState(false);
  /** The confirmed attempt whose outcome is unknown: the same body again reuses its key. */
  const attempt = useRef<{ key: string; body: string } | null>(null);

  const send = useCallback(
    async (body: TaskCreateBody, key: string): Promise<TaskCreateResult | null> => {
      setSubmitting(true);
      try {
        const res = await client.createTask(body, key);
        attempt.current = null;
        rememberEstimate(res.task_id, res.estimated_seconds);
        queryClient.setQueryData<Wallets>(["wallets"], (w) =>
          w ? { ...w, credits: { ...w.credits, balance: res.balance_after } } : w,
        );
        void queryClient.invalidateQueries({ queryKey: ["wallets"] });
        void queryClient.invalidateQueries({ queryKey: ["ledger"] });
        void queryClient.invalidateQueries({ queryKey: ["tasks"] });
        void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
        Toast.show({ icon: "success", content: t("create.started") });
        return res;
      } catch (err) {
        if (isRetryableFailure(err)) {
          // The request may or may not have arrived: retry with the same key, which cannot charge twice.
          setSubmitting(false);
          const again = await Dialog.confirm({
            content: t("create.networkRetry"),
            confirmText: t("create.retry"),
            cancelText: t("common.cancel"),
          });
          if (again) return send(body, key);
          return null;
        }
        attempt.current = null;
        if (isInsufficientCredits(err)) {
          void queryClient.invalidateQueries({ queryKey: ["wallets"] });
          await showInsufficient(err.data as { required?: unknown; current_balance?: unknown } | null);
          return null;
        }
        Toast.show({ content: errorMessage(err, t("common.networkError")) });
        return null;
      } finally {
        setSubmitting(false);
      }
    },
    [queryClient, showInsufficient, t],
  );

  const start = useCallback(
    async (body: TaskCreateBody, opts: StartOptions = {}): Promise<TaskCreateResult | null> => {
      let config: PublicConfig;
      try {
        config = await queryClient.fetchQuery({
          queryKey: ["config"],
          queryFn: () => client.config(),
          staleTime: 5 * 60_000,
        });
      } catch (err) {
        Toast.show({ content: errorMessage(err, t("common.networkError")) });
        return null;
      }
      const model = config.models.find((m) => m.id === body.model);
      if (!model) {
        Toast.show({ content: t("gen.modelUnavailable") });
        return null;
      }
      // Credits are integers: an integer product, never a float.
      const cost = model.credits_per_second * body.duration_sec;
      // The balance the user sees on screen (fetched once if nothing has read it yet).
      let balance = queryClient.getQueryData<Wallets>(["wallets"])?.credits.balance;
      if (balance === undefined) {
        balance = await queryClient
          .fetchQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() })
          .then((w) => w.credits.balance)
          .catch(() => undefined);
      }
      if (balance !== undefined && balance < cost) {
        await showInsufficient({ required: cost, current_balance: balance });
        return null;
      }
      const after = balance !== undefined ? balance - cost : undefined;
      const ok = await Dialog.confirm({
        title: t("create.confirmTitle"),
        content: (
          <div className="confirm-cost">
            <div data-testid="confirm-cost">
              {after !== undefined
                ? t("create.confirmContent", { cost: formatCredits(cost), after: formatCredits(after) })
                : t("create.costValue", { cost: formatCredits(cost) })}
            </div>
            {opts.summary && (
              <div className="gl-confirm-summary" data-testid="confirm-summary">
                {opts.summary}
              </div>
            )}
          </div>
        ),
        confirmText: t("create.confirmOk"),
        cancelText: t("common.cancel"),
      });
      if (!ok) return null;
      const fingerprint = JSON.stringify(body);
      if (attempt.current?.body !== fingerprint)
        attempt.current = { key: newIdempotencyKey(), body: fingerprint };
      return send(body, attempt.current.key);
    },
    [queryClient, send, showInsufficient, t],
  );

  return { start, submitting };
}

/** The request that repeats a task exactly (prompt, duration, ratio, model, project, reference image). */
export function bodyFromTask(task: Task): TaskCreateBody {
  return {
    prompt: task.prompt,
    duration_sec: task.duration_sec,
    ratio: task.ratio,
    model: task.model,
    project_id: task.project_id,
    reference_image_asset_id: task.reference_image_asset_id,
  };
}

// ---------------------------------------------------------------------------------------------------
// The 创作 draft: survives a trip to 去充值 (or any other page) and a reload within the tab

export type CreateDraft = {
  prompt: string;
  model: string | null;
  duration: number | null;
  ratio: string | null;
  /** Absent in drafts from before resolutions, and in 再次生成 from a task: the model's default. */
  resolution?: string | null;
  projectId: string | null;
  referenceAssetId: string | null;
  /** 换用同类模型; absent (older drafts, 再次生成 from a task): off. */
  allowFailover?: boolean;
};

const DRAFT_KEY = "skyriff.create_draft";

export function loadDraft(): CreateDraft | null {
  try {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<CreateDraft>;
    return {
      prompt: typeof d.prompt === "string" ? d.prompt : "",
      model: typeof d.model === "string" ? d.model : null,
      duration: typeof d.duration === "number" ? d.duration : null,
      ratio: typeof d.ratio === "string" ? d.ratio : null,
      resolution: typeof d.resolution === "string" ? d.resolution : null,
      projectId: typeof d.projectId === "string" ? d.projectId : null,
      referenceAssetId: typeof d.referenceAssetId === "string" ? d.referenceAssetId : null,
      allowFailover: d.allowFailover === true,
    };
  } catch {
    return null;
  }
}

export function saveDraft(draft: CreateDraft) {
  try {
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    // private mode / quota: the draft lives as long as the page then
  }
}

export function clearDraft() {
  try {
    sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    // nothing to clear
  }
}

export function hasDraft(): boolean {
  const d = loadDraft();
  return !!d && (d.prompt.trim() !== "" || d.referenceAssetId !== null);
}

export function draftFromTask(task: Pick<Task, keyof TaskCreateBody & keyof Task>): CreateDraft {
  return {
    prompt: task.prompt,
    model: task.model,
    duration: task.duration_sec,
    ratio: task.ratio,
    projectId: task.project_id ?? null,
    referenceAssetId: task.reference_image_asset_id ?? null,
  };
}

/** Location state that makes 创作 start from these settings (编辑后生成, 再次生成). */
export type CreatePrefillState = { prefill: CreateDraft };

/** Opens 创作 prefilled with a task's settings. */
export function useOpenCreatePrefilled() {
  const navigate = useNavigate();
  return useCallback(
    (draft: CreateDraft) => {
      saveDraft(draft);
      navigate("/create", { state: { prefill: draft } satisfies CreatePrefillState });
    },
    [navigate],
  );
}

// Reference image previews: the upload's signed URL (valid 1 h) is remembered per asset on this device,
// and the local object URL for as long as the page lives.
const PREVIEWS_KEY = "skyriff.reference_previews";
const objectUrls = new Map<string, string>();

export function rememberPreview(assetId: string, objectUrl: string, signedUrl: string) {
  const old = objectUrls.get(assetId);
  if (old && old !== objectUrl) URL.revokeObjectURL(old);
  objectUrls.set(assetId, objectUrl);
  try {
    const all = JSON.parse(localStorage.getItem(PREVIEWS_KEY) ?? "{}") as Record<
      string,
      { url: string; exp: number }
    >;
    all[assetId] = { url: signedUrl, exp: Date.now() + 55 * 60_000 };
    for (const [k, v] of Object.entries(all)) if (v.exp < Date.now()) delete all[k];
    localStorage.setItem(PREVIEWS_KEY, JSON.stringify(all));
  } catch {
    // the object URL still works on this page
  }
}

export function previewFor(assetId: string): string | null {
  const local = objectUrls.get(assetId);
  if (local) return local;
  try {
    const all = JSON.parse(localStorage.getItem(PREVIEWS_KEY) ?? "{}") as Record<
      string,
      { url: string; exp: number }
    >;
    const hit = all[assetId];
    return hit && hit.exp > Date.now() ? hit.url : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Lists shared by 资产 and the player

export const ALL_VIDEOS = "all";
export const UNCATEGORIZED = "none";

/** The 资产 grid's list for a filter (全部, 未分类 or a project): the player swipes through the same one. */
export function useVideoList(filter: string, enabled = true) {
  return useCursorPages(
    ["videos", filter],
    (pageParam) =>
      client.videos({ project_id: filter === ALL_VIDEOS ? undefined : filter, cursor: pageParam }),
    { enabled },
  );
}

/** A video already in a loaded list (the player shows it at once instead of waiting for its own GET). */
export function findListedVideo(queryClient: QueryClient, videoId: string): VideoAsset | undefined {
  for (const [, data] of queryClient.getQueriesData<{ pages: { items: VideoAsset[] }[] }>({
    queryKey: ["videos"],
  })) {
    for (const page of data?.pages ?? []) {
      const hit = page.items.find((v) => v.video_id === videoId);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Tasks still queued or rendering (newest first): 资产 shows them as 生成中 tiles. */
export function useUnfinishedTasks() {
  return useQuery({
    queryKey: ["tasks", "unfinished"],
    queryFn: async () => {
      const [queued, running] = await Promise.all([
        client.tasks({ status: "QUEUED", limit: 50 }),
        client.tasks({ status: "IN_PROGRESS", limit: 50 }),
      ]);
      const byId = new Map<string, Task>();
      for (const task of [...running.items, ...queued.items])
        if (!byId.has(task.task_id)) byId.set(task.task_id, task);
      return [...byId.values()].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    },
    staleTime: 0,
    // Tasks started on another device show up too.
    refetchInterval: 30_000,
  });
}

/** Copies text: the async Clipboard API, else a hidden textarea and `execCommand("copy")`. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  area.style.top = "0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
