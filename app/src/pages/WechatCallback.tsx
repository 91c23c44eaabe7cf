import type { LoginResult } from "@skyriff/contracts";
import { Button, ErrorBlock, SpinLoading, Toast } from "antd-mobile";
import { useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { client, errorMessage } from "../api.ts";
import { saveLogin } from "../auth.tsx";
import { useI18n } from "../i18n.tsx";
import { readReferralCode } from "../payments.tsx";

const PENDING_KEY = "skyriff.wechat_login";

type Pending = { state: string; from: string };

/** Kept for the round trip through WeChat: the state we expect back and where to go afterwards. */
export function rememberWechatLogin(state: string, from: string) {
  try {
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, from } satisfies Pending));
  } catch {
    // no sessionStorage: the server still checks the state
  }
}

function forgetPending() {
  try {
    sessionStorage.removeItem(PENDING_KEY);
  } catch {
    // ignore
  }
}

function readPending(): Pending | null {
  try {
    const raw = sessionStorage.getItem(PENDING_KEY);
    return raw ? (JSON.parse(raw) as Pending) : null;
  } catch {
    return null;
  }
}

// A WeChat code is single use: one exchange per code even if the effect runs twice (StrictMode).
const exchanges = new Map<string, Promise<LoginResult>>();
function exchange(code: string, state: string): Promise<LoginResult> {
  let p = exchanges.get(code);
  if (!p) {
    p = client.wechatCallback(code, state, readReferralCode() ?? undefined);
    exchanges.set(code, p);
  }
  return p;
}

// Once per returned state, even if the effect runs twice (StrictMode).
const cancelled = new Set<string>();

/** /login/wechat?code=&state= — where WeChat (or the sandbox authorize page) sends the user back. */
export function WechatCallbackPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const code = params.get("code");
  const state = params.get("state");

  useEffect(() => {
    const pending = readPending();
    if (!code && state) {
      // The user tapped 取消 on WeChat's authorize page: WeChat returns with `state` and no `code`.
      // Not an error: back to the login page, which they can leave or retry from.
      if (!cancelled.has(state)) {
        cancelled.add(state);
        Toast.show({ content: t("login.wechatCancelled") });
      }
      // The pending entry stays: the next 微信登录 replaces it.
      navigate("/login", { replace: true, state: pending ? { from: pending.from } : null });
      return;
    }
    if (!code || !state) {
      setError(t("login.wechatMissing"));
      return;
    }
    if (pending && pending.state !== state) {
      // Not the login this browser started (stale or forged link).
      setError(t("login.wechatMissing"));
      return;
    }
    let active = true;
    exchange(code, state).then(
      (res) => {
        saveLogin(res);
        forgetPending();
        if (active) navigate(pending?.from ?? "/me", { replace: true });
      },
      (err: unknown) => {
        if (active) setError(errorMessage(err, t("login.wechatFailed")));
      },
    );
    return () => {
      active = false;
    };
  }, [code, state, navigate, t]);

  if (error) {
    return (
      <div className="page center-page">
        <ErrorBlock status="default" title={t("login.wechatFailed")} description={error}>
          <Button color="primary" shape="rounded" onClick={() => navigate("/login", { replace: true })}>
            {t("login.backToLogin")}
          </Button>
        </ErrorBlock>
      </div>
    );
  }
  return (
    <div className="page center-page" aria-busy="true">
      <SpinLoading color="primary" />
      <p className="muted">{t("login.wechatProcessing")}</p>
    </div>
  );
}
