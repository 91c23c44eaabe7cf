import type {
  Notification,
  NotificationKind,
  TaskKey,
  WithdrawalMethod,
  WithdrawalStatus,
} from "@skyriff/contracts";
import { type QueryClient, useQuery } from "@tanstack/react-query";
import {
  BankcardOutline,
  BellOutline,
  CalendarOutline,
  CheckCircleOutline,
  CloseCircleOutline,
  EditSOutline,
  ExclamationCircleOutline,
  FileOutline,
  GiftOutline,
  HeartOutline,
  PayCircleOutline,
  SendOutline,
  TeamOutline,
  UndoOutline,
  UnlockOutline,
  UploadOutline,
  UserAddOutline,
  VideoOutline,
} from "antd-mobile-icons";
import type { ReactNode } from "react";
import { client } from "./api.ts";
import { useLoggedIn } from "./auth.tsx";
import "./components/rewards.css";
import type { MessageKey } from "./i18n.tsx";

/*
 * Rewards and money out (SPEC §5, §9): 任务中心, 提现, 我的收益 and 消息 share these labels, amount
 * helpers and the unread badge. Amounts stay strings or integer fen / milli-coins (bigint): never floats.
 */

export const INSUFFICIENT_COINS = 2005;
export const WITHDRAWAL_NOT_ALLOWED = 2006;

// ---------------------------------------------------------------------------------------------------
// 任务中心

/** What each daily task is called and asks for, in the app's words (the server's copy is Chinese only). */
export const TASK_COPY: Record<TaskKey, { title: MessageKey; description: MessageKey; icon: ReactNode }> = {
  login_daily: { title: "tc.loginTitle", description: "tc.loginDesc", icon: <CalendarOutline /> },
  gen_success: { title: "tc.genTitle", description: "tc.genDesc", icon: <VideoOutline /> },
  publish_work: { title: "tc.publishTitle", description: "tc.publishDesc", icon: <UploadOutline /> },
  remix_work: { title: "tc.remixTitle", description: "tc.remixDesc", icon: <EditSOutline /> },
  like_work: { title: "tc.likeTitle", description: "tc.likeDesc", icon: <HeartOutline /> },
  follow_user: { title: "tc.followTitle", description: "tc.followDesc", icon: <UserAddOutline /> },
  tip_and_favorite: { title: "tc.tipTitle", description: "tc.tipDesc", icon: <GiftOutline /> },
};

/** Where 去完成 leads: the place to do the task. */
export const TASK_TARGET: Record<TaskKey, string> = {
  login_daily: "/",
  gen_success: "/create",
  publish_work: "/assets",
  remix_work: "/",
  like_work: "/",
  follow_user: "/",
  tip_and_favorite: "/",
};

// ---------------------------------------------------------------------------------------------------
// 提现

export const WITHDRAWAL_STATUS: Record<WithdrawalStatus, { label: MessageKey; color: string }> = {
  applied: { label: "wd.statusApplied", color: "warning" },
  approved: { label: "wd.statusApproved", color: "primary" },
  paid: { label: "wd.statusPaid", color: "success" },
  rejected: { label: "wd.statusRejected", color: "danger" },
  failed: { label: "wd.statusFailed", color: "danger" },
};

export const WITHDRAWAL_METHOD_LABEL: Record<WithdrawalMethod, MessageKey> = {
  bank_card: "wd.methodBank",
  alipay: "wd.methodAlipay",
  wechat: "wd.methodWechat",
};

const CNY_RE = /^(\d+)(?:\.(\d{1,2}))?$/;

/** "100", "100.5", "100.50" → 10050n fen; anything else (more than 2 decimals, signs, letters) → null. */
export function parseFen(value: string): bigint | null {
  const m = CNY_RE.exec(value.trim());
  if (!m) return null;
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
}

/** 10050n → "100.50" (the API's amount_cny). */
export function fenToCny(fen: bigint): string {
  const abs = fen < 0n ? -fen : fen;
  return `${fen < 0n ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** A coin amount ("103.500") as whole fen, rounded down (1 coin = ¥1): what can be withdrawn. */
export function coinsToFen(coins: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,3}))?$/.exec(coins.trim());
  if (!m) return 0n;
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? "").padEnd(3, "0").slice(0, 2));
}

/** Keeps what a person types into an amount field to digits and one point with up to 2 decimals. */
export function sanitizeAmountInput(raw: string): string {
  const cleaned = raw.replace(/[^\d.]/g, "");
  const dot = cleaned.indexOf(".");
  const whole = (dot === -1 ? cleaned : cleaned.slice(0, dot)).replace(/^0+(?=\d)/, "").slice(0, 7);
  if (dot === -1) return whole;
  const frac = cleaned
    .slice(dot + 1)
    .replace(/\./g, "")
    .slice(0, 2);
  return `${whole || "0"}.${frac}`;
}

/**
 * How the confirmation shows an account before the server has masked it, the way the server does:
 * `6222 **** **** 1234`, `138****0000`, `a***@example.com`.
 */
export function maskAccount(method: WithdrawalMethod, account: string): string {
  const a = method === "bank_card" ? account.replace(/[\s-]/g, "") : account.trim();
  if (method === "bank_card") return `${a.slice(0, 4)} **** **** ${a.slice(-4)}`;
  const at = a.indexOf("@");
  if (at > 0) return `${a.slice(0, 1)}***${a.slice(at)}`;
  if (/^1\d{10}$/.test(a)) return `${a.slice(0, 3)}****${a.slice(-4)}`;
  if (a.length <= 4) return `${a.slice(0, 1)}***`;
  return `${a.slice(0, 2)}****${a.slice(-2)}`;
}

/** `张三` → `张*`, `欧阳娜娜` → `欧***`: the first character and a star for each of the rest. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  return `${chars[0] ?? ""}${"*".repeat(Math.max(1, chars.length - 1))}`;
}

/** What the server accepts as a payee (a real name; Alipay: a mobile number or an email). */
export const PAYEE_NAME_RE = /^[\p{Script=Han}A-Za-z·.\s]{2,40}$/u;
export const ALIPAY_ACCOUNT_RE = /^(1\d{10}|[^\s@]+@[^\s@]+\.[^\s@]+)$/;

/** Everything a withdrawal request or its review changes. */
export function invalidateAfterWithdrawal(queryClient: QueryClient) {
  return Promise.all(
    [["withdrawals"], ["wallets"], ["ledger"], ["earnings"], ["notifications"]].map((queryKey) =>
      queryClient.invalidateQueries({ queryKey }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// 我的收益

/** change_bp (basis points) → "+12.5%" / "-3.0%" / "0.0%", rounded half away from zero to one decimal. */
export function formatChangeBp(bp: number): string {
  const sign = bp > 0 ? "+" : bp < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(bp));
  const tenths = Math.floor((abs + 5) / 10);
  return `${sign}${Math.floor(tenths / 10).toLocaleString("en-US")}.${tenths % 10}%`;
}

// ---------------------------------------------------------------------------------------------------
// 消息

/** The unread count behind the red badges: every 30 s, and whenever the app comes back to the front. */
export function useUnreadCount() {
  const loggedIn = useLoggedIn();
  const query = useQuery({
    queryKey: ["notifications", "unread"],
    queryFn: () => client.unreadNotifications(),
    enabled: loggedIn,
    refetchInterval: 30_000,
    refetchOnWindowFocus: "always",
    staleTime: 5_000,
    retry: false,
  });
  return loggedIn ? (query.data?.unread ?? 0) : 0;
}

/** "99+" past 99. */
export function badgeText(count: number): string {
  return count > 99 ? "99+" : String(count);
}

export const NOTIFICATION_ICON: Record<NotificationKind, { icon: ReactNode; tone: string }> = {
  tip_received: { icon: <GiftOutline />, tone: "gold" },
  prompt_unlocked: { icon: <UnlockOutline />, tone: "violet" },
  work_remixed: { icon: <EditSOutline />, tone: "violet" },
  new_follower: { icon: <UserAddOutline />, tone: "pink" },
  generation_succeeded: { icon: <VideoOutline />, tone: "blue" },
  generation_failed: { icon: <CloseCircleOutline />, tone: "red" },
  daily_task_completed: { icon: <CheckCircleOutline />, tone: "green" },
  coins_released: { icon: <PayCircleOutline />, tone: "gold" },
  commission_received: { icon: <TeamOutline />, tone: "gold" },
  withdrawal_approved: { icon: <BankcardOutline />, tone: "blue" },
  withdrawal_paid: { icon: <PayCircleOutline />, tone: "green" },
  withdrawal_rejected: { icon: <BankcardOutline />, tone: "red" },
  withdrawal_failed: { icon: <BankcardOutline />, tone: "red" },
  subscription_expiring: { icon: <BellOutline />, tone: "blue" },
  order_applied: { icon: <FileOutline />, tone: "blue" },
  order_awarded: { icon: <CheckCircleOutline />, tone: "green" },
  order_delivered: { icon: <SendOutline />, tone: "violet" },
  order_accepted: { icon: <PayCircleOutline />, tone: "gold" },
  order_cancel_requested: { icon: <UndoOutline />, tone: "red" },
  order_cancel_decided: { icon: <UndoOutline />, tone: "blue" },
  order_cancelled: { icon: <CloseCircleOutline />, tone: "red" },
  order_deadline_passed: { icon: <CalendarOutline />, tone: "red" },
  order_disputed: { icon: <ExclamationCircleOutline />, tone: "red" },
  order_dispute_settled: { icon: <CheckCircleOutline />, tone: "green" },
  work_taken_down: { icon: <ExclamationCircleOutline />, tone: "red" },
  work_restored: { icon: <CheckCircleOutline />, tone: "green" },
};

/** Where tapping a notification leads: by what it refers to, then by its kind. */
export function notificationTarget(n: Pick<Notification, "kind" | "ref_type" | "ref_id" | "actor">): string {
  const id = n.ref_id ? encodeURIComponent(n.ref_id) : null;
  // A taken-down work no longer plays: the creator's own page lists what is left.
  if (n.kind === "work_taken_down") return "/me";
  switch (n.ref_type) {
    case "work":
      if (id) return `/play/${id}`;
      break;
    case "withdrawal":
      return "/me/withdraw";
    case "daily_task":
    case "task_center":
    case "tasks_center":
      return "/me/tasks-center";
    case "user":
      if (id) return `/users/${id}`;
      break;
    case "video":
      if (id) return `/assets/videos/${id}`;
      break;
    case "generation_task":
    case "gen_task":
      return "/tasks";
    case "order":
      // 商单: every order event opens the order.
      return id ? `/orders/${id}` : "/me/orders";
    case "task":
      // A daily task or a generation task: the kind says which.
      return n.kind === "daily_task_completed" ? "/me/tasks-center" : "/tasks";
  }
  switch (n.kind) {
    case "daily_task_completed":
      return "/me/tasks-center";
    case "generation_succeeded":
    case "generation_failed":
      return "/tasks";
    case "withdrawal_approved":
    case "withdrawal_paid":
    case "withdrawal_rejected":
    case "withdrawal_failed":
    case "coins_released":
      return "/me/withdraw";
    case "tip_received":
    case "prompt_unlocked":
    case "work_remixed":
      return "/me/earnings";
    case "commission_received":
      return "/me/promoter";
    case "new_follower":
      return n.actor ? `/users/${encodeURIComponent(n.actor.user_id)}` : "/me";
    case "order_applied":
    case "order_awarded":
    case "order_delivered":
    case "order_accepted":
    case "order_cancel_requested":
    case "order_cancel_decided":
    case "order_cancelled":
    case "order_deadline_passed":
    case "order_disputed":
    case "order_dispute_settled":
      return "/me/orders";
    default:
      return "/me";
  }
}
