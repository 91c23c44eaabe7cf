import type { Order } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Popup, TextArea, Toast } from "antd-mobile";
import { useState } from "react";
import { client, errorMessage } from "../../api.ts";
import { useI18n } from "../../i18n.tsx";
import { formatCoins } from "../../money.ts";
import { afterOrderChange, DISPUTE_MAX, DISPUTE_MIN, PROPOSAL_MAX, PROPOSAL_MIN } from "../../orders.tsx";
import { DeliverSheet } from "./DeliverSheet.tsx";
import type { OrderSheet } from "./OrderActionBar.tsx";
import type { OrderActions } from "./useOrderActions.ts";

/** The sheets of 商单详情, the one in `open` shown: 投稿, 交付作品, 发起争议, 申请取消. */
export function OrderSheets({
  order,
  open,
  onClose,
  actions,
}: {
  order: Order;
  open: OrderSheet | null;
  onClose: () => void;
  actions: OrderActions;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const closeWith = async (next: Order) => {
    onClose();
    await afterOrderChange(queryClient, next);
  };
  const closeIfDone = (ok: boolean) => {
    if (ok) onClose();
  };
  return (
    <>
      <ApplySheet order={order} visible={open === "apply"} onClose={onClose} onDone={closeWith} />
      <ReasonSheet
        testId="order-dispute-sheet"
        visible={open === "dispute"}
        onClose={onClose}
        title={t("ord.disputeTitle")}
        hint={t("ord.disputeHint")}
        placeholder={t("ord.disputePlaceholder")}
        submitText={t("ord.disputeSubmit")}
        min={DISPUTE_MIN}
        max={DISPUTE_MAX}
        submit={async (reason) => closeIfDone(await actions.dispute(reason))}
      />
      <ReasonSheet
        testId="order-cancel-sheet"
        visible={open === "cancel"}
        onClose={onClose}
        title={t("ord.cancelRequestTitle")}
        hint={t("ord.cancelRequestHint", { budget: formatCoins(order.budget_coins) })}
        placeholder={t("ord.cancelReasonPlaceholder")}
        submitText={t("ord.cancelRequestSubmit")}
        min={0}
        max={200}
        submit={async (reason) => closeIfDone(await actions.requestCancel(reason))}
      />
      {order.viewer_role === "awarded" && (
        <DeliverSheet order={order} visible={open === "deliver"} onClose={onClose} onDone={closeWith} />
      )}
    </>
  );
}

function ApplySheet({
  order,
  visible,
  onClose,
  onDone,
}: {
  order: Order;
  visible: boolean;
  onClose: () => void;
  onDone: (o: Order) => Promise<void>;
}) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (text.trim().length < PROPOSAL_MIN) {
      setError(t("ord.errProposal", { min: PROPOSAL_MIN }));
      return;
    }
    setBusy(true);
    try {
      const next = await client.applyToOrder(order.order_id, text.trim());
      setText("");
      setError(null);
      await onDone(next);
      Toast.show({ icon: "success", content: t("ord.applyDone") });
    } catch (err) {
      setError(errorMessage(err, t("common.networkError")));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popup visible={visible} onMaskClick={onClose} onClose={onClose} bodyClassName="wk-sheet" showCloseButton>
      <div className="wk-sheet-body ord-sheet" data-testid="order-apply-sheet">
        <div className="wk-sheet-title">{t("ord.applyTitle")}</div>
        <div className="wk-sheet-sub" data-user-content>
          {order.title}
        </div>
        <div className="ord-sheet-hint">{t("ord.applyHint")}</div>
        <TextArea
          className="ord-sheet-text"
          data-testid="order-proposal"
          placeholder={t("ord.proposalPlaceholder")}
          value={text}
          maxLength={PROPOSAL_MAX}
          showCount
          autoSize={{ minRows: 4, maxRows: 8 }}
          onChange={(v) => {
            setText(v);
            setError(null);
          }}
        />
        {error && (
          <div className="ord-field-error" data-testid="order-apply-error">
            {error}
          </div>
        )}
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          className="ord-sheet-submit"
          data-testid="order-apply-submit"
          loading={busy}
          disabled={busy}
          onClick={() => void submit()}
        >
          {t("ord.applySubmit")}
        </Button>
      </div>
    </Popup>
  );
}

/** A reason typed in a sheet: 发起争议 (required) or 申请取消 (optional). */
function ReasonSheet({
  testId,
  visible,
  onClose,
  title,
  hint,
  placeholder,
  submitText,
  min,
  max,
  submit,
}: {
  testId: string;
  visible: boolean;
  onClose: () => void;
  title: string;
  hint: string;
  placeholder: string;
  submitText: string;
  min: number;
  max: number;
  submit: (reason: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    if (text.trim().length < min) {
      setError(t("ord.errReason", { min }));
      return;
    }
    setBusy(true);
    try {
      await submit(text.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popup visible={visible} onMaskClick={onClose} onClose={onClose} bodyClassName="wk-sheet" showCloseButton>
      <div className="wk-sheet-body ord-sheet" data-testid={testId}>
        <div className="wk-sheet-title">{title}</div>
        <div className="ord-sheet-hint">{hint}</div>
        <TextArea
          className="ord-sheet-text"
          data-testid={`${testId}-text`}
          placeholder={placeholder}
          value={text}
          maxLength={max}
          showCount
          autoSize={{ minRows: 3, maxRows: 6 }}
          onChange={(v) => {
            setText(v);
            setError(null);
          }}
        />
        {error && <div className="ord-field-error">{error}</div>}
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          className="ord-sheet-submit"
          data-testid={`${testId}-submit`}
          loading={busy}
          disabled={busy}
          onClick={() => void go()}
        >
          {submitText}
        </Button>
      </div>
    </Popup>
  );
}
