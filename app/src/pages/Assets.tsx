import { NavBar } from "antd-mobile";
import { EmptyState } from "../components/EmptyState.tsx";
import { useI18n } from "../i18n.tsx";

export function AssetsPage() {
  const { t } = useI18n();
  return (
    <div className="page">
      <NavBar className="page-header" backIcon={false}>
        {t("assets.title")}
      </NavBar>
      <EmptyState testId="assets-empty" title={t("assets.empty")} />
    </div>
  );
}
