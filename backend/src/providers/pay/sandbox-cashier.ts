/**
 * The sandbox 收银台 (cashier) at /sandbox/pay: what the payer sees at a real gateway, reduced to the
 * decision. 确认支付 / 取消 make the sandbox gateway sign and deliver its notification, then send the
 * browser back to the order's return URL (the app's result page), as WeChat H5 and Alipay WAP do.
 */
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { z } from "zod";
import { formatCny } from "../../lib/money.js";
import type { NotifyDelivery, SandboxGateway } from "./sandbox.js";

export interface SandboxCashierOptions {
  gateway: SandboxGateway;
  deliver: NotifyDelivery;
  now: () => Date;
}

const params = z.strictObject({ outTradeNo: z.string().regex(/^[0-9a-f]{32}$/) });

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f2f3f5;color:#1d2129}
header{background:#fff;padding:14px 16px;text-align:center;font-size:17px;font-weight:600;border-bottom:1px solid #e5e6eb}
.badge{display:inline-block;margin-left:6px;padding:1px 6px;border-radius:4px;background:#fff3e8;color:#f77234;font-size:12px;font-weight:500;vertical-align:2px}
main{padding:16px}
.card{background:#fff;border-radius:12px;padding:24px 16px;text-align:center}
.merchant{color:#4e5969;font-size:14px}
.amount{font-size:40px;font-weight:700;margin:12px 0 4px}
.amount small{font-size:22px;margin-right:2px}
.product{color:#1d2129;font-size:15px}
dl{margin:20px 0 0;text-align:left;font-size:13px;color:#86909c}
dl div{display:flex;justify-content:space-between;padding:6px 0;border-top:1px solid #f2f3f5}
dd{margin:0;color:#4e5969;word-break:break-all;text-align:right;max-width:65%}
form{margin:0}
button{display:block;width:100%;height:48px;border:0;border-radius:24px;font-size:17px;margin-top:16px;cursor:pointer}
.pay{background:#07c160;color:#fff;font-weight:600}
.cancel{background:#fff;color:#4e5969;border:1px solid #e5e6eb}
.note{margin-top:16px;color:#86909c;font-size:12px;text-align:center;line-height:1.6}
.done{font-size:16px;margin-top:12px;color:#4e5969}
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<header>SkyRiff 收银台<span class="badge">沙箱</span></header><main>${body}</main></body></html>`;
}

const html = (reply: FastifyReply, status: number, body: string) =>
  reply
    .code(status)
    .type("text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .send(body);

const beijingTime = (at: Date) =>
  new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");

export const sandboxCashierPlugin: FastifyPluginAsync<SandboxCashierOptions> = async (app, opts) => {
  // The cashier's forms post urlencoded bodies with nothing in them that we read.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) =>
    done(null, body),
  );

  app.get("/cashier/:outTradeNo", async (req, reply) => {
    const parsed = params.safeParse(req.params);
    const trade = parsed.success ? await opts.gateway.find(parsed.data.outTradeNo) : null;
    if (!trade)
      return html(reply, 404, page("订单不存在", `<div class="card"><p class="done">订单不存在</p></div>`));
    const amount = formatCny(trade.amountFen);
    const expired = trade.expireAt <= opts.now();
    const open = trade.tradeState === "NOTPAY" && !expired;
    const state = open
      ? ""
      : `<p class="done" data-state="${trade.tradeState}">${
          trade.tradeState === "SUCCESS"
            ? "已支付"
            : expired || trade.tradeState === "CLOSED"
              ? "订单已关闭"
              : "已取消"
        }</p>`;
    const actions = open
      ? `<form method="post" action="${trade.outTradeNo}/confirm"><button class="pay" type="submit">确认支付 ¥${amount}</button></form>
<form method="post" action="${trade.outTradeNo}/cancel"><button class="cancel" type="submit">取消</button></form>`
      : `<form method="get" action="${escapeHtml(trade.returnUrl)}"><button class="cancel" type="submit">返回</button></form>`;
    return html(
      reply,
      200,
      page(
        "SkyRiff 收银台",
        `<div class="card">
<div class="merchant">天空即兴 SkyRiff</div>
<div class="amount"><small>¥</small>${amount}</div>
<div class="product">${escapeHtml(trade.description)}</div>${state}
<dl><div><dt>订单号</dt><dd>${trade.outTradeNo}</dd></div>
<div><dt>支付截止</dt><dd>${beijingTime(trade.expireAt)}（北京时间）</dd></div></dl>
</div>${actions}
<p class="note">沙箱环境：不会产生真实扣款。网关按微信支付 v3 的格式签名并加密支付通知，与正式渠道走同一套验签代码。</p>`,
      ),
    );
  });

  const decide = (result: "success" | "fail") => async (req: { params: unknown }, reply: FastifyReply) => {
    const parsed = params.safeParse(req.params);
    const done = parsed.success
      ? await opts.gateway.complete(parsed.data.outTradeNo, result, opts.deliver)
      : null;
    if (!done)
      return html(reply, 404, page("订单不存在", `<div class="card"><p class="done">订单不存在</p></div>`));
    return reply.code(303).header("location", done.trade.returnUrl).send();
  };
  app.post("/cashier/:outTradeNo/confirm", decide("success"));
  app.post("/cashier/:outTradeNo/cancel", decide("fail"));
};
