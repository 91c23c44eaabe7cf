import type { Work } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Button, DotLoading, ErrorBlock, InfiniteScroll, List } from "antd-mobile";
import { HeartOutline, LeftOutline } from "antd-mobile-icons";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { ApiError, client, errorMessage } from "../api.ts";
import { useWorkActions, useWorkList, type WorkListKey, workPath } from "../community.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Avatar } from "../components/WorkSwiper.tsx";
import "../components/community.css";
import { PageFooter } from "../components/PageFooter.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCount } from "../money.ts";
import { useCursorPages } from "../paging.ts";

function useBack(fallback: string) {
  const navigate = useNavigate();
  return () => {
    const idx = (window.history.state as { idx?: number } | null)?.idx ?? 0;
    if (idx > 0) navigate(-1);
    else navigate(fallback, { replace: true });
  };
}

/** `/users/:id` — avatar, nickname, bio, stats, follow button, works grid. */
export function UserProfilePage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { id = "" } = useParams();
  const back = useBack("/");
  const profile = useQuery({ queryKey: ["profile", id], queryFn: () => client.profile(id) });
  const { setFollowing } = useWorkActions();
  const [busy, setBusy] = useState(false);
  const p = profile.data;

  if (profile.isPending || profile.isError || !p) {
    const missing = profile.error instanceof ApiError && profile.error.status === 404;
    return (
      <div className="profile-page" data-testid="profile-page">
        <PageHeader title="" />
        {profile.isError ? (
          <ErrorBlock
            status={missing ? "empty" : "default"}
            title={missing ? t("profile.notFound") : errorMessage(profile.error, t("common.networkError"))}
            description=""
          >
            {!missing && (
              <Button size="small" onClick={() => void profile.refetch()}>
                {t("common.retry")}
              </Button>
            )}
          </ErrorBlock>
        ) : (
          <div className="center-block muted">
            {t("common.loading")}
            <DotLoading />
          </div>
        )}
      </div>
    );
  }

  const toggleFollow = async () => {
    setBusy(true);
    if (await setFollowing(id, !p.is_following)) void profile.refetch();
    setBusy(false);
  };

  return (
    <div className="profile-page" data-testid="profile-page" data-user-id={id}>
      <section className="profile-hero">
        <button type="button" className="profile-back" aria-label={t("common.back")} onClick={back}>
          <LeftOutline />
        </button>
        <div className="profile-id">
          <Avatar src={p.user.avatar_url} name={p.user.nickname} />
          <div style={{ minWidth: 0 }}>
            <div className="profile-name" data-testid="profile-nickname" data-user-content>
              {p.user.nickname}
            </div>
            {p.user.is_creator && <span className="profile-creator">{t("profile.creator")}</span>}
          </div>
        </div>
        <p className="profile-bio" data-testid="profile-bio" data-user-content={p.user.bio ? "" : undefined}>
          {p.user.bio || t("profile.noBio")}
        </p>
        <div className="profile-stats">
          <span className="profile-stat">
            <b data-testid="profile-likes">{formatCount(p.stats.likes_received_count, lang)}</b>
            <span>{t("me.likes")}</span>
          </span>
          <button
            type="button"
            className="profile-stat"
            data-testid="profile-followers-link"
            onClick={() => navigate(`/users/${encodeURIComponent(id)}/followers`)}
          >
            <b data-testid="profile-followers">{formatCount(p.stats.followers_count, lang)}</b>
            <span>{t("me.followers")}</span>
          </button>
          <button
            type="button"
            className="profile-stat"
            data-testid="profile-following-link"
            onClick={() => navigate(`/users/${encodeURIComponent(id)}/following`)}
          >
            <b data-testid="profile-following">{formatCount(p.stats.following_count, lang)}</b>
            <span>{t("me.following")}</span>
          </button>
          <span className="profile-stat">
            <b data-testid="profile-works">{formatCount(p.stats.works_count, lang)}</b>
            <span>{t("me.works")}</span>
          </span>
        </div>
        {!p.is_self && (
          <div className="profile-actions">
            <Button
              shape="rounded"
              color={p.is_following ? "default" : "danger"}
              fill={p.is_following ? "outline" : "solid"}
              style={
                p.is_following
                  ? {
                      "--background-color": "rgba(255,255,255,0.15)",
                      "--text-color": "#fff",
                      "--border-color": "rgba(255,255,255,0.6)",
                    }
                  : undefined
              }
              loading={busy}
              data-testid="profile-follow"
              data-following={p.is_following}
              onClick={() => void toggleFollow()}
            >
              {p.is_following ? t("profile.unfollow") : t("profile.followCta")}
            </Button>
          </div>
        )}
      </section>
      <div className="profile-section-title">
        {t("profile.worksTitle", { count: formatCount(p.stats.works_count, lang) })}
      </div>
      <WorkGrid
        list={`user:${id}`}
        emptyTitle={p.is_self ? t("profile.selfNoWorks") : t("profile.noWorks")}
      />
    </div>
  );
}

/** A grid of work covers with like counts; a tap opens the swipe player on the same list. */
export function WorkGrid({
  list,
  emptyTitle,
  emptyAction,
}: {
  list: WorkListKey;
  emptyTitle: string;
  emptyAction?: React.ReactNode;
}) {
  const { t, lang } = useI18n();
  const query = useWorkList(list);
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
  const items: Work[] = query.data.pages.flatMap((p) => p.items);
  if (items.length === 0)
    return (
      <EmptyState testId="work-grid-empty" illustration="works" title={emptyTitle} action={emptyAction} />
    );
  return (
    <>
      <div className="work-grid" data-testid="work-grid">
        {items.map((w) => (
          <Link
            key={w.work_id}
            to={workPath(w.work_id, list)}
            className="work-tile"
            data-testid="work-tile"
            data-work-id={w.work_id}
          >
            <img src={w.cover_url} alt={w.title} loading="lazy" />
            <span className="work-tile-title" data-user-content>
              {w.title}
            </span>
            <span className="work-tile-likes">
              <HeartOutline /> {formatCount(w.stats.like_count, lang)}
            </span>
          </Link>
        ))}
      </div>
      <PageFooter query={query} />
    </>
  );
}

/** `/users/:id/followers` and `/users/:id/following`. */
export function UserListPage({ kind }: { kind: "followers" | "following" }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { id = "" } = useParams();
  const query = useCursorPages([kind, id], (pageParam) =>
    kind === "followers" ? client.followers(id, pageParam) : client.following(id, pageParam),
  );
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const title = kind === "followers" ? t("me.followers") : t("me.following");

  return (
    <div className="page" style={{ background: "#fff" }} data-testid={`${kind}-page`}>
      <PageHeader title={title} fallback={`/users/${encodeURIComponent(id)}`} />
      {query.isPending ? (
        <div className="center-block muted">
          {t("common.loading")}
          <DotLoading />
        </div>
      ) : query.isError ? (
        <div className="center-block">
          <Button size="small" onClick={() => void query.refetch()}>
            {t("common.loadFailedRetry")}
          </Button>
        </div>
      ) : items.length === 0 ? (
        <EmptyState
          testId="user-list-empty"
          illustration="generic"
          title={kind === "followers" ? t("profile.noFollowers") : t("profile.noFollowing")}
        />
      ) : (
        <>
          <List>
            {items.map((u) => (
              <List.Item
                key={u.user_id}
                data-testid="user-row"
                onClick={() => navigate(`/users/${encodeURIComponent(u.user_id)}`)}
                extra={u.is_following ? <span className="muted">{t("profile.following")}</span> : null}
              >
                <span className="user-row">
                  <Avatar src={u.avatar_url} name={u.nickname} size={40} />
                  <span className="user-row-text">
                    <div className="user-row-name" data-user-content>
                      {u.nickname}
                    </div>
                    {u.bio && (
                      <div className="user-row-bio" data-user-content>
                        {u.bio}
                      </div>
                    )}
                  </span>
                </span>
              </List.Item>
            ))}
          </List>
          <InfiniteScroll
            hasMore={query.hasNextPage}
            loadMore={async () => {
              const res = await query.fetchNextPage();
              if (res.isError) throw res.error;
            }}
          />
        </>
      )}
    </div>
  );
}
