import type { FeedTab } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Badge, Button, DotLoading, PullToRefresh } from "antd-mobile";
import { BellOutline } from "antd-mobile-icons";
import { useCallback, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { client, errorMessage } from "../api.ts";
import { useLoggedIn } from "../auth.tsx";
import { useWorkList } from "../community.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { Avatar, WorkSwiper } from "../components/WorkSwiper.tsx";
import "../components/community.css";
import { useI18n } from "../i18n.tsx";
import { formatCount, formatCredits } from "../money.ts";
import { badgeText, useUnreadCount } from "../rewards.tsx";

type HomeTab = FeedTab | "ranking";
const TABS: HomeTab[] = ["discover", "hot", "following", "ranking"];

export function HomePage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const raw = params.get("tab");
  const tab: HomeTab = TABS.includes(raw as HomeTab) ? (raw as HomeTab) : "discover";
  // Where the viewer was in each tab, kept while switching tabs.
  const positions = useRef<Record<string, number>>({});

  const titles: Record<HomeTab, string> = {
    discover: t("feed.discover"),
    hot: t("feed.hot"),
    following: t("feed.following"),
    ranking: t("feed.ranking"),
  };

  const tabs = (
    <nav className="feed-tabs" data-testid="home-tabs" aria-label={t("tab.home")}>
      {TABS.map((key) => (
        <button
          key={key}
          type="button"
          className={`feed-tab${key === tab ? " feed-tab-on" : ""}`}
          aria-current={key === tab ? "page" : undefined}
          data-testid={`home-tab-${key}`}
          onClick={() => setParams(key === "discover" ? {} : { tab: key }, { replace: true })}
        >
          {titles[key]}
        </button>
      ))}
      <MessagesBell />
    </nav>
  );

  return (
    <div className="feed-page" data-testid="home-page" data-tab={tab}>
      {tab === "ranking" ? (
        <>
          <Ranking />
          {tabs}
        </>
      ) : (
        <FeedView key={tab} tab={tab} positions={positions.current} overlay={tabs} />
      )}
    </div>
  );
}

/** 消息 in the header, with the unread count (logged-in viewers only). */
function MessagesBell() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const loggedIn = useLoggedIn();
  const unread = useUnreadCount();
  if (!loggedIn) return null;
  return (
    <button
      type="button"
      className="feed-bell"
      data-testid="home-messages"
      aria-label={t("home.messages")}
      onClick={() => navigate("/me/messages")}
    >
      <Badge content={unread > 0 ? badgeText(unread) : null} className="feed-bell-badge">
        <BellOutline />
      </Badge>
    </button>
  );
}

function FeedView({
  tab,
  positions,
  overlay,
}: {
  tab: FeedTab;
  positions: Record<string, number>;
  overlay: React.ReactNode;
}) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const loggedIn = useLoggedIn();
  const needsLogin = tab === "following" && !loggedIn;
  const list = useWorkList(`feed:${tab}`, !needsLogin);
  const [index, setIndex] = useState(positions[tab] ?? 0);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const shown = Math.min(index, Math.max(0, items.length - 1));
  const loadMore = useCallback(() => list.fetchNextPage(), [list.fetchNextPage]);

  const state = (node: React.ReactNode) => (
    <>
      <div className="feed-state" data-testid={`feed-state-${tab}`}>
        {node}
      </div>
      {overlay}
    </>
  );

  if (needsLogin) {
    return state(
      <EmptyState
        testId="following-login"
        illustration="works"
        title={t("feed.followingLogin")}
        description={t("feed.followingLoginHint")}
        action={
          <Button
            color="primary"
            shape="rounded"
            onClick={() => navigate("/login", { state: { from: "/?tab=following" } })}
          >
            {t("feed.loginGo")}
          </Button>
        }
      />,
    );
  }
  if (list.isPending) {
    return state(
      <span className="muted">
        {t("common.loading")}
        <DotLoading color="white" />
      </span>,
    );
  }
  if (list.isError) {
    return state(
      <>
        <span>{errorMessage(list.error, t("common.networkError"))}</span>
        <Button size="small" onClick={() => void list.refetch()}>
          {t("common.retry")}
        </Button>
      </>,
    );
  }
  if (items.length === 0) {
    const empty =
      tab === "following" ? (
        <EmptyState
          testId="following-empty"
          illustration="works"
          title={t("feed.followingEmpty")}
          description={t("feed.followingEmptyHint")}
          action={
            <Button color="primary" shape="rounded" onClick={() => navigate("/", { replace: true })}>
              {t("feed.goDiscover")}
            </Button>
          }
        />
      ) : tab === "hot" ? (
        <EmptyState
          testId="hot-empty"
          illustration="works"
          title={t("feed.hotEmpty")}
          description={t("feed.hotEmptyHint")}
          action={
            <Button color="primary" shape="rounded" onClick={() => navigate("/", { replace: true })}>
              {t("feed.goDiscover")}
            </Button>
          }
        />
      ) : (
        <EmptyState
          testId="home-empty"
          illustration="works"
          title={t("home.empty")}
          description={t("home.emptyHint")}
          action={
            <Button color="primary" shape="rounded" onClick={() => navigate("/create")}>
              {t("home.goCreate")}
            </Button>
          }
        />
      );
    return state(
      <PullToRefresh onRefresh={async () => void (await list.refetch())}>
        <div>{empty}</div>
      </PullToRefresh>,
    );
  }

  return (
    <WorkSwiper
      testId="feed-swiper"
      items={items}
      index={shown}
      onIndexChange={(i) => {
        positions[tab] = i;
        setIndex(i);
      }}
      hasMore={list.hasNextPage}
      loadMore={loadMore}
      overlayTop={overlay}
    />
  );
}

const MEDAL = ["", "ranking-medal-1", "ranking-medal-2", "ranking-medal-3"];

/** 排行: the Top 10 creators by tips received. */
function Ranking() {
  const { t, lang } = useI18n();
  const ranking = useQuery({ queryKey: ["ranking"], queryFn: () => client.creatorTipRanking(10) });
  const items = ranking.data?.items ?? [];

  let body: React.ReactNode;
  if (ranking.isPending) {
    body = (
      <div className="center-block muted">
        {t("common.loading")}
        <DotLoading color="white" />
      </div>
    );
  } else if (ranking.isError) {
    body = (
      <div className="center-block">
        <Button size="small" onClick={() => void ranking.refetch()}>
          {t("common.loadFailedRetry")}
        </Button>
      </div>
    );
  } else if (items.length === 0) {
    body = (
      <div className="feed-state" style={{ position: "static", background: "none" }}>
        <EmptyState
          testId="ranking-empty"
          illustration="works"
          title={t("ranking.empty")}
          description={t("ranking.emptyHint")}
        />
      </div>
    );
  } else {
    body = (
      <ol
        className="ranking-list"
        style={{ listStyle: "none", margin: 0, padding: 0 }}
        data-testid="ranking-list"
      >
        {items.map((r) => (
          <li key={r.user_id}>
            <Link
              to={`/users/${encodeURIComponent(r.user_id)}`}
              className="ranking-row"
              data-testid="ranking-row"
              data-user-id={r.user_id}
            >
              <span className={`ranking-medal ${MEDAL[r.rank] ?? ""}`} data-testid="ranking-rank">
                {r.rank}
              </span>
              <Avatar src={r.avatar_url} name={r.nickname} size={44} />
              <span className="ranking-who">
                <div className="ranking-name" data-testid="ranking-name" data-user-content>
                  {r.nickname}
                </div>
                <div className="ranking-fans">
                  {t("ranking.followers", { count: formatCount(r.followers_count, lang) })}
                </div>
              </span>
              <span className="ranking-tipped">
                <b data-testid="ranking-tipped">{formatCredits(r.total_tipped_credits)}</b>
                <span>{t("ranking.tipped")}</span>
              </span>
            </Link>
          </li>
        ))}
      </ol>
    );
  }

  return (
    <div className="ranking" data-testid="ranking">
      <div className="ranking-head">
        <h2>{t("ranking.title")}</h2>
        <p>{t("ranking.subtitle")}</p>
      </div>
      {body}
    </div>
  );
}
