import { NavBar } from "antd-mobile";
import { EmptyState } from "../components/EmptyState.tsx";
import { useI18n } from "../i18n.tsx";

export function ToolsPage() {
  const { t } = useI18n();
  return (
    <div className="page">
      <NavBar className="page-header" backIcon={false}>
        {t("tools.title")}
      </NavBar>
      <EmptyState
        testId="tools-empty"
        illustration="tools"
        title={t("tools.empty")}
        description={t("tools.emptyHint")}
      />
    </div>
  );
}
