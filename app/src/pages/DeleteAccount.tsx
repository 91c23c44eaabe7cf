import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Checkbox, Dialog, Skeleton, Toast } from "antd-mobile";
import { ExclamationTriangleOutline } from "antd-mobile-icons";
import { useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError, client, errorMessage, newIdempotencyKey } from "../api.ts";
import { markSigningOut } from "../auth.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCoins, formatCredits, sumCoins } from "../money.ts";

/**
 * 注销账号: states what is lost (the current balances first), asks for a tick, then a second, explicit
 * confirmation. POST /me/delete_account forfeits the balances, anonymises the account and ends every
 * session; the app then forgets its tokens and goes to the login page.
 */
export function DeleteAccountPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets() });
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  // One key per attempt on this page: a double tap or a retry after a network error closes once.
  const idempotencyKey = useRef(newIdempotencyKey());

  const w = wallets.data;
  const credits = w ? formatCredits(w.credits.balance) : "—";
  const coins = w ? sumCoins(w.coins.available, w.coins.pending) : "—";

  const finish = () => {
    queryClient.clear();
    Toast.show({ icon: "success", content: t("deleteAccount.done") });
    navigate("/login", { replace: true });
  };

  const back = () => {
    const idx = (window.history.state as { idx?: number } | null)?.idx ?? 0;
    if (idx > 0) navigate(-1);
    else navigate("/me/settings", { replace: true });
  };

  const start = async () => {
    if (!understood) {
      Toast.show({ content: t("deleteAccount.tickFirst") });
      return;
    }
    const confirmed = await new Promise<boolean>((resolve) => {
      Dialog.show({
        title: t("deleteAccount.finalTitle"),
        content: <div data-testid="delete-final">{t("deleteAccount.finalContent", { credits, coins })}</div>,
        closeOnAction: true,
        onClose: () => resolve(false),
        actions: [
          [
            { key: "cancel", text: t("common.cancel"), onClick: () => resolve(false) },
            {
              key: "delete",
              text: t("deleteAccount.finalConfirm"),
              danger: true,
              bold: true,
              onClick: () => resolve(true),
            },
          ],
        ],
      });
    });
    if (!confirmed) return;
    setBusy(true);
    markSigningOut();
    try {
      await client.deleteAccount(idempotencyKey.current);
      finish();
    } catch (err) {
      // 401 on a retry: the first attempt did close the account (its session is gone).
      if (err instanceof ApiError && err.status === 401) {
        finish();
        return;
      }
      markSigningOut(false);
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page delete-account-page">
      <PageHeader title={t("deleteAccount.title")} fallback="/me/settings" />
      <div className="delete-account-body">
        <div className="delete-account-warning">
          <ExclamationTriangleOutline className="delete-account-icon" />
          <h2>{t("deleteAccount.heading")}</h2>
        </div>

        <section className="delete-account-balances" data-testid="delete-balances">
          <div className="delete-account-balances-title">{t("deleteAccount.balancesTitle")}</div>
          {w ? (
            <div className="delete-account-balances-grid">
              <div>
                <b data-testid="delete-credits">{credits}</b>
                <span>{t("me.credits")}</span>
              </div>
              <div>
                <b data-testid="delete-coins">{coins}</b>
                <span>
                  {t("me.coins")}
                  {t("deleteAccount.coinsSplit", {
                    available: formatCoins(w.coins.available),
                    pending: formatCoins(w.coins.pending),
                  })}
                </span>
              </div>
            </div>
          ) : (
            <Skeleton.Paragraph lineCount={2} animated />
          )}
          <p className="delete-account-forfeit">{t("deleteAccount.forfeit")}</p>
        </section>

        <ul className="delete-account-list">
          <li>{t("deleteAccount.itemProfile")}</li>
          <li>{t("deleteAccount.itemPhone")}</li>
          <li>{t("deleteAccount.itemContent")}</li>
          <li>{t("deleteAccount.itemLedger")}</li>
          <li>{t("deleteAccount.itemFinal")}</li>
        </ul>

        <div className="delete-account-tick">
          <Checkbox
            data-testid="delete-understood"
            checked={understood}
            onChange={setUnderstood}
            style={{ "--icon-size": "18px", "--gap": "8px" }}
          >
            {t("deleteAccount.understood")}
          </Checkbox>
        </div>

        <Button
          block
          color="danger"
          shape="rounded"
          size="large"
          data-testid="delete-account-submit"
          disabled={!w}
          loading={busy}
          onClick={() => void start()}
        >
          {t("deleteAccount.submit")}
        </Button>
        <Button block fill="none" className="delete-account-keep" onClick={back}>
          {t("deleteAccount.keep")}
        </Button>
      </div>
    </div>
  );
}
