import type { Notification, UnreadCount } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { decodeCursor, toPage } from "../../lib/cursor.js";
import type { Locale } from "../../lib/errors.js";
import { avatarUrlOf } from "../users/present.js";
import { renderNotification } from "./render.js";
import * as repo from "./repository.js";

type Ctx = Pick<AppContext, "db" | "storage" | "clock">;

export async function listNotifications(
  ctx: Ctx,
  userId: string,
  query: { cursor?: string; limit: number },
  locale: Locale,
) {
  const rows = await repo.listNotifications(ctx.db, userId, decodeCursor(query.cursor), query.limit);
  const page = toPage(rows, query.limit, (r) => r);
  const items: Notification[] = await Promise.all(page.items.map((r) => present(ctx, r, locale)));
  return { ...page, items };
}

async function present(ctx: Ctx, r: repo.NotificationRow, locale: Locale): Promise<Notification> {
  const text = renderNotification(r.kind, r.data, r.actorNickname, locale);
  return {
    notification_id: r.id,
    kind: r.kind,
    title: text.title,
    body: text.body,
    data: r.data,
    ref_type: r.refType,
    ref_id: r.refId,
    actor:
      r.actorUserId && r.actorNickname !== null
        ? {
            user_id: r.actorUserId,
            nickname: r.actorNickname,
            avatar_url: await avatarUrlOf(ctx, {
              avatarUrl: r.actorAvatarUrl,
              avatarStorageKey: r.actorAvatarStorageKey,
            }),
          }
        : null,
    read: r.readAt !== null,
    created_at: r.createdAt.toISOString(),
  };
}

export async function unread(ctx: Pick<AppContext, "db">, userId: string): Promise<UnreadCount> {
  return { unread: await repo.unreadCount(ctx.db, userId) };
}

export async function markRead(
  ctx: Pick<AppContext, "db" | "clock">,
  userId: string,
  ids: string[] | undefined,
): Promise<UnreadCount> {
  await repo.markRead(ctx.db, userId, ids ?? null, ctx.clock.now());
  return unread(ctx, userId);
}
