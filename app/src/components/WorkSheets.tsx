import type { Work } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Dialog, DotLoading, Popup, Toast } from "antd-mobile";
import { CheckCircleFill, LockOutline, UnlockOutline } from "antd-mobile-icons";
import { useState } from "react";
import { client, errorMessage, newIdempotencyKey, tokenStore } from "../api.ts";
import { patchWork, setCreditsBalance, useRequireLogin } from "../community.tsx";
import {
  copyText,
  isInsufficientCredits,
  isRetryableFailure,
  useInsufficientCreditsDialog,
} from "../generation.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";

type TipAmount = 10 | 20 | 50 | 100;
/**
 * SPEC §1's amounts (the server refuses any other). Not imported from @skyriff/contracts: a value import
 * pulls zod into the bundle, whose eval probe the app's CSP reports.
 */
const TIP_AMOUNTS: readonly TipAmount[] = [10, 20, 50, 100];

function useBalance(enabled: boolean) {
  return useQuery({
    queryKey: ["wallets"],
    queryFn: () => client.wallets(),
    enabled: enabled && tokenStore.getAccessToken() !== null,
    staleTime: 0,
  });
}

/**
 * Runs a confirmed spend: the same Idempotency-Key when the user retries after a network failure (never
 * charged twice), the 积分不足 dialog, the server's message otherwise. Resolves with the result or null.
 */
function useSpend() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const showInsufficient = useInsufficientCreditsDialog();
  return async function run<T>(
    call: (key: string) => Promise<T>,
    key = newIdempotencyKey(),
  ): Promise<T | null> {
    try {
      return await call(key);
    } catch (err) {
      if (isRetryableFailure(err)) {
        const again = await Dialog.confirm({
          content: t("feed.spendRetry"),
          confirmText: t("common.retry"),
          cancelText: t("common.cancel"),
        });
        return again ? run(call, key) : null;
      }
      if (isInsufficientCredits(err)) {
        void queryClient.invalidateQueries({ queryKey: ["wallets"] });
        await showInsufficient(err.data as { required?: unknown; current_balance?: unknown } | null);
        return null;
      }
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
      return null;
    }
  };
}

interface ConfirmKeys {
  title: MessageKey;
  content: MessageKey;
  contentShort: MessageKey;
  ok: MessageKey;
}
const TIP_CONFIRM: ConfirmKeys = {
  title: "tip.confirmTitle",
  content: "tip.confirmContent",
  contentShort: "tip.confirmContentShort",
  ok: "tip.confirmOk",
};
const PROMPT_CONFIRM: ConfirmKeys = {
  title: "prompt.confirmTitle",
  content: "prompt.confirmContent",
  contentShort: "prompt.confirmContentShort",
  ok: "prompt.confirmOk",
};

/** Every spend states its cost (and the balance after it, when known) and asks to confirm. */
function confirmSpend(
  t: ReturnType<typeof useI18n>["t"],
  keys: ConfirmKeys,
  cost: number,
  balance: number | undefined,
  testId: string,
): Promise<boolean> {
  const after = balance !== undefined ? balance - cost : undefined;
  return Dialog.confirm({
    title: t(keys.title),
    content: (
      <div className="confirm-cost" data-testid={testId}>
        {after !== undefined
          ? t(keys.content, { cost: formatCredits(cost), after: formatCredits(after) })
          : t(keys.contentShort, { cost: formatCredits(cost) })}
      </div>
    ),
    confirmText: t(keys.ok),
    cancelText: t("common.cancel"),
  });
}

/** 打赏并收藏: 10 / 20 / 50 / 100 credits, the balance, a confirmation of the cost. */
export function TipSheet({ work, visible, onClose }: { work: Work; visible: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const wallets = useBalance(visible);
  const run = useSpend();
  const [amount, setAmount] = useState<TipAmount>(10);
  const [busy, setBusy] = useState(false);
  const balance = wallets.data?.credits.balance;
  const short = balance !== undefined && balance < amount;

  const submit = async () => {
    if (!(await confirmSpend(t, TIP_CONFIRM, amount, balance, "tip-confirm"))) return;
    setBusy(true);
    const res = await run((key) => client.tipAndFavorite(work.work_id, amount, key));
    setBusy(false);
    if (!res) return;
    patchWork(queryClient, work.work_id, (w) => ({
      ...w,
      viewer: { ...w.viewer, is_favorited: true },
      stats: { ...w.stats, tip_count: res.tip_count, favorite_count: res.favorite_count },
    }));
    setCreditsBalance(queryClient, res.balance_after);
    void queryClient.invalidateQueries({ queryKey: ["favorites"] });
    void queryClient.invalidateQueries({ queryKey: ["ranking"] });
    onClose();
    Toast.show({
      icon: "success",
      content: (
        <span data-testid="tip-toast">
          {t("tip.done", {
            cost: formatCredits(res.amount_credits),
            balance: formatCredits(res.balance_after),
          })}
        </span>
      ),
    });
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
      <div className="wk-sheet-body" data-testid="tip-sheet">
        <div className="wk-sheet-title">{t("tip.title")}</div>
        <div className="wk-sheet-sub">{t("tip.subtitle", { name: work.creator.nickname })}</div>
        <div className="wk-tip-grid">
          {TIP_AMOUNTS.map((a) => (
            <button
              key={a}
              type="button"
              aria-pressed={a === amount}
              className={`wk-tip-option${a === amount ? " wk-tip-option-on" : ""}`}
              data-testid={`tip-amount-${a}`}
              onClick={() => setAmount(a)}
            >
              <b>{formatCredits(a)}</b>
              <span>{t("tip.credits")}</span>
            </button>
          ))}
        </div>
        <div className="wk-sheet-balance">
          <span>
            {t("tip.balance")}{" "}
            <b data-testid="tip-balance">{balance !== undefined ? formatCredits(balance) : "—"}</b>
          </span>
          {work.viewer.is_favorited ? (
            <span className="wk-sheet-note">
              <CheckCircleFill /> {t("tip.alreadyFavorited")}
            </span>
          ) : (
            <span className="wk-sheet-note">{t("tip.willFavorite")}</span>
          )}
        </div>
        {short && (
          <div className="wk-sheet-warn" data-testid="tip-short">
            {t("tip.short")}
          </div>
        )}
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          loading={busy}
          disabled={busy || wallets.isPending}
          data-testid="tip-submit"
          onClick={() => void submit()}
        >
          {t("tip.submit", { cost: formatCredits(amount) })}
        </Button>
      </div>
    </Popup>
  );
}

/** 提示词: a locked prompt's price and 解锁 (cost confirmed), or the text with 复制. */
export function PromptSheet({
  work,
  visible,
  onClose,
}: {
  work: Work;
  visible: boolean;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const requireLogin = useRequireLogin();
  const loggedIn = tokenStore.getAccessToken() !== null || tokenStore.getRefreshToken() !== null;
  const free = !work.is_prompt_locked || work.viewer.is_prompt_unlocked || work.viewer.is_own;
  const prompt = useQuery({
    queryKey: ["workPrompt", work.work_id],
    queryFn: () => client.workPrompt(work.work_id),
    enabled: visible && (loggedIn || free),
    staleTime: 60_000,
  });
  const wallets = useBalance(visible && loggedIn && !free);
  const run = useSpend();
  const [busy, setBusy] = useState(false);
  const balance = wallets.data?.credits.balance;
  const view = prompt.data;
  const price = view?.locked ? view.price_credits : work.prompt_price_credits;

  const unlock = async () => {
    if (!(await requireLogin())) return;
    if (!(await confirmSpend(t, PROMPT_CONFIRM, price, balance, "prompt-confirm"))) return;
    setBusy(true);
    const res = await run((key) => client.unlockPrompt(work.work_id, key));
    setBusy(false);
    if (!res) return;
    queryClient.setQueryData(["workPrompt", work.work_id], { locked: false, prompt_text: res.prompt_text });
    patchWork(queryClient, work.work_id, (w) => ({
      ...w,
      viewer: { ...w.viewer, is_prompt_unlocked: true },
    }));
    if (res.cost_credits > 0) setCreditsBalance(queryClient, res.balance_after);
    Toast.show({
      icon: "success",
      content: (
        <span data-testid="prompt-unlocked-toast">
          {res.cost_credits > 0
            ? t("prompt.unlocked", {
                cost: formatCredits(res.cost_credits),
                balance: formatCredits(res.balance_after),
              })
            : t("prompt.unlockedFree")}
        </span>
      ),
    });
  };

  const copy = async (text: string) => {
    const ok = await copyText(text);
    Toast.show(
      ok
        ? { icon: "success", content: <span data-testid="copy-toast">{t("player.copied")}</span> }
        : { content: <span data-testid="copy-toast">{t("player.copyFailed")}</span> },
    );
  };

  let body: React.ReactNode;
  if (loggedIn && prompt.isPending) {
    body = (
      <div className="center-block muted">
        <DotLoading />
      </div>
    );
  } else if (prompt.isError) {
    body = (
      <div className="center-block">
        <Button size="small" onClick={() => void prompt.refetch()}>
          {t("common.loadFailedRetry")}
        </Button>
      </div>
    );
  } else if (view && !view.locked) {
    body = (
      <>
        <div className="wk-prompt-state">
          <UnlockOutline />{" "}
          {work.is_prompt_locked && !work.viewer.is_own ? t("prompt.isUnlocked") : t("prompt.isPublic")}
        </div>
        <p className="wk-prompt-text" data-testid="prompt-text" data-user-content>
          {view.prompt_text}
        </p>
        <Button
          block
          shape="rounded"
          size="large"
          color="primary"
          fill="outline"
          data-testid="prompt-copy"
          onClick={() => void copy(view.prompt_text)}
        >
          {t("prompt.copy")}
        </Button>
      </>
    );
  } else {
    body = (
      <>
        <div className="wk-prompt-locked" data-testid="prompt-locked">
          <span className="wk-prompt-lock-icon">
            <LockOutline />
          </span>
          <b>{t("prompt.lockedTitle")}</b>
          <span data-testid="prompt-price">{t("prompt.price", { cost: formatCredits(price) })}</span>
        </div>
        {loggedIn && (
          <div className="wk-sheet-balance">
            <span>
              {t("tip.balance")}{" "}
              <b data-testid="prompt-balance">{balance !== undefined ? formatCredits(balance) : "—"}</b>
            </span>
            <span className="wk-sheet-note">{t("prompt.once")}</span>
          </div>
        )}
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          loading={busy}
          disabled={busy}
          data-testid="prompt-unlock"
          onClick={() => void unlock()}
        >
          {loggedIn ? t("prompt.unlock", { cost: formatCredits(price) }) : t("prompt.loginToUnlock")}
        </Button>
      </>
    );
  }

  return (
    <Popup
      visible={visible}
      onMaskClick={onClose}
      onClose={onClose}
      bodyClassName="wk-sheet"
      destroyOnClose
      showCloseButton
    >
      <div className="wk-sheet-body" data-testid="prompt-sheet">
        <div className="wk-sheet-title">{t("prompt.title")}</div>
        <div className="wk-sheet-sub" data-user-content>
          {work.title}
        </div>
        {body}
      </div>
    </Popup>
  );
}
