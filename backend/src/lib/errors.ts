import { ErrorCode, type ErrorCodeValue } from "@skyriff/contracts";

export type Locale = "zh-CN" | "en";

interface CodeInfo {
  status: number;
  zh: string;
  en: string;
}

/** SPEC §10: HTTP status and the default localized message of every business code. */
const catalogue: Record<ErrorCodeValue, CodeInfo> = {
  [ErrorCode.NOT_LOGGED_IN]: { status: 401, zh: "未登录或登录已失效", en: "Not logged in or token invalid" },
  [ErrorCode.TOKEN_EXPIRED]: { status: 401, zh: "登录已过期，请重新登录", en: "Token expired" },
  [ErrorCode.USER_NOT_FOUND]: { status: 404, zh: "用户不存在", en: "User not found" },
  [ErrorCode.USER_BANNED]: { status: 403, zh: "账号已被封禁", en: "Account banned" },
  [ErrorCode.INVALID_PHONE_OR_CODE]: { status: 400, zh: "手机号或验证码错误", en: "Invalid phone or code" },
  [ErrorCode.SMS_RATE_LIMITED]: {
    status: 429,
    zh: "验证码发送过于频繁，请稍后再试",
    en: "Too many codes requested, try again later",
  },
  [ErrorCode.CODE_EXPIRED]: {
    status: 400,
    zh: "验证码已过期或已失效，请重新获取",
    en: "Code expired or used up, request a new one",
  },
  [ErrorCode.INSUFFICIENT_CREDITS]: { status: 402, zh: "积分不足", en: "Insufficient credits" },
  [ErrorCode.NOT_ALLOWED]: { status: 403, zh: "无权操作", en: "Not allowed" },
  [ErrorCode.ALREADY_CLAIMED]: { status: 409, zh: "今日已领取", en: "Already claimed today" },
  [ErrorCode.INVALID_REFERRAL]: {
    status: 400,
    zh: "邀请码无效或不可用",
    en: "Invalid or unusable referral code",
  },
  [ErrorCode.INSUFFICIENT_COINS]: { status: 402, zh: "金币不足", en: "Insufficient coins" },
  [ErrorCode.WITHDRAW_AMOUNT]: { status: 400, zh: "提现金额不符合规则", en: "Withdrawal amount not allowed" },
  [ErrorCode.STATE_CONFLICT]: { status: 409, zh: "当前状态不允许该操作", en: "State conflict" },
  [ErrorCode.ORDER_RULE]: {
    status: 400,
    zh: "商单预算或截止时间不符合规则",
    en: "Order budget or deadline not allowed",
  },
  [ErrorCode.GENERATION_LIMIT]: { status: 429, zh: "已达到生成次数限制", en: "Generation limit reached" },
  [ErrorCode.PAYMENT_FAILED]: { status: 400, zh: "支付失败", en: "Payment failed" },
  [ErrorCode.PAYMENT_EXPIRED]: { status: 400, zh: "支付已取消或已过期", en: "Payment cancelled or expired" },
  [ErrorCode.PAYMENT_NOT_FOUND]: { status: 404, zh: "支付订单不存在", en: "Payment not found" },
  [ErrorCode.GENERATION_FAILED]: { status: 500, zh: "视频生成失败", en: "Video generation failed" },
  [ErrorCode.VENDOR_UNAVAILABLE]: { status: 502, zh: "生成服务暂不可用", en: "Video vendor unavailable" },
  [ErrorCode.NOT_FOUND]: { status: 404, zh: "资源不存在", en: "Not found" },
  [ErrorCode.VALIDATION]: { status: 422, zh: "请求参数校验失败", en: "Request validation failed" },
  [ErrorCode.INTERNAL]: { status: 500, zh: "服务器内部错误", en: "Internal error" },
};

export interface LocalizedText {
  zh: string;
  en: string;
}

/** A business error: carries its SPEC §10 code, optional details and an optional specific message. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCodeValue,
    readonly data: Record<string, unknown> | null = null,
    readonly text?: LocalizedText,
    status?: number,
  ) {
    super(text?.en ?? catalogue[code].en);
    this.status = status ?? catalogue[code].status;
  }

  messageFor(locale: Locale): string {
    const info = this.text ?? catalogue[this.code];
    return locale === "en" ? info.en : info.zh;
  }
}

export const notFound = (what = "resource") =>
  new AppError(ErrorCode.NOT_FOUND, null, { zh: "资源不存在", en: `${what} not found` });

export function defaultMessage(code: ErrorCodeValue, locale: Locale): string {
  const info = catalogue[code];
  return locale === "en" ? info.en : info.zh;
}

/** zh-CN unless the client prefers English (`Accept-Language: en...`). */
export function localeFrom(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return "zh-CN";
  const first = acceptLanguage.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("en") ? "en" : "zh-CN";
}
