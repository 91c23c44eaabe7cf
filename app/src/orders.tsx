import type {
  Order,
  OrderCategory,
  OrderListQuery,
  OrderOutcome,
  OrderStatus,
  Page,
  Wallets,
} from "@skyriff/contracts";
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { client } from "./api.ts";
import "./components/orders.css";
import { useConfig } from "./generation.tsx";
import type { MessageKey, useI18n } from "./i18n.tsx";
import { formatMilliCoins, parseMilliCoins } from "./money.ts";
import { useCursorPages } from "./paging.ts";

/*
 * Commission orders (商单, SPEC §6), shared by 商单大厅, 发布商单, 商单详情 and 我的商单. The contracts'
 * constants are repeated here: the contracts' index is not imported at runtime (it would bundle zod).
 */

/** ORDER_MIN_BUDGET_COINS, ORDER_FEE_PERCENT, ORDER_AUTO_ACCEPT_DAYS of the contracts. */
export const ORDER_MIN_BUDGET = 10;
export const ORDER_FEE_PERCENT_FALLBACK = 5;
export const ORDER_AUTO_ACCEPT_DAYS = 7;
/** What the server accepts for a deadline: at least an hour away, at most 90 days. */
export const DEADLINE_MIN_MS = 3600_000;
export const DEADLINE_MAX_DAYS = 90;
export const TITLE_MIN = 2;
export const TITLE_MAX = 60;
export const BRIEF_MIN = 10;
export const BRIEF_MAX = 2000;
export const PROPOSAL_MIN = 5;
export const PROPOSAL_MAX = 1000;
export const DISPUTE_MIN = 5;
export const DISPUTE_MAX = 1000;

export const ORDER_CATEGORIES: OrderCategory[] = [
  "brand",
  "ecommerce",
  "short_drama",
  "music_video",
  "explainer",
  "other",
];

export const CATEGORY_LABEL: Record<OrderCategory, MessageKey> = {
  brand: "ord.catBrand",
  ecommerce: "ord.catEcommerce",
  short_drama: "ord.catShortDrama",
  music_video: "ord.catMusicVideo",
  explainer: "ord.catExplainer",
  other: "ord.catOther",
};

export const STATUS_LOOK: Record<OrderStatus, { label: MessageKey; color: string }> = {
  published: { label: "ord.stPublished", color: "primary" },
  awarded: { label: "ord.stAwarded", color: "primary" },
  cancel_requested: { label: "ord.stCancelRequested", color: "warning" },
  delivered: { label: "ord.stDelivered", color: "warning" },
  disputed: { label: "ord.stDisputed", color: "danger" },
  completed: { label: "ord.stCompleted", color: "success" },
  cancelled: { label: "ord.stCancelled", color: "default" },
  split: { label: "ord.stSplit", color: "success" },
};

export const OUTCOME_LABEL: Record<OrderOutcome, MessageKey> = {
  accepted: "ord.outAccepted",
  auto_accepted: "ord.outAutoAccepted",
  cancelled_by_publisher: "ord.outCancelledByPublisher",
  cancelled_by_consent: "ord.outCancelledByConsent",
  cancelled_after_deadline: "ord.outCancelledAfterDeadline",
  expired: "ord.outExpired",
  dispute_paid: "ord.outDisputePaid",
  dispute_refunded: "ord.outDisputeRefunded",
  dispute_split: "ord.outDisputeSplit",
};

export const FINISHED: OrderStatus[] = ["completed", "cancelled", "split"];
export const isFinished = (o: Pick<Order, "status">) => FINISHED.includes(o.status);

/**
 * The four steps 发布 → 选定 → 交付 → 验收: how many are done (0–4) and whether the order stopped there
 * (cancelled). The step after the last done one is the one the order is waiting for.
 */
export function orderStep(o: Order): { done: number; stopped: boolean } {
  switch (o.status) {
    case "published":
      return { done: 1, stopped: false };
    case "awarded":
    case "cancel_requested":
      return { done: 2, stopped: false };
    case "delivered":
    case "disputed":
      return { done: 3, stopped: false };
    case "completed":
    case "split":
      return { done: 4, stopped: false };
    case "cancelled":
      return { done: o.delivered_at ? 3 : o.awarded_at ? 2 : 1, stopped: true };
  }
}

// ---------------------------------------------------------------------------------------------------
// Time

type T = ReturnType<typeof useI18n>["t"];
const HOUR_MS = 3600_000;

/** "剩 3 天" / "剩 5 小时" / "剩 12 分钟" until `iso`; "已截止" once it passed. */
export function timeLeft(iso: string, now: number, t: T): string {
  const left = Date.parse(iso) - now;
  if (!Number.isFinite(left) || left <= 0) return t("ord.closed");
  // Under an hour: minutes rounded up (never "0 分钟"); then whole hours and days rounded down.
  if (left < HOUR_MS) return t("ord.leftMinutes", { n: Math.ceil(left / 60_000) });
  const hours = Math.floor(left / HOUR_MS);
  if (hours < 24) return t("ord.leftHours", { n: hours });
  return t("ord.leftDays", { n: Math.floor(hours / 24) });
}

/** "3 天" / "5 小时" / "12 分钟" until `iso` (for "… 后自动验收"); null once it passed. */
export function durationUntil(iso: string, now: number, t: T): string | null {
  const left = Date.parse(iso) - now;
  if (!Number.isFinite(left) || left <= 0) return null;
  if (left < HOUR_MS) return t("ord.minutes", { n: Math.ceil(left / 60_000) });
  const hours = Math.floor(left / HOUR_MS);
  if (hours < 24) return t("ord.hours", { n: hours });
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest > 0 ? t("ord.daysHours", { d: days, h: rest }) : t("ord.days", { n: days });
}

export const isPast = (iso: string, now = Date.now()) => Date.parse(iso) <= now;

// ---------------------------------------------------------------------------------------------------
// Coins

/** The creator's share of a budget: 100 − fee %, rounded down to 0.001 coin (the server's rounding). */
export function payoutOf(budget: string, feePercent: number): { payout: string; fee: string } | null {
  try {
    const milli = parseMilliCoins(budget);
    const payout = (milli * BigInt(100 - feePercent)) / 100n;
    return { payout: formatMilliCoins(payout), fee: formatMilliCoins(milli - payout) };
  } catch {
    return null;
  }
}

/** True when `a` < `b` (coin strings). */
export function coinsLess(a: string, b: string): boolean {
  try {
    return parseMilliCoins(a) < parseMilliCoins(b);
  } catch {
    return false;
  }
}

/** `a` − `b` as a coin string for display (2 decimals). */
export function coinsMinus(a: string, b: string): string {
  try {
    return formatMilliCoins(parseMilliCoins(a) - parseMilliCoins(b));
  } catch {
    return "—";
  }
}

/** The platform's fee on orders (`/config`, SPEC §1) and the freeze of income. */
export function useOrderTerms() {
  const config = useConfig();
  return {
    feePercent: config.data?.platform_fee_percent.commission_orders ?? ORDER_FEE_PERCENT_FALLBACK,
    freezeDays: config.data?.freeze_days ?? 7,
  };
}

// ---------------------------------------------------------------------------------------------------
// Queries

export function useOrder(orderId: string) {
  return useQuery({
    queryKey: ["orders", "detail", orderId],
    queryFn: () => client.order(orderId),
    staleTime: 0,
    enabled: orderId !== "",
    // The other side acts too (an application, a delivery, an answer to a cancel request).
    refetchInterval: (q) => (q.state.data && isFinished(q.state.data) ? false : 20_000),
  });
}

export function useOrderList(query: Omit<OrderListQuery, "cursor">) {
  return useCursorPages<Order>(
    ["orders", "list", query.role ?? "open", query.status ?? "all", query.category ?? "all"],
    (cursor) => client.orders({ ...query, cursor }),
    { staleTime: 0 },
  );
}

export function useWallets() {
  return useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets(), staleTime: 0 });
}

/** Puts a changed order into its detail query, and refetches what it may have moved. */
export function afterOrderChange(queryClient: QueryClient, order: Order) {
  queryClient.setQueryData(["orders", "detail", order.order_id], order);
  return invalidateAfterOrder(queryClient);
}

/** Everything an order's escrow, payout or refund can change. */
export function invalidateAfterOrder(queryClient: QueryClient) {
  return Promise.all(
    [["orders"], ["wallets"], ["ledger"], ["me", "home"], ["earnings"]].map((queryKey) =>
      queryClient.invalidateQueries({ queryKey }),
    ),
  );
}

export function setCoinsAvailable(queryClient: QueryClient, available: string) {
  queryClient.setQueryData<Wallets>(["wallets"], (w) => (w ? { ...w, coins: { ...w.coins, available } } : w));
}

export type OrderPages = Page<Order>;

// ---------------------------------------------------------------------------------------------------
// 发布商单's draft: kept for this tab while the publisher tops up coins.

export type OrderDraft = {
  title: string;
  brief: string;
  category: OrderCategory | null;
  budget: string;
  deadline: string;
};

const DRAFT_KEY = "skyriff.order_draft";

export function loadOrderDraft(): OrderDraft | null {
  try {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<OrderDraft>;
    return {
      title: typeof d.title === "string" ? d.title : "",
      brief: typeof d.brief === "string" ? d.brief : "",
      category: ORDER_CATEGORIES.includes(d.category as OrderCategory) ? (d.category as OrderCategory) : null,
      budget: typeof d.budget === "string" ? d.budget : "",
      deadline: typeof d.deadline === "string" ? d.deadline : "",
    };
  } catch {
    return null;
  }
}

export function saveOrderDraft(draft: OrderDraft) {
  try {
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    // no sessionStorage: the form is not kept
  }
}

export function clearOrderDraft() {
  try {
    sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    // nothing kept
  }
}

/** 去充值金币: the coins packs on 充值, coming back here after paying. */
export function coinsRechargePath(from: string): string {
  return `/me/recharge?type=coins&from=${encodeURIComponent(from)}`;
}
