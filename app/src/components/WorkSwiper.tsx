import type { Work } from "@skyriff/contracts";
import { Toast } from "antd-mobile";
import {
  AddOutline,
  CheckOutline,
  EditSOutline,
  EyeInvisibleOutline,
  GiftOutline,
  HeartFill,
  LockOutline,
  MessageOutline,
  PlayOutline,
  SendOutline,
  SoundMuteOutline,
  SoundOutline,
} from "antd-mobile-icons";
import { type PointerEvent, type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useWorkActions } from "../community.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCount } from "../money.ts";
import { PromptSheet, TipSheet } from "./WorkSheets.tsx";
import "./community.css";

/** A vertical drag at least this long, or a fast flick, moves to the next / previous work. */
const SWIPE_MIN_PX = 70;
const FLICK_PX_PER_MS = 0.5;
const TAP_MAX_MOVE = 10;
const DOUBLE_TAP_MS = 280;
const WHEEL_COOLDOWN_MS = 700;
/** Load the next page this many works before the end. */
const PREFETCH_AHEAD = 3;

type Heart = { id: number; x: number; y: number };

/**
 * The Douyin-style full-screen vertical player over a list of works. At most three slides (previous,
 * current, next) — and so three <video> elements — exist at a time; the next one preloads. Slides are
 * keyed by work, so the preloaded next video becomes the current one without loading again.
 */
export function WorkSwiper({
  items,
  index,
  onIndexChange,
  hasMore,
  loadMore,
  overlayTop,
  testId = "work-swiper",
}: {
  items: Work[];
  index: number;
  onIndexChange: (index: number) => void;
  hasMore: boolean;
  loadMore: () => Promise<unknown>;
  overlayTop?: ReactNode;
  testId?: string;
}) {
  const { t } = useI18n();
  const { setLiked } = useWorkActions();
  const [offset, setOffset] = useState(0);
  const [dragging, setDragging] = useState(false);
  const [muted, setMuted] = useState(false);
  const [paused, setPaused] = useState(false);
  const [hearts, setHearts] = useState<Heart[]>([]);
  // How many double-tap hearts were drawn (the animation itself lasts under a second).
  const heartCount = useRef(0);
  const root = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; at: number; id: number; moved: boolean } | null>(null);
  const lastTap = useRef<{ at: number; x: number; y: number } | null>(null);
  const tapTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const wheelAt = useRef(0);
  const loadingMore = useRef(false);
  const current = items[index];

  // Near the end of the loaded works: fetch the next page (next_cursor).
  useEffect(() => {
    if (!hasMore || loadingMore.current || index < items.length - PREFETCH_AHEAD) return;
    loadingMore.current = true;
    void loadMore().finally(() => {
      loadingMore.current = false;
    });
  }, [hasMore, index, items.length, loadMore]);

  // A new work starts playing.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on every move
  useEffect(() => setPaused(false), [current?.work_id]);

  const go = useCallback(
    async (dir: 1 | -1) => {
      const target = index + dir;
      if (target < 0) {
        Toast.show({ content: t("player.atStart") });
        return;
      }
      if (target >= items.length) {
        if (hasMore) {
          loadingMore.current = true;
          await loadMore().finally(() => {
            loadingMore.current = false;
          });
          // The parent re-renders with more items; moving on is left to the next swipe.
          return;
        }
        Toast.show({ content: t("player.atEnd") });
        return;
      }
      onIndexChange(target);
    },
    [index, items.length, hasMore, loadMore, onIndexChange, t],
  );

  // Keyboard ↑/↓ and the mouse wheel move too (desktop browsers).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable=true]")) return;
      if (document.querySelector(".adm-dialog, .adm-popup-body")) return;
      if (e.key === "ArrowDown" || e.key === "PageDown") {
        e.preventDefault();
        void go(1);
      } else if (e.key === "ArrowUp" || e.key === "PageUp") {
        e.preventDefault();
        void go(-1);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [go]);

  const isControl = (target: EventTarget | null) =>
    target instanceof Element && target.closest("button, a, input, .wk-no-gesture") !== null;

  const onPointerDown = (e: PointerEvent) => {
    if (!e.isPrimary || isControl(e.target)) return;
    drag.current = { x: e.clientX, y: e.clientY, at: Date.now(), id: e.pointerId, moved: false };
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dy = e.clientY - d.y;
    const dx = e.clientX - d.x;
    if (!d.moved && Math.abs(dy) > TAP_MAX_MOVE && Math.abs(dy) > Math.abs(dx)) {
      d.moved = true;
      setDragging(true);
    }
    if (d.moved) {
      // Resist past either end.
      const atEdge = (dy > 0 && index === 0) || (dy < 0 && index === items.length - 1 && !hasMore);
      setOffset(atEdge ? dy / 3 : dy);
    }
  };
  const endDrag = (e: PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.id !== e.pointerId) return;
    const dy = e.clientY - d.y;
    const dx = e.clientX - d.x;
    setDragging(false);
    setOffset(0);
    if (d.moved) {
      const speed = Math.abs(dy) / Math.max(1, Date.now() - d.at);
      if (Math.abs(dy) >= SWIPE_MIN_PX || speed > FLICK_PX_PER_MS) void go(dy < 0 ? 1 : -1);
      return;
    }
    if (Math.abs(dx) > TAP_MAX_MOVE || e.type === "pointercancel") return;
    onTap(e.clientX, e.clientY);
  };

  const onTap = (x: number, y: number) => {
    const now = Date.now();
    const prev = lastTap.current;
    if (prev && now - prev.at < DOUBLE_TAP_MS && Math.hypot(x - prev.x, y - prev.y) < 60) {
      // Double tap: like (never unlike) with a heart where the finger was.
      clearTimeout(tapTimer.current);
      lastTap.current = null;
      const box = root.current?.getBoundingClientRect();
      const heart = { id: now, x: x - (box?.left ?? 0), y: y - (box?.top ?? 0) };
      heartCount.current += 1;
      setHearts((h) => [...h, heart]);
      setTimeout(() => setHearts((h) => h.filter((v) => v.id !== heart.id)), 900);
      if (current && !current.viewer.is_liked) void setLiked(current, true);
      return;
    }
    lastTap.current = { at: now, x, y };
    clearTimeout(tapTimer.current);
    tapTimer.current = setTimeout(() => {
      lastTap.current = null;
      setPaused((p) => !p);
    }, DOUBLE_TAP_MS);
  };
  useEffect(() => () => clearTimeout(tapTimer.current), []);

  const onWheel = (e: React.WheelEvent) => {
    if (Math.abs(e.deltaY) < 30 || Date.now() - wheelAt.current < WHEEL_COOLDOWN_MS) return;
    if (document.querySelector(".adm-popup-body")) return;
    wheelAt.current = Date.now();
    void go(e.deltaY > 0 ? 1 : -1);
  };

  const slides = [index - 1, index, index + 1].filter((i) => i >= 0 && i < items.length);

  return (
    <div
      ref={root}
      className="wk-swiper"
      data-testid={testId}
      data-index={index}
      data-count={items.length}
      data-hearts={heartCount.current}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
      onWheel={onWheel}
    >
      {slides.map((i) => {
        const work = items[i]!;
        return (
          <WorkSlide
            key={work.work_id}
            work={work}
            position={i - index}
            offset={offset}
            animate={!dragging}
            paused={paused}
            muted={muted}
            onMutedChange={setMuted}
          />
        );
      })}
      {overlayTop}
      <button
        type="button"
        className="wk-mute"
        aria-label={muted ? t("player.unmute") : t("player.mute")}
        data-testid="feed-mute"
        onClick={() => setMuted((m) => !m)}
      >
        {muted ? <SoundMuteOutline /> : <SoundOutline />}
      </button>
      {hearts.map((h) => (
        <span
          key={h.id}
          className="wk-heart-pop"
          style={{ left: h.x, top: h.y }}
          data-testid="like-heart"
          aria-hidden
        >
          <HeartFill />
        </span>
      ))}
    </div>
  );
}

function WorkSlide({
  work,
  position,
  offset,
  animate,
  paused,
  muted,
  onMutedChange,
}: {
  work: Work;
  /** −1 previous, 0 current, 1 next. */
  position: number;
  offset: number;
  animate: boolean;
  paused: boolean;
  muted: boolean;
  onMutedChange: (muted: boolean) => void;
}) {
  const { t } = useI18n();
  const el = useRef<HTMLVideoElement>(null);
  const [progress, setProgress] = useState(0);
  const [playing, setPlaying] = useState(false);
  const active = position === 0;

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    node.muted = muted;
  }, [muted]);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    if (active && !paused) {
      node.play().catch(() => {
        // Sound needs a tap first in most browsers: start muted.
        node.muted = true;
        onMutedChange(true);
        node.play().catch(() => setPlaying(false));
      });
    } else {
      node.pause();
      if (!active) node.currentTime = 0;
    }
  }, [active, paused, onMutedChange]);

  return (
    <section
      className={`wk-slide${animate ? " wk-slide-animate" : ""}`}
      style={{ transform: `translate3d(0, calc(${position * 100}% + ${offset}px), 0)` }}
      data-testid={active ? "work-slide-active" : "work-slide"}
      data-work-id={work.work_id}
      data-position={position}
      aria-hidden={!active}
    >
      <video
        ref={el}
        className="wk-video"
        data-testid={active ? "feed-video" : undefined}
        src={work.play_url}
        poster={work.cover_url}
        playsInline
        loop
        muted={muted}
        preload={position === 1 || active ? "auto" : "metadata"}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onTimeUpdate={(e) => {
          const v = e.currentTarget;
          if (v.duration > 0) setProgress(v.currentTime / v.duration);
        }}
      />
      {active && paused && !playing && (
        <span className="wk-paused" data-testid="feed-paused" aria-hidden>
          <PlayOutline />
        </span>
      )}
      {active && <span className="sr-only">{playing ? t("player.pause") : t("player.play")}</span>}
      <WorkRail work={work} />
      <WorkInfo work={work} />
      <div className="wk-progress" aria-hidden>
        <span style={{ transform: `scaleX(${progress})` }} />
      </div>
    </section>
  );
}

function WorkRail({ work }: { work: Work }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { setLiked, setFollowing, share, unpublish, requireLogin } = useWorkActions();
  const [sheet, setSheet] = useState<"tip" | "prompt" | null>(null);
  const own = work.viewer.is_own;
  const profile = `/users/${encodeURIComponent(work.creator.user_id)}`;

  const openTip = async () => {
    if (!(await requireLogin())) return;
    if (own) {
      Toast.show({ content: t("tip.ownWork") });
      return;
    }
    setSheet("tip");
  };
  const remix = async () => {
    if (!work.allow_remix) {
      Toast.show({ content: <span data-testid="remix-disabled-toast">{t("remix.disabled")}</span> });
      return;
    }
    if (!(await requireLogin())) return;
    navigate(`/create?remix=${encodeURIComponent(work.work_id)}`);
  };

  return (
    <div className="wk-rail" data-testid="work-rail">
      <div className="wk-rail-avatar">
        <Link to={profile} aria-label={work.creator.nickname} data-testid="rail-avatar">
          <Avatar src={work.creator.avatar_url} name={work.creator.nickname} />
        </Link>
        {!own && (
          <button
            type="button"
            className={`wk-follow${work.viewer.is_following ? " wk-follow-on" : ""}`}
            aria-label={work.viewer.is_following ? t("profile.unfollow") : t("profile.follow")}
            data-testid="rail-follow"
            data-following={work.viewer.is_following}
            onClick={() => void setFollowing(work.creator.user_id, !work.viewer.is_following)}
          >
            {work.viewer.is_following ? <CheckOutline /> : <AddOutline />}
          </button>
        )}
      </div>
      <RailButton
        testId="rail-like"
        on={work.viewer.is_liked}
        className="wk-rail-like"
        label={t("feed.like")}
        icon={<HeartFill />}
        count={work.stats.like_count > 0 ? formatCount(work.stats.like_count, lang) : t("feed.like")}
        onClick={() => void setLiked(work, !work.viewer.is_liked)}
      />
      <RailButton
        testId="rail-tip"
        on={work.viewer.is_favorited}
        className="wk-rail-tip"
        label={t("feed.tip")}
        icon={<GiftOutline />}
        count={work.stats.tip_count > 0 ? formatCount(work.stats.tip_count, lang) : t("feed.tip")}
        onClick={() => void openTip()}
      />
      <RailButton
        testId="rail-share"
        label={t("feed.share")}
        icon={<SendOutline />}
        count={work.stats.share_count > 0 ? formatCount(work.stats.share_count, lang) : t("feed.share")}
        onClick={() => void share(work)}
      />
      <RailButton
        testId="rail-prompt"
        label={t("feed.prompt")}
        icon={
          work.is_prompt_locked && !work.viewer.is_prompt_unlocked && !own ? (
            <LockOutline />
          ) : (
            <MessageOutline />
          )
        }
        count={t("feed.prompt")}
        onClick={() => setSheet("prompt")}
      />
      <RailButton
        testId="rail-remix"
        label={t("feed.remix")}
        icon={<EditSOutline />}
        count={work.allow_remix ? t("feed.remix") : t("feed.remixOff")}
        disabledLook={!work.allow_remix}
        onClick={() => void remix()}
      />
      {own && (
        <RailButton
          testId="rail-unpublish"
          label={t("work.unpublish")}
          icon={<EyeInvisibleOutline />}
          count={t("work.unpublish")}
          onClick={() => void unpublish(work).then((done) => done && navigate("/assets", { replace: true }))}
        />
      )}
      {sheet === "tip" && <TipSheet work={work} visible onClose={() => setSheet(null)} />}
      {sheet === "prompt" && <PromptSheet work={work} visible onClose={() => setSheet(null)} />}
    </div>
  );
}

function RailButton({
  testId,
  label,
  icon,
  count,
  on,
  className,
  disabledLook,
  onClick,
}: {
  testId: string;
  label: string;
  icon: ReactNode;
  count: string;
  on?: boolean;
  className?: string;
  disabledLook?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={`wk-rail-button ${className ?? ""}${on ? " wk-on" : ""}${disabledLook ? " wk-off" : ""}`}
      aria-label={label}
      aria-pressed={on}
      data-testid={testId}
      data-on={on ? "true" : "false"}
      onClick={onClick}
    >
      <span className="wk-rail-icon">{icon}</span>
      <span className="wk-rail-count" data-testid={`${testId}-count`}>
        {count}
      </span>
    </button>
  );
}

function WorkInfo({ work }: { work: Work }) {
  const { t } = useI18n();
  return (
    <div className="wk-info" data-testid="work-info">
      <Link
        to={`/users/${encodeURIComponent(work.creator.user_id)}`}
        className="wk-creator"
        data-user-content
        data-testid="work-creator"
      >
        @{work.creator.nickname}
      </Link>
      <div className="wk-title" data-testid="work-title" data-user-content>
        {work.title}
      </div>
      {work.description && (
        <div className="wk-desc" data-testid="work-description" data-user-content>
          {work.description}
        </div>
      )}
      {work.remixed_from && (
        <Link
          to={`/play/${encodeURIComponent(work.remixed_from.work_id)}`}
          className="wk-remixed-from"
          data-testid="remixed-from"
          data-user-content
        >
          {t("feed.remixedFrom", {
            title: work.remixed_from.title,
            name: work.remixed_from.creator.nickname,
          })}
        </Link>
      )}
    </div>
  );
}

/** A round avatar; the nickname's first letter when there is no photo. */
export function Avatar({ src, name, size }: { src: string | null; name: string; size?: number }) {
  const [broken, setBroken] = useState(false);
  const style = size ? { width: size, height: size, fontSize: size * 0.42 } : undefined;
  if (src && !broken)
    return <img className="wk-avatar" src={src} alt="" style={style} onError={() => setBroken(true)} />;
  return (
    <span className="wk-avatar wk-avatar-letter" style={style} aria-hidden data-user-content>
      {Array.from(name.trim())[0] ?? "·"}
    </span>
  );
}
