import { useQuery } from "@tanstack/react-query";
import { Button, Checkbox, Divider, Input, type InputRef, Toast } from "antd-mobile";
import { useEffect, useRef, useState } from "react";
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { client, errorMessage } from "../api.ts";
import { type LocationState, saveLogin, useLoggedIn } from "../auth.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";
import { keepReferralCode, normalizeReferralCode, readReferralCode } from "../payments.tsx";
import { DEFAULT_RESEND_SECONDS, normalizePhone, PHONE_RE, retryAfterSeconds, useCountdown } from "../sms.ts";
import { rememberWechatLogin } from "./WechatCallback.tsx";

const DRAFT_KEY = "skyriff.login_draft";

type Draft = { phone: string; agreed: boolean };

/** The typed phone and the agreement tick survive a visit to the agreement pages (this tab only). */
function readDraft(): Draft {
  try {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    const d = raw ? (JSON.parse(raw) as Partial<Draft>) : {};
    return { phone: typeof d.phone === "string" ? d.phone : "", agreed: d.agreed === true };
  } catch {
    return { phone: "", agreed: false };
  }
}

function writeDraft(draft: Draft | null) {
  try {
    if (draft) sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    else sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    // no sessionStorage: the draft is simply not kept
  }
}

export function LoginPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const loggedIn = useLoggedIn();
  const from = (location.state as LocationState)?.from ?? "/me";
  // An invite link (`/login?ref=CODE`, the poster's QR code): the code is kept for this tab and sent
  // with the first login, which binds it and grants the new-user bonus.
  const [params] = useSearchParams();
  const [arrivedLoggedIn] = useState(loggedIn);
  const [referral] = useState(() => {
    const fromLink = normalizeReferralCode(params.get("ref") ?? "");
    if (fromLink) keepReferralCode(fromLink);
    return fromLink || readReferralCode();
  });

  const [draft] = useState(readDraft);
  const [phone, setPhone] = useState(draft.phone);
  // Never ticked in advance (app-store rule): only the user's own tick, kept while they read the texts.
  const [agreed, setAgreed] = useState(draft.agreed);
  const [code, setCode] = useState("");
  const [sending, setSending] = useState(false);
  const [sentOnce, setSentOnce] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [wechatBusy, setWechatBusy] = useState(false);
  const [resendAt, setResendAt] = useState<number | null>(null);
  const [nudge, setNudge] = useState(0);
  const secondsLeft = useCountdown(resendAt);
  const codeInput = useRef<InputRef>(null);

  useEffect(() => writeDraft({ phone, agreed }), [phone, agreed]);

  const config = useQuery({ queryKey: ["config"], queryFn: () => client.config(), staleTime: 5 * 60_000 });
  const wechatEnabled = config.data?.features.wechat_login ?? true;

  // Someone already logged in who opens an invite link can still enter the code in 推广中心.
  if (loggedIn && !submitting) {
    return <Navigate to={arrivedLoggedIn && referral && params.has("ref") ? "/me/promoter" : from} replace />;
  }

  const normalizedPhone = normalizePhone(phone);
  const phoneValid = PHONE_RE.test(normalizedPhone);

  /** Every way in is refused until the box is ticked: a toast says why and the line shakes. */
  const requireAgreement = () => {
    if (agreed) return true;
    Toast.show({ content: t("login.agreeFirst") });
    setNudge((n) => n + 1);
    return false;
  };

  const sendCode = async () => {
    if (!requireAgreement()) return;
    if (!phoneValid) {
      Toast.show({ content: t("login.invalidPhone") });
      return;
    }
    setSending(true);
    try {
      const res = await client.sendSms(normalizedPhone);
      setResendAt(Date.now() + (res.resend_after || DEFAULT_RESEND_SECONDS) * 1000);
      setSentOnce(true);
      Toast.show({ icon: "success", content: t("login.codeSent") });
      codeInput.current?.focus();
    } catch (err) {
      const wait = retryAfterSeconds(err);
      if (wait !== null) {
        setResendAt(Date.now() + wait * 1000);
        setSentOnce(true);
      }
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setSending(false);
    }
  };

  const submit = async () => {
    if (!requireAgreement()) return;
    if (!phoneValid) {
      Toast.show({ content: t("login.invalidPhone") });
      return;
    }
    if (!code.trim()) {
      Toast.show({ content: t("login.invalidCode") });
      return;
    }
    setSubmitting(true);
    try {
      const res = await client.verifySms(normalizedPhone, code.trim(), referral ?? undefined);
      saveLogin(res);
      writeDraft(null);
      if (referral && res.is_new_user) {
        keepReferralCode(null);
        void announceReferral();
      } else {
        Toast.show({ icon: "success", content: t("login.success") });
      }
      navigate(from, { replace: true });
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setSubmitting(false);
    }
  };

  /** A new account that came with a code: say whether it was bound (+50) or can be entered later. */
  const announceReferral = async () => {
    try {
      const promoter = await client.promoter();
      if (promoter.invited_by) {
        const credits = config.data?.promoter.new_user_bonus_credits ?? 50;
        Toast.show({
          icon: "success",
          content: (
            <span data-testid="referral-toast">
              {t("login.referralBound", { credits: formatCredits(credits) })}
            </span>
          ),
        });
        return;
      }
    } catch {
      // fall through: the login itself worked
    }
    Toast.show({ content: t("login.referralNotBound") });
  };

  const wechatLogin = async () => {
    if (!requireAgreement()) return;
    setWechatBusy(true);
    try {
      const res = await client.wechatInit("h5", `${window.location.origin}/login/wechat`);
      if (!res.authorize_url) throw new Error("no authorize_url");
      rememberWechatLogin(res.state, from);
      window.location.assign(res.authorize_url);
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("login.wechatFailed")) });
      setWechatBusy(false);
    }
  };

  const counting = secondsLeft > 0;

  return (
    <div className="login-page">
      <div className="login-brand">
        <img src="/icons/icon.svg" alt="" width={64} height={64} />
        <div className="login-brand-name">{t("app.name")}</div>
      </div>

      <h1 className="login-title">{t("login.title")}</h1>
      <p className="login-subtitle">{t("login.subtitle")}</p>
      {referral && (
        <p className="login-referral" data-testid="login-referral">
          {t("login.referral", { code: referral })}
        </p>
      )}

      <form
        className="login-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="login-field">
          <span className="login-prefix">+86</span>
          <Input
            type="tel"
            inputMode="numeric"
            autoComplete="tel"
            name="phone"
            aria-label={t("login.phone")}
            placeholder={t("login.phonePlaceholder")}
            maxLength={14}
            clearable
            value={phone}
            onChange={setPhone}
          />
        </div>

        <div className="login-field">
          <Input
            ref={codeInput}
            inputMode="numeric"
            autoComplete="one-time-code"
            name="code"
            aria-label={t("login.code")}
            placeholder={t("login.codePlaceholder")}
            maxLength={6}
            value={code}
            onChange={(v) => setCode(v.replace(/\D/g, ""))}
          />
          <Button
            className="login-send"
            data-testid="send-code"
            size="small"
            fill="none"
            color="primary"
            loading={sending}
            disabled={counting || sending}
            onClick={() => void sendCode()}
          >
            {counting
              ? t("login.countdown", { seconds: secondsLeft })
              : sentOnce
                ? t("login.resend")
                : t("login.sendCode")}
          </Button>
        </div>

        <Button
          block
          type="submit"
          color="primary"
          size="large"
          shape="rounded"
          loading={submitting}
          disabled={!phoneValid || code.length === 0}
        >
          {t("login.submit")}
        </Button>

        <div
          key={nudge}
          className={nudge > 0 ? "login-agreement nudge" : "login-agreement"}
          data-testid="login-agreement"
        >
          <Checkbox
            data-testid="agree-checkbox"
            checked={agreed}
            onChange={setAgreed}
            aria-label={t("login.agreeLabel")}
            style={{ "--icon-size": "16px", "--gap": "6px" }}
          />
          <span>
            <button type="button" className="login-agreement-text" onClick={() => setAgreed(!agreed)}>
              {t("login.agreePrefix")}
            </button>
            <Link to="/agreements/user" className="login-agreement-link">
              {t("login.userAgreement")}
            </Link>
            {t("login.agreeAnd")}
            <Link to="/agreements/privacy" className="login-agreement-link">
              {t("login.privacyPolicy")}
            </Link>
          </span>
        </div>
      </form>

      {wechatEnabled && (
        <div className="login-other">
          <Divider>{t("login.or")}</Divider>
          <Button
            block
            shape="rounded"
            className="login-wechat"
            loading={wechatBusy}
            onClick={() => void wechatLogin()}
          >
            {t("login.wechat")}
          </Button>
        </div>
      )}
    </div>
  );
}
