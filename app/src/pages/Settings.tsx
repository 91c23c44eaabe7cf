import { useQueryClient } from "@tanstack/react-query";
import { Button, Dialog, List, Selector, Toast } from "antd-mobile";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { client, tokenStore } from "../api.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { LANGS, type Lang, useI18n } from "../i18n.tsx";

export function SettingsPage() {
  const { t, lang, setLang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);

  const logout = async () => {
    const ok = await Dialog.confirm({
      content: t("settings.logoutConfirm"),
      confirmText: t("settings.logout"),
      cancelText: t("settings.cancel"),
    });
    if (!ok) return;
    setBusy(true);
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

  return (
    <div className="page settings-page">
      <PageHeader title={t("settings.title")} fallback="/me" />
      <List header={t("settings.language")}>
        <List.Item>
          <Selector<Lang>
            data-testid="language-selector"
            columns={2}
            showCheckMark={false}
            options={LANGS}
            value={[lang]}
            onChange={(v) => {
              if (v[0]) setLang(v[0]);
            }}
          />
        </List.Item>
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
      </div>
    </div>
  );
}
