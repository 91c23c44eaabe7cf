import { Navigate, useParams } from "react-router-dom";
import { PageHeader } from "../components/PageHeader.tsx";
import { useI18n } from "../i18n.tsx";
import { type AgreementId, EFFECTIVE_DATE, legalDoc } from "../legal.ts";

/** /agreements/user (用户协议) and /agreements/privacy (隐私政策): readable without logging in. */
export function AgreementPage() {
  const { t, lang } = useI18n();
  const { doc } = useParams();
  if (doc !== "user" && doc !== "privacy") return <Navigate to="/agreements/user" replace />;
  const text = legalDoc(doc as AgreementId, lang);
  return (
    <div className="page agreement-page">
      <PageHeader title={text.title} fallback="/login" />
      <article className="agreement" data-testid={`agreement-${doc}`}>
        <h1>{text.title}</h1>
        <p className="agreement-date">
          {t("legal.effective", { date: lang === "en" ? EFFECTIVE_DATE.en : EFFECTIVE_DATE.zh })}
        </p>
        {text.intro.map((p) => (
          <p key={p}>{p}</p>
        ))}
        {text.sections.map((section) => (
          <section key={section.heading}>
            <h2>{section.heading}</h2>
            {section.paragraphs.map((p) => (
              <p key={p}>{p}</p>
            ))}
          </section>
        ))}
      </article>
    </div>
  );
}
