import { LockOutlined, MobileOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Form, Input, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { Navigate, useLocation, useNavigate } from "react-router-dom";
import { ApiError, client, errorMessage, tokenStore } from "../api.ts";
import { useLoggedIn } from "../auth.tsx";
import { LANGS, useI18n } from "../i18n.tsx";

/** Mainland mobile, optionally with +86 (the server normalizes it). */
const PHONE_RE = /^(?:\+?86)?1[3-9]\d{9}$/;
const normalizePhone = (raw: string) => raw.replace(/[\s-]/g, "");

function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

/** SMS login (SPEC §2): the same `/auth/sms/send` + `/auth/sms/verify` as the app, a session of its own. */
export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const loggedIn = useLoggedIn();
  const from = (location.state as { from?: string } | null)?.from ?? "/";
  const [form] = Form.useForm<{ phone: string; code: string }>();
  const [sending, setSending] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [resendAt, setResendAt] = useState<number | null>(null);
  const secondsLeft = useCountdown(resendAt);

  if (loggedIn && !submitting) return <Navigate to={from} replace />;

  const sendCode = async () => {
    const phone = normalizePhone(form.getFieldValue("phone") ?? "");
    if (!PHONE_RE.test(phone)) {
      form.setFields([{ name: "phone", errors: [t("login.invalidPhone")] }]);
      return;
    }
    setSending(true);
    try {
      const res = await client.sendSms(phone);
      setResendAt(Date.now() + (res.resend_after || 60) * 1000);
      void message.success(t("login.codeSent"));
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        const wait = Number(err.data?.retry_after);
        setResendAt(Date.now() + (Number.isFinite(wait) && wait > 0 ? wait : 60) * 1000);
      }
      void message.error(errorMessage(err, t("common.networkError")));
    } finally {
      setSending(false);
    }
  };

  const submit = async (values: { phone: string; code: string }) => {
    setSubmitting(true);
    try {
      const res = await client.verifySms(normalizePhone(values.phone), values.code.trim());
      queryClient.clear();
      tokenStore.save(res);
      void message.success(t("login.success"));
      navigate(from, { replace: true });
    } catch (err) {
      void message.error(errorMessage(err, t("common.networkError")));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="login-page">
      <div className="login-brand">
        <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" />
        <span>{t("app.name")}</span>
      </div>
      <Card
        className="login-card"
        title={t("login.title")}
        extra={
          <Space size={4}>
            {LANGS.map((l) => (
              <Button
                key={l.value}
                size="small"
                type={l.value === lang ? "link" : "text"}
                onClick={() => setLang(l.value)}
              >
                {l.label}
              </Button>
            ))}
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">{t("login.subtitle")}</Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
          <Form.Item
            name="phone"
            label={t("login.phone")}
            rules={[
              {
                validator: (_, v: string | undefined) =>
                  PHONE_RE.test(normalizePhone(v ?? ""))
                    ? Promise.resolve()
                    : Promise.reject(new Error(t("login.invalidPhone"))),
              },
            ]}
          >
            <Input
              size="large"
              prefix={<MobileOutlined />}
              placeholder={t("login.phonePlaceholder")}
              autoComplete="tel"
              inputMode="tel"
              data-testid="login-phone"
            />
          </Form.Item>
          <Form.Item label={t("login.code")} required>
            <Space.Compact style={{ width: "100%" }}>
              <Form.Item
                name="code"
                noStyle
                rules={[{ required: true, whitespace: true, message: t("login.codeRequired") }]}
              >
                <Input
                  size="large"
                  prefix={<LockOutlined />}
                  placeholder={t("login.codePlaceholder")}
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  maxLength={10}
                  data-testid="login-code"
                />
              </Form.Item>
              <Button
                size="large"
                onClick={() => void sendCode()}
                loading={sending}
                disabled={secondsLeft > 0}
                data-testid="login-send"
                style={{ minWidth: 128 }}
              >
                {secondsLeft > 0 ? t("login.resendIn", { s: secondsLeft }) : t("login.sendCode")}
              </Button>
            </Space.Compact>
          </Form.Item>
          <Button
            type="primary"
            htmlType="submit"
            size="large"
            block
            loading={submitting}
            data-testid="login-submit"
          >
            {t("login.submit")}
          </Button>
        </Form>
      </Card>
      <div className="login-footer">{t("login.footer")}</div>
    </div>
  );
}
