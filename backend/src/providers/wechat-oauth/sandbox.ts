/**
 * A local stand-in for WeChat OAuth (open.weixin.qq.com + api.weixin.qq.com), so login works offline.
 * Register it with a prefix and point both WeChat base URLs at that prefix:
 *
 *   app.register(wechatSandboxPlugin, { prefix: "/sandbox/wechat", appId, appSecret });
 *   createWechatOAuthClient({ appId, appSecret, apiBase: `${origin}/sandbox/wechat`, authorizeBase: same });
 *
 * Routes (relative to the prefix):
 *   GET  /connect/oauth2/authorize, GET /connect/qrconnect  consent page (zh-CN) with a nickname field
 *   POST /connect/oauth2/confirm                            issues a code, 302 → redirect_uri?code=…&state=…
 *   GET  /sns/oauth2/access_token, /sns/oauth2/refresh_token, /sns/userinfo, /sns/auth
 *
 * Identities are derived from the nickname: openid/unionid = HMAC(appSecret, nickname), so the same
 * nickname always logs in as the same WeChat user. Codes are single-use and live 5 minutes; access tokens
 * 7200 s; refresh tokens 30 days. All state is in memory.
 *
 * Tests that want a code without the HTML form: create a store, pass it in the options and call
 * `issueSandboxCode(store, nickname)` — or POST the confirm route directly.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply } from "fastify";

export const SANDBOX_CODE_TTL_MS = 5 * 60 * 1000;
export const SANDBOX_ACCESS_TOKEN_TTL_S = 7200;
const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const DEFAULT_NICKNAME = "微信用户";
const SCOPES = new Set(["snsapi_base", "snsapi_userinfo", "snsapi_login"]);

interface CodeEntry {
  nickname: string;
  scope: string;
  expiresAt: number;
  used: boolean;
}

interface Grant {
  nickname: string;
  scope: string;
  openid: string;
  unionid: string;
}

interface TokenEntry extends Grant {
  expiresAt: number;
}

export interface WechatSandboxStore {
  readonly codes: Map<string, CodeEntry>;
  readonly accessTokens: Map<string, TokenEntry>;
  readonly refreshTokens: Map<string, TokenEntry>;
  /** Milliseconds since the epoch. */
  now(): number;
}

export function createWechatSandboxStore(opts: { now?: () => number } = {}): WechatSandboxStore {
  return {
    codes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    now: opts.now ?? (() => Date.now()),
  };
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

function sweep(store: WechatSandboxStore): void {
  const now = store.now();
  for (const map of [store.codes, store.accessTokens, store.refreshTokens] as Map<
    string,
    { expiresAt: number }
  >[]) {
    for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
  }
}

export function normalizeNickname(raw: unknown): string {
  const s = typeof raw === "string" ? raw.trim() : "";
  return s === "" ? DEFAULT_NICKNAME : Array.from(s).slice(0, 32).join("");
}

/** Issues a single-use code for `nickname`, exactly as the consent page's 确认登录 button does. */
export function issueSandboxCode(
  store: WechatSandboxStore,
  nickname: string,
  scope = "snsapi_userinfo",
): string {
  sweep(store);
  const code = randomToken(24);
  store.codes.set(code, {
    nickname: normalizeNickname(nickname),
    scope,
    expiresAt: store.now() + SANDBOX_CODE_TTL_MS,
    used: false,
  });
  return code;
}

/** The sandbox's stable identity for a nickname under an app secret. */
export function sandboxIdentity(appSecret: string, nickname: string): { openid: string; unionid: string } {
  const mac = (label: string) =>
    createHmac("sha256", appSecret)
      .update(`${label}\n${normalizeNickname(nickname)}`, "utf8")
      .digest("base64url");
  return { openid: `o${mac("openid").slice(0, 27)}`, unionid: `o${mac("unionid").slice(0, 28)}` };
}

export interface WechatSandboxOptions {
  appId: string;
  appSecret: string;
  /** Shared state; pass one to call `issueSandboxCode` from tests. A fresh store is made otherwise. */
  store?: WechatSandboxStore;
}

function q(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  return "";
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function wxError(reply: FastifyReply, errcode: number, errmsg: string, asText = false) {
  const body = { errcode, errmsg: `${errmsg} (sandbox)` };
  // WeChat labels some JSON answers text/plain; the sandbox does the same for the token endpoints.
  return asText ? reply.type("text/plain; charset=utf-8").send(JSON.stringify(body)) : reply.send(body);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei",sans-serif;background:#ededed;color:#191919}
main{max-width:420px;margin:0 auto;padding:32px 20px;min-height:100vh;display:flex;flex-direction:column}
.badge{align-self:center;font-size:12px;color:#fa5151;border:1px solid #fa5151;border-radius:4px;padding:2px 8px;margin-bottom:16px}
h1{font-size:20px;text-align:center;margin:0 0 8px}.sub{color:#7f7f7f;font-size:14px;text-align:center;margin:0 0 28px}
.card{background:#fff;border-radius:8px;padding:20px}.card p{margin:0 0 12px;font-size:15px}
ul{margin:0 0 16px;padding-left:20px;color:#4c4c4c;font-size:14px}
label{display:block;font-size:14px;color:#7f7f7f;margin-bottom:6px}
input[type=text]{width:100%;font-size:17px;padding:12px;border:1px solid #d9d9d9;border-radius:6px}
.actions{margin-top:auto;padding-top:28px}
button{display:block;width:100%;font-size:17px;font-weight:600;padding:12px;border:0;border-radius:8px;margin-bottom:12px}
.ok{background:#07c160;color:#fff}.cancel{background:#f2f2f2;color:#06ae56}
.err{color:#fa5151}
`;

function page(title: string, inner: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>${inner}</main></body>
</html>`;
}

function sendHtml(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
    .type("text/html; charset=utf-8")
    .send(html);
}

function errorPage(reply: FastifyReply, errcode: number, message: string) {
  return sendHtml(
    reply,
    400,
    page(
      "微信授权登录（沙箱）",
      `<span class="badge">沙箱环境</span><h1>授权失败</h1><div class="card"><p class="err">${escapeHtml(
        message,
      )}</p><p>错误码：${errcode}</p></div>`,
    ),
  );
}

export const wechatSandboxPlugin: FastifyPluginAsync<WechatSandboxOptions> = async (app, opts) => {
  const store = opts.store ?? createWechatSandboxStore();

  if (!app.hasContentTypeParser("application/x-www-form-urlencoded")) {
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string" },
      (_req, body, done) => {
        done(
          null,
          Object.fromEntries(new URLSearchParams(typeof body === "string" ? body : body.toString("utf8"))),
        );
      },
    );
  }

  function grantFor(entry: { nickname: string; scope: string }): Grant {
    return {
      nickname: entry.nickname,
      scope: entry.scope,
      ...sandboxIdentity(opts.appSecret, entry.nickname),
    };
  }

  function newAccessToken(grant: Grant): string {
    const token = randomToken(32);
    store.accessTokens.set(token, { ...grant, expiresAt: store.now() + SANDBOX_ACCESS_TOKEN_TTL_S * 1000 });
    return token;
  }

  const consent = (confirmAction: string) => async (request: { query: unknown }, reply: FastifyReply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const appid = q(query.appid);
    const redirectUri = q(query.redirect_uri);
    const scope = q(query.scope);
    const state = q(query.state);
    if (appid === "") return errorPage(reply, 10012, "缺少 appid 参数");
    if (appid !== opts.appId) return errorPage(reply, 10016, "appid 与沙箱配置不一致");
    if (redirectUri === "") return errorPage(reply, 10011, "缺少 redirect_uri 参数");
    if (!isHttpUrl(redirectUri)) return errorPage(reply, 10003, "redirect_uri 不是有效的 http(s) 地址");
    if (q(query.response_type) !== "code") return errorPage(reply, 10004, "response_type 必须为 code");
    if (scope === "") return errorPage(reply, 10010, "缺少 scope 参数");
    if (!SCOPES.has(scope)) return errorPage(reply, 10005, "不支持的 scope");

    const hidden = [
      ["appid", appid],
      ["redirect_uri", redirectUri],
      ["scope", scope],
      ["state", state],
    ]
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v ?? "")}">`)
      .join("");
    const wants =
      scope === "snsapi_base"
        ? "<li>获取你的微信身份标识</li>"
        : "<li>获得你的公开信息（昵称、头像等）</li><li>获取你的微信身份标识</li>";
    const html = page(
      "微信授权登录（沙箱）",
      `<span class="badge">沙箱环境 · 不会连接微信</span>
<h1>微信授权登录（沙箱）</h1>
<p class="sub">应用 ${escapeHtml(appid)} 申请使用你的微信身份登录</p>
<form method="post" action="${confirmAction}" style="display:contents">
${hidden}
<div class="card">
<p>该应用将：</p>
<ul>${wants}</ul>
<label for="nickname">微信昵称（同一昵称始终登录为同一个微信用户）</label>
<input type="text" id="nickname" name="nickname" value="${DEFAULT_NICKNAME}" maxlength="32" autocomplete="off">
</div>
<div class="actions">
<button type="submit" class="ok" name="action" value="allow">确认登录</button>
<button type="submit" class="cancel" name="action" value="deny">取消</button>
</div>
</form>`,
    );
    return sendHtml(reply, 200, html);
  };

  app.get("/connect/oauth2/authorize", consent("confirm"));
  app.get("/connect/qrconnect", consent("oauth2/confirm"));

  app.post("/connect/oauth2/confirm", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const appid = q(body.appid);
    const redirectUri = q(body.redirect_uri);
    const scope = q(body.scope) || "snsapi_userinfo";
    const state = q(body.state);
    if (appid !== opts.appId) return errorPage(reply, 10016, "appid 与沙箱配置不一致");
    if (!isHttpUrl(redirectUri)) return errorPage(reply, 10003, "redirect_uri 不是有效的 http(s) 地址");
    if (!SCOPES.has(scope)) return errorPage(reply, 10005, "不支持的 scope");
    const target = new URL(redirectUri);
    // Declining returns only `state`, as WeChat does.
    if (q(body.action) !== "deny")
      target.searchParams.set("code", issueSandboxCode(store, q(body.nickname), scope));
    target.searchParams.set("state", state);
    return reply.header("cache-control", "no-store").redirect(target.toString(), 302);
  });

  app.get("/sns/oauth2/access_token", async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const code = q(query.code);
    if (q(query.appid) !== opts.appId) return wxError(reply, 40013, "invalid appid", true);
    if (q(query.secret) !== opts.appSecret) return wxError(reply, 40125, "invalid appsecret", true);
    if (q(query.grant_type) !== "authorization_code")
      return wxError(reply, 40002, "invalid grant_type", true);
    if (code === "") return wxError(reply, 41008, "missing code", true);
    const entry = store.codes.get(code);
    if (!entry || entry.expiresAt <= store.now()) return wxError(reply, 40029, "invalid code", true);
    if (entry.used) return wxError(reply, 40163, "code been used", true);
    entry.used = true;

    const grant = grantFor(entry);
    const accessToken = newAccessToken(grant);
    const refreshToken = randomToken(32);
    store.refreshTokens.set(refreshToken, { ...grant, expiresAt: store.now() + REFRESH_TOKEN_TTL_MS });
    return reply.type("text/plain; charset=utf-8").send(
      JSON.stringify({
        access_token: accessToken,
        expires_in: SANDBOX_ACCESS_TOKEN_TTL_S,
        refresh_token: refreshToken,
        openid: grant.openid,
        scope: grant.scope,
        unionid: grant.unionid,
      }),
    );
  });

  app.get("/sns/oauth2/refresh_token", async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (q(query.appid) !== opts.appId) return wxError(reply, 40013, "invalid appid", true);
    if (q(query.grant_type) !== "refresh_token") return wxError(reply, 40002, "invalid grant_type", true);
    const refreshToken = q(query.refresh_token);
    const entry = store.refreshTokens.get(refreshToken);
    if (!entry) return wxError(reply, 40030, "invalid refresh_token", true);
    if (entry.expiresAt <= store.now()) return wxError(reply, 42002, "refresh_token expired", true);
    const accessToken = newAccessToken(entry);
    return reply.type("text/plain; charset=utf-8").send(
      JSON.stringify({
        access_token: accessToken,
        expires_in: SANDBOX_ACCESS_TOKEN_TTL_S,
        refresh_token: refreshToken,
        openid: entry.openid,
        scope: entry.scope,
      }),
    );
  });

  function lookupToken(reply: FastifyReply, query: Record<string, unknown>): TokenEntry | null {
    const token = q(query.access_token);
    const openid = q(query.openid);
    if (token === "") {
      wxError(reply, 41001, "access_token missing");
      return null;
    }
    const entry = store.accessTokens.get(token);
    if (!entry) {
      wxError(reply, 40001, "invalid credential, access_token is invalid or not latest");
      return null;
    }
    if (entry.expiresAt <= store.now()) {
      wxError(reply, 42001, "access_token expired");
      return null;
    }
    if (openid === "") {
      wxError(reply, 41009, "missing openid");
      return null;
    }
    if (openid !== entry.openid) {
      wxError(reply, 40003, "invalid openid");
      return null;
    }
    return entry;
  }

  app.get("/sns/userinfo", async (request, reply) => {
    const entry = lookupToken(reply, (request.query ?? {}) as Record<string, unknown>);
    if (!entry) return reply;
    if (entry.scope === "snsapi_base") return wxError(reply, 48001, "api unauthorized");
    return reply.send({
      openid: entry.openid,
      nickname: entry.nickname,
      sex: 0,
      province: "",
      city: "",
      country: "",
      headimgurl: "",
      privilege: [],
      unionid: entry.unionid,
    });
  });

  app.get("/sns/auth", async (request, reply) => {
    const entry = lookupToken(reply, (request.query ?? {}) as Record<string, unknown>);
    if (!entry) return reply;
    return reply.send({ errcode: 0, errmsg: "ok" });
  });
};
