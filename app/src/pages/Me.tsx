import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Avatar, Badge, Button, List, PullToRefresh, Skeleton, Toast } from "antd-mobile";
import {
  BellOutline,
  CheckCircleOutline,
  CollectMoneyOutline,
  EditSOutline,
  FileOutline,
  FolderOutline,
  GiftOutline,
  HistogramOutline,
  PayCircleOutline,
  PhoneFill,
  PlayOutline,
  RightOutline,
  SetOutline,
  ShopbagOutline,
  StarOutline,
  TeamOutline,
  UnorderedListOutline,
  VideoOutline,
} from "antd-mobile-icons";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { client, errorMessage, newIdempotencyKey } from "../api.ts";
import "../components/community.css";
import { SubscriptionCard } from "../components/SubscriptionCard.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCoins, formatCount, formatCredits, sumCoins } from "../money.ts";
import { badgeText, useUnreadCount } from "../rewards.tsx";
import { displayNickname } from "../userDisplay.ts";

const DEV_GRANT_CREDITS = 100;

export function MePage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ["me"], queryFn: () => client.me() });
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() });
  // Stats are a bonus on this page: if /me/home is unavailable the rest still works.
  const home = useQuery({ queryKey: ["me", "home"], queryFn: () => client.meHome(), retry: false });
  const config = useQuery({ queryKey: ["config"], queryFn: () => client.config(), staleTime: 5 * 60_000 });
  // The task center's red dot: a finished task whose reward is waiting. A bonus here, like the stats.
  const tasksToday = useQuery({
    queryKey: ["tasks-center", lang],
    queryFn: () => client.tasksToday(),
    retry: false,
  });
  const unread = useUnreadCount();
  const claimable = tasksToday.data?.tasks.filter((x) => x.status === "completed").length ?? 0;
  const [granting, setGranting] = useState(false);

  const refresh = async () => {
    await Promise.all([
      me.refetch(),
      wallets.refetch(),
      home.refetch(),
      queryClient.invalidateQueries({ queryKey: ["subscription"] }),
      queryClient.invalidateQueries({ queryKey: ["tasks-center"] }),
      queryClient.invalidateQueries({ queryKey: ["notifications", "unread"] }),
    ]);
  };

  const user = me.data;
  const w = wallets.data;
  const stats = home.data?.stats;
  const counts = home.data?.counts;
  const devTools = config.data?.features.dev_tools === true;

  /** Dev only: a 100-credit `bonus` through POST /dev/grant, so a newcomer can try 创作 at once. */
  const devGrant = async () => {
    if (!user) return;
    setGranting(true);
    try {
      await client.devGrant(user.user_id, DEV_GRANT_CREDITS, newIdempotencyKey());
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["wallets"] }),
        queryClient.invalidateQueries({ queryKey: ["me", "home"] }),
        queryClient.invalidateQueries({ queryKey: ["ledger"] }),
      ]);
      Toast.show({
        icon: "success",
        content: t("me.devGranted", { credits: formatCredits(DEV_GRANT_CREDITS) }),
      });
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setGranting(false);
    }
  };

  return (
    <div className="page me-page">
      <PullToRefresh onRefresh={refresh}>
        <section className="me-card" data-testid="user-card">
          {user ? (
            <button
              type="button"
              className="me-card-button"
              data-testid="edit-profile"
              aria-label={t("profile.title")}
              onClick={() => navigate("/me/profile")}
            >
              <Avatar src={user.avatar_url ?? ""} className="me-avatar" />
              <div className="me-identity">
                <div className="me-nickname" data-testid="nickname">
                  {displayNickname(user.nickname, lang)}
                </div>
                <div className="me-phone" data-testid="phone-masked">
                  {user.phone_masked ?? t("me.noPhone")}
                </div>
                {user.bio && <div className="me-bio">{user.bio}</div>}
              </div>
              <span className="me-edit">
                <EditSOutline /> {t("me.editProfile")}
              </span>
            </button>
          ) : me.isError ? (
            <div className="me-error">
              {t("me.loadFailed")}{" "}
              <Button size="mini" onClick={() => void me.refetch()}>
                {t("me.retry")}
              </Button>
            </div>
          ) : (
            <Skeleton.Paragraph lineCount={2} animated />
          )}
        </section>

        {user && !user.has_phone && (
          <button
            type="button"
            className="me-bind-phone"
            data-testid="bind-phone-entry"
            onClick={() => navigate("/me/bind-phone")}
          >
            <PhoneFill className="me-bind-phone-icon" />
            <span className="me-bind-phone-text">
              <b>{t("bindPhone.title")}</b>
              <span>{t("me.bindPhoneHint")}</span>
            </span>
            <span className="me-bind-phone-go">{t("me.bindPhoneGo")}</span>
          </button>
        )}

        {stats && (
          <section className="me-stats">
            <Stat label={t("me.works")} value={formatCount(stats.works_count, lang)} />
            <Stat label={t("me.likes")} value={formatCount(stats.likes_received_count, lang)} />
            <Stat label={t("me.followers")} value={formatCount(stats.followers_count, lang)} />
            <Stat label={t("me.following")} value={formatCount(stats.following_count, lang)} />
          </section>
        )}

        <section className="wallet-cards">
          <div className="wallet-card wallet-credits">
            <div className="wallet-label">{t("me.credits")}</div>
            <div className="wallet-value" data-testid="credits-balance">
              {w ? formatCredits(w.credits.balance) : "—"}
            </div>
          </div>
          <div className="wallet-card wallet-coins">
            <div className="wallet-label">{t("me.coins")}</div>
            <div className="wallet-value" data-testid="coins-total">
              {w ? sumCoins(w.coins.available, w.coins.pending) : "—"}
            </div>
            <div className="wallet-split">
              <button
                type="button"
                className="me-pending-link me-available-link"
                data-testid="coins-available-link"
                onClick={() => navigate("/me/withdraw")}
              >
                {t("me.coinsAvailable")}{" "}
                <b data-testid="coins-available">{w ? formatCoins(w.coins.available) : "—"}</b>
                <RightOutline className="me-pending-arrow" />
              </button>
              <button
                type="button"
                className="me-pending-link"
                data-testid="coins-pending-link"
                onClick={() => navigate("/me/pending-coins")}
              >
                {t("me.coinsPending")}{" "}
                <b data-testid="coins-pending">{w ? formatCoins(w.coins.pending) : "—"}</b>
                <RightOutline className="me-pending-arrow" />
              </button>
            </div>
          </div>
        </section>
        {wallets.isError && (
          <div className="me-error">
            {t("me.loadFailed")}{" "}
            <Button size="mini" onClick={() => void wallets.refetch()}>
              {t("me.retry")}
            </Button>
          </div>
        )}

        <nav className="me-shortcuts" aria-label={t("me.shortcuts")} data-testid="me-shortcuts">
          <Shortcut
            testId="tasks-center-entry"
            icon={<CheckCircleOutline />}
            label={t("me.shortcutTasks")}
            dot={claimable > 0}
            onClick={() => navigate("/me/tasks-center")}
          />
          <Shortcut
            testId="earnings-entry"
            icon={<HistogramOutline />}
            label={t("me.shortcutEarnings")}
            onClick={() => navigate("/me/earnings")}
          />
          <Shortcut
            testId="withdraw-entry"
            icon={<CollectMoneyOutline />}
            label={t("me.shortcutWithdraw")}
            onClick={() => navigate("/me/withdraw")}
          />
          <Shortcut
            testId="messages-entry"
            icon={<BellOutline />}
            label={t("me.shortcutMessages")}
            count={unread}
            onClick={() => navigate("/me/messages")}
          />
        </nav>

        <SubscriptionCard />

        {devTools && user && (
          <section className="me-dev" data-testid="dev-tools">
            <Button
              block
              shape="rounded"
              fill="outline"
              color="warning"
              data-testid="dev-grant"
              loading={granting}
              onClick={() => void devGrant()}
            >
              <GiftOutline /> {t("me.devGrant", { credits: formatCredits(DEV_GRANT_CREDITS) })}
            </Button>
            <div className="me-dev-hint">{t("me.devHint")}</div>
          </section>
        )}

        <List className="me-links">
          <List.Item
            prefix={<VideoOutline />}
            onClick={() => navigate("/tasks")}
            extra={
              counts && counts.unfinished_tasks > 0 ? (
                <span className="me-count-live" data-testid="me-unfinished">
                  {t("me.unfinished", { count: formatCount(counts.unfinished_tasks, lang) })}
                </span>
              ) : null
            }
          >
            {t("me.tasks")}
          </List.Item>
          <List.Item
            prefix={<FolderOutline />}
            onClick={() => navigate("/assets")}
            extra={
              counts ? (
                <span data-testid="me-video-count">
                  {t("me.videoCount", { count: formatCount(counts.videos, lang) })}
                </span>
              ) : null
            }
          >
            {t("me.videos")}
          </List.Item>
          <List.Item
            prefix={<PlayOutline />}
            onClick={() => user && navigate(`/users/${encodeURIComponent(user.user_id)}`)}
            extra={
              stats ? (
                <span data-testid="me-works-count">
                  {t("me.videoCount", { count: formatCount(stats.works_count, lang) })}
                </span>
              ) : null
            }
          >
            {t("me.myWorks")}
          </List.Item>
          <List.Item
            prefix={<StarOutline />}
            onClick={() => navigate("/assets?tab=favorites")}
            extra={
              counts ? (
                <span data-testid="me-favorites-count">
                  {t("me.videoCount", { count: formatCount(counts.favorites, lang) })}
                </span>
              ) : null
            }
          >
            {t("me.myFavorites")}
          </List.Item>
          <List.Item
            prefix={<FileOutline />}
            onClick={() => navigate("/me/orders")}
            data-testid="my-orders-entry"
          >
            {t("me.orders")}
          </List.Item>
          <List.Item
            prefix={<ShopbagOutline />}
            onClick={() => navigate("/orders")}
            data-testid="orders-hall-entry"
          >
            {t("me.ordersHall")}
          </List.Item>
          <List.Item prefix={<PayCircleOutline />} onClick={() => navigate("/me/recharge")}>
            {t("me.recharge")}
          </List.Item>
          <List.Item
            prefix={<TeamOutline />}
            onClick={() => navigate("/me/promoter")}
            data-testid="promoter-entry"
            extra={
              user ? (
                <span className={user.is_promoter ? "me-promoter-on" : undefined}>
                  {user.is_promoter ? t("me.promoterOn") : t("me.promoterOff")}
                </span>
              ) : null
            }
          >
            {t("me.promoter")}
          </List.Item>
          <List.Item prefix={<UnorderedListOutline />} onClick={() => navigate("/me/ledger")}>
            {t("me.ledger")}
          </List.Item>
          <List.Item prefix={<SetOutline />} onClick={() => navigate("/me/settings")}>
            {t("me.settings")}
          </List.Item>
        </List>
      </PullToRefresh>
    </div>
  );
}

function Shortcut({
  icon,
  label,
  onClick,
  testId,
  count = 0,
  dot = false,
}: {
  icon: React.ReactNode;
  label: string;
  onClick: () => void;
  testId: string;
  count?: number;
  dot?: boolean;
}) {
  return (
    <button type="button" className="me-shortcut" data-testid={testId} onClick={onClick}>
      <Badge
        content={count > 0 ? badgeText(count) : dot ? Badge.dot : null}
        className="me-shortcut-badge"
        data-testid={count > 0 ? `${testId}-badge` : undefined}
      >
        <span className="me-shortcut-icon">{icon}</span>
      </Badge>
      <span className="me-shortcut-label">{label}</span>
    </button>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="me-stat">
      <b>{value}</b>
      <span>{label}</span>
    </div>
  );
}
