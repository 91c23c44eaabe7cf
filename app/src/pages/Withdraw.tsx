import type { Withdrawal, WithdrawalMethod, WithdrawalRules } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Dialog, DotLoading, Input, PullToRefresh, Tag } from "antd-mobile";
import {
  AlipaySquareFill,
  BankcardOutline,
  CheckCircleFill,
  ExclamationCircleFill,
  PhoneFill,
} from "antd-mobile-icons";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError, client, errorMessage, newIdempotencyKey } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { PageFooter } from "../components/PageFooter.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCoins } from "../money.ts";
import { useCursorPages } from "../paging.ts";
import { formatCny, formatDateTime } from "../payments.tsx";
import {
  ALIPAY_ACCOUNT_RE,
  coinsToFen,
  fenToCny,
  invalidateAfterWithdrawal,
  maskAccount,
  maskName,
  PAYEE_NAME_RE,
  parseFen,
  sanitizeAmountInput,
  WITHDRAWAL_METHOD_LABEL,
  WITHDRAWAL_STATUS,
} from "../rewards.tsx";

const METHODS: WithdrawalMethod[] = ["bank_card", "alipay", "wechat"];

type Form = { amount: string; method: WithdrawalMethod; name: string; account: string; bank: string };

/**
 * `/me/withdraw` — 提现 (SPEC §5): the withdrawable coins, the amount with the rules, the method and the
 * payee, a confirmation with the masked account, then the request's state; below, 提现记录.
 */
export function WithdrawPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const rules = useQuery({
    queryKey: ["withdrawals", "rules"],
    queryFn: () => client.withdrawalRules(),
    staleTime: 0,
  });
  const queryClient = useQueryClient();
  const [done, setDone] = useState<Withdrawal | null>(null);
  const historyRef = useRef<HTMLDivElement>(null);

  return (
    <div className="page wd-page" data-testid="withdraw-page">
      <PageHeader
        title={t("wd.title")}
        fallback="/me"
        right={
          <button
            type="button"
            className="link-button"
            data-testid="withdraw-earnings-link"
            onClick={() => navigate("/me/earnings")}
          >
            {t("wd.earnings")}
          </button>
        }
      />
      <PullToRefresh onRefresh={() => queryClient.invalidateQueries({ queryKey: ["withdrawals"] })}>
        <section className="wd-hero">
          <div className="wd-hero-label">{t("wd.available")}</div>
          <div className="wd-hero-value" data-testid="withdraw-available">
            {rules.data ? formatCoins(rules.data.coins_available) : "—"}
          </div>
          <div className="wd-hero-sub">
            {t("wd.rate")} ·{" "}
            {rules.data && parseFen(rules.data.fee_cny) !== 0n
              ? t("wd.fee", { fee: formatCny(rules.data.fee_cny) })
              : t("wd.feeFree")}
          </div>
        </section>

        {rules.isPending ? (
          <div className="center-block muted">
            {t("common.loading")}
            <DotLoading />
          </div>
        ) : rules.isError ? (
          <div className="center-block">
            <Button size="small" onClick={() => void rules.refetch()}>
              {t("common.loadFailedRetry")}
            </Button>
          </div>
        ) : done ? (
          <Success
            withdrawal={done}
            onDone={() => {
              setDone(null);
              historyRef.current?.scrollIntoView({ behavior: "smooth", block: "start" });
            }}
          />
        ) : (
          <WithdrawForm rules={rules.data} onDone={setDone} />
        )}

        <div ref={historyRef}>
          <History />
        </div>
      </PullToRefresh>
    </div>
  );
}

function WithdrawForm({ rules, onDone }: { rules: WithdrawalRules; onDone: (w: Withdrawal) => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const methods = METHODS.filter((m) => rules.methods.includes(m));
  const firstUsable = methods.find((m) => m !== "wechat" || rules.wechat_bound) ?? "bank_card";
  const [form, setForm] = useState<Form>({
    amount: "",
    method: firstUsable,
    name: "",
    account: "",
    bank: "",
  });
  const [showErrors, setShowErrors] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per request: kept when the network failed (a retry must not withdraw twice), new otherwise.
  const keyRef = useRef<string | null>(null);

  const min = parseFen(rules.min_cny) ?? 10_000n;
  const max = parseFen(rules.max_cny) ?? 500_000n;
  const availableFen = coinsToFen(rules.coins_available);
  const dailyLeft = rules.daily_count_max - rules.used_today;
  const locked = !rules.phone_bound;

  const update = (patch: Partial<Form>) => {
    keyRef.current = null;
    setServerError(null);
    setForm((f) => ({ ...f, ...patch }));
  };

  const amountFen = parseFen(form.amount);
  const amountError =
    form.amount === ""
      ? null
      : amountFen === null
        ? t("wd.errAmountFormat")
        : amountFen < min
          ? t("wd.errMin", { min: formatCny(rules.min_cny, { short: true }) })
          : amountFen > max
            ? t("wd.errMax", { max: formatCny(rules.max_cny, { short: true }) })
            : amountFen > availableFen
              ? t("wd.errAvailable", { available: formatCoins(rules.coins_available) })
              : null;

  const accountDigits = form.account.replace(/\s+/g, "");
  const fieldErrors = {
    name: PAYEE_NAME_RE.test(form.name.trim()) ? null : t("wd.errName"),
    account:
      form.method === "bank_card"
        ? /^\d{12,19}$/.test(accountDigits)
          ? null
          : t("wd.errCard")
        : form.method === "alipay"
          ? ALIPAY_ACCOUNT_RE.test(form.account.trim())
            ? null
            : t("wd.errAlipay")
          : accountDigits === ""
            ? t("wd.errWechat")
            : null,
    bank: form.method === "bank_card" && form.bank.trim() === "" ? t("wd.errBank") : null,
  };

  const all = () => {
    const fen = availableFen > max ? max : availableFen;
    update({ amount: fenToCny(fen) });
  };

  const submit = async () => {
    setShowErrors(true);
    if (locked) return;
    if (dailyLeft <= 0) {
      setServerError(t("wd.errDaily"));
      return;
    }
    if (amountFen === null || amountError) {
      if (form.amount === "")
        setServerError(t("wd.errMin", { min: formatCny(rules.min_cny, { short: true }) }));
      return;
    }
    if (fieldErrors.name || fieldErrors.account || fieldErrors.bank) return;
    const amount = fenToCny(amountFen);
    const account = form.method === "bank_card" ? accountDigits : form.account.trim();
    const ok = await Dialog.confirm({
      title: t("wd.confirmTitle"),
      content: (
        <dl className="wd-confirm" data-testid="withdraw-confirm">
          <Row
            label={t("wd.confirmAmount")}
            value={<b data-testid="withdraw-confirm-amount">{formatCny(amount)}</b>}
          />
          <Row label={t("wd.confirmCoins")} value={formatCoins(amount)} />
          <Row
            label={t("wd.confirmTo")}
            value={
              <span data-testid="withdraw-confirm-account">
                {t(WITHDRAWAL_METHOD_LABEL[form.method])}
                {form.method === "bank_card" && form.bank.trim() ? (
                  <>
                    {" · "}
                    <span data-user-content>{form.bank.trim()}</span>
                  </>
                ) : null}{" "}
                {maskAccount(form.method, account)}
              </span>
            }
          />
          <Row label={t("wd.confirmName")} value={<span data-user-content>{maskName(form.name)}</span>} />
          <Row
            label={t("wd.confirmFee")}
            value={parseFen(rules.fee_cny) === 0n ? t("wd.feeFree") : formatCny(rules.fee_cny)}
          />
        </dl>
      ),
      confirmText: t("wd.confirmOk"),
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    setBusy(true);
    keyRef.current ??= newIdempotencyKey();
    try {
      const res = await client.createWithdrawal(
        {
          amount_cny: amount,
          method: form.method,
          account_info: {
            name: form.name.trim(),
            account,
            ...(form.method === "bank_card" ? { bank_name: form.bank.trim() } : {}),
          },
        },
        keyRef.current,
      );
      keyRef.current = null;
      queryClient.setQueryData<WithdrawalRules>(["withdrawals", "rules"], (r) =>
        r ? { ...r, coins_available: res.coins_available, used_today: r.used_today + 1 } : r,
      );
      void invalidateAfterWithdrawal(queryClient);
      onDone(res.withdrawal);
    } catch (err) {
      if (err instanceof ApiError && err.code !== 0) {
        keyRef.current = null;
        void queryClient.invalidateQueries({ queryKey: ["withdrawals", "rules"] });
      }
      setServerError(errorMessage(err, t("common.networkError")));
    } finally {
      setBusy(false);
    }
  };

  const ruleLine = [
    t("wd.ruleRange", {
      min: formatCny(rules.min_cny, { short: true }),
      max: formatCny(rules.max_cny, { short: true }),
    }),
    t("wd.ruleDaily", { count: rules.daily_count_max }),
    parseFen(rules.fee_cny) === 0n ? t("wd.feeFree") : t("wd.fee", { fee: formatCny(rules.fee_cny) }),
    t("wd.rate"),
  ];

  return (
    <>
      {locked && (
        <section className="wd-phone" data-testid="withdraw-phone-required">
          <PhoneFill className="wd-phone-icon" />
          <div className="wd-phone-text">
            <b>{t("wd.phoneTitle")}</b>
            <span>{t("wd.phoneHint")}</span>
          </div>
          <Button
            size="small"
            shape="rounded"
            color="warning"
            data-testid="withdraw-bind-phone"
            onClick={() => navigate("/me/bind-phone", { state: { from: "/me/withdraw" } })}
          >
            {t("wd.phoneGo")}
          </Button>
        </section>
      )}

      <section className="pay-section wd-amount-section">
        <div className="pay-section-title">{t("wd.amount")}</div>
        <div className={`wd-amount-row${showErrors && amountError ? " wd-amount-bad" : ""}`}>
          <span className="wd-yuan">¥</span>
          <Input
            className="wd-amount-input"
            data-testid="withdraw-amount"
            inputMode="decimal"
            placeholder={t("wd.amountPlaceholder")}
            value={form.amount}
            disabled={locked}
            onChange={(v) => update({ amount: sanitizeAmountInput(v) })}
            onBlur={() => form.amount !== "" && setShowErrors(true)}
          />
        </div>
        <div className="wd-chips">
          <button
            type="button"
            className={`wd-chip${amountFen === min ? " wd-chip-on" : ""}`}
            data-testid="withdraw-chip-min"
            disabled={locked}
            onClick={() => update({ amount: rules.min_cny })}
          >
            {formatCny(rules.min_cny, { short: true })}
          </button>
          <button
            type="button"
            className="wd-chip"
            data-testid="withdraw-chip-all"
            disabled={locked}
            onClick={all}
          >
            {t("wd.all")} {formatCny(fenToCny(availableFen > max ? max : availableFen))}
          </button>
        </div>
        {amountError && (showErrors || amountFen === null) ? (
          <div className="wd-field-error" data-testid="withdraw-amount-error">
            {amountError}
          </div>
        ) : availableFen < min ? (
          <div className="wd-low" data-testid="withdraw-low">
            {t("wd.lowBalance", { min: formatCny(rules.min_cny, { short: true }) })}
          </div>
        ) : null}
        <div className="wd-rules" data-testid="withdraw-rules">
          {ruleLine.join(" · ")}
        </div>
        <div className="wd-used" data-testid="withdraw-used">
          {t("wd.usedToday", { used: rules.used_today })}
          {dailyLeft <= 0 && <span className="wd-used-out"> · {t("wd.errDaily")}</span>}
        </div>
      </section>

      <section className="pay-section">
        <div className="pay-section-title">{t("wd.method")}</div>
        <div className="wd-methods" role="radiogroup" aria-label={t("wd.method")}>
          {methods.map((m) => {
            const disabled = locked || (m === "wechat" && !rules.wechat_bound);
            return (
              // biome-ignore lint/a11y/useSemanticElements: a method tile is a large tappable card, not a native radio
              <button
                key={m}
                type="button"
                role="radio"
                aria-checked={form.method === m}
                aria-disabled={disabled}
                disabled={disabled}
                className={`wd-method${form.method === m ? " wd-method-on" : ""}`}
                data-testid={`withdraw-method-${m}`}
                onClick={() => update({ method: m, account: "" })}
              >
                <span className={`wd-method-icon wd-method-icon-${m}`} aria-hidden>
                  {m === "bank_card" ? (
                    <BankcardOutline />
                  ) : m === "alipay" ? (
                    <AlipaySquareFill />
                  ) : (
                    <WechatGlyph />
                  )}
                </span>
                <span className="wd-method-name">{t(WITHDRAWAL_METHOD_LABEL[m])}</span>
                {m === "wechat" && !rules.wechat_bound && (
                  <span className="wd-method-hint" data-testid="withdraw-wechat-hint">
                    {t("wd.wechatUnbound")}
                  </span>
                )}
              </button>
            );
          })}
        </div>
      </section>

      <section className="pay-section wd-account">
        <div className="pay-section-title">{t("wd.account")}</div>
        <Field label={t("wd.name")} error={showErrors ? fieldErrors.name : null}>
          <Input
            data-testid="withdraw-name"
            placeholder={t("wd.namePlaceholder")}
            value={form.name}
            maxLength={40}
            autoComplete="name"
            disabled={locked}
            onChange={(v) => update({ name: v })}
          />
        </Field>
        {form.method === "bank_card" ? (
          <>
            <Field label={t("wd.cardNo")} error={showErrors ? fieldErrors.account : null}>
              <Input
                data-testid="withdraw-account"
                placeholder={t("wd.cardNoPlaceholder")}
                inputMode="numeric"
                value={form.account}
                maxLength={23}
                autoComplete="off"
                disabled={locked}
                onChange={(v) => update({ account: formatCardInput(v) })}
              />
            </Field>
            <Field label={t("wd.bankName")} error={showErrors ? fieldErrors.bank : null}>
              <Input
                data-testid="withdraw-bank"
                placeholder={t("wd.bankNamePlaceholder")}
                value={form.bank}
                maxLength={40}
                disabled={locked}
                onChange={(v) => update({ bank: v })}
              />
            </Field>
          </>
        ) : (
          <Field
            label={form.method === "alipay" ? t("wd.alipayAccount") : t("wd.wechatAccount")}
            error={showErrors ? fieldErrors.account : null}
          >
            <Input
              data-testid="withdraw-account"
              placeholder={form.method === "alipay" ? t("wd.alipayPlaceholder") : t("wd.wechatPlaceholder")}
              value={form.account}
              maxLength={64}
              autoComplete="off"
              disabled={locked}
              onChange={(v) => update({ account: v })}
            />
          </Field>
        )}
        <div className="wd-account-hint">{t("wd.accountHint")}</div>
      </section>

      {serverError && (
        <div className="wd-error" role="alert" data-testid="withdraw-error">
          <ExclamationCircleFill /> {serverError}
        </div>
      )}

      <div className="wd-submit">
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          data-testid="withdraw-submit"
          loading={busy}
          disabled={busy || locked}
          onClick={() => void submit()}
        >
          {amountFen !== null && !amountError
            ? `${t("wd.submit")} ${formatCny(fenToCny(amountFen))}`
            : t("wd.submit")}
        </Button>
      </div>
    </>
  );
}

/** "6222021234567890" → "6222 0212 3456 7890" while typing. */
function formatCardInput(raw: string): string {
  return raw
    .replace(/\D/g, "")
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, "$1 ");
}

function Field({ label, error, children }: { label: string; error: string | null; children: ReactNode }) {
  return (
    <div className={`wd-field${error ? " wd-field-bad" : ""}`}>
      <div className="wd-field-row">
        <span className="wd-field-label">{label}</span>
        <div className="wd-field-input">{children}</div>
      </div>
      {error && <div className="wd-field-error">{error}</div>}
    </div>
  );
}

function Row({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="wd-confirm-row">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function WechatGlyph() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="currentColor" aria-hidden>
      <path d="M9.2 4C5.2 4 2 6.7 2 10c0 1.9 1 3.6 2.7 4.7l-.7 2.1 2.5-1.3c.8.2 1.7.4 2.6.4h.4a5.6 5.6 0 0 1-.2-1.5c0-3.3 3.1-6 7-6h.4C16 5.8 12.9 4 9.2 4Zm-2.4 4.3a.9.9 0 1 1 0-1.8.9.9 0 0 1 0 1.8Zm4.8 0a.9.9 0 1 1 0-1.8.9.9 0 0 1 0 1.8ZM22 14.4c0-2.8-2.7-5-6-5s-6 2.2-6 5 2.7 5 6 5c.7 0 1.4-.1 2-.3l2 1.1-.5-1.8c1.5-1 2.5-2.4 2.5-4Zm-7.9-.8a.8.8 0 1 1 0-1.6.8.8 0 0 1 0 1.6Zm3.8 0a.8.8 0 1 1 0-1.6.8.8 0 0 1 0 1.6Z" />
    </svg>
  );
}

function Success({ withdrawal: w, onDone }: { withdrawal: Withdrawal; onDone: () => void }) {
  const { t } = useI18n();
  const status = WITHDRAWAL_STATUS[w.status] ?? WITHDRAWAL_STATUS.applied;
  return (
    <section className="wd-success" data-testid="withdraw-success">
      <CheckCircleFill className="wd-success-icon" />
      <div className="wd-success-title">{t("wd.successTitle")}</div>
      <div className="wd-success-amount" data-testid="withdraw-success-amount">
        {formatCny(w.amount_cny)}
      </div>
      <dl className="wd-confirm">
        <Row
          label={t("wd.confirmTo")}
          value={
            <span data-testid="withdraw-success-account">
              {t(WITHDRAWAL_METHOD_LABEL[w.method])}
              {w.bank_name ? (
                <>
                  {" · "}
                  <span data-user-content>{w.bank_name}</span>
                </>
              ) : null}{" "}
              {w.account_masked}
            </span>
          }
        />
        <Row label={t("wd.confirmName")} value={<span data-user-content>{w.name_masked}</span>} />
        <Row
          label={t("wd.history")}
          value={
            <Tag color={status.color} fill="outline" data-testid="withdraw-success-status">
              {t(status.label)}
            </Tag>
          }
        />
      </dl>
      <div className="wd-success-hint">{t("wd.successHint")}</div>
      <Button block shape="rounded" color="primary" data-testid="withdraw-success-done" onClick={onDone}>
        {t("wd.successDone")}
      </Button>
    </section>
  );
}

function History() {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const query = useCursorPages(["withdrawals", "list"], (cursor) => client.withdrawals(cursor), {
    // While a request is under review or being paid, its outcome is checked every 10 s.
    refetchInterval: (data) =>
      data?.pages.some((p) => p.items.some((w) => w.status === "applied" || w.status === "approved"))
        ? 10_000
        : false,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  // A review that returned coins (驳回, 打款失败) or paid them out changes the balance above.
  const states = items.map((w) => `${w.withdrawal_id}:${w.status}`).join(",");
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (!query.isSuccess) return;
    if (seen.current !== null && seen.current !== states) {
      void queryClient.invalidateQueries({ queryKey: ["withdrawals", "rules"] });
      void queryClient.invalidateQueries({ queryKey: ["wallets"] });
      void queryClient.invalidateQueries({ queryKey: ["ledger"] });
    }
    seen.current = states;
  }, [states, query.isSuccess, queryClient]);

  let body: ReactNode;
  if (query.isPending) {
    body = (
      <div className="center-block muted">
        {t("common.loading")}
        <DotLoading />
      </div>
    );
  } else if (query.isError) {
    body = (
      <div className="center-block">
        <Button size="small" onClick={() => void query.refetch()}>
          {t("common.loadFailedRetry")}
        </Button>
      </div>
    );
  } else if (items.length === 0) {
    body = (
      <EmptyState
        testId="withdrawals-empty"
        illustration="ledger"
        title={t("wd.historyEmpty")}
        description={t("wd.historyEmptyHint")}
      />
    );
  } else {
    body = (
      <>
        <ul className="wd-rows" data-testid="withdrawals-list">
          {items.map((w) => {
            const status = WITHDRAWAL_STATUS[w.status] ?? WITHDRAWAL_STATUS.applied;
            const returned = w.status === "rejected" || w.status === "failed";
            return (
              <li
                key={w.withdrawal_id}
                className="wd-row"
                data-testid="withdrawal-row"
                data-status={w.status}
                data-id={w.withdrawal_id}
              >
                <div className="wd-row-main">
                  <div className="wd-row-title" data-testid="withdrawal-account">
                    {t(WITHDRAWAL_METHOD_LABEL[w.method])}
                    {w.bank_name ? (
                      <>
                        {" · "}
                        <span data-user-content>{w.bank_name}</span>
                      </>
                    ) : null}{" "}
                    {w.account_masked}
                  </div>
                  <div className="wd-row-sub">
                    <span data-user-content>{w.name_masked}</span> · {formatDateTime(w.created_at, lang)}
                  </div>
                  {w.status === "paid" && w.finished_at && (
                    <div className="wd-row-sub">
                      {t("wd.paidAt", { time: formatDateTime(w.finished_at, lang) })}
                    </div>
                  )}
                  {returned && (
                    <div className="wd-row-reason" data-testid="withdrawal-reason">
                      {w.reason && (
                        <>
                          {t(w.status === "rejected" ? "wd.reasonRejected" : "wd.reasonFailed")}
                          {/* The reviewer's or the gateway's words, as written. */}
                          <span data-user-content>{w.reason}</span>
                          {" · "}
                        </>
                      )}
                      {t("wd.coinsReturned")}
                    </div>
                  )}
                </div>
                <div className="wd-row-side">
                  <b className={returned ? "wd-row-amount wd-row-amount-off" : "wd-row-amount"}>
                    {formatCny(w.amount_cny)}
                  </b>
                  <Tag color={status.color} fill="outline" data-testid="withdrawal-status">
                    {t(status.label)}
                  </Tag>
                </div>
              </li>
            );
          })}
        </ul>
        <PageFooter query={query} />
      </>
    );
  }

  return (
    <section className="wd-history" data-testid="withdraw-history">
      <div className="wd-history-title">{t("wd.history")}</div>
      {body}
    </section>
  );
}
