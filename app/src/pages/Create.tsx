import { NavBar } from "antd-mobile";
import { EmptyState } from "../components/EmptyState.tsx";
import { useI18n } from "../i18n.tsx";

export function CreatePage() {
  const { t } = useI18n();
  return (
    <div className="page">
      <NavBar className="page-header" backIcon={false}>
        {t("create.title")}
      </NavBar>
      <EmptyState testId="create-empty" title={t("create.empty")} />
    </div>
  );
}
