import { ConfigProvider } from "antd-mobile";
import enUS from "antd-mobile/es/locales/en-US";
import zhCN from "antd-mobile/es/locales/zh-CN";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";

/** Every piece of UI copy, Simplified Chinese first. `{name}` placeholders are filled by `t()`. */
const zh = {
  "app.name": "SkyRiff",
  "tab.home": "首页",
  "tab.tools": "工具",
  "tab.create": "创作",
  "tab.assets": "资产",
  "tab.me": "我的",

  "home.empty": "还没有作品，去创作吧",
  "home.goCreate": "去创作",
  "tools.title": "工具",
  "tools.empty": "更多创作工具即将上线",
  "create.title": "创作",
  "create.empty": "AI 视频创作即将开放，敬请期待",
  "assets.title": "资产",
  "assets.empty": "还没有视频资产，生成的视频会出现在这里",

  "login.title": "手机号登录",
  "login.subtitle": "未注册的手机号验证后将自动创建账号",
  "login.phone": "手机号",
  "login.phonePlaceholder": "请输入手机号",
  "login.code": "验证码",
  "login.codePlaceholder": "请输入 6 位验证码",
  "login.sendCode": "获取验证码",
  "login.resend": "重新获取",
  "login.countdown": "{seconds}s",
  "login.codeSent": "验证码已发送",
  "login.submit": "登录",
  "login.or": "其他登录方式",
  "login.wechat": "微信登录",
  "login.invalidPhone": "请输入正确的手机号",
  "login.invalidCode": "请输入验证码",
  "login.success": "登录成功",
  "login.wechatProcessing": "正在完成微信登录…",
  "login.wechatFailed": "微信登录失败",
  "login.wechatMissing": "微信授权信息缺失或已失效，请重新登录",
  "login.backToLogin": "返回登录",

  "me.title": "我的",
  "me.credits": "积分",
  "me.coins": "金币",
  "me.coinsAvailable": "可提现",
  "me.coinsPending": "冻结中",
  "me.ledger": "流水明细",
  "me.settings": "设置",
  "me.followers": "粉丝",
  "me.following": "关注",
  "me.likes": "获赞",
  "me.works": "作品",
  "me.noPhone": "未绑定手机号",
  "me.loadFailed": "加载失败",
  "me.retry": "重试",

  "ledger.title": "流水明细",
  "ledger.credits": "积分",
  "ledger.coins": "金币",
  "ledger.empty": "暂无流水记录",
  "ledger.balanceAfter": "余额 {balance}",
  "ledger.pendingUntil": "冻结中，{time} 解冻",
  "ledger.walletAvailable": "可提现",
  "ledger.walletPending": "冻结中",
  "ledger.loading": "加载中…",
  "ledger.noMore": "没有更多了",
  "ledger.retry": "加载失败，点击重试",

  "settings.title": "设置",
  "settings.language": "语言",
  "settings.logout": "退出登录",
  "settings.logoutConfirm": "确定要退出登录吗？",
  "settings.cancel": "取消",
  "settings.loggedOut": "已退出登录",

  "common.networkError": "网络异常，请稍后重试",
  "common.sessionEnded": "登录已失效，请重新登录",
  "common.loading": "加载中…",
  "common.back": "返回",
};

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  "app.name": "SkyRiff",
  "tab.home": "Home",
  "tab.tools": "Tools",
  "tab.create": "Create",
  "tab.assets": "Assets",
  "tab.me": "Me",

  "home.empty": "No works yet — go create one",
  "home.goCreate": "Create",
  "tools.title": "Tools",
  "tools.empty": "More creative tools are coming soon",
  "create.title": "Create",
  "create.empty": "AI video creation is coming soon",
  "assets.title": "Assets",
  "assets.empty": "No videos yet — your generated videos will appear here",

  "login.title": "Log in with phone",
  "login.subtitle": "An account is created automatically for a new number",
  "login.phone": "Phone",
  "login.phonePlaceholder": "Mobile number",
  "login.code": "Code",
  "login.codePlaceholder": "6-digit code",
  "login.sendCode": "Get code",
  "login.resend": "Resend",
  "login.countdown": "{seconds}s",
  "login.codeSent": "Code sent",
  "login.submit": "Log in",
  "login.or": "Other ways to log in",
  "login.wechat": "Log in with WeChat",
  "login.invalidPhone": "Enter a valid mobile number",
  "login.invalidCode": "Enter the code",
  "login.success": "Logged in",
  "login.wechatProcessing": "Finishing WeChat login…",
  "login.wechatFailed": "WeChat login failed",
  "login.wechatMissing": "The WeChat authorization is missing or expired; please log in again",
  "login.backToLogin": "Back to login",

  "me.title": "Me",
  "me.credits": "Credits",
  "me.coins": "Coins",
  "me.coinsAvailable": "Withdrawable",
  "me.coinsPending": "Frozen",
  "me.ledger": "Transactions",
  "me.settings": "Settings",
  "me.followers": "Followers",
  "me.following": "Following",
  "me.likes": "Likes",
  "me.works": "Works",
  "me.noPhone": "No phone bound",
  "me.loadFailed": "Failed to load",
  "me.retry": "Retry",

  "ledger.title": "Transactions",
  "ledger.credits": "Credits",
  "ledger.coins": "Coins",
  "ledger.empty": "No transactions yet",
  "ledger.balanceAfter": "Balance {balance}",
  "ledger.pendingUntil": "Frozen until {time}",
  "ledger.walletAvailable": "Withdrawable",
  "ledger.walletPending": "Frozen",
  "ledger.loading": "Loading…",
  "ledger.noMore": "No more",
  "ledger.retry": "Failed to load, tap to retry",

  "settings.title": "Settings",
  "settings.language": "Language",
  "settings.logout": "Log out",
  "settings.logoutConfirm": "Log out of SkyRiff?",
  "settings.cancel": "Cancel",
  "settings.loggedOut": "Logged out",

  "common.networkError": "Network error, please try again",
  "common.sessionEnded": "Your session has ended, please log in again",
  "common.loading": "Loading…",
  "common.back": "Back",
};

export type Lang = "zh-CN" | "en";
export const LANGS: { value: Lang; label: string }[] = [
  { value: "zh-CN", label: "中文" },
  { value: "en", label: "English" },
];

const dictionaries: Record<Lang, Record<MessageKey, string>> = { "zh-CN": zh, en };
const LANG_KEY = "skyriff.lang";

export function readLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh-CN";
  } catch {
    return "zh-CN";
  }
}

/** The current language outside React (the API client sends it as Accept-Language). */
let currentLang: Lang = readLang();
export const getLang = (): Lang => currentLang;

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

type I18n = {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
};

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(currentLang);

  const setLang = useCallback((next: Lang) => {
    currentLang = next;
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // private mode: keep it for this session only
    }
    setLangState(next);
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    // Another tab switched the language: follow it.
    const onStorage = (e: StorageEvent) => {
      if (e.key === LANG_KEY) {
        currentLang = readLang();
        setLangState(currentLang);
      }
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, [lang]);

  const value = useMemo<I18n>(
    () => ({ lang, setLang, t: (key, params) => translate(lang, key, params) }),
    [lang, setLang],
  );

  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={lang === "en" ? enUS : zhCN}>{children}</ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n outside I18nProvider");
  return ctx;
}
