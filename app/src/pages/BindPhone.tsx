import { useQueryClient } from "@tanstack/react-query";
import { Button, Input, type InputRef, Toast } from "antd-mobile";
import { useRef, useState } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { client, errorMessage } from "../api.ts";
import type { LocationState } from "../auth.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { useI18n } from "../i18n.tsx";
import { DEFAULT_RESEND_SECONDS, normalizePhone, PHONE_RE, retryAfterSeconds, useCountdown } from "../sms.ts";

/** 绑定手机号 for a WeChat-only account: the login SMS flow, then POST /me/bind_phone. */
export function BindPhonePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  // Sent here by a page that needs a phone (提现): back there once bound.
  const from = (location.state as LocationState)?.from;
  const backTo = typeof from === "string" && from.startsWith("/") && !from.startsWith("//") ? from : "/me";
  const queryClient = useQueryClient();
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [sending, setSending] = useState(false);
  const [sentOnce, setSentOnce] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [resendAt, setResendAt] = useState<number | null>(null);
  const secondsLeft = useCountdown(resendAt);
  const codeInput = useRef<InputRef>(null);

  const normalized = normalizePhone(phone);
  const phoneValid = PHONE_RE.test(normalized);

  const sendCode = async () => {
    if (!phoneValid) {
      Toast.show({ content: t("login.invalidPhone") });
      return;
    }
    setSending(true);
    try {
      const res = await client.sendSms(normalized);
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
    setSubmitting(true);
    try {
      const updated = await client.bindPhone({ phone: normalized, code: code.trim() });
      queryClient.setQueryData(["me"], updated);
      void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
      void queryClient.invalidateQueries({ queryKey: ["withdrawals", "rules"] });
      Toast.show({ icon: "success", content: t("bindPhone.done") });
      navigate(backTo, { replace: true });
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setSubmitting(false);
    }
  };

  const counting = secondsLeft > 0;

  return (
    <div className="page bind-phone-page">
      <PageHeader title={t("bindPhone.title")} fallback="/me" />
      <div className="bind-phone-body">
        <p className="bind-phone-intro">{t("bindPhone.intro")}</p>
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
              data-testid="bind-send-code"
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
            data-testid="bind-submit"
            loading={submitting}
            disabled={!phoneValid || code.length === 0}
          >
            {t("bindPhone.submit")}
          </Button>
        </form>
      </div>
    </div>
  );
}
