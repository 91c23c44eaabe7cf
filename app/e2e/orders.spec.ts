import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { apiGet, loginViaApi, publishWorkViaApi, type Session, useSession } from "./helpers.ts";

// SPEC §6 in the browser with two users: a publisher (P) who buys a ¥100 coins pack through the sandbox
// cashier, posts three 50-coin orders and accepts, cancels before award, and asks to cancel after award;
// and a creator (C) who applies, delivers one of its published works and consents to the cancellation;
// then a fourth order is disputed by P in the browser and settled by an admin (A) with a split.
// Screenshots at 390×844 go to test-results/ (UPDATE_SCREENSHOTS=1: docs/screenshots/orders-*.png).
const outDir = process.env.UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, "..", "..", "docs", "screenshots")
  : join(import.meta.dirname, "test-results", "screenshots");

const DAY_MS = 24 * 3600_000;
const WORK_TITLE = "夏日柠檬茶 15 秒广告";
const ORDER_1 = {
  title: "新品柠檬茶 15 秒竖屏广告",
  brief: "为夏季新品柠檬茶制作一支 15 秒竖屏广告：清爽的海边场景，冰块落入杯中的特写，结尾出现品牌标语。",
  category: "brand",
};
const ORDER_2 = {
  title: "618 防晒霜带货短视频",
  brief: "618 大促防晒霜带货视频，展示户外防晒效果和质地，时长 10 秒，竖屏，适合投放电商直播间。",
  category: "ecommerce",
};
const ORDER_3 = {
  title: "古风短剧片头 10 秒",
  brief: "古风短剧的片头动画：竹林、飘落的花瓣和水墨风格的片名，10 秒，横屏，配合古筝氛围。",
  category: "short_drama",
};
const ORDER_4 = {
  title: "咖啡店开业宣传片 15 秒",
  brief: "为街角咖啡店开业制作 15 秒宣传片：清晨开门、拉花特写、顾客微笑，结尾出现店名和开业日期。",
  category: "brand",
};
const DISPUTE_REASON = "交付的作品与需求不符：没有拉花特写，结尾也缺少店名和开业日期。";
const SETTLE_NOTE = "按完成度结算";
const PROPOSAL =
  "我擅长清新风格的饮品广告：先用海浪和阳光开场，再给冰块落杯的慢镜头特写，最后定格品牌标语，2 天内交付。";

type Envelope<T> = { code: number; message: string; data: T };
type Wallets = {
  coins: {
    available: string;
    pending: string;
    pending_details: { amount: string; unlock_at: string; source: string }[];
  };
};

let P: Session;
let C: Session;
let workId = "";
const orderIds: string[] = [];

/** Dates as the app writes them in zh-CN ("12月8日"), in the suite's time zone. */
const zhDay = (d: Date) =>
  new Intl.DateTimeFormat("zh-CN", { month: "short", day: "numeric", timeZone: "Asia/Shanghai" }).format(d);

async function apiPost<T>(request: APIRequestContext, s: Session, path: string, data: unknown) {
  const res = await request.post(`/api/v1${path}`, {
    headers: {
      authorization: `Bearer ${s.access_token}`,
      "idempotency-key": `e2e-ord-${Date.now()}-${Math.random()}`,
    },
    data,
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return ((await res.json()) as Envelope<T>).data;
}

/** Let toasts, dialogs and sheets finish so a screenshot shows the settled page. */
async function settle(page: Page) {
  await expect(page.locator(".adm-toast-mask")).toHaveCount(0, { timeout: 8_000 });
  await page.waitForTimeout(500);
}

async function shot(page: Page, name: string, fullPage = false) {
  await settle(page);
  await page.screenshot({ path: join(outDir, name), fullPage });
}

const dialog = (page: Page) => page.locator(".adm-dialog");
const confirmIn = (page: Page, name: string) =>
  dialog(page).getByRole("button", { name, exact: true }).click();

/** Fills 发布商单 (title, category, brief, 50 coins; the default deadline of +7 days). */
async function fillOrder(page: Page, order: { title: string; brief: string; category: string }) {
  await page.getByTestId("order-title").locator("input").fill(order.title);
  await page.getByTestId(`order-category-${order.category}`).click();
  await page.getByTestId("order-brief").locator("textarea:not([readonly])").fill(order.brief);
  await page.getByTestId("order-budget").locator("input").fill("50");
}

/** 发布商单 → confirm the escrow → 商单详情; returns the order id. */
async function publishInUi(
  page: Page,
  order: { title: string; brief: string; category: string },
  before: string,
  after: string,
) {
  await page.goto("/orders/new");
  await expect(page.getByTestId("order-create-balance")).toHaveText(before);
  await fillOrder(page, order);
  await page.getByTestId("order-create-submit").click();
  const confirm = page.getByTestId("order-create-confirm");
  await expect(confirm.getByTestId("order-confirm-amount")).toHaveText("50.00 金币");
  await expect(confirm.getByTestId("order-confirm-after")).toHaveText(`${before} → ${after}`);
  await confirmIn(page, "确认托管并发布");
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  await expect(page.getByTestId("order-published-banner")).toContainText(`可提现金币剩余 ${after}`);
  await expect(page.getByTestId("order-status")).toHaveText("招募中");
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  orderIds.push(id);
  return id;
}

/** The dev-only role grant (no token): `roles` replace the user's back-office roles. */
async function grantRoles(request: APIRequestContext, s: Session, roles: string[]) {
  const res = await request.post("/api/v1/dev/roles", { data: { user_id: s.user_id, roles } });
  expect(res.status(), await res.text()).toBe(200);
}

/** Setup through the API, each step covered in the browser above: publish, apply, award, deliver. */
async function deliveredOrderViaApi(request: APIRequestContext) {
  const { order } = await apiPost<{ order: { order_id: string } }>(request, P, "/orders/create", {
    ...ORDER_4,
    budget_coins: "50",
    deadline_at: new Date(Date.now() + 7 * DAY_MS).toISOString(),
  });
  const id = order.order_id;
  await apiPost(request, C, `/orders/${id}/apply`, { proposal_text: "开业宣传片做过很多，可以按时交付。" });
  await apiPost(request, P, `/orders/${id}/award`, { creator_user_id: C.user_id });
  await apiPost(request, C, `/orders/${id}/deliver`, { work_id: workId });
  return id;
}

async function openOrder(page: Page, id: string) {
  await page.goto(`/orders/${encodeURIComponent(id)}`);
  await expect(page.getByTestId("order-detail")).toHaveAttribute("data-status", /.+/);
}

test.describe
  .serial("商单: coins pack, publish, apply, award, deliver, accept; cancel before and after award; dispute", () => {
    test.use({ deviceScaleFactor: 1 });

    test.beforeAll(async ({ request }) => {
      test.setTimeout(150_000);
      mkdirSync(outDir, { recursive: true });
      [P, C] = [await loginViaApi(request), await loginViaApi(request)];
      workId = await publishWorkViaApi(request, C, WORK_TITLE);
    });

    test("(1) 发布商单 with no coins → 去充值金币 → ¥100 pack in the sandbox cashier → back, 100 → 50 in escrow", async ({
      page,
      request,
    }) => {
      test.setTimeout(90_000);
      await useSession(page, P);
      await page.goto("/orders/new");
      await expect(page.getByTestId("order-create-balance")).toHaveText("0.00");
      await expect(page.getByTestId("order-escrow-note")).toContainText(
        "预算将托管在平台，取消或过期全额退回；验收后创作者得 95%，平台服务费 5%",
      );
      // The default deadline is a week away.
      await expect(page.getByTestId("order-deadline")).toContainText("剩 7 天");

      // The client's rules before anything is sent: a budget under 10 coins.
      await fillOrder(page, ORDER_1);
      await page.getByTestId("order-budget").locator("input").fill("5");
      await page.getByTestId("order-create-submit").click();
      await expect(page.getByText("预算最低 10 金币")).toBeVisible();
      await page.getByTestId("order-budget").locator("input").fill("50");
      await expect(page.getByTestId("order-escrow-split")).toHaveText(
        "本单验收后：创作者得 47.50 金币（冻结 7 天后可提现），平台服务费 2.50 金币",
      );
      await expect(page.getByTestId("order-create-short")).toContainText("可提现金币 0.00，还差 50.00");
      await expect(page.getByTestId("order-create-total")).toHaveText("50.00");
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, "orders-create.png");
      // The bottom of the form: the budget, the shortfall, the deadline and how escrow works.
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await shot(page, "orders-create-budget.png");

      // Short: submitting asks to top up; so does the inline 去充值金币.
      await page.getByTestId("order-create-submit").click();
      await expect(page.getByTestId("order-short-dialog")).toHaveText(
        "本单需托管 50.00 金币，当前可提现 0.00 金币，请先充值金币",
      );
      await confirmIn(page, "去充值金币");

      // 充值 › 金币: the coins packs, ¥100 → 100 coins first.
      await expect(page).toHaveURL(/\/me\/recharge\?type=coins&from=%2Forders%2Fnew$/);
      await expect(page.getByTestId("recharge-balance")).toHaveText("0.00");
      await expect(page.getByTestId("recharge-order-kept")).toContainText("你的商单草稿已保存");
      const packs = page.getByTestId("recharge-packs").getByRole("radio");
      await expect(packs).toHaveCount(4);
      await expect(packs.first()).toHaveAttribute("aria-checked", "true");
      await expect(packs.first()).toContainText("100金币¥100");
      await expect(page.getByTestId("recharge-total")).toHaveText("¥100.00");
      await expect(page.locator(".recharge-bar-credits")).toHaveText("得 100.00 金币");
      await shot(page, "orders-coins-recharge.png");

      await page.getByTestId("recharge-pay").click();
      await expect(page).toHaveURL(/\/sandbox\/pay\/cashier\//);
      await expect(page.locator(".amount")).toHaveText("¥100.00");
      await page.getByRole("button", { name: /^确认支付/ }).click();
      await expect(page).toHaveURL(/\/pay\/result\/[^/]+$/);
      await expect(page.getByTestId("pay-result")).toHaveAttribute("data-state", "success");
      await expect(page.getByTestId("pay-result-granted")).toHaveText("+100.00 金币已到账");
      await expect(page.getByTestId("pay-result-coins-balance")).toHaveText("可提现金币 100.00");
      await expect(page.getByTestId("pay-result-done")).toHaveText("返回发布商单");
      await page.getByTestId("pay-result-done").click();

      // Back on 发布商单 with the form as it was and the new balance.
      await expect(page).toHaveURL(/\/orders\/new$/);
      await expect(page.getByTestId("order-create-balance")).toHaveText("100.00");
      await expect(page.getByTestId("order-title").locator("input")).toHaveValue(ORDER_1.title);
      await expect(page.getByTestId("order-budget").locator("input")).toHaveValue("50");
      await expect(page.getByTestId("order-create-short")).toHaveCount(0);

      await page.getByTestId("order-create-submit").click();
      const confirm = page.getByTestId("order-create-confirm");
      await expect(confirm.getByTestId("order-confirm-amount")).toHaveText("50.00 金币");
      await expect(confirm.getByTestId("order-confirm-after")).toHaveText("100.00 → 50.00");
      await confirmIn(page, "确认托管并发布");
      await expect(page).toHaveURL(/\/orders\/[^/]+$/);
      await expect(page.getByTestId("order-published-banner")).toHaveText(
        "发布成功，已托管 50.00 金币，可提现金币剩余 50.00",
      );
      orderIds.push(decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!));
      await expect(page.getByTestId("order-status")).toHaveText("招募中");
      await expect(page.getByTestId("order-budget")).toHaveText("50.00");
      await expect(page.getByTestId("order-payout")).toHaveText("47.50 金币");
      await expect(page.getByTestId("order-fee")).toHaveText("2.50 金币");
      await expect(page.getByTestId("order-publisher-available")).toHaveText("50.00");
      await expect(page.getByTestId("order-notice-text")).toHaveText("等待创作者投稿");
      await expect(page.getByTestId("order-cancel")).toHaveText("立即取消并退款");

      const w = await apiGet<Wallets>(request, P, "/me/wallets");
      expect(w.coins.available).toMatch(/^50(\.0+)?$/);
      await page.goto("/me");
      await expect(page.getByTestId("coins-available")).toHaveText("50.00");
    });

    test("(2) the creator finds it in 工具 › 商单大厅 and applies with a proposal", async ({ page }) => {
      await useSession(page, C);
      await page.goto("/tools");
      await page.getByTestId("tools-orders").click();
      await expect(page).toHaveURL(/\/orders$/);
      const card = page.locator(`[data-testid="order-card"][data-order-id="${orderIds[0]}"]`);
      await expect(card.getByTestId("order-card-title")).toHaveText(ORDER_1.title);
      await expect(card.getByTestId("order-card-category")).toHaveText("品牌广告");
      await expect(card.getByTestId("order-card-budget")).toHaveText("50.00金币");
      await expect(card.getByTestId("order-card-left")).toHaveText("剩 7 天");
      await expect(card.getByTestId("order-card-applications")).toHaveText("0 人投稿");
      await shot(page, "orders-hall.png");

      // The category filter: 电商带货 does not list a 品牌广告 order; 全部 does again.
      const filter = page.getByTestId("orders-category-filter");
      await filter.getByText("电商带货", { exact: true }).click();
      await expect(page).toHaveURL(/category=ecommerce/);
      await expect(card).toHaveCount(0);
      await filter.getByText("品牌广告", { exact: true }).click();
      await expect(card).toHaveCount(1);
      await filter.getByText("全部", { exact: true }).click();
      await expect(card).toHaveCount(1);

      await card.click();
      await expect(page.getByTestId("order-detail")).toHaveAttribute("data-role", "none");
      await expect(page.getByTestId("order-title")).toHaveText(ORDER_1.title);
      await page.getByTestId("order-apply").click();
      const sheet = page.getByTestId("order-apply-sheet");
      await sheet.getByTestId("order-proposal").locator("textarea:not([readonly])").fill("太短");
      await sheet.getByTestId("order-apply-submit").click();
      await expect(sheet.getByTestId("order-apply-error")).toHaveText("方案说明至少 5 个字");
      await sheet.getByTestId("order-proposal").locator("textarea:not([readonly])").fill(PROPOSAL);
      await sheet.getByTestId("order-apply-submit").click();
      await expect(page.getByText("投稿成功，等待发布者选定")).toBeVisible();
      await expect(page.getByTestId("order-detail")).toHaveAttribute("data-role", "applicant");
      await expect(page.getByTestId("order-notice-text")).toHaveText("已投稿，等待发布者选定");
      const mine = page.getByTestId("order-my-application");
      await expect(mine.getByTestId("order-application-text")).toHaveText(PROPOSAL);
      await expect(mine.getByTestId("order-application-status")).toHaveText("待选定");
      await expect(page.getByTestId("order-apply")).toHaveCount(0);
    });

    test("(3) the publisher sees the applicant in 我的商单 and awards (选定)", async ({ page }) => {
      await useSession(page, P);
      await page.goto("/me");
      await page.getByTestId("my-orders-entry").click();
      await expect(page).toHaveURL(/\/me\/orders$/);
      await page.locator(`[data-testid="my-order-row"][data-order-id="${orderIds[0]}"]`).click();
      await expect(page.getByTestId("order-detail")).toHaveAttribute("data-role", "publisher");
      await expect(page.getByTestId("order-applications-count")).toHaveText("1 人投稿");
      await expect(page.getByTestId("order-notice-text")).toHaveText("已有 1 位创作者投稿，选定一位开始制作");
      const app = page.locator(`[data-testid="order-application"][data-user-id="${C.user_id}"]`);
      await expect(app.getByTestId("order-application-text")).toHaveText(PROPOSAL);
      await shot(page, "orders-detail-publisher.png");

      await app.getByTestId("order-award").click();
      await expect(page.getByTestId("order-award-confirm")).toContainText("选定后其他投稿将不再入选");
      await confirmIn(page, "确认选定");
      await expect(page.getByTestId("order-status")).toHaveText("制作中");
      await expect(page.getByTestId("order-awarded")).toBeVisible();
      await expect(app.getByTestId("order-application-status")).toHaveText("已选中");
      await expect(page.getByTestId("order-cancel")).toHaveText("申请取消（需创作者同意）");
      await expect(page.getByTestId("order-notice-text")).toContainText("交付作品");
    });

    test("(4) the creator, told in 消息, delivers one of its published works", async ({ page }) => {
      await useSession(page, C);
      // The award arrives as a notification that opens the order.
      await page.goto("/me/messages");
      const note = page.locator('[data-testid="message-row"][data-kind="order_awarded"]');
      await expect(note).toHaveCount(1);
      await note.click();
      await expect(page).toHaveURL(new RegExp(`/orders/${orderIds[0]}$`));
      await expect(page.getByTestId("order-detail")).toHaveAttribute("data-role", "awarded");

      await page.goto("/me/orders?role=applicant");
      const row = page.locator(`[data-testid="my-order-row"][data-order-id="${orderIds[0]}"]`);
      await expect(row.getByTestId("my-order-status")).toHaveText("制作中");
      await expect(row.getByTestId("my-order-application")).toHaveText("已选中");
      await row.click();
      await expect(page.getByTestId("order-notice-text")).toContainText("你已被选定，请在");

      await page.getByTestId("order-deliver").click();
      const sheet = page.getByTestId("order-deliver-sheet");
      const tile = sheet.locator(`[data-testid="order-deliver-work"][data-work-id="${workId}"]`);
      await expect(tile).toContainText(WORK_TITLE);
      await expect(tile.locator("img")).toHaveJSProperty("complete", true);
      await expect(sheet.getByTestId("order-deliver-submit")).toBeDisabled();
      await tile.click();
      await expect(tile).toHaveAttribute("aria-checked", "true");
      await expect(sheet.getByTestId("order-deliver-submit")).toHaveText("交付所选作品");
      await shot(page, "orders-deliver.png");
      await sheet.getByTestId("order-deliver-submit").click();
      await expect(page.getByTestId("order-deliver-confirm")).toContainText(`交付《${WORK_TITLE}》？`);
      await confirmIn(page, "确认交付");
      await expect(page.getByTestId("order-status")).toHaveText("待验收");
      await expect(page.getByTestId("order-delivered-work")).toHaveAttribute("data-work-id", workId);
      await expect(page.getByTestId("order-notice-text")).toHaveText("已交付，等待发布者验收");
      await expect(page.getByTestId("order-auto-accept")).toContainText("后自动验收");
    });

    test("(5) the publisher accepts: fee 2.50, the creator's 47.50 pending 7 days", async ({
      page,
      request,
    }) => {
      await useSession(page, P);
      await openOrder(page, orderIds[0]!);
      await expect(page.getByTestId("order-status")).toHaveText("待验收");
      await expect(page.getByTestId("order-notice-text")).toHaveText("创作者已交付作品，请查看并验收");
      await expect(page.getByTestId("order-auto-accept")).toContainText(
        /^6 天 23 小时后自动验收 · 如有异议请在此之前发起争议$/,
      );
      await expect(page.getByTestId("order-dispute")).toHaveText("发起争议");
      // The delivered work opens in the player.
      await page.getByTestId("order-delivered-work").click();
      await expect(page).toHaveURL(new RegExp(`/play/${workId}$`));
      await page.goBack();

      await page.getByTestId("order-accept").click();
      const confirm = page.getByTestId("order-accept-confirm");
      await expect(confirm.getByTestId("order-accept-fee")).toHaveText("2.50 金币");
      await expect(confirm.getByTestId("order-accept-payout")).toHaveText("47.50 金币");
      await confirmIn(page, "确认验收并付款");
      await expect(page.getByTestId("order-status")).toHaveText("已完成");
      await expect(page.getByTestId("order-outcome-text")).toHaveText("发布者已验收，商单完成");
      await expect(page.getByTestId("order-creator-paid")).toHaveText("47.50 金币");
      await expect(page.getByTestId("order-actions")).toHaveCount(0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, "orders-completed.png");

      const w = await apiGet<Wallets>(request, P, "/me/wallets");
      expect(w.coins.available).toMatch(/^50(\.0+)?$/);
    });

    test("(6) the creator's 冻结中 shows 47.50 unlocking in 7 days", async ({ page }) => {
      await useSession(page, C);
      await openOrder(page, orderIds[0]!);
      await expect(page.getByTestId("order-outcome-pending")).toContainText(
        "47.50 金币已计入冻结中，7 天后可提现",
      );
      await page.goto("/me");
      await expect(page.getByTestId("coins-pending")).toHaveText("47.50");
      await page.getByTestId("coins-pending-link").click();
      const lot = page.locator('[data-testid="pending-lot"][data-source="order"]');
      await expect(lot.getByTestId("pending-lot-amount")).toHaveText("+47.500");
      await expect(lot.getByTestId("pending-lot-source")).toHaveText("商单");
      const unlockAt = await lot.getByTestId("pending-lot-unlock").getAttribute("data-unlock-at");
      const days = (Date.parse(unlockAt!) - Date.now()) / DAY_MS;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThanOrEqual(7);
      await expect(lot.getByTestId("pending-lot-unlock")).toHaveText(
        `${zhDay(new Date(Date.parse(unlockAt!)))} 解冻`,
      );
    });

    test("(7) an order cancelled before award returns its 50 coins at once", async ({ page }) => {
      await useSession(page, P);
      const id = await publishInUi(page, ORDER_2, "50.00", "0.00");
      await expect(page.getByTestId("order-publisher-available")).toHaveText("0.00");
      await page.getByTestId("order-cancel").click();
      await expect(page.getByTestId("order-cancel-confirm")).toHaveText(
        "商单将立即取消，托管的 50.00 金币全额退回你的可提现金币。",
      );
      await confirmIn(page, "立即取消并退款");
      await expect(page.getByTestId("order-status")).toHaveText("已取消");
      await expect(page.getByTestId("order-outcome-text")).toHaveText("发布者已取消商单");
      await expect(page.getByTestId("order-publisher-refunded")).toHaveText("50.00 金币");
      await expect(page.getByTestId("order-outcome-refund")).toHaveText("50.00 金币已退回你的可提现金币");
      await expect(page.getByTestId("order-publisher-available")).toHaveText("50.00");
      // Gone from the hall.
      await page.goto("/orders");
      await expect(page.locator(`[data-testid="order-card"][data-order-id="${id}"]`)).toHaveCount(0);
    });

    test("(8) cancelled after award: 待创作者同意, the coins stay in escrow until 同意取消", async ({
      page,
      request,
    }) => {
      await useSession(page, P);
      const id = await publishInUi(page, ORDER_3, "50.00", "0.00");
      // Setup, not the thing tested: the creator's application.
      await apiPost(request, C, `/orders/${id}/apply`, { proposal_text: "水墨风片头是我的强项，可以做。" });
      await page.reload();
      await page.getByTestId("order-award").click();
      await confirmIn(page, "确认选定");
      await expect(page.getByTestId("order-status")).toHaveText("制作中");

      await page.getByTestId("order-cancel").click();
      const sheet = page.getByTestId("order-cancel-sheet");
      await expect(sheet).toContainText("创作者同意后商单取消，托管的 50.00 金币全额退回");
      await sheet
        .getByTestId("order-cancel-sheet-text")
        .locator("textarea:not([readonly])")
        .fill("项目预算调整，暂不制作");
      await sheet.getByTestId("order-cancel-sheet-submit").click();
      await expect(page.getByTestId("order-status")).toHaveText("待创作者同意");
      await expect(page.getByTestId("order-notice-text")).toHaveText("已申请取消，待创作者同意");
      await expect(page.getByTestId("order-notice")).toContainText("取消原因：项目预算调整，暂不制作");
      await expect(page.getByTestId("order-publisher-available")).toHaveText("0.00");
      await expect(page.getByTestId("order-actions")).toHaveCount(0);
      await page.reload();
      await expect(page.getByTestId("order-publisher-available")).toHaveText("0.00");

      // The creator consents.
      await useSession(page, C);
      await openOrder(page, id);
      await expect(page.getByTestId("order-status")).toHaveText("待创作者同意");
      await expect(page.getByTestId("order-notice-text")).toHaveText("发布者申请取消商单，请确认是否同意");
      await expect(page.getByTestId("order-cancel-reject")).toHaveText("拒绝取消");
      await shot(page, "orders-cancel-requested.png");
      await page.getByTestId("order-cancel-approve").click();
      await expect(page.getByTestId("order-decide-confirm")).toHaveText(
        "商单将取消，托管的 50.00 金币退回发布者。",
      );
      await confirmIn(page, "同意取消");
      await expect(page.getByTestId("order-status")).toHaveText("已取消");
      await expect(page.getByTestId("order-outcome-text")).toHaveText("双方同意，商单已取消");

      // Refunded to the publisher.
      await useSession(page, P);
      await openOrder(page, id);
      await expect(page.getByTestId("order-publisher-refunded")).toHaveText("50.00 金币");
      await expect(page.getByTestId("order-publisher-available")).toHaveText("50.00");
      const w = await apiGet<Wallets>(request, P, "/me/wallets");
      expect(w.coins.available).toMatch(/^50(\.0+)?$/);
    });

    test("(9) 我的商单: 我发布的 by status, 我投稿的", async ({ page }) => {
      await useSession(page, P);
      await page.goto("/me/orders");
      const rows = page.getByTestId("my-order-row");
      await expect(rows).toHaveCount(3);
      await expect(rows.nth(0)).toHaveAttribute("data-order-id", orderIds[2]!);
      await expect(rows.nth(0).getByTestId("my-order-status")).toHaveText("已取消");
      await expect(rows.nth(2).getByTestId("my-order-status")).toHaveText("已完成");
      await shot(page, "orders-mine.png");
      const status = page.getByTestId("my-orders-status");
      await status.getByText("已取消", { exact: true }).click();
      await expect(rows).toHaveCount(2);
      await status.getByText("已完成", { exact: true }).click();
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toHaveAttribute("data-order-id", orderIds[0]!);
      await status.getByText("进行中", { exact: true }).click();
      await expect(page.getByTestId("my-orders-empty")).toBeVisible();

      await useSession(page, C);
      await page.goto("/me/orders?role=applicant");
      await expect(rows).toHaveCount(2);
      await expect(rows.first()).toHaveAttribute("data-order-id", orderIds[2]!);
      await page.getByTestId("my-orders-tab-publisher").click();
      await expect(page.getByTestId("my-orders-empty")).toContainText("还没有发布过商单");
    });

    test("(10) a dispute: the publisher opens it in the browser, an admin settles a split, both sides see it", async ({
      page,
      request,
    }) => {
      test.setTimeout(90_000);
      const id = await deliveredOrderViaApi(request);
      orderIds.push(id);
      const before = await apiGet<Wallets>(request, C, "/me/wallets");
      expect(before.coins.pending).toMatch(/^47\.50*$/);

      // The publisher disputes the delivery; too short a reason is refused before anything is sent.
      await useSession(page, P);
      await openOrder(page, id);
      await expect(page.getByTestId("order-status")).toHaveText("待验收");
      await page.getByTestId("order-dispute").click();
      const sheet = page.getByTestId("order-dispute-sheet");
      await expect(sheet).toContainText("平台会介入处理");
      const reason = sheet.getByTestId("order-dispute-sheet-text").locator("textarea:not([readonly])");
      await reason.fill("不满意");
      await sheet.getByTestId("order-dispute-sheet-submit").click();
      await expect(sheet).toContainText("请至少填写 5 个字");
      await reason.fill(DISPUTE_REASON);
      await sheet.getByTestId("order-dispute-sheet-submit").click();
      await expect(page.getByText("已提交争议，等待平台处理")).toBeVisible();
      await expect(page.getByTestId("order-detail")).toHaveAttribute("data-status", "disputed");
      await expect(page.getByTestId("order-status")).toHaveText("争议处理中");
      await expect(page.getByTestId("order-notice-text")).toHaveText("争议处理中，平台会尽快处理");
      await expect(page.getByTestId("order-notice")).toContainText(`争议原因：${DISPUTE_REASON}`);
      await expect(page.getByTestId("order-actions")).toHaveCount(0);
      await page.reload();
      await expect(page.getByTestId("order-status")).toHaveText("争议处理中");

      // The creator sees the dispute too, with nothing to do.
      await useSession(page, C);
      await openOrder(page, id);
      await expect(page.getByTestId("order-detail")).toHaveAttribute("data-role", "awarded");
      await expect(page.getByTestId("order-status")).toHaveText("争议处理中");
      await expect(page.getByTestId("order-notice")).toContainText(`争议原因：${DISPUTE_REASON}`);
      await expect(page.getByTestId("order-actions")).toHaveCount(0);

      // An admin settles it: 20 of the 50 coins to the creator (19.00 after the 5 % fee), 30 back.
      const A = await loginViaApi(request);
      await grantRoles(request, A, ["admin"]);
      const settled = await apiPost<{ status: string; outcome: string }>(
        request,
        A,
        `/admin/orders/${id}/settle`,
        { resolution: "split", creator_share_coins: "20", note: SETTLE_NOTE },
      );
      expect([settled.status, settled.outcome]).toEqual(["split", "dispute_split"]);

      // The creator: paid 19.00, pending 7 days; 冻结中 grows by 19.00 (47.50 → 66.50).
      await page.reload();
      await expect(page.getByTestId("order-status")).toHaveText("已结算");
      const outcome = page.getByTestId("order-outcome");
      await expect(outcome).toHaveAttribute("data-outcome", "dispute_split");
      await expect(page.getByTestId("order-outcome-text")).toHaveText("争议已处理：按比例分账");
      await expect(page.getByTestId("order-creator-paid")).toHaveText("19.00 金币");
      await expect(page.getByTestId("order-publisher-refunded")).toHaveText("30.00 金币");
      await expect(outcome).toContainText("处理结果按比例分账");
      await expect(page.getByTestId("order-split-share")).toHaveText("20.00 金币");
      await expect(outcome).toContainText(`处理说明：${SETTLE_NOTE}`);
      await expect(page.getByTestId("order-outcome-pending")).toHaveText(
        "19.00 金币已计入冻结中，7 天后可提现",
      );
      await page.goto("/me");
      await expect(page.getByTestId("coins-pending")).toHaveText("66.50");

      // The publisher: 30.00 back in available coins, the admin's note; 已完成 lists the split order.
      await useSession(page, P);
      await openOrder(page, id);
      await expect(page.getByTestId("order-status")).toHaveText("已结算");
      await expect(page.getByTestId("order-outcome-text")).toHaveText("争议已处理：按比例分账");
      await expect(page.getByTestId("order-creator-paid")).toHaveText("19.00 金币");
      await expect(page.getByTestId("order-publisher-refunded")).toHaveText("30.00 金币");
      await expect(page.getByTestId("order-outcome")).toContainText(`处理说明：${SETTLE_NOTE}`);
      await expect(page.getByTestId("order-outcome-refund")).toHaveText("30.00 金币已退回你的可提现金币");
      await expect(page.getByTestId("order-publisher-available")).toHaveText("30.00");
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, "orders-dispute-settled.png");

      await page.goto("/me/orders?status=completed");
      const rows = page.getByTestId("my-order-row");
      await expect(rows).toHaveCount(2);
      await expect(rows.first()).toHaveAttribute("data-order-id", id);
      await expect(rows.first().getByTestId("my-order-status")).toHaveText("已结算");
    });

    test("(11) in English the order pages show no Chinese outside user content", async ({ page }) => {
      await useSession(page, P);
      await page.evaluate(() => localStorage.setItem("skyriff.lang", "en"));
      const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
      const check = async (path: string, ready: string) => {
        await page.goto(path);
        await expect(page.getByTestId(ready).first()).toBeVisible();
        await settle(page);
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered, visible text is what is asserted
        let text = await page.locator("body").innerText();
        const marked = await page.locator("[data-user-content]").allInnerTexts();
        for (const s of marked.filter(Boolean).sort((x, y) => y.length - x.length))
          text = text.split(s).join("");
        expect(text.match(CJK), `${path} shows Chinese: ${text}`).toBeNull();
      };
      await check("/orders", "orders-publish");
      await check("/orders/new", "order-create-submit");
      await check(`/orders/${orderIds[0]}`, "order-outcome");
      await check(`/orders/${orderIds[2]}`, "order-outcome");
      await check(`/orders/${orderIds[3]}`, "order-outcome");
      await check("/me/orders", "my-order-row");
      await check("/me/recharge?type=coins", "recharge-packs");
    });
  });
