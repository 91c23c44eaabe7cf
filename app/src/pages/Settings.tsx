import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ActionSheet, Button, Dialog, List, Toast } from "antd-mobile";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { client, tokenStore } from "../api.ts";
import { markSigningOut } from "../auth.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { LANGS, useI18n } from "../i18n.tsx";
import { displayNickname } from "../userDisplay.ts";

/** Copies `text`; false when the browser refuses (no clipboard permission, plain http on a LAN). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function SettingsPage() {
  const { t, lang, setLang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const me = useQuery({ queryKey: ["me"], queryFn: () => client.me() });
  const config = useQuery({ queryKey: ["config"], queryFn: () => client.config(), staleTime: 5 * 60_000 });
  const user = me.data;
  const devTools = config.data?.features.dev_tools === true;

  const logout = async () => {
    const ok = await Dialog.confirm({
      content: t("settings.logoutConfirm"),
      confirmText: <span className="danger-text">{t("settings.logout")}</span>,
      cancelText: t("settings.cancel"),
    });
    if (!ok) return;
    setBusy(true);
    markSigningOut();
    try {
      await client.logout();
    } catch {
      // The server could not revoke it (offline, already revoked): the local session ends anyway.
      tokenStore.clear();
    } finally {
      setBusy(false);
    }
    queryClient.clear();
    Toast.show({ content: t("settings.loggedOut") });
    navigate("/login", { replace: true });
  };

  const chooseLanguage = () => {
    // Each language is named in itself, so a person can always find their way back.
    const handler = ActionSheet.show({
      actions: LANGS.map((l) => ({ key: l.value, text: l.label, bold: l.value === lang })),
      cancelText: t("common.cancel"),
      onAction: (action) => {
        setLang(action.key as (typeof LANGS)[number]["value"]);
        handler.close();
      },
    });
  };

  const copy = async (text: string, done: string) => {
    Toast.show(
      (await copyText(text)) ? { icon: "success", content: done } : { content: t("settings.copyFailed") },
    );
  };

  const currentLang = LANGS.find((l) => l.value === lang)?.label ?? lang;

  return (
    <div className="page settings-page">
      <PageHeader title={t("settings.title")} fallback="/me" />

      <List header={t("settings.account")} className="settings-list">
        <List.Item
          onClick={() => navigate("/me/profile")}
          extra={user ? displayNickname(user.nickname, lang) : ""}
          data-testid="settings-profile"
        >
          {t("profile.title")}
        </List.Item>
        <List.Item
          onClick={user && !user.has_phone ? () => navigate("/me/bind-phone") : undefined}
          extra={user ? (user.phone_masked ?? t("settings.phoneUnbound")) : ""}
          data-testid="settings-phone"
        >
          {t("settings.phone")}
        </List.Item>
        <List.Item
          onClick={user ? () => void copy(user.user_id, t("settings.userIdCopied")) : undefined}
          description={<span className="settings-user-id">{user?.user_id ?? ""}</span>}
          extra={t("settings.copy")}
          arrowIcon={false}
          data-testid="settings-user-id"
        >
          {t("settings.userId")}
        </List.Item>
        {devTools && (
          <List.Item
            onClick={() => void copy(tokenStore.getAccessToken() ?? "", t("settings.tokenCopied"))}
            description={t("settings.devTokenHint")}
            data-testid="settings-dev-token"
          >
            {t("settings.devToken")}
          </List.Item>
        )}
      </List>

      <List header={t("settings.general")} className="settings-list">
        <List.Item onClick={chooseLanguage} extra={currentLang} data-testid="language-row">
          {t("settings.language")}
        </List.Item>
      </List>

      <List header={t("settings.aboutSection")} className="settings-list">
        <List.Item onClick={() => navigate("/about")} data-testid="settings-about">
          {t("about.title")}
        </List.Item>
        <List.Item onClick={() => navigate("/agreements/user")}>{t("legal.userAgreement")}</List.Item>
        <List.Item onClick={() => navigate("/agreements/privacy")}>{t("legal.privacyPolicy")}</List.Item>
      </List>

      <div className="settings-actions">
        <Button
          block
          color="danger"
          fill="outline"
          shape="rounded"
          loading={busy}
          onClick={() => void logout()}
        >
          {t("settings.logout")}
        </Button>
        <Button
          block
          color="danger"
          fill="none"
          className="settings-delete"
          data-testid="delete-account-entry"
          onClick={() => navigate("/me/delete-account")}
        >
          {t("deleteAccount.title")}
        </Button>
      </div>
    </div>
  );
}
