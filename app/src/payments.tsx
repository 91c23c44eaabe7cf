import type { PayChannel, Payment, PaymentCreateResult, PublicConfig } from "@skyriff/contracts";
import type { QueryClient } from "@tanstack/react-query";
import { Button, Popup, Toast } from "antd-mobile";
import { AlipaySquareFill, BillOutline, CheckCircleFill } from "antd-mobile-icons";
import { type ReactNode, useEffect, useState } from "react";
import { ApiError, errorMessage, newIdempotencyKey } from "./api.ts";
import "./components/payments.css";
import { useConfig } from "./generation.tsx";
import { type Lang, type MessageKey, useI18n } from "./i18n.tsx";
import { formatCoins, formatCredits } from "./money.ts";

/*
 * Money in (SPEC §5), shared by 充值, the 月卡 card, 推广中心 and the payment result page. Error codes are
 * written out here: the contracts' index is not imported at runtime (it would bundle zod).
 */
export const ALREADY_CLAIMED = 2003;
export const INVALID_REFERRAL = 2004;
export const STATE_CONFLICT = 2007;

/** SPEC §1, shown until `/config` has answered. */
export const FALLBACK_ECONOMY = {
  creditsPerCny: 20,
  monthlyCard: { price_cny: "29.00", days: 30, daily_credits: 30 },
  promoter: {
    activation_cny: "30.00",
    activation_credits: 600,
    new_user_bonus_credits: 50,
    new_user_bind_days: 7,
    direct_commission_percent: 5,
    second_level_commission_permille: 1,
  },
  freezeDays: 7,
} as const;

export function monthlyCardOf(config: PublicConfig | undefined) {
  return config?.monthly_card ?? FALLBACK_ECONOMY.monthlyCard;
}
export function promoterTermsOf(config: PublicConfig | undefined) {
  return config?.promoter ?? FALLBACK_ECONOMY.promoter;
}

export const PAY_CHANNEL_LABEL: Record<PayChannel, MessageKey> = {
  wechat: "pay.channelWechat",
  alipay: "pay.channelAlipay",
  sandbox: "pay.channelSandbox",
};

/** "6.00" → "¥6.00"; with `short`, whole yuan lose their ".00" ("¥6", "¥2,880"). */
export function formatCny(value: string, opts: { short?: boolean } = {}): string {
  const m = /^(\d+)\.(\d{2})$/.exec(value.trim());
  if (!m) return `¥${value}`;
  const whole = m[1]!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return opts.short && m[2] === "00" ? `¥${whole}` : `¥${whole}.${m[2]}`;
}

/** What an order buys, in the app's words (the server's product name is Chinese only). */
export function paymentProductLabel(
  p: Pick<Payment, "product_type" | "credits_amount" | "coins_amount">,
  t: ReturnType<typeof useI18n>["t"],
): string {
  switch (p.product_type) {
    case "credits_pack":
      return t("product.credits", { credits: formatCredits(p.credits_amount) });
    case "subscription_monthly":
      return t("product.subscription");
    case "promoter_activation":
      return t("product.promoter");
    case "coins_pack":
      return t("product.coins", { coins: formatCoins(p.coins_amount) });
    default:
      return t("product.other");
  }
}

/** The gateway page to open: the sandbox 收银台 or Alipay's WAP cashier (`pay_url`), WeChat's `h5_url`. */
export function payUrlOf(res: PaymentCreateResult): string | null {
  const params = res.pay_params;
  return (res.pay_channel === "wechat" ? params.h5_url : params.pay_url) ?? params.pay_url ?? null;
}

/** A `from` query parameter that is a path of this app (never another site). */
export function safeReturnPath(raw: string | null): string | null {
  return raw?.startsWith("/") && !raw.startsWith("//") ? raw : null;
}

const RETURN_KEY = "skyriff.pay_return";

/** Where 完成 on the result page leads, by product (a purchase remembers its own page, this tab only). */
export function defaultReturnTo(productType: Payment["product_type"] | undefined): string {
  return productType === "promoter_activation" ? "/me/promoter" : "/me";
}

function rememberReturn(paymentId: string, returnTo: string) {
  try {
    const raw = sessionStorage.getItem(RETURN_KEY);
    const map = raw ? (JSON.parse(raw) as Record<string, string>) : {};
    map[paymentId] = returnTo;
    // Keep the newest few: one tab does not buy hundreds of things.
    const entries = Object.entries(map).slice(-10);
    sessionStorage.setItem(RETURN_KEY, JSON.stringify(Object.fromEntries(entries)));
  } catch {
    // no sessionStorage: 完成 uses the product's default page
  }
}

export function returnToOf(paymentId: string, productType: Payment["product_type"] | undefined): string {
  try {
    const raw = sessionStorage.getItem(RETURN_KEY);
    const map = raw ? (JSON.parse(raw) as Record<string, string>) : {};
    const to = map[paymentId];
    if (typeof to === "string" && to.startsWith("/")) return to;
  } catch {
    // fall through
  }
  return defaultReturnTo(productType);
}

/** Everything a fulfilled purchase can change. */
export function invalidateAfterPayment(queryClient: QueryClient) {
  return Promise.all(
    [["wallets"], ["me"], ["subscription"], ["promoter"], ["ledger"], ["payments"]].map((queryKey) =>
      queryClient.invalidateQueries({ queryKey }),
    ),
  );
}

/**
 * Creates an order (a fresh Idempotency-Key per tap) and leaves for the gateway's page, which sends the
 * browser back to `/pay/result/{id}`. Resolves false (after a Toast with the server's message) when the
 * order could not be made; on success the page is being replaced, so it never resolves true in practice.
 */
export function useStartPayment() {
  const { t } = useI18n();
  return async (
    create: (key: string) => Promise<PaymentCreateResult>,
    returnTo: string,
  ): Promise<boolean> => {
    try {
      const res = await create(newIdempotencyKey());
      const url = payUrlOf(res);
      if (!url) {
        Toast.show({ icon: "fail", content: t("pay.noUrl") });
        return false;
      }
      rememberReturn(res.payment_id, returnTo);
      window.location.assign(url);
      return true;
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
      return false;
    }
  };
}

/** The deployment's channels, in its order (`/config`). */
export function usePayChannels(): { channels: PayChannel[]; loading: boolean } {
  const config = useConfig();
  return { channels: config.data?.pay_channels ?? [], loading: config.isPending };
}

/** The channel the user picked, kept valid as the list loads. */
export function useChosenChannel(channels: PayChannel[]) {
  const [channel, setChannel] = useState<PayChannel | null>(null);
  useEffect(() => {
    if (channels.length > 0 && (channel === null || !channels.includes(channel))) setChannel(channels[0]!);
  }, [channels, channel]);
  return [channel, setChannel] as const;
}

/** The channel's mark: WeChat's two bubbles, Alipay's logo, a receipt for the sandbox. */
function ChannelIcon({ channel }: { channel: PayChannel }) {
  return (
    <span className={`pay-channel-icon pay-channel-icon-${channel}`} aria-hidden>
      {channel === "wechat" ? (
        <svg viewBox="0 0 24 24" width="20" height="20" focusable="false" aria-hidden="true">
          <ellipse cx="9.5" cy="10" rx="6.5" ry="5.5" fill="#fff" />
          <path d="M5.5 14.5l-1 2.8 3.2-1.6z" fill="#fff" />
          <ellipse cx="15.5" cy="14" rx="5.5" ry="4.6" fill="#fff" stroke="#07c160" strokeWidth="1.2" />
          <path d="M18.6 17.6l.9 2.2-2.7-1.3z" fill="#fff" />
          <circle cx="7.3" cy="8.6" r="0.9" fill="#07c160" />
          <circle cx="11.6" cy="8.6" r="0.9" fill="#07c160" />
          <circle cx="13.7" cy="13.2" r="0.75" fill="#07c160" />
          <circle cx="17.3" cy="13.2" r="0.75" fill="#07c160" />
        </svg>
      ) : channel === "alipay" ? (
        <AlipaySquareFill />
      ) : (
        <BillOutline />
      )}
    </span>
  );
}

/** 微信支付 / 支付宝 / 沙箱支付 (测试), one selected. */
export function PayChannelList({
  channels,
  value,
  onChange,
}: {
  channels: PayChannel[];
  value: PayChannel | null;
  onChange: (c: PayChannel) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="pay-channels" role="radiogroup" aria-label={t("recharge.channel")}>
      {channels.map((c) => (
        // biome-ignore lint/a11y/useSemanticElements: a tappable row reads better than a native radio here
        <button
          key={c}
          type="button"
          role="radio"
          aria-checked={value === c}
          className={`pay-channel${value === c ? " pay-channel-on" : ""}`}
          data-testid={`pay-channel-${c}`}
          onClick={() => onChange(c)}
        >
          <ChannelIcon channel={c} />
          <span className="pay-channel-name">
            {t(PAY_CHANNEL_LABEL[c])}
            {c === "sandbox" && <span className="pay-channel-test">{t("pay.testTag")}</span>}
          </span>
          {c === "sandbox" && <span className="pay-channel-hint">{t("pay.sandboxHint")}</span>}
          <span className="pay-channel-check" aria-hidden>
            {value === c ? <CheckCircleFill /> : <span className="pay-channel-ring" />}
          </span>
        </button>
      ))}
    </div>
  );
}

/**
 * The bottom sheet for a fixed-price purchase (月卡, 推广员): what it is, the price, the channel, 立即支付.
 * `create` makes the order with the chosen channel; the sheet then leaves for the gateway.
 */
export function PaySheet({
  visible,
  onClose,
  title,
  description,
  amountCny,
  returnTo,
  create,
  testId,
}: {
  visible: boolean;
  onClose: () => void;
  title: string;
  description: ReactNode;
  amountCny: string;
  returnTo: string;
  create: (channel: PayChannel, key: string) => Promise<PaymentCreateResult>;
  testId: string;
}) {
  const { t } = useI18n();
  const { channels, loading } = usePayChannels();
  const [channel, setChannel] = useChosenChannel(channels);
  const start = useStartPayment();
  const [busy, setBusy] = useState(false);

  const pay = async () => {
    if (!channel) return;
    setBusy(true);
    const left = await start((key) => create(channel, key), returnTo);
    if (!left) setBusy(false);
  };

  return (
    <Popup
      visible={visible}
      onMaskClick={onClose}
      onClose={onClose}
      bodyClassName="wk-sheet"
      destroyOnClose
      showCloseButton
    >
      <div className="wk-sheet-body pay-sheet" data-testid={testId}>
        <div className="wk-sheet-title">{title}</div>
        <div className="pay-sheet-amount" data-testid="pay-sheet-amount">
          {formatCny(amountCny)}
        </div>
        <div className="pay-sheet-desc">{description}</div>
        {channels.length > 0 ? (
          <>
            <div className="pay-section-title">{t("recharge.channel")}</div>
            <PayChannelList channels={channels} value={channel} onChange={setChannel} />
          </>
        ) : (
          !loading && <div className="wk-sheet-warn">{t("recharge.noChannels")}</div>
        )}
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          className="pay-sheet-submit"
          loading={busy}
          disabled={busy || !channel}
          data-testid="pay-sheet-submit"
          onClick={() => void pay()}
        >
          {t("pay.payAmount", { amount: formatCny(amountCny) })}
        </Button>
      </div>
    </Popup>
  );
}

/** Dates the way the app's lists show them: "12月8日" / "Dec 8", with the year when it is not this one. */
export function formatDay(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(lang, {
    ...(sameYear ? {} : { year: "numeric" }),
    month: "short",
    day: "numeric",
  }).format(d);
}

export function formatDateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).format(d);
}

export function formatClockTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hour12: false }).format(
    new Date(iso),
  );
}

/** True when `iso` falls on the calendar day after today (the phone's time zone). */
export function isTomorrow(iso: string, now = new Date()): boolean {
  const d = new Date(iso);
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return (
    d.getFullYear() === tomorrow.getFullYear() &&
    d.getMonth() === tomorrow.getMonth() &&
    d.getDate() === tomorrow.getDate()
  );
}

export function isApiError(err: unknown, code: number): err is ApiError {
  return err instanceof ApiError && err.code === code;
}

/** The referral code an invite link (`/login?ref=CODE`) brought, kept for this tab until it is used. */
const REFERRAL_KEY = "skyriff.referral_code";

export function normalizeReferralCode(raw: string): string {
  return raw
    .trim()
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, "")
    .slice(0, 32);
}

export function readReferralCode(): string | null {
  try {
    return sessionStorage.getItem(REFERRAL_KEY);
  } catch {
    return null;
  }
}

export function keepReferralCode(code: string | null) {
  try {
    if (code) sessionStorage.setItem(REFERRAL_KEY, code);
    else sessionStorage.removeItem(REFERRAL_KEY);
  } catch {
    // no sessionStorage: the code is used from the URL only
  }
}

/** The invite link a poster's QR code opens. */
export function inviteUrl(code: string): string {
  return `${window.location.origin}/login?ref=${encodeURIComponent(code)}`;
}
