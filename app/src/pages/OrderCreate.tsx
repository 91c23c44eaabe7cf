import type { OrderCategory } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { Button, DatePicker, Dialog, Input, SafeArea, TextArea } from "antd-mobile";
import { ExclamationCircleFill, LockOutline, RightOutline } from "antd-mobile-icons";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError, client, errorMessage, newIdempotencyKey } from "../api.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import "../components/payments.css";
import { useNow } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCoins } from "../money.ts";
import {
  BRIEF_MAX,
  BRIEF_MIN,
  CATEGORY_LABEL,
  clearOrderDraft,
  coinsLess,
  coinsMinus,
  coinsRechargePath,
  DEADLINE_MAX_DAYS,
  DEADLINE_MIN_MS,
  invalidateAfterOrder,
  loadOrderDraft,
  ORDER_CATEGORIES,
  ORDER_MIN_BUDGET,
  type OrderDraft,
  payoutOf,
  saveOrderDraft,
  setCoinsAvailable,
  TITLE_MAX,
  TITLE_MIN,
  timeLeft,
  useOrderTerms,
  useWallets,
} from "../orders.tsx";
import { formatDateTime } from "../payments.tsx";
import { INSUFFICIENT_COINS, sanitizeAmountInput } from "../rewards.tsx";

const DAY_MS = 24 * 3600_000;
const BUDGET_CHIPS = ["50", "100", "200", "500"];

/** The default deadline: 7 days from now, on the hour after. */
function defaultDeadline(now = Date.now()): string {
  const d = new Date(now + 7 * DAY_MS);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d.toISOString();
}

function initialDraft(): OrderDraft {
  const kept = loadOrderDraft();
  const fresh: OrderDraft = { title: "", brief: "", category: null, budget: "", deadline: defaultDeadline() };
  if (!kept) return fresh;
  const at = Date.parse(kept.deadline);
  const usable = Number.isFinite(at) && at - Date.now() > DEADLINE_MIN_MS + 5 * 60_000;
  return { ...kept, deadline: usable ? kept.deadline : fresh.deadline };
}

/** The state after publishing, for 商单详情's banner. */
export type PublishedState = { published: { budget: string; coinsAvailable: string } };

/**
 * `/orders/new` — 发布商单 (SPEC §6): title, brief, category, budget (≥ 10 coins) and deadline; the
 * withdrawable coins and what escrow means; 去充值金币 when they are short; a confirmation of the amount
 * before the budget moves into escrow.
 */
export function OrderCreatePage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const wallets = useWallets();
  const { feePercent, freezeDays } = useOrderTerms();
  const [form, setForm] = useState<OrderDraft>(initialDraft);
  const [showErrors, setShowErrors] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [picking, setPicking] = useState(false);
  // One key per attempt: kept when the network failed (a retry must not escrow twice), new otherwise.
  const keyRef = useRef<string | null>(null);
  const now = useNow(true, 60_000);

  useEffect(() => saveOrderDraft(form), [form]);

  const update = (patch: Partial<OrderDraft>) => {
    keyRef.current = null;
    setServerError(null);
    setForm((f) => ({ ...f, ...patch }));
  };

  const available = wallets.data?.coins.available ?? null;
  const budgetOk = /^\d{1,7}(\.\d{1,2})?$/.test(form.budget);
  const budgetValue = budgetOk ? form.budget : null;
  const split = budgetValue ? payoutOf(budgetValue, feePercent) : null;
  const short = budgetValue !== null && available !== null && coinsLess(available, budgetValue);
  const deadlineAt = Date.parse(form.deadline);

  const errors = {
    title:
      form.title.trim().length < TITLE_MIN || form.title.trim().length > TITLE_MAX
        ? t("ord.errTitle", { min: TITLE_MIN, max: TITLE_MAX })
        : null,
    category: form.category ? null : t("ord.errCategory"),
    brief: form.brief.trim().length < BRIEF_MIN ? t("ord.errBrief", { min: BRIEF_MIN }) : null,
    budget:
      form.budget === ""
        ? t("ord.errBudgetMin", { min: ORDER_MIN_BUDGET })
        : !budgetOk
          ? t("ord.errBudgetFormat")
          : coinsLess(form.budget, String(ORDER_MIN_BUDGET))
            ? t("ord.errBudgetMin", { min: ORDER_MIN_BUDGET })
            : null,
    deadline: !Number.isFinite(deadlineAt)
      ? t("ord.errDeadlineMin")
      : deadlineAt - Date.now() < DEADLINE_MIN_MS
        ? t("ord.errDeadlineMin")
        : deadlineAt - Date.now() > DEADLINE_MAX_DAYS * DAY_MS
          ? t("ord.errDeadlineMax", { days: DEADLINE_MAX_DAYS })
          : null,
  };
  const firstError = Object.values(errors).find((e) => e !== null) ?? null;

  const goRecharge = () => {
    saveOrderDraft(form);
    navigate(coinsRechargePath("/orders/new"));
  };

  const askRecharge = async (content: string) => {
    const go = await Dialog.confirm({
      title: t("ord.shortTitle"),
      content: <div data-testid="order-short-dialog">{content}</div>,
      confirmText: t("ord.goRecharge"),
      cancelText: t("common.cancel"),
    });
    if (go) goRecharge();
  };

  const submit = async () => {
    setShowErrors(true);
    if (firstError || !budgetValue || !form.category) return;
    if (available !== null && coinsLess(available, budgetValue)) {
      await askRecharge(
        t("ord.shortContent", { required: formatCoins(budgetValue), available: formatCoins(available) }),
      );
      return;
    }
    const ok = await Dialog.confirm({
      title: t("ord.confirmTitle"),
      content: (
        <dl className="ord-confirm" data-testid="order-create-confirm">
          <ConfirmRow
            label={t("ord.confirmEscrow")}
            value={
              <b data-testid="order-confirm-amount">
                {t("ord.coinsAmount", { coins: formatCoins(budgetValue) })}
              </b>
            }
          />
          {available !== null && (
            <ConfirmRow
              label={t("ord.confirmAvailable")}
              value={
                <span data-testid="order-confirm-after">
                  {formatCoins(available)} → {coinsMinus(available, budgetValue)}
                </span>
              }
            />
          )}
          <ConfirmRow label={t("ord.deadline")} value={formatDateTime(form.deadline, lang)} />
          {split && (
            <ConfirmRow
              label={t("ord.confirmPayout")}
              value={t("ord.coinsAmount", { coins: split.payout })}
            />
          )}
          <div className="ord-confirm-note">{t("ord.confirmNote")}</div>
        </dl>
      ),
      confirmText: t("ord.confirmOk"),
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    setBusy(true);
    keyRef.current ??= newIdempotencyKey();
    try {
      const res = await client.createOrder(
        {
          title: form.title.trim(),
          brief: form.brief.trim(),
          category: form.category,
          deadline_at: new Date(form.deadline).toISOString(),
          budget_coins: budgetValue,
        },
        keyRef.current,
      );
      keyRef.current = null;
      clearOrderDraft();
      setCoinsAvailable(queryClient, res.coins_available);
      queryClient.setQueryData(["orders", "detail", res.order.order_id], res.order);
      void invalidateAfterOrder(queryClient);
      navigate(`/orders/${encodeURIComponent(res.order.order_id)}`, {
        replace: true,
        state: {
          published: { budget: res.order.budget_coins, coinsAvailable: res.coins_available },
        } satisfies PublishedState,
      });
    } catch (err) {
      if (err instanceof ApiError && err.code !== 0) {
        keyRef.current = null;
        void queryClient.invalidateQueries({ queryKey: ["wallets"] });
      }
      if (err instanceof ApiError && err.code === INSUFFICIENT_COINS) {
        void askRecharge(err.message);
      } else {
        setServerError(errorMessage(err, t("common.networkError")));
      }
    } finally {
      setBusy(false);
    }
  };

  const bounds = useMemo(
    () => ({
      min: new Date(now + DEADLINE_MIN_MS + 60_000),
      max: new Date(now + DEADLINE_MAX_DAYS * DAY_MS),
    }),
    [now],
  );

  return (
    <div className="page ord-page" data-testid="order-create-page">
      <PageHeader title={t("ord.createTitle")} fallback="/orders" />

      <section className="ord-wallet" data-testid="order-create-wallet">
        <div className="ord-wallet-main">
          <div className="ord-wallet-label">{t("ord.availableCoins")}</div>
          <div className="ord-wallet-value" data-testid="order-create-balance">
            {available !== null ? formatCoins(available) : "—"}
          </div>
          <div className="ord-wallet-sub">{t("ord.walletSub")}</div>
        </div>
        <Button
          size="small"
          shape="rounded"
          className="ord-wallet-recharge"
          data-testid="order-create-topup"
          onClick={goRecharge}
        >
          {t("ord.topUp")}
        </Button>
      </section>

      <section className="pay-section">
        <Field label={t("ord.title")} error={showErrors ? errors.title : null}>
          <Input
            data-testid="order-title"
            placeholder={t("ord.titlePlaceholder")}
            value={form.title}
            maxLength={TITLE_MAX}
            onChange={(v) => update({ title: v })}
          />
        </Field>
        <Field label={t("ord.category")} error={showErrors ? errors.category : null}>
          <div className="ord-cat-pick" role="radiogroup" aria-label={t("ord.category")}>
            {ORDER_CATEGORIES.map((c: OrderCategory) => (
              // biome-ignore lint/a11y/useSemanticElements: a category chip reads better than a native radio
              <button
                key={c}
                type="button"
                role="radio"
                aria-checked={form.category === c}
                className={`ord-chip${form.category === c ? " ord-chip-on" : ""}`}
                data-testid={`order-category-${c}`}
                onClick={() => update({ category: c })}
              >
                {t(CATEGORY_LABEL[c])}
              </button>
            ))}
          </div>
        </Field>
        <Field label={t("ord.brief")} error={showErrors ? errors.brief : null}>
          <TextArea
            data-testid="order-brief"
            placeholder={t("ord.briefPlaceholder")}
            value={form.brief}
            maxLength={BRIEF_MAX}
            showCount
            autoSize={{ minRows: 4, maxRows: 10 }}
            onChange={(v) => update({ brief: v })}
          />
        </Field>
      </section>

      <section className="pay-section">
        <Field label={t("ord.budget")} error={showErrors ? errors.budget : null}>
          <div className="ord-budget-row">
            <Input
              className="ord-budget-input"
              data-testid="order-budget"
              inputMode="decimal"
              placeholder={t("ord.budgetPlaceholder", { min: ORDER_MIN_BUDGET })}
              value={form.budget}
              onChange={(v) => update({ budget: sanitizeAmountInput(v) })}
            />
            <span className="ord-budget-unit">{t("ord.coinsUnit")}</span>
          </div>
          <div className="ord-chips">
            {BUDGET_CHIPS.map((c) => (
              <button
                key={c}
                type="button"
                className={`ord-chip${form.budget === c ? " ord-chip-on" : ""}`}
                data-testid={`order-budget-chip-${c}`}
                onClick={() => update({ budget: c })}
              >
                {c}
              </button>
            ))}
          </div>
        </Field>
        {short && available !== null && budgetValue && (
          <div className="ord-short" data-testid="order-create-short">
            <ExclamationCircleFill />
            <span>
              {t("ord.shortLine", {
                available: formatCoins(available),
                missing: coinsMinus(budgetValue, available),
              })}
            </span>
            <Button
              size="mini"
              shape="rounded"
              color="warning"
              data-testid="order-create-recharge"
              onClick={goRecharge}
            >
              {t("ord.goRecharge")}
            </Button>
          </div>
        )}
        <Field label={t("ord.deadline")} error={showErrors ? errors.deadline : null}>
          <button
            type="button"
            className="ord-deadline"
            data-testid="order-deadline"
            onClick={() => setPicking(true)}
          >
            <span data-testid="order-deadline-value">{formatDateTime(form.deadline, lang)}</span>
            <span className="ord-deadline-left">
              {timeLeft(form.deadline, now, t)}
              <RightOutline />
            </span>
          </button>
        </Field>
        <DatePicker
          visible={picking}
          title={t("ord.deadline")}
          precision="minute"
          min={bounds.min}
          max={bounds.max}
          value={Number.isFinite(deadlineAt) ? new Date(deadlineAt) : bounds.min}
          onClose={() => setPicking(false)}
          onConfirm={(d) => update({ deadline: d.toISOString() })}
          renderLabel={(type, value) => {
            switch (type) {
              case "year":
                return t("ord.pickYear", { n: value });
              case "month":
                return t("ord.pickMonth", { n: value });
              case "day":
                return t("ord.pickDay", { n: value });
              case "hour":
                return t("ord.pickHour", { n: String(value).padStart(2, "0") });
              case "minute":
                return t("ord.pickMinute", { n: String(value).padStart(2, "0") });
              default:
                return String(value);
            }
          }}
        />
      </section>

      <section className="ord-escrow" data-testid="order-escrow-note">
        <LockOutline className="ord-escrow-icon" />
        <div>
          <b>{t("ord.escrowTitle")}</b>
          <p>{t("ord.escrowText", { payout: 100 - feePercent, fee: feePercent })}</p>
          {split && (
            <p className="ord-escrow-split" data-testid="order-escrow-split">
              {t("ord.escrowSplit", { payout: split.payout, fee: split.fee, days: freezeDays })}
            </p>
          )}
        </div>
      </section>

      {serverError && (
        <div className="ord-error" data-testid="order-create-error">
          {serverError}
        </div>
      )}

      <div className="ord-bar-spacer" />
      <div className="ord-bar ord-bar-split">
        <div className="ord-bar-total">
          <span>{t("ord.escrowTotal")}</span>
          <b data-testid="order-create-total">{budgetValue ? formatCoins(budgetValue) : "—"}</b>
          <span>{t("ord.coinsUnit")}</span>
        </div>
        <Button
          color="primary"
          shape="rounded"
          className="ord-bar-submit"
          data-testid="order-create-submit"
          loading={busy}
          disabled={busy}
          onClick={() => void submit()}
        >
          {t("ord.publishSubmit")}
        </Button>
        <SafeArea position="bottom" />
      </div>
    </div>
  );
}

function Field({ label, error, children }: { label: string; error: string | null; children: ReactNode }) {
  return (
    <div className={`ord-field${error ? " ord-field-bad" : ""}`}>
      <div className="ord-field-label">{label}</div>
      {children}
      {error && <div className="ord-field-error">{error}</div>}
    </div>
  );
}

export function ConfirmRow({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="ord-confirm-row">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
