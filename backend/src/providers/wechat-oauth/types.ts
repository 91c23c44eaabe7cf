/** Result of `/sns/oauth2/access_token`. */
export interface WechatAccessToken {
  accessToken: string;
  openid: string;
  unionid: string | null;
  scope: string;
  expiresIn: number;
}

/** Result of `/sns/userinfo`. */
export interface WechatUserInfo {
  openid: string;
  unionid: string | null;
  nickname: string;
  headimgurl: string | null;
}

/** A WeChat API answer with a non-zero errcode (40029 invalid code, 40163 code used, 48001 …). */
export class WechatOAuthError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`wechat oauth error ${errcode}: ${errmsg}`);
    this.name = "WechatOAuthError";
  }
}

export interface WechatOAuthClient {
  readonly appId: string;
  /** The page a browser is sent to (h5/web); `null` for the native app SDK flow. */
  authorizeUrl(input: { platform: "app" | "h5" | "web"; redirectUri: string; state: string }): string | null;
  exchangeCode(code: string): Promise<WechatAccessToken>;
  userInfo(accessToken: string, openid: string): Promise<WechatUserInfo>;
}
