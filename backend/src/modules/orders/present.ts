import type { CreatorBrief, Order, OrderApplication, OrderCategory, OrderRole } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { formatCoins } from "../../lib/money.js";
import { avatarUrlOf } from "../users/present.js";
import { settlementOf } from "./escrow.js";
import type { ApplicationView, OrderView } from "./repository.js";

type Ctx = Pick<AppContext, "clock" | "economy" | "storage">;

const COVER_LINK_SEC = 3600;
const iso = (d: Date | null) => d?.toISOString() ?? null;
const coins = (milli: bigint | null) => (milli === null ? null : formatCoins(milli));

async function brief(
  ctx: Ctx,
  userId: string,
  nickname: string,
  avatarUrl: string | null,
  avatarKey: string | null,
) {
  const avatar = await avatarUrlOf(ctx, { avatarUrl, avatarStorageKey: avatarKey });
  return { user_id: userId, nickname, avatar_url: avatar } satisfies CreatorBrief;
}

function roleOf(o: OrderView, viewerId: string | null): OrderRole {
  if (viewerId === null) return "none";
  if (o.publisherId === viewerId) return "publisher";
  if (o.awardedUserId === viewerId) return "awarded";
  return o.viewerApplied ? "applicant" : "none";
}

async function presentApplication(ctx: Ctx, a: ApplicationView): Promise<OrderApplication> {
  return {
    application_id: a.id,
    applicant: await brief(ctx, a.applicantId, a.nickname, a.avatarUrl, a.avatarKey),
    proposal_text: a.proposalText,
    status: a.status,
    created_at: a.createdAt.toISOString(),
  };
}

export async function presentOrder(
  ctx: Ctx,
  o: OrderView,
  viewerId: string | null,
  applications: ApplicationView[] = [],
): Promise<Order> {
  const full = settlementOf(ctx, o, o.budgetMilli);
  const [publisher, awarded, cover, apps] = await Promise.all([
    brief(ctx, o.publisherId, o.publisherNickname, o.publisherAvatarUrl, o.publisherAvatarKey),
    o.awardedUserId
      ? brief(ctx, o.awardedUserId, o.awardedNickname ?? "", o.awardedAvatarUrl, o.awardedAvatarKey)
      : Promise.resolve(null),
    o.workThumbKey
      ? ctx.storage.signedUrl(o.workThumbKey, { expiresInSec: COVER_LINK_SEC })
      : Promise.resolve(null),
    Promise.all(applications.map((a) => presentApplication(ctx, a))),
  ]);
  return {
    order_id: o.id,
    title: o.title,
    brief: o.brief,
    category: o.category as OrderCategory,
    status: o.status,
    outcome: o.outcome,
    budget_coins: formatCoins(o.budgetMilli),
    payout_coins: formatCoins(full.creatorPaid),
    fee_coins: formatCoins(full.fee),
    deadline_at: o.deadlineAt.toISOString(),
    publisher,
    awarded_creator: awarded,
    delivered_work:
      o.deliveredWorkId !== null
        ? { work_id: o.deliveredWorkId, title: o.workTitle ?? "", cover_url: cover?.url ?? null }
        : null,
    applications_count: o.applicationsCount,
    viewer_role: roleOf(o, viewerId),
    applications: apps,
    awarded_at: iso(o.awardedAt),
    delivered_at: iso(o.deliveredAt),
    auto_accept_at: o.status === "delivered" ? iso(o.autoAcceptAt) : null,
    cancel_requested_at: iso(o.cancelRequestedAt),
    cancel_reason: o.cancelReason,
    can_cancel_without_consent: o.status === "awarded" && o.deadlineAt.getTime() <= ctx.clock.now().getTime(),
    dispute: o.disputedAt
      ? {
          reason: o.disputeReason ?? "",
          opened_at: o.disputedAt.toISOString(),
          resolution: resolutionOf(o),
          creator_share_coins: o.settledBy ? coins(o.creatorShareMilli) : null,
          note: o.settleNote,
          settled_at: o.settledBy ? iso(o.finishedAt) : null,
        }
      : null,
    creator_paid_coins: coins(o.creatorPaidMilli),
    publisher_refunded_coins: coins(o.refundedMilli),
    finished_at: iso(o.finishedAt),
    created_at: o.createdAt.toISOString(),
  };
}

function resolutionOf(o: OrderView): "pay" | "refund" | "split" | null {
  if (o.outcome === "dispute_paid") return "pay";
  if (o.outcome === "dispute_refunded") return "refund";
  if (o.outcome === "dispute_split") return "split";
  return null;
}

export function presentOrders(ctx: Ctx, rows: OrderView[], viewerId: string | null): Promise<Order[]> {
  return Promise.all(rows.map((r) => presentOrder(ctx, r, viewerId)));
}
