import { List } from "antd-mobile";
import { useNavigate } from "react-router-dom";
import { version } from "../../package.json";
import { PageHeader } from "../components/PageHeader.tsx";
import { useI18n } from "../i18n.tsx";
import { SUPPORT_EMAIL } from "../legal.ts";

/** 关于 SkyRiff: version, the two agreements and how to reach us. */
export function AboutPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <div className="page about-page">
      <PageHeader title={t("about.title")} fallback="/me/settings" />
      <div className="about-brand">
        <img src="/icons/icon.svg" alt="" width={72} height={72} />
        <div className="about-name">{t("app.name")}</div>
        <div className="about-tagline">{t("about.tagline")}</div>
        <div className="about-version" data-testid="app-version">
          {t("about.version", { version })}
        </div>
      </div>
      <List className="settings-list">
        <List.Item onClick={() => navigate("/agreements/user")}>{t("legal.userAgreement")}</List.Item>
        <List.Item onClick={() => navigate("/agreements/privacy")}>{t("legal.privacyPolicy")}</List.Item>
        <List.Item extra={<a href={`mailto:${SUPPORT_EMAIL}`}>{SUPPORT_EMAIL}</a>}>
          {t("about.contact")}
        </List.Item>
      </List>
      <p className="about-footer">{t("about.footer")}</p>
    </div>
  );
}
