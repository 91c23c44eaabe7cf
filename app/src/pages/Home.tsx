import { Button } from "antd-mobile";
import { useNavigate } from "react-router-dom";
import { EmptyState } from "../components/EmptyState.tsx";
import { useI18n } from "../i18n.tsx";

export function HomePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <div className="page">
      <header className="brand-header">{t("app.name")}</header>
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
    </div>
  );
}
