import type { NotificationKind } from "@skyriff/contracts";
import type { Locale } from "../../lib/errors.js";
import { displayCoins, parseCoins } from "../../lib/money.js";
import type { NotificationData } from "./repository.js";

type Text = { title: string; body: string };
type Renderer = (d: NotificationData, actor: string) => { zh: Text; en: Text };

const s = (v: unknown) => (v === null || v === undefined ? "" : String(v));
/** Coin strings ("4.500") as the app shows them ("4.50"); a bad value is shown as it is. */
const c = (v: unknown): string => {
  try {
    return displayCoins(typeof v === "string" && /^\d+$/.test(v) ? BigInt(v) : parseCoins(s(v)));
  } catch {
    return s(v);
  }
};

/** The words of each kind, filled from its data when read, so the language follows the reader. */
const renderers: Record<NotificationKind, Renderer> = {
  tip_received: (d, a) => ({
    zh: {
      title: "收到打赏",
      body: `${a} 打赏了你的作品《${s(d.work_title)}》${s(d.amount_credits)} 积分，收益 ${c(d.coins)} 金币（冻结 7 天）`,
    },
    en: {
      title: "New tip",
      body: `${a} tipped ${s(d.amount_credits)} credits on “${s(d.work_title)}”: ${c(d.coins)} coins (pending 7 days)`,
    },
  }),
  prompt_unlocked: (d, a) => ({
    zh: { title: "提示词被解锁", body: `${a} 解锁了《${s(d.work_title)}》的提示词，收益 ${c(d.coins)} 金币` },
    en: {
      title: "Prompt unlocked",
      body: `${a} unlocked the prompt of “${s(d.work_title)}”: ${c(d.coins)} coins`,
    },
  }),
  work_remixed: (d, a) => ({
    zh: {
      title: "作品被二创",
      body: `${a} 二创了你的作品《${s(d.work_title)}》${d.coins ? `，收益 ${c(d.coins)} 金币` : ""}`,
    },
    en: {
      title: "Your work was remixed",
      body: `${a} remixed “${s(d.work_title)}”${d.coins ? `: ${c(d.coins)} coins` : ""}`,
    },
  }),
  new_follower: (_d, a) => ({
    zh: { title: "新粉丝", body: `${a} 关注了你` },
    en: { title: "New follower", body: `${a} followed you` },
  }),
  generation_succeeded: (d) => ({
    zh: { title: "视频生成完成", body: `你的视频已生成（${s(d.duration_seconds)} 秒），快去资产中查看` },
    en: { title: "Video ready", body: `Your ${s(d.duration_seconds)} s video is ready in Assets` },
  }),
  generation_failed: (d) => ({
    zh: { title: "视频生成失败", body: `生成失败：${s(d.reason)}，${s(d.refunded_credits)} 积分已退回` },
    en: {
      title: "Generation failed",
      body: `Generation failed: ${s(d.reason)}. ${s(d.refunded_credits)} credits refunded`,
    },
  }),
  daily_task_completed: (d) => ({
    zh: { title: "任务完成", body: `「${s(d.title_zh)}」已完成，去任务中心领取 ${s(d.reward_credits)} 积分` },
    en: {
      title: "Task done",
      body: `“${s(d.title_en)}” is done: claim ${s(d.reward_credits)} credits in the task center`,
    },
  }),
  coins_released: (d) => ({
    zh: { title: "金币已解冻", body: `今日已有 ${c(d.milli)} 金币解冻，可提现` },
    en: { title: "Coins released", body: `${c(d.milli)} coins were released today and can be withdrawn` },
  }),
  commission_received: (d, a) =>
    d.level === 2
      ? {
          zh: {
            title: "推广佣金",
            body: `${s(d.period)} 二级推广佣金 ${c(d.coins)} 金币已入账（冻结 7 天）`,
          },
          en: {
            title: "Commission",
            body: `Second-level commission for ${s(d.period)}: ${c(d.coins)} coins (pending 7 days)`,
          },
        }
      : {
          zh: {
            title: "推广佣金",
            body: `${a} 支付了 ¥${s(d.amount_cny)}，你获得佣金 ${c(d.coins)} 金币（冻结 7 天）`,
          },
          en: {
            title: "Commission",
            body: `${a} paid ¥${s(d.amount_cny)}: you earn ${c(d.coins)} coins (pending 7 days)`,
          },
        },
  withdrawal_approved: (d) => ({
    zh: { title: "提现审核通过", body: `¥${s(d.amount_cny)} 的提现已通过审核，正在打款` },
    en: {
      title: "Withdrawal approved",
      body: `Your ¥${s(d.amount_cny)} withdrawal was approved and is being paid`,
    },
  }),
  withdrawal_paid: (d) => ({
    zh: { title: "提现已到账", body: `¥${s(d.amount_cny)} 已转入 ${s(d.account_masked)}` },
    en: { title: "Withdrawal paid", body: `¥${s(d.amount_cny)} was paid to ${s(d.account_masked)}` },
  }),
  withdrawal_rejected: (d) => ({
    zh: { title: "提现被驳回", body: `¥${s(d.amount_cny)} 的提现被驳回：${s(d.reason)}，金币已退回` },
    en: {
      title: "Withdrawal rejected",
      body: `Your ¥${s(d.amount_cny)} withdrawal was rejected: ${s(d.reason)}. Coins returned`,
    },
  }),
  withdrawal_failed: (d) => ({
    zh: { title: "提现打款失败", body: `¥${s(d.amount_cny)} 打款失败：${s(d.reason)}，金币已退回` },
    en: {
      title: "Payout failed",
      body: `The ¥${s(d.amount_cny)} payout failed: ${s(d.reason)}. Coins returned`,
    },
  }),
  subscription_expiring: (d) => ({
    zh: { title: "月卡即将到期", body: `你的月卡将于 ${s(d.last_day)} 到期，续费可顺延 30 天` },
    en: {
      title: "Monthly card ending",
      body: `Your monthly card ends on ${s(d.last_day)}; renew to add 30 days`,
    },
  }),
  order_applied: (d, a) => ({
    zh: { title: "商单有新投稿", body: `${a} 投稿了你的商单《${s(d.order_title)}》，去看看方案吧` },
    en: { title: "New application", body: `${a} applied to your order “${s(d.order_title)}”` },
  }),
  order_awarded: (d, a) => ({
    zh: {
      title: "你被选中了",
      body: `${a} 选定你承接商单《${s(d.order_title)}》（预算 ${c(d.budget_coins)} 金币），请在截止前交付作品`,
    },
    en: {
      title: "You were picked",
      body: `${a} picked you for “${s(d.order_title)}” (${c(d.budget_coins)} coins); deliver before the deadline`,
    },
  }),
  order_delivered: (d, a) => ({
    zh: { title: "商单已交付", body: `${a} 交付了商单《${s(d.order_title)}》的作品，请在 7 天内验收` },
    en: { title: "Order delivered", body: `${a} delivered “${s(d.order_title)}”; accept it within 7 days` },
  }),
  order_accepted: (d, a) =>
    d.auto
      ? {
          zh: {
            title: "商单已自动验收",
            body: `商单《${s(d.order_title)}》交付满 7 天，已自动验收，创作者收益 ${c(d.creator_paid_coins)} 金币（冻结 7 天）`,
          },
          en: {
            title: "Order accepted automatically",
            body: `“${s(d.order_title)}” was accepted 7 days after delivery: ${c(d.creator_paid_coins)} coins to the creator (pending 7 days)`,
          },
        }
      : {
          zh: {
            title: "商单已验收",
            body: `${a} 验收了商单《${s(d.order_title)}》，收益 ${c(d.creator_paid_coins)} 金币（冻结 7 天）`,
          },
          en: {
            title: "Order accepted",
            body: `${a} accepted “${s(d.order_title)}”: ${c(d.creator_paid_coins)} coins (pending 7 days)`,
          },
        },
  order_cancel_requested: (d, a) => ({
    zh: {
      title: "发布者申请取消商单",
      body: `${a} 申请取消商单《${s(d.order_title)}》${d.reason ? `：${s(d.reason)}` : ""}，请同意或拒绝`,
    },
    en: {
      title: "Cancellation requested",
      body: `${a} asks to cancel “${s(d.order_title)}”${d.reason ? `: ${s(d.reason)}` : ""}; approve or reject`,
    },
  }),
  order_cancel_decided: (d, a) =>
    d.decision === "approve"
      ? {
          zh: {
            title: "创作者同意取消",
            body: `${a} 同意取消商单《${s(d.order_title)}》，${c(d.refunded_coins)} 金币已退回`,
          },
          en: {
            title: "Cancellation approved",
            body: `${a} agreed to cancel “${s(d.order_title)}”; ${c(d.refunded_coins)} coins refunded`,
          },
        }
      : {
          zh: { title: "创作者拒绝取消", body: `${a} 拒绝取消商单《${s(d.order_title)}》，商单继续进行` },
          en: {
            title: "Cancellation rejected",
            body: `${a} declined to cancel “${s(d.order_title)}”; the order goes on`,
          },
        },
  order_cancelled: (d) => ({
    zh: {
      title: "商单已取消",
      body: `商单《${s(d.order_title)}》已取消${d.refunded_coins && d.refunded_coins !== "0.000" ? `，${c(d.refunded_coins)} 金币已退回发布者` : ""}`,
    },
    en: {
      title: "Order cancelled",
      body: `“${s(d.order_title)}” was cancelled${d.refunded_coins && d.refunded_coins !== "0.000" ? `; ${c(d.refunded_coins)} coins went back to the publisher` : ""}`,
    },
  }),
  order_deadline_passed: (d) =>
    d.role === "publisher"
      ? {
          zh: {
            title: "商单已过截止时间",
            body: `商单《${s(d.order_title)}》已过截止时间仍未交付，你可以直接取消并取回 ${c(d.budget_coins)} 金币`,
          },
          en: {
            title: "Order past its deadline",
            body: `“${s(d.order_title)}” passed its deadline undelivered: you may cancel it and get ${c(d.budget_coins)} coins back`,
          },
        }
      : {
          zh: {
            title: "商单已过截止时间",
            body: `商单《${s(d.order_title)}》已过截止时间，发布者可直接取消，请尽快交付`,
          },
          en: {
            title: "Order past its deadline",
            body: `“${s(d.order_title)}” passed its deadline: the publisher may now cancel it; deliver soon`,
          },
        },
  order_disputed: (d, a) => ({
    zh: {
      title: "商单进入争议",
      body: `${a} 对商单《${s(d.order_title)}》的交付提出争议：${s(d.reason)}，平台将介入处理`,
    },
    en: {
      title: "Order disputed",
      body: `${a} disputed the delivery of “${s(d.order_title)}”: ${s(d.reason)}. The platform will decide`,
    },
  }),
  order_dispute_settled: (d) => {
    const zh =
      { pay: "全额支付创作者", refund: "全额退回发布者", split: "按比例分配" }[s(d.resolution)] ?? "";
    const en =
      { pay: "paid in full to the creator", refund: "refunded in full", split: "split" }[s(d.resolution)] ??
      "";
    return {
      zh: {
        title: "争议已处理",
        body: `商单《${s(d.order_title)}》的争议已处理：${zh}（创作者 ${c(d.creator_paid_coins)} 金币，退回 ${c(d.refunded_coins)} 金币）。${s(d.note)}`,
      },
      en: {
        title: "Dispute settled",
        body: `The dispute on “${s(d.order_title)}” was settled: ${en} (creator ${c(d.creator_paid_coins)} coins, refunded ${c(d.refunded_coins)} coins). ${s(d.note)}`,
      },
    };
  },
  work_taken_down: (d) => ({
    zh: { title: "作品已被下架", body: `你的作品《${s(d.work_title)}》因违反社区规范被下架：${s(d.reason)}` },
    en: {
      title: "Work taken down",
      body: `Your work “${s(d.work_title)}” was taken down for breaking the community rules: ${s(d.reason)}`,
    },
  }),
  work_restored: (d) => ({
    zh: { title: "作品已恢复", body: `你的作品《${s(d.work_title)}》已恢复展示` },
    en: { title: "Work restored", body: `Your work “${s(d.work_title)}” is public again` },
  }),
};

export function renderNotification(
  kind: NotificationKind,
  data: NotificationData,
  actorNickname: string | null,
  locale: Locale,
): Text {
  const fallback = locale === "en" ? "Someone" : "有人";
  const texts = renderers[kind](data, actorNickname ?? fallback);
  return locale === "en" ? texts.en : texts.zh;
}
