import { NavBar } from "antd-mobile";
import { FileOutline, RightOutline } from "antd-mobile-icons";
import { useNavigate } from "react-router-dom";
import { EmptyState } from "../components/EmptyState.tsx";
import "../components/orders.css";
import { useI18n } from "../i18n.tsx";

export function ToolsPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <div className="page">
      <NavBar className="page-header" backIcon={false}>
        {t("tools.title")}
      </NavBar>
      <nav className="tools-grid" aria-label={t("tools.title")}>
        <button
          type="button"
          className="tools-card"
          data-testid="tools-orders"
          onClick={() => navigate("/orders")}
        >
          <span className="tools-card-icon" aria-hidden>
            <FileOutline />
          </span>
          <span className="tools-card-main">
            <b>{t("tools.ordersTitle")}</b>
            <span>{t("tools.ordersDesc")}</span>
          </span>
          <RightOutline className="tools-card-arrow" />
        </button>
      </nav>
      <EmptyState
        testId="tools-empty"
        illustration="tools"
        title={t("tools.empty")}
        description={t("tools.emptyHint")}
      />
    </div>
  );
}
