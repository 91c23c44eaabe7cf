/**
 * WeChat OAuth 2.0 (网页授权 / 移动应用 / 网站应用) client: three plain GET calls, no SDK.
 * - h5:  {authorizeBase}/connect/oauth2/authorize?…&scope=snsapi_userinfo…#wechat_redirect
 * - web: {authorizeBase}/connect/qrconnect?…&scope=snsapi_login…#wechat_redirect
 * - app: no URL (the native OpenSDK returns the code)
 * Then {apiBase}/sns/oauth2/access_token and {apiBase}/sns/userinfo. WeChat answers JSON, sometimes labelled
 * `text/plain`, and reports errors as HTTP 200 with `{errcode, errmsg}`.
 */
import {
  type WechatAccessToken,
  type WechatOAuthClient,
  WechatOAuthError,
  type WechatUserInfo,
} from "./types.js";

export const WECHAT_DEFAULT_API_BASE = "https://api.weixin.qq.com";
export const WECHAT_DEFAULT_AUTHORIZE_BASE = "https://open.weixin.qq.com";

export interface WechatOAuthClientOptions {
  appId: string;
  appSecret: string;
  /** Default `https://api.weixin.qq.com`; may carry a path prefix (e.g. `http://127.0.0.1:3000/sandbox/wechat`). */
  apiBase?: string;
  /** Default `https://open.weixin.qq.com`; may carry a path prefix. */
  authorizeBase?: string;
  /** Per-call timeout, default 5000 ms. */
  timeoutMs?: number;
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, "");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A transport-level failure (timeout, HTTP error, unparseable body), as opposed to a WeChat errcode. */
export class WechatTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WechatTransportError";
  }
}

export function createWechatOAuthClient(opts: WechatOAuthClientOptions): WechatOAuthClient {
  const apiBase = trimSlash(opts.apiBase ?? WECHAT_DEFAULT_API_BASE);
  const authorizeBase = trimSlash(opts.authorizeBase ?? WECHAT_DEFAULT_AUTHORIZE_BASE);
  const timeoutMs = opts.timeoutMs ?? 5000;

  /** GETs `{apiBase}{path}?query` and returns the JSON object, throwing on errcode ≠ 0. */
  async function call(
    path: string,
    query: [string, string][],
    what: string,
  ): Promise<Record<string, unknown>> {
    const qs = query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${apiBase}${path}?${qs}`, {
        headers: { accept: "application/json, text/plain" },
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      // The URL carries the app secret or an access token, so it never goes into the message.
      throw new WechatTransportError(
        timedOut ? `wechat ${what}: no answer within ${timeoutMs} ms` : `wechat ${what}: request failed`,
        { cause: err },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WechatTransportError(`wechat ${what}: HTTP ${status} with a non-JSON body`);
    }
    if (!isRecord(body))
      throw new WechatTransportError(`wechat ${what}: HTTP ${status} with a non-object body`);
    const errcode = body.errcode;
    if (typeof errcode === "number" && errcode !== 0) {
      throw new WechatOAuthError(errcode, typeof body.errmsg === "string" ? body.errmsg : "");
    }
    if (status >= 400) throw new WechatTransportError(`wechat ${what}: HTTP ${status}`);
    return body;
  }

  function requireString(body: Record<string, unknown>, key: string, what: string): string {
    const v = body[key];
    if (typeof v !== "string" || v === "") throw new WechatTransportError(`wechat ${what}: missing ${key}`);
    return v;
  }

  function optionalString(body: Record<string, unknown>, key: string): string | null {
    const v = body[key];
    return typeof v === "string" && v !== "" ? v : null;
  }

  return {
    appId: opts.appId,

    authorizeUrl({ platform, redirectUri, state }) {
      if (platform === "app") return null;
      const [path, scope] =
        platform === "web"
          ? ["/connect/qrconnect", "snsapi_login"]
          : ["/connect/oauth2/authorize", "snsapi_userinfo"];
      // WeChat expects this parameter order.
      const qs = [
        `appid=${encodeURIComponent(opts.appId)}`,
        `redirect_uri=${encodeURIComponent(redirectUri)}`,
        "response_type=code",
        `scope=${scope}`,
        `state=${encodeURIComponent(state)}`,
      ].join("&");
      return `${authorizeBase}${path}?${qs}#wechat_redirect`;
    },

    async exchangeCode(code): Promise<WechatAccessToken> {
      const what = "access_token";
      const body = await call(
        "/sns/oauth2/access_token",
        [
          ["appid", opts.appId],
          ["secret", opts.appSecret],
          ["code", code],
          ["grant_type", "authorization_code"],
        ],
        what,
      );
      const expiresIn = body.expires_in;
      return {
        accessToken: requireString(body, "access_token", what),
        openid: requireString(body, "openid", what),
        unionid: optionalString(body, "unionid"),
        scope: optionalString(body, "scope") ?? "",
        expiresIn: typeof expiresIn === "number" && Number.isInteger(expiresIn) ? expiresIn : 7200,
      };
    },

    async userInfo(accessToken, openid): Promise<WechatUserInfo> {
      const what = "userinfo";
      const body = await call(
        "/sns/userinfo",
        [
          ["access_token", accessToken],
          ["openid", openid],
          ["lang", "zh_CN"],
        ],
        what,
      );
      return {
        openid: requireString(body, "openid", what),
        unionid: optionalString(body, "unionid"),
        nickname: typeof body.nickname === "string" ? body.nickname : "",
        headimgurl: optionalString(body, "headimgurl"),
      };
    },
  };
}
