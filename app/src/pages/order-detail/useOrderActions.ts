import type { Order, OrderApplication } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { Toast } from "antd-mobile";
import { useState } from "react";
import { ApiError, client, errorMessage, newIdempotencyKey } from "../../api.ts";
import { useI18n } from "../../i18n.tsx";
import { formatCoins } from "../../money.ts";
import { afterOrderChange, useOrderTerms } from "../../orders.tsx";
import { displayNickname } from "../../userDisplay.ts";
import { confirmAccept, confirmAward, confirmCancelDecision, confirmCancelNow } from "./dialogs.tsx";

export type OrderActions = ReturnType<typeof useOrderActions>;

/**
 * What the viewer can do to an order, each asking to confirm first where it moves coins. `busy` names the
 * action under way (`award-<user id>`, `cancel`, `accept`, `approve`, `reject`, `dispute`), null if none.
 */
export function useOrderActions(order: Order, refetch: () => Promise<unknown>) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const terms = useOrderTerms();
  const [busy, setBusy] = useState<string | null>(null);
  const orderId = order.order_id;

  /** Runs one action: its result replaces the order; an error shows the server's words and reloads. */
  const run = async (name: string, action: () => Promise<Order>, done: string) => {
    setBusy(name);
    try {
      const next = await action();
      await afterOrderChange(queryClient, next);
      Toast.show({ icon: "success", content: done });
      return true;
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
      if (err instanceof ApiError && err.code !== 0) void refetch();
      return false;
    } finally {
      setBusy(null);
    }
  };

  const award = async (app: OrderApplication) => {
    const name = displayNickname(app.applicant.nickname, lang);
    if (!(await confirmAward(t, name))) return;
    const creatorId = app.applicant.user_id;
    await run(
      `award-${creatorId}`,
      () => client.awardOrder(orderId, creatorId),
      t("ord.awardDone", { name }),
    );
  };

  const cancelNow = async () => {
    if (!(await confirmCancelNow(t, order))) return;
    await run(
      "cancel",
      () => client.requestOrderCancel(orderId, newIdempotencyKey()),
      t("ord.cancelledRefunded", { budget: formatCoins(order.budget_coins) }),
    );
  };

  const accept = async () => {
    if (!(await confirmAccept(t, order, terms))) return;
    await run("accept", () => client.acceptOrder(orderId, newIdempotencyKey()), t("ord.acceptDone"));
  };

  const decideCancel = async (decision: "approve" | "reject") => {
    if (!(await confirmCancelDecision(t, order, decision))) return;
    await run(
      decision,
      () => client.decideOrderCancel(orderId, decision, newIdempotencyKey()),
      decision === "approve" ? t("ord.approveDone") : t("ord.rejectDone"),
    );
  };

  /** 申请取消 after award (the creator decides); the reason is optional. True when it went through. */
  const requestCancel = (reason: string) =>
    run(
      "cancel",
      () => client.requestOrderCancel(orderId, newIdempotencyKey(), reason || undefined),
      t("ord.cancelRequested"),
    );

  /** 发起争议 on a delivery. True when it went through. */
  const dispute = (reason: string) =>
    run("dispute", () => client.disputeOrder(orderId, reason), t("ord.disputeDone"));

  return { busy, award, cancelNow, accept, decideCancel, requestCancel, dispute };
}
