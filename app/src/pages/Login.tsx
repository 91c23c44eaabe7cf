import { useQuery } from "@tanstack/react-query";
import { Button, Divider, Input, type InputRef, Toast } from "antd-mobile";
import { useEffect, useRef, useState } from "react";
import { Navigate, useLocation, useNavigate } from "react-router-dom";
import { ApiError, client, errorMessage } from "../api.ts";
import { type LocationState, saveLogin, useLoggedIn } from "../auth.tsx";
import { useI18n } from "../i18n.tsx";
import { rememberWechatLogin } from "./WechatCallback.tsx";

const PHONE_RE = /^(?:\+?86)?1[3-9]\d{9}$/;
const DEFAULT_RESEND_SECONDS = 60;

/** Seconds left until `until` (ms epoch), re-rendering every second while positive. */
function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [until]);
  if (until === null) return 0;
  return Math.max(0, Math.ceil((until - now) / 1000));
}

function retryAfterSeconds(err: unknown): number | null {
  if (!(err instanceof ApiError) || err.status !== 429) return null;
  const value = Number(err.data?.retry_after);
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : DEFAULT_RESEND_SECONDS;
}

export function LoginPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const loggedIn = useLoggedIn();
  const from = (location.state as LocationState)?.from ?? "/me";

  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [sending, setSending] = useState(false);
  const [sentOnce, setSentOnce] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [wechatBusy, setWechatBusy] = useState(false);
  const [resendAt, setResendAt] = useState<number | null>(null);
  const secondsLeft = useCountdown(resendAt);
  const codeInput = useRef<InputRef>(null);

  const config = useQuery({ queryKey: ["config"], queryFn: () => client.config(), staleTime: 5 * 60_000 });
  const wechatEnabled = config.data?.features.wechat_login ?? true;

  if (loggedIn && !submitting) return <Navigate to={from} replace />;

  const normalizedPhone = phone.replace(/[\s-]/g, "");
  const phoneValid = PHONE_RE.test(normalizedPhone);

  const sendCode = async () => {
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
      const res = await client.verifySms(normalizedPhone, code.trim());
      saveLogin(res);
      Toast.show({ icon: "success", content: t("login.success") });
      navigate(from, { replace: true });
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setSubmitting(false);
    }
  };

  const wechatLogin = async () => {
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
