import type { Order, Work } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Button, Dialog, Popup, Toast } from "antd-mobile";
import { CheckCircleFill } from "antd-mobile-icons";
import { useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { client, errorMessage } from "../../api.ts";
import { EmptyState } from "../../components/EmptyState.tsx";
import { FirstPageState, PageFooter } from "../../components/PageFooter.tsx";
import { useI18n } from "../../i18n.tsx";
import { ORDER_AUTO_ACCEPT_DAYS } from "../../orders.tsx";
import { useCursorPages } from "../../paging.ts";

/** 交付作品: the creator's own published works with their covers; one is picked and confirmed. */
export function DeliverSheet({
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
  const [picked, setPicked] = useState<Work | null>(null);
  const [busy, setBusy] = useState(false);
  const pendingRef = useRef(false);

  const deliver = async () => {
    if (!picked || pendingRef.current) return;
    const ok = await Dialog.confirm({
      title: t("ord.deliverConfirmTitle"),
      content: (
        <div data-testid="order-deliver-confirm">
          {t("ord.deliverConfirmContent", { title: picked.title, days: ORDER_AUTO_ACCEPT_DAYS })}
        </div>
      ),
      confirmText: t("ord.deliverOk"),
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    pendingRef.current = true;
    setBusy(true);
    try {
      const next = await client.deliverOrder(order.order_id, picked.work_id);
      setPicked(null);
      await onDone(next);
      Toast.show({ icon: "success", content: t("ord.deliverDone") });
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      pendingRef.current = false;
      setBusy(false);
    }
  };

  return (
    <Popup
      visible={visible}
      onMaskClick={onClose}
      onClose={onClose}
      bodyClassName="wk-sheet ord-deliver-popup"
      showCloseButton
    >
      <div className="wk-sheet-body ord-sheet" data-testid="order-deliver-sheet">
        <div className="wk-sheet-title">{t("ord.deliverTitle")}</div>
        <div className="ord-sheet-hint">{t("ord.deliverHint")}</div>
        <WorkPicker active={visible} picked={picked} onPick={setPicked} />
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          className="ord-sheet-submit"
          data-testid="order-deliver-submit"
          loading={busy}
          disabled={busy || !picked}
          onClick={() => void deliver()}
        >
          {picked ? t("ord.deliverPicked") : t("ord.deliverPick")}
        </Button>
      </div>
    </Popup>
  );
}

/** The viewer's published works as cover tiles, one pickable; loaded while `active` (the sheet is open). */
function WorkPicker({
  active,
  picked,
  onPick,
}: {
  active: boolean;
  picked: Work | null;
  onPick: (work: Work) => void;
}) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const me = useQuery({ queryKey: ["me"], queryFn: () => client.me() });
  const userId = me.data?.user_id ?? "";
  const works = useCursorPages<Work>(
    ["orders", "works", userId],
    (cursor) => client.userWorks(userId, cursor),
    { enabled: active && userId !== "", staleTime: 0 },
  );
  const items = (works.data?.pages.flatMap((p) => p.items) ?? []).filter((w) => w.status === "published");

  let body = <FirstPageState query={works} />;
  if (works.isSuccess && items.length === 0 && !works.hasNextPage) {
    body = (
      <EmptyState
        testId="order-deliver-empty"
        illustration="works"
        title={t("ord.deliverEmpty")}
        description={t("ord.deliverEmptyHint")}
        action={
          <Button shape="rounded" color="primary" onClick={() => navigate("/assets")}>
            {t("ord.goPublish")}
          </Button>
        }
      />
    );
  } else if (works.isSuccess) {
    body = (
      <>
        <div className="ord-works" role="radiogroup" aria-label={t("ord.deliverTitle")}>
          {items.map((w) => (
            <WorkTile key={w.work_id} work={w} on={picked?.work_id === w.work_id} onPick={() => onPick(w)} />
          ))}
        </div>
        <PageFooter query={works} />
      </>
    );
  }
  return <div className="ord-deliver-list">{body}</div>;
}

function WorkTile({ work, on, onPick }: { work: Work; on: boolean; onPick: () => void }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a work tile with its cover, not a native radio
    <button
      type="button"
      role="radio"
      aria-checked={on}
      className={`ord-work-tile${on ? " ord-work-tile-on" : ""}`}
      data-testid="order-deliver-work"
      data-work-id={work.work_id}
      onClick={onPick}
    >
      <span className="ord-work-tile-cover">
        <img src={work.cover_url} alt="" />
        {on && <CheckCircleFill className="ord-work-tile-check" />}
      </span>
      <span className="ord-work-tile-title" data-user-content>
        {work.title}
      </span>
    </button>
  );
}
