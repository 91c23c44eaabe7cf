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
  "create.prompt": "提示词",
  "create.promptPlaceholder": "描述你想要的画面，例如：黄昏的海边，一只橘猫追着浪花奔跑，电影感镜头",
  "create.referenceImage": "参考图（可选）",
  "create.uploadImage": "上传图片",
  "create.uploading": "上传中…",
  "create.removeImage": "移除",
  "create.imageHint": "支持 JPG、PNG、WebP，最大 10 MB",
  "create.imageNotSupported": "当前模型不支持图生视频",
  "create.model": "模型",
  "create.duration": "时长",
  "create.durationOption": "{seconds} 秒",
  "create.ratio": "画面比例",
  "create.ratioPortrait": "竖屏",
  "create.ratioLandscape": "横屏",
  "create.ratioSquare": "方形",
  "create.project": "项目",
  "create.cost": "本次消耗",
  "create.costValue": "{cost} 积分",
  "create.balance": "当前积分",
  "create.balanceAfter": "生成后剩余",
  "create.notEnough": "积分不足",
  "create.submit": "生成",
  "create.confirmTitle": "确认生成",
  "create.confirmContent": "将消耗 {cost} 积分，剩余 {after} 积分",
  "create.confirmOk": "确认生成",
  "create.started": "已开始生成",
  "create.noModels": "暂无可用的生成模型，请稍后再试",
  "create.promptRequired": "请输入提示词",
  "create.promptTooLong": "提示词最多 {max} 个字",
  "create.networkRetry": "网络异常，生成请求可能没有送达。重试不会重复扣费。",
  "create.retry": "重试",
  "create.myTasks": "生成任务",
  "create.loadFailed": "加载失败",

  "credits.insufficientTitle": "积分不足",
  "credits.insufficientContent": "需要 {required} 积分，当前只有 {balance} 积分",
  "credits.insufficientGeneric": "当前积分不足，请先充值",
  "credits.goRecharge": "去充值",

  "recharge.title": "充值",
  "recharge.comingSoon": "充值即将开放",
  "recharge.comingSoonDesc": "在线充值正在接入，开放后会第一时间通知你",
  "recharge.balance": "当前积分 {balance}",

  "tasks.title": "生成任务",
  "tasks.all": "全部",
  "tasks.queued": "排队中",
  "tasks.inProgress": "生成中",
  "tasks.success": "已完成",
  "tasks.failure": "失败",
  "tasks.empty": "还没有生成任务",
  "tasks.goCreate": "去创作",
  "tasks.balance": "积分余额",
  "tasks.meta": "{model} · {seconds} 秒 · {ratio}",
  "tasks.refunded": "已退回 {credits} 积分",
  "tasks.failedDefault": "生成失败",
  "tasks.watch": "观看视频",
  "tasks.imageToVideo": "图生视频",

  "assets.title": "资产",
  "assets.empty": "还没有视频，去创作吧",
  "assets.goCreate": "去创作",
  "assets.all": "全部",
  "assets.uncategorized": "未分类",
  "assets.newProject": "新建项目",
  "assets.rename": "重命名",
  "assets.renameProject": "重命名项目",
  "assets.delete": "删除",
  "assets.deleteProject": "删除项目",
  "assets.deleteProjectConfirm": "删除后视频将移到未分类",
  "assets.projectName": "项目名称",
  "assets.projectNamePlaceholder": "最多 30 个字",
  "assets.projectCreated": "项目已创建",
  "assets.projectRenamed": "已重命名",
  "assets.projectDeleted": "项目已删除",
  "assets.videoCount": "{count} 个视频",
  "assets.tasks": "任务",
  "assets.save": "保存",
  "assets.cancel": "取消",

  "player.back": "返回",
  "player.more": "更多",
  "player.download": "下载无水印",
  "player.downloadTitle": "下载无水印视频",
  "player.downloadCost": "下载无水印视频将消耗 {cost} 积分",
  "player.downloadedBefore": "你之前已下载过此视频，再次下载仍会扣费",
  "player.downloadOk": "确认下载",
  "player.downloadDone": "已扣除 {cost} 积分，剩余 {balance} 积分",
  "player.downloadRetry": "网络异常，下载请求可能没有送达。重试不会重复扣费。",
  "player.moveTo": "移动到项目",
  "player.moved": "已移动到「{name}」",
  "player.deleteVideo": "删除视频",
  "player.deleteVideoConfirm": "删除后无法恢复，确定删除这个视频吗？",
  "player.deleted": "视频已删除",
  "player.notFound": "视频不存在或已删除",
  "player.play": "播放",
  "player.pause": "暂停",

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
  "me.tasks": "生成任务",
  "me.recharge": "充值",
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
  "common.cancel": "取消",
  "common.retry": "重试",
  "common.noMore": "没有更多了",
  "common.loadFailedRetry": "加载失败，点击重试",
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
  "create.prompt": "Prompt",
  "create.promptPlaceholder":
    "Describe the scene, e.g. a ginger cat chasing waves on a beach at dusk, cinematic shot",
  "create.referenceImage": "Reference image (optional)",
  "create.uploadImage": "Upload image",
  "create.uploading": "Uploading…",
  "create.removeImage": "Remove",
  "create.imageHint": "JPG, PNG or WebP, up to 10 MB",
  "create.imageNotSupported": "This model does not support image-to-video",
  "create.model": "Model",
  "create.duration": "Duration",
  "create.durationOption": "{seconds}s",
  "create.ratio": "Aspect ratio",
  "create.ratioPortrait": "Portrait",
  "create.ratioLandscape": "Landscape",
  "create.ratioSquare": "Square",
  "create.project": "Project",
  "create.cost": "Cost",
  "create.costValue": "{cost} credits",
  "create.balance": "Your credits",
  "create.balanceAfter": "Left after",
  "create.notEnough": "Not enough credits",
  "create.submit": "Generate",
  "create.confirmTitle": "Confirm generation",
  "create.confirmContent": "This uses {cost} credits; {after} credits will be left",
  "create.confirmOk": "Generate",
  "create.started": "Generation started",
  "create.noModels": "No generation model is available right now, please try later",
  "create.promptRequired": "Enter a prompt",
  "create.promptTooLong": "The prompt can be at most {max} characters",
  "create.networkRetry":
    "Network error: the request may not have arrived. Retrying will not charge you twice.",
  "create.retry": "Retry",
  "create.myTasks": "My generations",
  "create.loadFailed": "Failed to load",

  "credits.insufficientTitle": "Not enough credits",
  "credits.insufficientContent": "This needs {required} credits; you have {balance}",
  "credits.insufficientGeneric": "You do not have enough credits; please top up first",
  "credits.goRecharge": "Top up",

  "recharge.title": "Top up",
  "recharge.comingSoon": "Top-up is coming soon",
  "recharge.comingSoonDesc": "Online payment is being connected; we will let you know when it opens",
  "recharge.balance": "Your credits: {balance}",

  "tasks.title": "My generations",
  "tasks.all": "All",
  "tasks.queued": "Queued",
  "tasks.inProgress": "Generating",
  "tasks.success": "Done",
  "tasks.failure": "Failed",
  "tasks.empty": "No generations yet",
  "tasks.goCreate": "Create",
  "tasks.balance": "Credits",
  "tasks.meta": "{model} · {seconds}s · {ratio}",
  "tasks.refunded": "{credits} credits refunded",
  "tasks.failedDefault": "Generation failed",
  "tasks.watch": "Watch",
  "tasks.imageToVideo": "Image to video",

  "assets.title": "Assets",
  "assets.empty": "No videos yet — go create one",
  "assets.goCreate": "Create",
  "assets.all": "All",
  "assets.uncategorized": "Uncategorized",
  "assets.newProject": "New project",
  "assets.rename": "Rename",
  "assets.renameProject": "Rename project",
  "assets.delete": "Delete",
  "assets.deleteProject": "Delete project",
  "assets.deleteProjectConfirm": "Its videos will move to Uncategorized",
  "assets.projectName": "Project name",
  "assets.projectNamePlaceholder": "Up to 30 characters",
  "assets.projectCreated": "Project created",
  "assets.projectRenamed": "Renamed",
  "assets.projectDeleted": "Project deleted",
  "assets.videoCount": "{count} videos",
  "assets.tasks": "Tasks",
  "assets.save": "Save",
  "assets.cancel": "Cancel",

  "player.back": "Back",
  "player.more": "More",
  "player.download": "Download without watermark",
  "player.downloadTitle": "Download without watermark",
  "player.downloadCost": "Downloading the watermark-free video uses {cost} credits",
  "player.downloadedBefore": "You downloaded this video before; downloading again is charged again",
  "player.downloadOk": "Download",
  "player.downloadDone": "{cost} credits used, {balance} left",
  "player.downloadRetry":
    "Network error: the request may not have arrived. Retrying will not charge you twice.",
  "player.moveTo": "Move to project",
  "player.moved": "Moved to “{name}”",
  "player.deleteVideo": "Delete video",
  "player.deleteVideoConfirm": "This cannot be undone. Delete this video?",
  "player.deleted": "Video deleted",
  "player.notFound": "This video does not exist or was deleted",
  "player.play": "Play",
  "player.pause": "Pause",

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
  "me.tasks": "My generations",
  "me.recharge": "Top up",
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
  "common.cancel": "Cancel",
  "common.retry": "Retry",
  "common.noMore": "No more",
  "common.loadFailedRetry": "Failed to load, tap to retry",
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
