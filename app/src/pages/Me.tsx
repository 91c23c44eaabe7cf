import { useQuery } from "@tanstack/react-query";
import { Avatar, Button, List, PullToRefresh, Skeleton } from "antd-mobile";
import { PayCircleOutline, SetOutline, UnorderedListOutline, VideoOutline } from "antd-mobile-icons";
import { useNavigate } from "react-router-dom";
import { client } from "../api.ts";
import { useI18n } from "../i18n.tsx";
import { formatCoins, formatCredits, sumCoins } from "../money.ts";

export function MePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const me = useQuery({ queryKey: ["me"], queryFn: () => client.me() });
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() });
  // Stats are a bonus on this page: if /me/home is unavailable the rest still works.
  const home = useQuery({ queryKey: ["me", "home"], queryFn: () => client.meHome(), retry: false });

  const refresh = async () => {
    await Promise.all([me.refetch(), wallets.refetch(), home.refetch()]);
  };

  const user = me.data;
  const w = wallets.data;
  const stats = home.data?.stats;

  return (
    <div className="page me-page">
      <PullToRefresh onRefresh={refresh}>
        <section className="me-card" data-testid="user-card">
          {user ? (
            <>
              <Avatar src={user.avatar_url ?? ""} className="me-avatar" />
              <div className="me-identity">
                <div className="me-nickname" data-testid="nickname">
                  {user.nickname}
                </div>
                <div className="me-phone" data-testid="phone-masked">
                  {user.phone_masked ?? t("me.noPhone")}
                </div>
              </div>
            </>
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

        {stats && (
          <section className="me-stats">
            <Stat label={t("me.works")} value={stats.works_count} />
            <Stat label={t("me.likes")} value={stats.likes_received_count} />
            <Stat label={t("me.followers")} value={stats.followers_count} />
            <Stat label={t("me.following")} value={stats.following_count} />
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
              <span>
                {t("me.coinsAvailable")}{" "}
                <b data-testid="coins-available">{w ? formatCoins(w.coins.available) : "—"}</b>
              </span>
              <span>
                {t("me.coinsPending")}{" "}
                <b data-testid="coins-pending">{w ? formatCoins(w.coins.pending) : "—"}</b>
              </span>
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

        <List className="me-links">
          <List.Item prefix={<VideoOutline />} onClick={() => navigate("/tasks")}>
            {t("me.tasks")}
          </List.Item>
          <List.Item prefix={<PayCircleOutline />} onClick={() => navigate("/me/recharge")}>
            {t("me.recharge")}
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

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="me-stat">
      <b>{formatCredits(value)}</b>
      <span>{label}</span>
    </div>
  );
}
