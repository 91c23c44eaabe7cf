import type { PublicConfig, Task, TaskStatus } from "@skyriff/contracts";
import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { Dialog } from "antd-mobile";
import { useCallback, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError, client } from "./api.ts";
import { type MessageKey, useI18n } from "./i18n.tsx";

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
              ? t("credits.insufficientContent", { required: String(required), balance: String(balance) })
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

/** After a task ends, the balance (refund), the task lists and the assets change. */
export function invalidateAfterTask(queryClient: QueryClient) {
  void queryClient.invalidateQueries({ queryKey: ["wallets"] });
  void queryClient.invalidateQueries({ queryKey: ["tasks"] });
  void queryClient.invalidateQueries({ queryKey: ["videos"] });
  void queryClient.invalidateQueries({ queryKey: ["projects"] });
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
