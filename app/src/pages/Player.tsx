import type { Wallets } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ActionSheet, Button, Dialog, DotLoading, ErrorBlock, Toast } from "antd-mobile";
import {
  DownlandOutline,
  LeftOutline,
  MoreOutline,
  PlayOutline,
  SoundMuteOutline,
  SoundOutline,
} from "antd-mobile-icons";
import { useEffect, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { ApiError, client, errorMessage, newIdempotencyKey } from "../api.ts";
import {
  formatClock,
  isInsufficientCredits,
  isRetryableFailure,
  useConfig,
  useInsufficientCreditsDialog,
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

export function PlayerPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const showInsufficient = useInsufficientCreditsDialog();
  const { id = "" } = useParams();
  const config = useConfig();
  const video = useQuery({ queryKey: ["video", id], queryFn: () => client.video(id) });
  const el = useRef<HTMLVideoElement>(null);
  const [paused, setPaused] = useState(true);
  const [muted, setMuted] = useState(false);
  const [time, setTime] = useState(0);
  const [length, setLength] = useState(0);
  const [downloading, setDownloading] = useState(false);

  const src = video.data?.watermarked_play_url;

  // Start playing when the video arrives; browsers that refuse sound without a tap get a muted start.
  useEffect(() => {
    const v = el.current;
    if (!src || !v) return;
    v.play().catch(() => {
      v.muted = true;
      setMuted(true);
      v.play().catch(() => setPaused(true));
    });
  }, [src]);

  const back = () => {
    const idx = (window.history.state as { idx?: number } | null)?.idx ?? 0;
    if (idx > 0) navigate(-1);
    else navigate("/assets", { replace: true });
  };

  const toggle = () => {
    const v = el.current;
    if (!v) return;
    if (v.paused || v.ended) void v.play().catch(() => setPaused(true));
    else v.pause();
  };

  const toggleMute = () => {
    const v = el.current;
    if (!v) return;
    v.muted = !v.muted;
    setMuted(v.muted);
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
    const cost = config.data?.download_no_watermark_credits;
    if (!video.data || cost === undefined) return;
    const ok = await Dialog.confirm({
      title: t("player.downloadTitle"),
      content: (
        <div className="download-confirm" data-testid="download-confirm">
          <p>{t("player.downloadCost", { cost: formatCredits(cost) })}</p>
          {video.data.downloaded_before && (
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
    const current = video.data;
    if (!current) return;
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
        disabled: p.project_id === current.project_id,
        onClick: async () => {
          try {
            await client.moveVideo(current.video_id, p.project_id);
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
      confirmText: t("assets.delete"),
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    try {
      await client.deleteVideo(id);
      Toast.show({ icon: "success", content: t("player.deleted") });
      void queryClient.invalidateQueries({ queryKey: ["videos"] });
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
      queryClient.removeQueries({ queryKey: ["video", id] });
      navigate("/assets", { replace: true });
    } catch (err) {
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    }
  };

  const menu = () => {
    ActionSheet.show({
      cancelText: t("common.cancel"),
      closeOnAction: true,
      actions: [
        { key: "move", text: t("player.moveTo"), onClick: () => void moveTo() },
        { key: "delete", text: t("player.deleteVideo"), danger: true, onClick: () => void remove() },
      ],
    });
  };

  const topBar = (
    <div className="player-top">
      <button type="button" className="player-icon" aria-label={t("player.back")} onClick={back}>
        <LeftOutline />
      </button>
      {video.data && (
        <button
          type="button"
          className="player-icon"
          aria-label={t("player.more")}
          data-testid="player-menu"
          onClick={menu}
        >
          <MoreOutline />
        </button>
      )}
    </div>
  );

  if (video.isPending) {
    return (
      <div className="player-page">
        {topBar}
        <div className="center-block player-message">
          <DotLoading color="white" />
        </div>
      </div>
    );
  }
  if (video.isError) {
    const missing = video.error instanceof ApiError && video.error.status === 404;
    return (
      <div className="player-page">
        {topBar}
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

  const v = video.data;
  return (
    <div className="player-page">
      {/* A video without `controls` is not interactive content, so it may sit inside the tap target. */}
      <button
        type="button"
        className="player-stage"
        aria-label={paused ? t("player.play") : t("player.pause")}
        onClick={toggle}
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
          onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
          onLoadedMetadata={(e) => setLength(e.currentTarget.duration)}
          onDurationChange={(e) => setLength(e.currentTarget.duration)}
        />
        {paused && (
          <span className="player-paused" data-testid="player-paused-indicator" aria-hidden>
            <PlayOutline />
          </span>
        )}
      </button>

      {topBar}

      <div className="player-bottom">
        {v.prompt && <p className="player-prompt">{v.prompt}</p>}
        <div className="player-progress">
          <span className="player-time">{formatClock(time)}</span>
          <input
            type="range"
            className="player-scrubber"
            data-testid="player-scrubber"
            aria-label="progress"
            min={0}
            max={Number.isFinite(length) && length > 0 ? length : v.duration_sec}
            step={0.1}
            value={time}
            onChange={(e) => {
              const next = Number(e.target.value);
              if (el.current) el.current.currentTime = next;
              setTime(next);
            }}
          />
          <span className="player-time">
            {formatClock(Number.isFinite(length) && length > 0 ? length : v.duration_sec)}
          </span>
        </div>
        <div className="player-actions">
          <button
            type="button"
            className="player-icon"
            aria-label={muted ? "unmute" : "mute"}
            data-testid="player-mute"
            onClick={toggleMute}
          >
            {muted ? <SoundMuteOutline /> : <SoundOutline />}
          </button>
          <Button
            color="primary"
            shape="rounded"
            className="player-download"
            data-testid="download-no-watermark"
            loading={downloading}
            disabled={downloading || config.data === undefined}
            onClick={() => void download()}
          >
            <DownlandOutline /> {t("player.download")}
          </Button>
        </div>
      </div>
    </div>
  );
}
