import type { VideoAsset, Wallets } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ActionSheet, Button, Dialog, DotLoading, ErrorBlock, SpinLoading, Toast } from "antd-mobile";
import {
  DownlandOutline,
  DownOutline,
  LeftOutline,
  MoreOutline,
  PlayOutline,
  SoundMuteOutline,
  SoundOutline,
  UpOutline,
} from "antd-mobile-icons";
import {
  type PointerEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useRef,
  useState,
  type WheelEvent,
} from "react";
import { useNavigate, useParams, useSearchParams } from "react-router-dom";
import { ApiError, client, errorMessage, newIdempotencyKey } from "../api.ts";
import "../components/generation-loop.css";
import {
  type CreateDraft,
  copyText,
  draftFromTask,
  findListedVideo,
  formatClock,
  formatRelativeTime,
  isInsufficientCredits,
  isRetryableFailure,
  useConfig,
  useInsufficientCreditsDialog,
  useOpenCreatePrefilled,
  useVideoList,
} from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";

/** Hands a URL to the browser's downloader (the signed link answers with the MP4). */
function saveFile(url: string, filename: string) {
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** A vertical drag at least this long (and mostly vertical) moves to the next/previous video. */
const SWIPE_MIN_PX = 60;
const WHEEL_COOLDOWN_MS = 700;
/** Pages of the list fetched at most to find the video the player was opened on. */
const MAX_SEARCH_PAGES = 10;

type Direction = "next" | "prev" | "none";

export function PlayerPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { id = "" } = useParams();
  const [params] = useSearchParams();
  // The list the player was opened from (资产's 全部 / 未分类 / a project): swiping walks through it.
  const list = params.get("list");
  const config = useConfig();
  const video = useQuery({
    queryKey: ["video", id],
    queryFn: () => client.video(id),
    initialData: () => findListedVideo(queryClient, id),
    initialDataUpdatedAt: () =>
      list ? queryClient.getQueryState(["videos", list])?.dataUpdatedAt : undefined,
  });
  const videos = useVideoList(list ?? "all", list !== null);
  const items = videos.data?.pages.flatMap((p) => p.items) ?? [];
  const index = items.findIndex((v) => v.video_id === id);
  const [muted, setMuted] = useState(false);
  const [direction, setDirection] = useState<Direction>("none");

  // Opened on a video further down than the loaded pages: load on until it is found.
  const pagesLoaded = videos.data?.pages.length ?? 0;
  useEffect(() => {
    if (list === null || index >= 0 || !videos.hasNextPage || videos.isFetching) return;
    if (pagesLoaded >= MAX_SEARCH_PAGES) return;
    void videos.fetchNextPage();
  }, [list, index, videos.hasNextPage, videos.isFetching, pagesLoaded, videos.fetchNextPage]);

  const canSwipe = list !== null && index >= 0 && (items.length > 1 || videos.hasNextPage);

  const go = useCallback(
    (target: VideoAsset, dir: Direction) => {
      setDirection(dir);
      queryClient.setQueryData(["video", target.video_id], (old: VideoAsset | undefined) => old ?? target);
      navigate(
        `/assets/videos/${encodeURIComponent(target.video_id)}?list=${encodeURIComponent(list ?? "all")}`,
        { replace: true },
      );
    },
    [list, navigate, queryClient],
  );

  const next = useCallback(async () => {
    if (!canSwipe) return;
    const following = items[index + 1];
    if (following) return go(following, "next");
    if (videos.hasNextPage) {
      const res = await videos.fetchNextPage();
      const more = res.data?.pages.flatMap((p) => p.items) ?? [];
      const after = more[more.findIndex((v) => v.video_id === id) + 1];
      if (after) return go(after, "next");
    }
    Toast.show({ content: t("player.atEnd") });
  }, [canSwipe, items, index, go, videos, id, t]);

  const prev = useCallback(() => {
    if (!canSwipe) return;
    const before = items[index - 1];
    if (before) go(before, "prev");
    else Toast.show({ content: t("player.atStart") });
  }, [canSwipe, items, index, go, t]);

  // Keyboard: ↑/↓ (and PageUp/PageDown) move through the list, as a swipe does.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable=true]")) return;
      if (document.querySelector(".adm-dialog, .adm-action-sheet-popup .adm-popup-body")) return;
      if (e.key === "ArrowDown" || e.key === "PageDown") {
        e.preventDefault();
        void next();
      } else if (e.key === "ArrowUp" || e.key === "PageUp") {
        e.preventDefault();
        prev();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [next, prev]);

  const back = () => {
    const idx = (window.history.state as { idx?: number } | null)?.idx ?? 0;
    if (idx > 0) navigate(-1);
    else
      navigate(list && list !== "all" ? `/assets?project=${encodeURIComponent(list)}` : "/assets", {
        replace: true,
      });
  };

  const position =
    canSwipe && index >= 0 ? `${index + 1} / ${items.length}${videos.hasNextPage ? "+" : ""}` : null;

  const topBar = (menu?: () => void) => (
    <div className="player-top" data-testid="player-top">
      <button type="button" className="player-icon" aria-label={t("player.back")} onClick={back}>
        <LeftOutline />
      </button>
      <div className="gl-player-title">
        {position && (
          <span className="gl-player-position" data-testid="player-position">
            {position}
          </span>
        )}
        {canSwipe && (
          <span className="gl-player-hint" data-testid="swipe-hint">
            <UpOutline /> {t("player.swipeHint")} <DownOutline />
          </span>
        )}
      </div>
      {menu ? (
        <button
          type="button"
          className="player-icon"
          aria-label={t("player.more")}
          data-testid="player-menu"
          onClick={menu}
        >
          <MoreOutline />
        </button>
      ) : (
        <span className="player-icon" aria-hidden />
      )}
    </div>
  );

  if (video.isPending) {
    return (
      <div className="player-page">
        {topBar()}
        <div className="player-message">
          <DotLoading color="white" />
        </div>
      </div>
    );
  }
  if (video.isError) {
    const missing = video.error instanceof ApiError && video.error.status === 404;
    return (
      <div className="player-page">
        {topBar()}
        <div className="player-message">
          <ErrorBlock
            status={missing ? "empty" : "default"}
            title={missing ? t("player.notFound") : errorMessage(video.error, t("common.networkError"))}
            description=""
          >
            {!missing && (
              <Button size="small" onClick={() => void video.refetch()}>
                {t("common.retry")}
              </Button>
            )}
          </ErrorBlock>
        </div>
      </div>
    );
  }

  return (
    <PlayerView
      key={video.data.video_id}
      video={video.data}
      config={config.data}
      direction={direction}
      muted={muted}
      onMutedChange={setMuted}
      topBar={topBar}
      canSwipe={canSwipe}
      onNext={() => void next()}
      onPrev={prev}
    />
  );
}

function PlayerView({
  video: v,
  config,
  direction,
  muted,
  onMutedChange,
  topBar,
  canSwipe,
  onNext,
  onPrev,
}: {
  video: VideoAsset;
  config: ReturnType<typeof useConfig>["data"];
  direction: Direction;
  muted: boolean;
  onMutedChange: (muted: boolean) => void;
  topBar: (menu?: () => void) => ReactNode;
  canSwipe: boolean;
  onNext: () => void;
  onPrev: () => void;
}) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const showInsufficient = useInsufficientCreditsDialog();
  const openCreate = useOpenCreatePrefilled();
  const id = v.video_id;
  const el = useRef<HTMLVideoElement>(null);
  const [paused, setPaused] = useState(true);
  const [loading, setLoading] = useState(true);
  const [time, setTime] = useState(0);
  const [length, setLength] = useState(0);
  const [downloading, setDownloading] = useState(false);
  const drag = useRef<{ x: number; y: number; at: number } | null>(null);
  const swipedAt = useRef(0);
  const wheelAt = useRef(0);
  const mutedRef = useRef(muted);
  mutedRef.current = muted;

  // Start playing at once; browsers that refuse sound without a tap get a muted start.
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    node.muted = mutedRef.current;
    node.play().catch(() => {
      node.muted = true;
      onMutedChange(true);
      node.play().catch(() => setPaused(true));
    });
  }, [onMutedChange]);

  const toggle = () => {
    // The click that ends a swipe is not a tap.
    if (Date.now() - swipedAt.current < 400) return;
    const node = el.current;
    if (!node) return;
    if (node.paused || node.ended) void node.play().catch(() => setPaused(true));
    else node.pause();
  };

  const toggleMute = () => {
    const node = el.current;
    if (!node) return;
    node.muted = !node.muted;
    onMutedChange(node.muted);
  };

  const onPointerDown = (e: PointerEvent) => {
    if (!e.isPrimary) return;
    drag.current = { x: e.clientX, y: e.clientY, at: Date.now() };
  };
  const onPointerUp = (e: PointerEvent) => {
    const start = drag.current;
    drag.current = null;
    if (!start || !canSwipe) return;
    const dx = e.clientX - start.x;
    const dy = e.clientY - start.y;
    if (Math.abs(dy) < SWIPE_MIN_PX || Math.abs(dy) < Math.abs(dx) * 1.5 || Date.now() - start.at > 1200)
      return;
    swipedAt.current = Date.now();
    if (dy < 0) onNext();
    else onPrev();
  };
  const onWheel = (e: WheelEvent) => {
    if (!canSwipe || Math.abs(e.deltaY) < 30 || Date.now() - wheelAt.current < WHEEL_COOLDOWN_MS) return;
    wheelAt.current = Date.now();
    if (e.deltaY > 0) onNext();
    else onPrev();
  };

  const runDownload = async (key: string): Promise<void> => {
    setDownloading(true);
    try {
      const res = await client.downloadNoWatermark(id, key);
      saveFile(res.download_url, `skyriff-${id}.mp4`);
      queryClient.setQueryData<Wallets>(["wallets"], (w) =>
        w ? { ...w, credits: { ...w.credits, balance: res.balance_after } } : w,
      );
      void queryClient.invalidateQueries({ queryKey: ["wallets"] });
      void queryClient.invalidateQueries({ queryKey: ["ledger"] });
      void queryClient.invalidateQueries({ queryKey: ["video", id] });
      Toast.show({
        icon: "success",
        content: (
          <span data-testid="download-toast">
            {t("player.downloadDone", {
              cost: formatCredits(res.cost_credits),
              balance: formatCredits(res.balance_after),
            })}
          </span>
        ),
      });
    } catch (err) {
      if (isRetryableFailure(err)) {
        setDownloading(false);
        const again = await Dialog.confirm({
          content: t("player.downloadRetry"),
          confirmText: t("common.retry"),
          cancelText: t("common.cancel"),
        });
        // The same key: a retry of this purchase is never charged twice.
        if (again) return runDownload(key);
        return;
      }
      if (isInsufficientCredits(err)) {
        void queryClient.invalidateQueries({ queryKey: ["wallets"] });
        await showInsufficient(err.data as { required?: unknown; current_balance?: unknown } | null);
        return;
      }
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    } finally {
      setDownloading(false);
    }
  };

  const download = async () => {
    const cost = config?.download_no_watermark_credits;
    if (cost === undefined) return;
    const ok = await Dialog.confirm({
      title: t("player.downloadTitle"),
      content: (
        <div className="download-confirm" data-testid="download-confirm">
          <p>{t("player.downloadCost", { cost: formatCredits(cost) })}</p>
          {v.downloaded_before && (
            <p className="download-again" data-testid="downloaded-before">
              {t("player.downloadedBefore")}
            </p>
          )}
        </div>
      ),
      confirmText: t("player.downloadOk"),
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    // Each confirmed download is a new purchase with its own key.
    await runDownload(newIdempotencyKey());
  };

  const moveTo = async () => {
    let items: { project_id: string; name: string }[];
    try {
      items = (await queryClient.fetchQuery({ queryKey: ["projects"], queryFn: () => client.projects() }))
        .items;
    } catch (err) {
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
      return;
    }
    const targets = [{ project_id: null as string | null, name: t("assets.uncategorized") }, ...items];
    ActionSheet.show({
      extra: t("player.moveTo"),
      cancelText: t("common.cancel"),
      closeOnAction: true,
      actions: targets.map((p) => ({
        key: p.project_id ?? "none",
        text: p.name,
        disabled: p.project_id === v.project_id,
        onClick: async () => {
          try {
            await client.moveVideo(v.video_id, p.project_id);
            Toast.show({ icon: "success", content: t("player.moved", { name: p.name }) });
            void queryClient.invalidateQueries({ queryKey: ["video", id] });
            void queryClient.invalidateQueries({ queryKey: ["videos"] });
            void queryClient.invalidateQueries({ queryKey: ["projects"] });
          } catch (err) {
            Toast.show({ content: errorMessage(err, t("common.networkError")) });
          }
        },
      })),
    });
  };

  const remove = async () => {
    const ok = await Dialog.confirm({
      title: t("player.deleteVideo"),
      content: t("player.deleteVideoConfirm"),
      confirmText: <span className="gl-danger-text">{t("assets.delete")}</span>,
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    try {
      await client.deleteVideo(id);
      Toast.show({ icon: "success", content: t("player.deleted") });
      void queryClient.invalidateQueries({ queryKey: ["videos"] });
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
      void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
      queryClient.removeQueries({ queryKey: ["video", id] });
      navigate("/assets", { replace: true });
    } catch (err) {
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    }
  };

  const copyPrompt = async () => {
    const ok = await copyText(v.prompt);
    Toast.show(
      ok
        ? { icon: "success", content: <span data-testid="copy-toast">{t("player.copied")}</span> }
        : { content: <span data-testid="copy-toast">{t("player.copyFailed")}</span> },
    );
  };

  const generateAgain = async () => {
    // The task holds every setting (model, reference image); the video itself only some of them.
    let draft: CreateDraft = {
      prompt: v.prompt,
      model: null,
      duration: v.duration_sec,
      ratio: v.ratio,
      projectId: v.project_id,
      referenceAssetId: null,
    };
    if (v.task_id) {
      const taskId = v.task_id;
      const task = await queryClient
        .fetchQuery({ queryKey: ["task", taskId], queryFn: () => client.task(taskId), staleTime: 60_000 })
        .catch(() => null);
      // The project is where the video is now (it may have been moved since).
      if (task) draft = { ...draftFromTask(task), projectId: v.project_id };
    }
    openCreate(draft);
  };

  const menu = () => {
    ActionSheet.show({
      cancelText: t("common.cancel"),
      closeOnAction: true,
      actions: [
        ...(v.prompt
          ? [{ key: "copy", text: t("player.copyPrompt"), onClick: () => void copyPrompt() }]
          : []),
        { key: "again", text: t("player.again"), onClick: () => void generateAgain() },
        { key: "move", text: t("player.moveTo"), onClick: () => void moveTo() },
        { key: "delete", text: t("player.deleteVideo"), danger: true, onClick: () => void remove() },
      ],
    });
  };

  const total = Number.isFinite(length) && length > 0 ? length : v.duration_sec;

  return (
    <div className="player-page" data-testid="player-page" data-video-id={v.video_id}>
      {topBar(menu)}

      {/* A video without `controls` is not interactive content, so it may sit inside the tap target. */}
      <button
        type="button"
        className={`player-stage gl-slide-${direction}`}
        aria-label={paused ? t("player.play") : t("player.pause")}
        onClick={toggle}
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          drag.current = null;
        }}
        onWheel={onWheel}
        data-testid="player-stage"
      >
        {/* biome-ignore lint/a11y/useMediaCaption: generated clips carry no speech; there is no caption track */}
        <video
          ref={el}
          className="player-video"
          data-testid="player-video"
          src={v.watermarked_play_url}
          poster={v.thumbnail_url}
          playsInline
          loop
          preload="auto"
          onPlay={() => setPaused(false)}
          onPause={() => setPaused(true)}
          onWaiting={() => setLoading(true)}
          onCanPlay={() => setLoading(false)}
          onPlaying={() => setLoading(false)}
          onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
          onLoadedMetadata={(e) => setLength(e.currentTarget.duration)}
          onDurationChange={(e) => setLength(e.currentTarget.duration)}
        />
        {loading && (
          <span
            className="gl-player-spinner"
            data-testid="player-loading"
            role="status"
            aria-label={t("player.loadingVideo")}
          >
            <SpinLoading color="white" style={{ "--size": "40px" }} />
          </span>
        )}
        {paused && !loading && (
          <span className="player-paused" data-testid="player-paused-indicator" aria-hidden>
            <PlayOutline />
          </span>
        )}
      </button>

      {/* Below the picture, never over it: the burned-in watermark stays visible whatever the ratio. */}
      <div className="player-bottom" data-testid="player-bottom">
        {v.prompt && (
          <p className="player-prompt" data-testid="player-caption">
            {v.prompt}
          </p>
        )}
        <div className="gl-player-meta" data-testid="player-meta">
          {t("player.meta", {
            seconds: v.duration_sec,
            ratio: v.ratio,
            time: formatRelativeTime(v.created_at, lang, t("gen.justNow")),
          })}
        </div>
        <div className="player-progress">
          <span className="player-time">{formatClock(time)}</span>
          <input
            type="range"
            className="player-scrubber"
            data-testid="player-scrubber"
            aria-label={t("player.progress")}
            min={0}
            max={total}
            step={0.1}
            value={time}
            onChange={(e) => {
              const to = Number(e.target.value);
              if (el.current) el.current.currentTime = to;
              setTime(to);
            }}
          />
          <span className="player-time">{formatClock(total)}</span>
        </div>
        <div className="player-actions">
          <span className="gl-player-buttons">
            <button
              type="button"
              className="player-icon"
              aria-label={muted ? t("player.unmute") : t("player.mute")}
              data-testid="player-mute"
              onClick={toggleMute}
            >
              {muted ? <SoundMuteOutline /> : <SoundOutline />}
            </button>
            {canSwipe && (
              <>
                <button
                  type="button"
                  className="player-icon"
                  aria-label={t("player.prev")}
                  data-testid="player-prev"
                  onClick={onPrev}
                >
                  <UpOutline />
                </button>
                <button
                  type="button"
                  className="player-icon"
                  aria-label={t("player.next")}
                  data-testid="player-next"
                  onClick={onNext}
                >
                  <DownOutline />
                </button>
              </>
            )}
          </span>
          <Button
            color="primary"
            shape="rounded"
            className="player-download"
            data-testid="download-no-watermark"
            loading={downloading}
            disabled={downloading || config === undefined}
            onClick={() => void download()}
          >
            <DownlandOutline /> {t("player.download")}
          </Button>
        </div>
      </div>
    </div>
  );
}
