/**
 * The public share page (SPEC §4 "a public share page renders the work for people without the app"):
 * `GET /works/{id}` outside /api answers server-rendered HTML with Open Graph tags, the cover, the
 * watermarked player and an 打开 App button. It fits the site CSP as is: no script at all, and the
 * styles come from a same-origin stylesheet (`/static/share-page.css`), never inline.
 *
 * The app's own route for a work is {@link appWorkPath} (`/play/{id}`): `/works/{id}` stays this page
 * so a shared link always renders, with or without the app's JavaScript.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { findWorkView, type WorkView } from "./repository.js";
import { presentWork, shareUrlOf } from "./service.js";

/** Where 打开 App leads: the app's player for one work. */
export const appWorkPath = (workId: string) => `/play/${encodeURIComponent(workId)}`;

/** Crawlers fetch the preview soon after a link is posted; S3 presigned links cannot outlive 7 days. */
const SHARE_LINK_TTL_SEC = 6 * 24 * 3600;
const SITE_NAME = "SkyRiff 天空即兴";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

const absolute = (ctx: AppContext, url: string) =>
  url.startsWith("/") ? `${ctx.config.publicBaseUrl}${url}` : url;

export function renderSharePage(
  ctx: AppContext,
  w: {
    workId: string;
    title: string;
    description: string;
    nickname: string;
    playUrl: string;
    coverUrl: string;
    width: number;
    height: number;
  },
): string {
  const e = escapeHtml;
  const shareUrl = shareUrlOf(ctx, w.workId);
  const summary = w.description.trim() || `${w.nickname} 在 SkyRiff 发布的 AI 短视频`;
  const play = absolute(ctx, w.playUrl);
  const cover = absolute(ctx, w.coverUrl);
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>${e(w.title)} · ${e(w.nickname)} · ${e(SITE_NAME)}</title>
<meta name="description" content="${e(summary)}">
<link rel="canonical" href="${e(shareUrl)}">
<meta property="og:site_name" content="${e(SITE_NAME)}">
<meta property="og:type" content="video.other">
<meta property="og:title" content="${e(w.title)}">
<meta property="og:description" content="${e(summary)}">
<meta property="og:url" content="${e(shareUrl)}">
<meta property="og:image" content="${e(cover)}">
<meta property="og:video" content="${e(play)}">
<meta property="og:video:type" content="video/mp4">
<meta property="og:video:width" content="${w.width}">
<meta property="og:video:height" content="${w.height}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="${e(w.title)}">
<meta name="twitter:image" content="${e(cover)}">
<link rel="stylesheet" href="/static/share-page.css">
</head>
<body>
<main class="share">
<video class="player" src="${e(w.playUrl)}" poster="${e(w.coverUrl)}" controls playsinline loop preload="metadata"></video>
<section class="info">
<h1 class="title">${e(w.title)}</h1>
<p class="creator">@${e(w.nickname)}</p>
${w.description ? `<p class="desc">${e(w.description)}</p>` : ""}
<a class="open-app" href="${e(appWorkPath(w.workId))}">打开 App</a>
</section>
</main>
</body>
</html>
`;
}

function renderNotFound(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>作品不存在 · ${escapeHtml(SITE_NAME)}</title>
<meta name="robots" content="noindex">
<link rel="stylesheet" href="/static/share-page.css">
</head>
<body>
<main class="share missing">
<h1 class="title">作品不存在或已下架</h1>
<p class="desc">This work does not exist or is no longer available.</p>
<a class="open-app" href="/">打开 App</a>
</main>
</body>
</html>
`;
}

export const SHARE_PAGE_CSS = `*{box-sizing:border-box}
html,body{margin:0;background:#000;color:#fff;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif}
.share{max-width:480px;margin:0 auto;min-height:100vh;display:flex;flex-direction:column}
.player{width:100%;max-height:75vh;background:#000;object-fit:contain}
.info{padding:16px}
.title{font-size:18px;margin:8px 0;word-break:break-word}
.creator{color:#bbb;margin:4px 0}
.desc{color:#ddd;white-space:pre-wrap;word-break:break-word}
.open-app{display:block;margin:20px 0;padding:12px;border-radius:24px;background:#fe2c55;color:#fff;text-align:center;text-decoration:none;font-weight:600}
.missing{justify-content:center;padding:24px;text-align:center}
`;

function sendHtml(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .header("cache-control", "private, max-age=60")
    .send(html);
}

const params = z.object({ id: z.string() });

/** Root routes (outside /api): the share page and its stylesheet. */
export async function shareRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get("/static/share-page.css", { schema: { hide: true } }, async (_req, reply) =>
    reply
      .type("text/css; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(SHARE_PAGE_CSS),
  );
  app.get("/works/:id", { schema: { hide: true } }, async (req, reply) => {
    const parsed = params.safeParse(req.params);
    const id = parsed.success ? parsed.data.id : "";
    const view: WorkView | null =
      id.length > 0 && id.length <= 64 ? await findWorkView(ctx.db, id, null) : null;
    if (view?.status !== "published") return sendHtml(reply, 404, renderNotFound());
    const work = await presentWork(ctx, view, null, { urlTtlSec: SHARE_LINK_TTL_SEC });
    return sendHtml(
      reply,
      200,
      renderSharePage(ctx, {
        workId: work.work_id,
        title: work.title,
        description: work.description,
        nickname: work.creator.nickname,
        playUrl: work.play_url,
        coverUrl: work.cover_url,
        width: work.width,
        height: work.height,
      }),
    );
  });
}
