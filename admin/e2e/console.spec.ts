import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type APIRequestContext,
  type Browser,
  expect,
  type Locator,
  type Page,
  test,
} from "@playwright/test";
import {
  apiGet,
  apiPost,
  auth,
  buyCoinsPack,
  type Envelope,
  fetchSmsCode,
  grantCredits,
  grantRoles,
  loginViaApi,
  publishWorkViaApi,
  randomPhone,
  type Session,
} from "./helpers.ts";

// The admin console (SPEC §7) in the browser at 1440×900. An admin logs in by SMS (no role first:
// 无后台权限), sees the dashboard's charts with the day's numbers, adjusts a user's credits with a reason
// (the user's ledger and the audit log show it), bans and unbans them (their next API call is
// 403/1004), takes a work down (gone from the app's 发现), approves a withdrawal, settles a dispute with
// a split, and switches the simulated model off (the app's 创作 no longer offers it) and on again.
// Setup (users, works, payments, a withdrawal, a disputed order) goes through the API. Screenshots go
// to test-results/screenshots (UPDATE_SCREENSHOTS=1: docs/screenshots/admin-*.png).
const outDir = process.env.UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, "..", "..", "docs", "screenshots")
  : join(import.meta.dirname, "test-results", "screenshots");

const ADMIN_ACCESS = "skyriff.admin.access_token";
const ADMIN_REFRESH = "skyriff.admin.refresh_token";
const APP_ACCESS = "skyriff.access_token";
const APP_REFRESH = "skyriff.refresh_token";
const DAY_MS = 24 * 3600_000;

const DELIVERED_TITLE = "咖啡店开业宣传片";
const TAKEDOWN_TITLE = "搬运的城市夜景延时";
const ADJUST_REASON = "客服补偿：生成失败被重复扣费";
const BAN_REASON = "批量注册小号刷任务奖励";
const TAKEDOWN_REASON = "搬运他人作品，侵犯原创版权";
const SETTLE_NOTE = "按完成度结算：缺少店名与开业日期，创作者得 20 金币";

type Tokens = { access: string; refresh: string };
type Dashboard = {
  series: {
    day: string;
    new_users: number;
    dau: number;
    generations: number;
    generations_succeeded: number;
    gmv_cny: { total: string };
  }[];
  totals: {
    users: number;
    withdrawals_waiting: { count: number; amount_cny: string };
    disputes_open: number;
  };
};
type LedgerPage = { items: { type: string; amount: number | string; balance_after: number | string }[] };
type FeedPage = { items: { work_id: string }[] };
type Config = { models: { id: string }[] };
type VendorCosts = { items: { model: string; tasks: number; credits_charged: number }[] };

let U: Session; // the user whose credits are adjusted, who is banned and unbanned
let C: Session; // a creator: two published works, the awarded creator of the disputed order
let W: Session; // buys a coins pack and asks to withdraw ¥100
let P: Session; // publishes the order and disputes the delivery
let adminPhone = "";
let adminId = "";
let admin: Tokens | null = null;
let deliveredWork = "";
let takedownWork = "";
let withdrawalId = "";
let orderId = "";

/** Waits for messages, modals and drawers to settle so a screenshot shows the finished page. */
async function settle(page: Page) {
  await expect(page.locator(".ant-message-notice")).toHaveCount(0, { timeout: 10_000 });
  await page.waitForTimeout(400);
}

/** A 1440×900 screenshot of the settled page. */
async function shot(page: Page, name: string) {
  await settle(page);
  await page.screenshot({ path: join(outDir, name) });
}

/** Puts the admin's session into the console's token store, as a completed login would. */
async function openConsole(page: Page, path: string) {
  if (!admin) throw new Error("the admin is not logged in yet");
  await page.goto("/admin/login");
  await page.evaluate(
    ([keys, t]) => {
      localStorage.setItem(keys[0], t.access);
      localStorage.setItem(keys[1], t.refresh);
    },
    [[ADMIN_ACCESS, ADMIN_REFRESH], admin] as const,
  );
  await page.goto(`/admin${path}`);
}

async function readTokens(page: Page, keys: readonly [string, string]): Promise<Tokens | null> {
  return page.evaluate(([a, r]) => {
    const access = localStorage.getItem(a);
    const refresh = localStorage.getItem(r);
    return access && refresh ? { access, refresh } : null;
  }, keys);
}

/** The H5 app as `s` (or a visitor) in a phone-sized context of its own. */
async function openApp(browser: Browser, path: string, s: Session | null) {
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    viewport: { width: 390, height: 844 },
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  if (s) {
    await page.goto("/login");
    await page.evaluate(
      ([keys, a, r]) => {
        localStorage.setItem(keys[0], a);
        localStorage.setItem(keys[1], r);
      },
      [[APP_ACCESS, APP_REFRESH], s.access_token, s.refresh_token] as const,
    );
  }
  await page.goto(path);
  return { page, close: () => context.close() };
}

const adminToken = () => {
  if (!admin) throw new Error("the admin is not logged in yet");
  return admin.access;
};

async function feedIds(request: APIRequestContext, s: Session) {
  return (await apiGet<FeedPage>(request, s, "/feed?tab=discover&limit=50")).items.map((w) => w.work_id);
}

/** The text field behind a test id: antd puts it on the <input>/<textarea> or on a wrapper around it. */
const field = (scope: Page | Locator, id: string) =>
  scope
    .locator(
      `input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea`,
    )
    .first();

/** The dialog (modal or drawer) with this title. */
const dialog = (page: Page, name: string | RegExp) => page.getByRole("dialog", { name });

test.describe
  .serial("admin console: login, dashboard, users, works, withdrawals, disputes, models", () => {
    test.beforeAll(async ({ request }) => {
      test.setTimeout(300_000);
      mkdirSync(outDir, { recursive: true });
      [U, C, W, P] = [
        await loginViaApi(request),
        await loginViaApi(request),
        await loginViaApi(request),
        await loginViaApi(request),
      ];
      await grantCredits(request, U, 10);
      deliveredWork = await publishWorkViaApi(request, C, DELIVERED_TITLE);
      takedownWork = await publishWorkViaApi(request, C, TAKEDOWN_TITLE);

      // W: a ¥100 coins pack (100 coins at once), then a ¥100 withdrawal waiting for review.
      await buyCoinsPack(request, W);
      const created = await apiPost<{ withdrawal: { withdrawal_id: string; status: string } }>(
        request,
        W,
        "/withdrawals/create",
        { amount_cny: "100.00", method: "alipay", account_info: { name: "王小五", account: "13900139000" } },
      );
      expect(created.withdrawal.status).toBe("applied");
      withdrawalId = created.withdrawal.withdrawal_id;

      // P: a 50-coin order awarded to C, delivered with C's work and disputed by P.
      await buyCoinsPack(request, P);
      const { order } = await apiPost<{ order: { order_id: string } }>(request, P, "/orders/create", {
        title: "咖啡店开业宣传片 15 秒",
        brief: "为街角咖啡店开业制作 15 秒宣传片：清晨开门、拉花特写、顾客微笑，结尾出现店名和开业日期。",
        category: "brand",
        budget_coins: "50",
        deadline_at: new Date(Date.now() + 7 * DAY_MS).toISOString(),
      });
      orderId = order.order_id;
      await apiPost(request, C, `/orders/${orderId}/apply`, {
        proposal_text: "开业宣传片做过很多，可以按时交付。",
      });
      await apiPost(request, P, `/orders/${orderId}/award`, { creator_user_id: C.user_id });
      await apiPost(request, C, `/orders/${orderId}/deliver`, { work_id: deliveredWork });
      const disputed = await apiPost<{ status: string }>(request, P, `/orders/${orderId}/dispute`, {
        reason: "交付的作品与需求不符：没有拉花特写，结尾也缺少店名和开业日期。",
      });
      expect(disputed.status).toBe("disputed");
    });

    // Uncaught errors in the console fail the test; the admin's rotated tokens are kept for the next.
    let pageErrors: string[] = [];
    test.beforeEach(async ({ page }) => {
      pageErrors = [];
      page.on("pageerror", (err) => pageErrors.push(err.message));
    });
    test.afterEach(async ({ page }) => {
      if (admin) {
        const now = await readTokens(page, [ADMIN_ACCESS, ADMIN_REFRESH]).catch(() => null);
        if (now) admin = now;
      }
      expect(pageErrors, "uncaught errors in the console").toEqual([]);
    });

    test("(1) SMS login: no role → 无后台权限; with admin → the dashboard's charts and today's numbers", async ({
      page,
      request,
    }) => {
      adminPhone = randomPhone();
      await page.goto("/admin/");
      await expect(page).toHaveURL(/\/admin\/login$/);
      await shot(page, "admin-login.png");

      // A wrong phone is refused before anything is sent.
      await field(page, "login-phone").fill("12345");
      await page.getByTestId("login-send").click();
      await expect(page.getByText("请输入正确的手机号")).toBeVisible();
      await field(page, "login-phone").fill(adminPhone);
      await page.getByTestId("login-send").click();
      await expect(page.getByTestId("login-send")).toContainText(/秒后重发/);
      await field(page, "login-code").fill(await fetchSmsCode(request, adminPhone));
      await page.getByTestId("login-submit").click();

      // Logged in, but without a back-office role.
      await expect(page.getByTestId("no-role")).toHaveText("无后台权限");
      await shot(page, "admin-no-role.png");
      const tokens = await readTokens(page, [ADMIN_ACCESS, ADMIN_REFRESH]);
      expect(tokens).not.toBeNull();
      adminId = (await apiGet<{ user_id: string }>(request, tokens!.access, "/me")).user_id;
      await grantRoles(request, adminId, ["admin"]);
      admin = tokens;

      await page.reload();
      await expect(page).toHaveURL(/\/admin\/dashboard$/);
      await expect(page.getByTestId("header-user")).toContainText("管理员");
      for (const item of ["dashboard", "users", "withdrawals", "orders", "models", "audit"]) {
        await expect(page.getByTestId(`menu-${item}`)).toBeVisible();
      }

      // Today's numbers as the API reports them, and the four charts drawn.
      const api = await apiGet<Dashboard>(request, adminToken(), "/admin/dashboard?days=7");
      const today = api.series[api.series.length - 1]!;
      expect(api.series).toHaveLength(7);
      expect(today.new_users).toBeGreaterThanOrEqual(5);
      expect(today.generations_succeeded).toBeGreaterThanOrEqual(2);
      expect(Number(today.gmv_cny.total)).toBeGreaterThanOrEqual(200);
      expect(api.totals.withdrawals_waiting.count).toBeGreaterThanOrEqual(1);
      expect(api.totals.disputes_open).toBeGreaterThanOrEqual(1);
      await expect(page.getByTestId("dash-today")).toContainText(today.day);
      await expect(page.getByTestId("kpi-users")).toContainText(api.totals.users.toLocaleString("en-US"));
      await expect(page.getByTestId("kpi-new-users")).toContainText(String(today.new_users));
      await expect(page.getByTestId("kpi-dau")).toContainText(String(today.dau));
      await expect(page.getByTestId("kpi-generations")).toContainText(String(today.generations));
      await expect(page.getByTestId("kpi-gmv")).toContainText(`¥${today.gmv_cny.total}`);
      await expect(page.getByTestId("kpi-withdrawals")).toContainText(
        `${api.totals.withdrawals_waiting.count} 笔`,
      );
      await expect(page.getByTestId("kpi-disputes")).toHaveText(String(api.totals.disputes_open));
      for (const chart of ["users", "generations", "gmv", "income"]) {
        await expect(page.getByTestId(`chart-${chart}`).locator("canvas")).toHaveCount(1);
      }
      await page.waitForTimeout(600); // the charts' entry animation
      await shot(page, "admin-dashboard.png");

      // 30 days: a longer series, the same today.
      await page.getByText("近 30 天", { exact: true }).click();
      await expect(page.getByTestId("dash-period")).toBeVisible();
      const d30 = await apiGet<Dashboard>(request, adminToken(), "/admin/dashboard?days=30");
      expect(d30.series).toHaveLength(30);
      await expect(page.getByTestId("kpi-new-users")).toContainText(String(today.new_users));
    });

    test("(2) users: search by phone, the detail, a credits adjustment with a reason → ledger and audit", async ({
      page,
      request,
    }) => {
      await openConsole(page, "/users");
      await field(page, "users-search").fill(U.phone);
      await field(page, "users-search").press("Enter");
      const row = page.locator(`[data-testid="user-row"][data-user-id="${U.user_id}"]`);
      await expect(row).toBeVisible();
      await expect(page.getByTestId("user-row")).toHaveCount(1);
      await shot(page, "admin-users.png");

      await row.getByTestId("user-open").click();
      const detail = page.getByTestId("user-detail");
      await expect(detail).toHaveAttribute("data-user-id", U.user_id);
      await expect(page.getByTestId("user-credits")).toContainText("10");

      await page.getByTestId("user-adjust").click();
      const modal = dialog(page, /调整「.*」的余额/);
      await expect(modal.getByTestId("adjust-limits")).toContainText("今日剩余可调整额度");
      // The reason is mandatory, and the amount must be a non-zero integer for credits.
      await field(modal, "adjust-amount").fill("1.5");
      await modal.getByTestId("adjust-ok").click();
      await expect(modal.getByText("请输入非 0 的数量")).toBeVisible();
      await expect(modal.getByText("请填写原因，至少 2 个字")).toBeVisible();
      await field(modal, "adjust-amount").fill("50");
      await field(modal, "adjust-reason").fill(ADJUST_REASON);
      await shot(page, "admin-user-adjust.png");
      await modal.getByTestId("adjust-ok").click();
      const confirm = dialog(page, "确认调整余额？");
      await expect(confirm).toContainText(`积分调整 +50，原因：${ADJUST_REASON}`);
      await confirm.getByTestId("adjust-confirm-ok").click();
      await expect(page.getByText("已调整，积分余额 60")).toBeVisible();
      await expect(page.getByTestId("user-credits")).toContainText("60");
      await expect(detail.locator('[data-testid="ledger-row"][data-type="admin_adjust"]')).toHaveCount(1);

      // The user's own ledger shows it.
      const ledger = await apiGet<LedgerPage>(request, U, "/wallet/ledgers?type=credits&limit=5");
      expect(ledger.items[0]).toMatchObject({ type: "admin_adjust", amount: 50, balance_after: 60 });
      expect(
        (await apiGet<{ credits: { balance: number } }>(request, U, "/me/wallets")).credits.balance,
      ).toBe(60);
      await shot(page, "admin-user-detail.png");

      // And the audit log, with the reason.
      await page.goto(`/admin/audit?target_id=${encodeURIComponent(U.user_id)}`);
      const entry = page.locator('[data-testid="audit-row"][data-action="user.adjust"]');
      await expect(entry).toHaveCount(1);
      await expect(entry.getByTestId("audit-reason")).toHaveText(ADJUST_REASON);
      await expect(entry).toContainText(U.user_id);
    });

    test("(3) ban with a reason → the user's next API call is 403/1004; unban lets them back", async ({
      page,
      request,
    }) => {
      await openConsole(page, `/users?user=${encodeURIComponent(U.user_id)}`);
      const detail = page.getByTestId("user-detail");
      await expect(detail).toHaveAttribute("data-status", "active");
      await page.getByTestId("user-ban").click();
      const modal = dialog(page, /封禁用户/);
      await expect(modal).toContainText("封禁后该用户的所有请求都会被拒绝（403）");
      await modal.getByTestId("reason-ok").click();
      await expect(modal.getByText("请填写原因，至少 2 个字")).toBeVisible();
      await field(modal, "reason-input").fill(BAN_REASON);
      await shot(page, "admin-user-ban.png");
      await modal.getByTestId("reason-ok").click();
      await expect(detail).toHaveAttribute("data-status", "banned");
      await expect(page.getByTestId("user-banned-alert")).toContainText(BAN_REASON);

      const res = await request.get("/api/v1/me", { headers: auth(U) });
      expect(res.status()).toBe(403);
      expect(((await res.json()) as Envelope<unknown>).code).toBe(1004);

      await page.getByTestId("user-unban").click();
      const unban = dialog(page, /解封用户/);
      await field(unban, "reason-input").fill("申诉核实为误封");
      await unban.getByTestId("reason-ok").click();
      await expect(detail).toHaveAttribute("data-status", "active");
      // The ban ended the user's sessions (the old token stays refused); after the unban they log in again.
      expect((await request.get("/api/v1/me", { headers: auth(U) })).status()).not.toBe(200);
      U = await loginViaApi(request, U.phone);
      const back = await request.get("/api/v1/me", { headers: auth(U) });
      expect(back.status(), await back.text()).toBe(200);
    });

    test("(4) works: take a work down with a reason → gone from 发现; restore brings it back", async ({
      page,
      request,
      browser,
    }) => {
      await expect.poll(() => feedIds(request, U), { timeout: 30_000 }).toContain(takedownWork);

      await openConsole(page, "/works");
      await field(page, "works-search").fill(TAKEDOWN_TITLE);
      await field(page, "works-search").press("Enter");
      const row = page.locator(`[data-testid="work-row"][data-id="${takedownWork}"]`);
      await expect(row).toHaveAttribute("data-status", "published");
      await row.getByTestId("work-take-down").click();
      const modal = dialog(page, `下架作品「${TAKEDOWN_TITLE}」`);
      await field(modal, "reason-input").fill(TAKEDOWN_REASON);
      await modal.getByTestId("reason-ok").click();
      await expect(row).toHaveAttribute("data-status", "taken_down");
      await expect(row.getByTestId("work-takedown-reason")).toHaveText(TAKEDOWN_REASON);

      // Gone from 发现: the API's feed and the app's swipe feed.
      await expect.poll(() => feedIds(request, U), { timeout: 30_000 }).not.toContain(takedownWork);
      expect(await feedIds(request, U)).toContain(deliveredWork);
      const app = await openApp(browser, "/", null);
      await expect(app.page.getByTestId("home-page")).toHaveAttribute("data-tab", "discover");
      await expect(app.page.locator(`[data-work-id="${deliveredWork}"]`).first()).toBeAttached();
      await expect(app.page.locator(`[data-work-id="${takedownWork}"]`)).toHaveCount(0);
      await app.close();

      // The list without the search shows both works.
      await field(page, "works-search").fill("");
      await field(page, "works-search").press("Enter");
      await expect(page.getByTestId("work-row")).toHaveCount(2);
      await shot(page, "admin-works.png");

      await row.getByTestId("work-restore").click();
      const restore = dialog(page, `恢复作品「${TAKEDOWN_TITLE}」`);
      await field(restore, "reason-input").fill("作者提供了原创证明");
      await restore.getByTestId("reason-ok").click();
      await expect(row).toHaveAttribute("data-status", "published");
      await expect.poll(() => feedIds(request, U), { timeout: 30_000 }).toContain(takedownWork);
    });

    test("(5) withdrawals: the review queue, approve → paid by the sandbox transfer; the bank batch CSV", async ({
      page,
      request,
    }) => {
      await openConsole(page, "/withdrawals");
      const row = page.locator(`[data-testid="withdrawal-row"][data-id="${withdrawalId}"]`);
      await expect(row).toHaveAttribute("data-status", "applied");
      await expect(row.getByTestId("withdrawal-amount")).toHaveText("¥100.00");
      await expect(row).toContainText("支付宝 139****9000");
      await shot(page, "admin-withdrawals.png");

      await row.getByTestId("withdrawal-approve").click();
      const confirm = dialog(page, "通过这笔提现？");
      await expect(confirm).toContainText("¥100.00");
      await confirm.getByTestId("approve-ok").click();
      await expect(page.getByText(/已通过，打款状态/)).toBeVisible();
      await expect(row).toHaveCount(0);

      type Mine = { items: { withdrawal_id: string; status: string }[] };
      await expect
        .poll(
          async () =>
            (await apiGet<Mine>(request, W, "/withdrawals/me")).items.find(
              (w) => w.withdrawal_id === withdrawalId,
            )?.status,
          { timeout: 30_000 },
        )
        .toBe("paid");
      await page.getByTestId("wd-tab-all").click();
      await expect(row).toHaveAttribute("data-status", "paid");
      await expect(row.getByTestId("payout-status")).toContainText("打款成功");

      // The bank batch, fetched with the bearer token and saved as a file.
      const download = page.waitForEvent("download");
      await page.getByTestId("bank-batch").click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/\.csv$/);
      const path = await file.path();
      expect(readFileSync(path, "utf8").length).toBeGreaterThan(0);
    });

    test("(6) orders: a disputed order settled with a split and a note", async ({ page, request }) => {
      await openConsole(page, "/orders");
      const row = page.locator(`[data-testid="order-row"][data-id="${orderId}"]`);
      await expect(row).toHaveAttribute("data-status", "disputed");
      await shot(page, "admin-orders.png");
      await row.getByTestId("order-open").click();
      const detail = page.getByTestId("order-detail");
      await expect(detail).toHaveAttribute("data-status", "disputed");
      await expect(page.getByTestId("order-dispute")).toContainText("没有拉花特写");

      await page.getByTestId("order-settle").click();
      const modal = dialog(page, /结算争议：/);
      await modal.getByTestId("settle-split").click();
      // The share must lie strictly between 0 and the 50-coin budget.
      await field(modal, "settle-share").fill("50");
      await modal.getByTestId("settle-ok").click();
      await expect(modal.getByText("请输入大于 0 且小于预算的金额")).toBeVisible();
      await field(modal, "settle-share").fill("20");
      await field(modal, "settle-note").fill(SETTLE_NOTE);
      await shot(page, "admin-order-settle.png");
      await modal.getByTestId("settle-ok").click();
      await dialog(page, "结算争议").getByTestId("settle-confirm-ok").click();
      await expect(page.getByText("争议已结算")).toBeVisible();
      await expect(detail).toHaveAttribute("data-status", "split");
      await expect(detail).toHaveAttribute("data-outcome", "dispute_split");
      await expect(page.getByTestId("order-resolution")).toContainText("按比例分摊");

      // Both sides see it: 20 gross → 19 to the creator after the 5 % fee, 30 back to the publisher.
      const seen = await apiGet<{
        status: string;
        outcome: string;
        creator_paid_coins: string;
        publisher_refunded_coins: string;
      }>(request, P, `/orders/${orderId}`);
      expect([seen.status, seen.outcome]).toEqual(["split", "dispute_split"]);
      expect(Number(seen.creator_paid_coins)).toBe(19);
      expect(Number(seen.publisher_refunded_coins)).toBe(30);
    });

    test("(7) models: skyriff-sim off → the app's 创作 no longer offers it (no restart); on again", async ({
      page,
      request,
      browser,
    }) => {
      await openConsole(page, "/models");
      const row = page.locator('[data-testid="model-row"][data-id="skyriff-sim"]');
      await expect(row).toHaveAttribute("data-enabled", "true");
      await expect(page.getByTestId("vendor-simulated")).toBeVisible();

      await page.getByTestId("model-switch-skyriff-sim").click();
      await dialog(page, /关闭模型/)
        .getByTestId("model-switch-ok")
        .click();
      await expect(row).toHaveAttribute("data-enabled", "false");
      await expect(row.getByTestId("model-offered")).toHaveText("不可用");
      const config = await (await request.get("/api/v1/config")).json();
      expect((config as Envelope<Config>).data.models.map((m) => m.id)).not.toContain("skyriff-sim");
      const off = await openApp(browser, "/create", U);
      await expect(off.page.getByTestId("create-no-models")).toBeVisible();
      await expect(off.page.getByTestId("model-option-skyriff-sim")).toHaveCount(0);
      await off.close();

      await page.getByTestId("model-switch-skyriff-sim").click();
      await dialog(page, /开启模型/)
        .getByTestId("model-switch-ok")
        .click();
      await expect(row).toHaveAttribute("data-enabled", "true");
      const on = await openApp(browser, "/create", U);
      await expect(on.page.getByTestId("model-option-skyriff-sim")).toBeVisible();
      await on.close();
      await shot(page, "admin-models.png");
    });

    test("(8) roles: a moderator sees their menu only and may ban but not adjust", async ({
      page,
      request,
    }) => {
      await openConsole(page, `/users?user=${encodeURIComponent(C.user_id)}`);
      await page.getByTestId("user-roles").click();
      const modal = dialog(page, /的后台角色/);
      await modal.getByLabel("审核员").check();
      await modal.getByTestId("roles-ok").click();
      await expect(page.getByText("角色已更新")).toBeVisible();
      const updated = await apiGet<{ roles: string[] }>(request, adminToken(), `/admin/users/${C.user_id}`);
      expect(updated.roles).toEqual(["moderator"]);

      // C's own session in a console tab of its own.
      const context = await page
        .context()
        .browser()!
        .newContext({
          baseURL: test.info().project.use.baseURL,
          viewport: { width: 1440, height: 900 },
          locale: "zh-CN",
          timezoneId: "Asia/Shanghai",
        });
      const mod = await context.newPage();
      await mod.goto("/admin/login");
      await mod.evaluate(
        ([keys, a, r]) => {
          localStorage.setItem(keys[0], a);
          localStorage.setItem(keys[1], r);
        },
        [[ADMIN_ACCESS, ADMIN_REFRESH], C.access_token, C.refresh_token] as const,
      );
      await mod.goto(`/admin/users?user=${encodeURIComponent(U.user_id)}`);
      await expect(mod.getByTestId("header-user")).toContainText("审核员");
      for (const item of ["dashboard", "users", "works", "sensitiveWords"]) {
        await expect(mod.getByTestId(`menu-${item}`)).toBeVisible();
      }
      for (const item of ["withdrawals", "payments", "vendorCosts", "orders", "models", "audit"]) {
        await expect(mod.getByTestId(`menu-${item}`)).toHaveCount(0);
      }
      await expect(mod.getByTestId("user-detail")).toBeVisible();
      await expect(mod.getByTestId("user-ban")).toBeVisible();
      await expect(mod.getByTestId("user-adjust")).toHaveCount(0);
      await expect(mod.getByTestId("user-roles")).toHaveCount(0);
      await mod.goto("/admin/withdrawals");
      await expect(mod.getByText("当前角色无权访问此页面")).toBeVisible();
      await context.close();
    });

    test("(9) payments, reconciliation, model costs, sensitive words, products, jobs, audit; English", async ({
      page,
      request,
    }) => {
      // Payments: the sandbox ones, the verified callback, a re-query of the gateway.
      await openConsole(page, "/payments");
      await expect(page.getByTestId("payment-row")).toHaveCount(2);
      await shot(page, "admin-payments.png");
      await page.getByTestId("payment-open").first().click();
      const payment = page.getByTestId("payment-detail");
      await expect(payment).toHaveAttribute("data-status", "paid");
      await expect(page.getByTestId("payment-callback")).toBeVisible();
      await page.getByTestId("payment-requery").click();
      await expect(page.getByText("已重新查询，当前状态：已支付")).toBeVisible();
      await shot(page, "admin-payment-detail.png");

      // Reconciliation: run now; the books balance after everything above.
      await page.goto("/admin/reconciliation");
      await page.getByTestId("recon-run").click();
      await expect(page.getByTestId("recon-report")).toHaveAttribute("data-ok", "true");
      await expect(page.getByTestId("recon-result")).toHaveText("账实相符");
      await shot(page, "admin-reconciliation.png");

      // 模型成本: the setup's generations on skyriff-sim, their credits also in ¥ (1 credit = 5 fen).
      await page.getByTestId("menu-vendorCosts").click();
      await expect(page).toHaveURL(/\/admin\/vendor-costs$/);
      const costs = await apiGet<VendorCosts>(request, adminToken(), "/admin/vendor-costs?days=7");
      const sim = costs.items.filter((r) => r.model === "skyriff-sim");
      const simTasks = sim.reduce((n, r) => n + r.tasks, 0);
      const simFen = sim.reduce((n, r) => n + r.credits_charged, 0) * 5;
      expect(simTasks).toBeGreaterThanOrEqual(2);
      const costRow = page.locator('[data-testid="cost-row"][data-model="skyriff-sim"]');
      await expect(costRow).toContainText("skyriff-sim");
      await expect(costRow.getByTestId("cost-tasks")).toHaveText(simTasks.toLocaleString("en-US"));
      await expect(costRow.getByTestId("cost-charged")).toHaveText(
        `¥${Math.floor(simFen / 100)}.${String(simFen % 100).padStart(2, "0")}`,
      );
      await expect(page.getByTestId("chart-costs").locator("canvas")).toHaveCount(1);
      await page.waitForTimeout(600); // the chart's entry animation
      await shot(page, "admin-vendor-costs.png");

      // Sensitive words: one more, saved after a confirmation.
      await page.goto("/admin/sensitive-words");
      const text = field(page, "words-text");
      await expect(text).toBeVisible();
      const before = await text.inputValue();
      await text.fill(`${before ? `${before}\n` : ""}刷单返现`);
      await page.getByTestId("words-save").click();
      // antd spaces two-character button labels: "保 存".
      await dialog(page, "保存敏感词列表？")
        .getByRole("button", { name: /^保\s?存$/ })
        .click();
      await expect(page.getByText("已保存")).toBeVisible();
      const words = await apiGet<{ words: string[] }>(request, adminToken(), "/admin/sensitive_words");
      expect(words.words).toContain("刷单返现");
      await shot(page, "admin-sensitive-words.png");

      await page.goto("/admin/products");
      await expect(page.getByRole("cell", { name: "coins_100", exact: true })).toBeVisible();
      await shot(page, "admin-products.png");

      await page.goto("/admin/jobs");
      await expect(page.getByTestId("jobs-page")).toContainText("队列后端");
      await shot(page, "admin-jobs.png");

      // The audit log holds every action of this run.
      await page.goto("/admin/audit");
      for (const action of [
        "user.adjust",
        "user.ban",
        "user.unban",
        "work.take_down",
        "work.restore",
        "withdrawal.approve",
        "order.settle",
      ]) {
        await expect(
          page.locator(`[data-testid="audit-row"][data-action="${action}"]`).first(),
        ).toBeVisible();
      }
      await shot(page, "admin-audit.png");

      // English: antd's locale and the console's own strings.
      await page.goto("/admin/dashboard");
      await page.getByTestId("lang-switch").hover();
      await page.getByRole("menuitem", { name: "English" }).click();
      await expect(page.getByTestId("menu-dashboard")).toHaveText("Dashboard");
      await expect(page.getByTestId("kpi-new-users")).toContainText("New users today");
      await page.waitForTimeout(600);
      await shot(page, "admin-dashboard-en.png");
      await page.getByTestId("lang-switch").hover();
      await page.getByRole("menuitem", { name: "简体中文" }).click();
      await expect(page.getByTestId("menu-dashboard")).toHaveText("数据看板");
    });
  });

// antd runs in zero-runtime mode on antd/dist/antd.css: the console needs no inline <style>, so the
// server serves it under the site's strict policy (style-src 'self', no 'unsafe-inline').
test("the console is styled under the strict CSP (style-src 'self')", async ({ page }) => {
  const served = await page.request.get("/admin/login");
  expect(served.headers()["content-security-policy"]).toMatch(/style-src 'self'(;|$)/);
  const refused: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/.test(m.text())) refused.push(m.text());
  });
  await page.goto("/admin/login");
  const submit = page.getByTestId("login-submit");
  await expect(submit).toBeVisible();
  // antd's primary button, its card and its input, all from the stylesheet.
  await expect(submit).toHaveCSS("background-color", "rgb(22, 119, 255)");
  await expect(page.locator(".login-card")).toHaveCSS("border-radius", "8px");
  await expect(field(page, "login-phone")).toHaveCSS("font-size", "16px");
  // Only antd's duplicate CSS-variable <style> elements are refused, never anything that shows.
  expect(refused.every((t) => /style-src/.test(t))).toBe(true);
});
