import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { fetchSmsCode, randomPhone } from "./helpers.ts";

// Screenshots at 390×844 (the config's viewport). A normal run writes them to test-results/ so CI leaves
// the tree clean; `UPDATE_SCREENSHOTS=1` refreshes the ones in docs/screenshots/.
const outDir = process.env.UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, "..", "..", "docs", "screenshots")
  : join(import.meta.dirname, "test-results", "screenshots");

const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(outDir, name), fullPage });

/** Logs a new phone in through the login page (the code from the dev SMS outbox). */
async function loginInBrowser(page: Page, request: APIRequestContext) {
  const phone = randomPhone();
  await page.getByPlaceholder("请输入手机号").fill(phone);
  await page.getByTestId("agree-checkbox").click();
  await page.getByTestId("send-code").click();
  await expect(page.getByTestId("send-code")).toHaveText(/^\d{1,2}s$/);
  const code = await fetchSmsCode(request, phone);
  await page.getByPlaceholder("请输入 6 位验证码").fill(code);
  await page.getByRole("button", { name: "登录", exact: true }).click();
}

/** The antd-mobile toasts have gone (none covers a screenshot). */
async function toastsGone(page: Page) {
  await expect(page.locator(".adm-toast-main")).toHaveCount(0, { timeout: 5_000 });
}

/** On the sandbox 收银台 (a page of the backend): checks the amount and taps 确认支付 or 取消. */
async function atCashier(page: Page, amount: string, action: "确认支付" | "取消", screenshot?: string) {
  await expect(page).toHaveURL(/\/sandbox\/pay\/cashier\//);
  await expect(page.locator(".amount")).toHaveText(`¥${amount}`);
  if (screenshot) await shot(page, screenshot);
  await page
    .getByRole("button", { name: action === "确认支付" ? /^确认支付/ : "取消", exact: false })
    .click();
  await expect(page).toHaveURL(/\/pay\/result\/[^/]+$/);
}

/** Buys the pack `productId` from 充值 through the sandbox cashier. */
async function buyPack(page: Page, productId: string, amount: string) {
  await page.goto("/me/recharge");
  await page.getByTestId(`pack-${productId}`).click();
  await expect(page.getByTestId("recharge-total")).toHaveText(`¥${amount}`);
  await page.getByTestId("recharge-pay").click();
  await atCashier(page, amount, "确认支付");
}

/** Dates as the app's lists write them in zh-CN ("12月8日"), in the suite's time zone. */
const zhDay = (d: Date) =>
  new Intl.DateTimeFormat("zh-CN", { month: "short", day: "numeric", timeZone: "Asia/Shanghai" }).format(d);
const DAY_MS = 24 * 3600_000;

test.describe("Phase 3 — money in: 充值, 月卡, 推广员 through the sandbox cashier", () => {
  test.use({ deviceScaleFactor: 1 });
  test.describe.configure({ timeout: 120_000 });
  test.beforeAll(() => mkdirSync(outDir, { recursive: true }));

  test("a new user tops up, cancels once, buys the 月卡 and claims, becomes a promoter; an invitee's payment earns 5%", async ({
    page,
    request,
    browser,
  }, testInfo) => {
    // --- A new user logs in.
    await page.goto("/me");
    await expect(page).toHaveURL(/\/login$/);
    await loginInBrowser(page, request);
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByTestId("credits-balance")).toHaveText("0");
    await expect(page.getByTestId("sub-card")).toHaveAttribute("data-state", "inactive");
    await expect(page.getByTestId("sub-card")).toContainText("开通月卡 ¥29");
    await expect(page.getByTestId("sub-card")).toContainText("每日领取30积分 · 30天");

    // --- 充值: the packs, the sandbox channel (a test channel), 立即支付 → the cashier → 取消.
    await page.getByText("充值", { exact: true }).click();
    await expect(page).toHaveURL(/\/me\/recharge$/);
    await expect(page.getByTestId("recharge-balance")).toHaveText("0");
    const packs = page.getByTestId("recharge-packs").getByRole("radio");
    await expect(packs).toHaveCount(7);
    await expect(packs.first()).toHaveText("120积分¥6");
    await expect(packs.last()).toHaveText("57,600积分¥2,880");
    await expect(page.getByTestId("pay-channel-sandbox")).toContainText("沙箱支付测试");
    await expect(page.getByTestId("pay-channel-sandbox")).toHaveAttribute("aria-checked", "true");
    await page.getByTestId("pack-credits_600").click();
    await expect(page.getByTestId("recharge-total")).toHaveText("¥30.00");
    await page.getByTestId("pack-credits_120").click();
    await expect(page.getByTestId("pack-credits_120")).toHaveAttribute("aria-checked", "true");
    await expect(page.getByTestId("recharge-total")).toHaveText("¥6.00");
    await toastsGone(page);
    await shot(page, "recharge.png");

    await page.getByTestId("recharge-pay").click();
    await atCashier(page, "6.00", "取消", "pay-cashier.png");
    const result = page.getByTestId("pay-result");
    await expect(result).toHaveAttribute("data-state", "failed");
    await expect(page.getByTestId("pay-result-title")).toHaveText("支付未完成");
    await expect(page.getByTestId("pay-result-amount")).toHaveText("¥6.00");
    await expect(page.getByTestId("pay-result-retry")).toHaveText("重新支付");
    await shot(page, "pay-result-failed.png");
    await page.getByTestId("pay-result-done").click();
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByTestId("credits-balance")).toHaveText("0");

    // --- The ¥6 pack, paid: +120 and the new balance on the result page; 我的 and the ledger agree.
    await buyPack(page, "credits_120", "6.00");
    await expect(result).toHaveAttribute("data-state", "success");
    await expect(page.getByTestId("pay-result-title")).toHaveText("支付成功");
    await expect(page.getByTestId("pay-result-granted")).toHaveText("+120 积分已到账");
    await expect(page.getByTestId("pay-result-balance")).toHaveText("当前积分 120");
    await shot(page, "pay-result.png");
    await page.getByTestId("pay-result-done").click();
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByTestId("credits-balance")).toHaveText("120");
    await page.getByText("流水明细").click();
    const firstRow = page.getByTestId("ledger-row").first();
    await expect(firstRow.getByTestId("ledger-label")).toHaveText("充值");
    await expect(firstRow.getByTestId("ledger-amount")).toHaveText("+120");

    // 充值记录 lists both orders.
    await page.goto("/me/recharge");
    await page.getByTestId("recharge-history").click();
    await expect(page).toHaveURL(/\/me\/payments$/);
    await expect(page.getByTestId("payment-row")).toHaveCount(2);
    await expect(page.getByTestId("payment-row").first()).toHaveAttribute("data-status", "paid");
    await expect(page.getByTestId("payment-row").first()).toContainText("120 积分");

    // --- 月卡: 开通 → the sheet → the cashier → 月卡已开通; 今日领取 30 → 已领取, next claim tomorrow 00:00.
    await page.goto("/me");
    await page.getByTestId("sub-open").click();
    await expect(page.getByTestId("pay-sheet-amount")).toHaveText("¥29.00");
    await page.getByTestId("pay-sheet-submit").click();
    await atCashier(page, "29.00", "确认支付");
    await expect(result).toHaveAttribute("data-state", "success");
    await expect(page.getByTestId("pay-result-granted")).toHaveText("月卡已开通");
    await expect(page.getByTestId("pay-result-subscription")).toContainText("每日可领取 30 积分");
    await page.getByTestId("pay-result-done").click();
    await expect(page).toHaveURL(/\/me$/);
    const card = page.getByTestId("sub-card");
    await expect(card).toHaveAttribute("data-state", "active");
    await expect(page.getByTestId("sub-days")).toHaveText("剩余 30 天");
    const claim = page.getByTestId("sub-claim");
    await expect(claim).toHaveText("今日领取 30");
    await claim.click();
    await expect(claim).toHaveText("已领取");
    await expect(claim).toBeDisabled();
    await expect(page.getByTestId("sub-next")).toHaveText("明日 00:00 可领");
    await expect(page.getByTestId("credits-balance")).toHaveText("150");
    await toastsGone(page);
    await shot(page, "me-monthly-card.png");
    // A reload reads the claim from the server.
    await page.reload();
    await expect(page.getByTestId("sub-claim")).toHaveText("已领取");

    // --- 推广中心: what it is, then 开通推广员 ¥30 → +600 and a code.
    await page.getByTestId("promoter-entry").click();
    await expect(page).toHaveURL(/\/me\/promoter$/);
    const joinCard = page.getByTestId("promoter-join");
    await expect(joinCard).toContainText("开通即得 600 积分");
    await expect(joinCard).toContainText("好友支付，你得 5% 佣金");
    await expect(joinCard).toContainText("新用户立得 50 积分");
    await expect(page.getByTestId("promoter-bind")).toBeVisible();
    await shot(page, "promoter-join.png");
    await page.getByTestId("promoter-activate").click();
    await expect(page.getByTestId("pay-sheet-amount")).toHaveText("¥30.00");
    await page.getByTestId("pay-sheet-submit").click();
    await atCashier(page, "30.00", "确认支付");
    await expect(result).toHaveAttribute("data-state", "success");
    await expect(page.getByTestId("pay-result-granted")).toHaveText("已成为推广员 +600 积分");
    await expect(page.getByTestId("pay-result-balance")).toHaveText("当前积分 750");
    await page.getByTestId("pay-result-done").click();
    await expect(page).toHaveURL(/\/me\/promoter$/);
    const codeEl = page.getByTestId("promoter-code");
    await expect(codeEl).toHaveText(/^[0-9A-Z]{6,32}$/);
    const code = (await codeEl.textContent()) ?? "";
    await expect(page.getByTestId("promoter-poster")).toHaveAttribute(
      "data-invite-url",
      `${testInfo.project.use.baseURL}/login?ref=${code}`,
    );
    await expect
      .poll(() =>
        page.getByTestId("promoter-poster").evaluate((img) => (img as HTMLImageElement).naturalWidth),
      )
      .toBe(750);
    await page.getByTestId("promoter-copy").click();
    await expect(page.locator(".adm-toast-main")).toHaveText("已复制");
    const download = page.waitForEvent("download");
    await page.getByTestId("promoter-save-poster").click();
    const poster = await download;
    expect(poster.suggestedFilename()).toBe(`skyriff-invite-${code}.png`);
    await poster.saveAs(join(outDir, "promoter-poster.png"));

    // --- A friend opens the invite link, registers: +50. Then pays ¥30.
    const friendContext = await browser.newContext({
      baseURL: testInfo.project.use.baseURL,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
    });
    const friend = await friendContext.newPage();
    await friend.goto(`/login?ref=${code}`);
    await expect(friend.getByTestId("login-referral")).toHaveText(`邀请码 ${code} 已填写`);
    await loginInBrowser(friend, request);
    await expect(friend).toHaveURL(/\/me$/);
    await expect(friend.getByTestId("referral-toast")).toHaveText("已使用邀请码，获得 50 积分");
    await expect(friend.getByTestId("credits-balance")).toHaveText("50");
    await friend.getByTestId("promoter-entry").click();
    await expect(friend.getByTestId("promoter-invited-by")).toBeVisible();
    await expect(friend.getByTestId("promoter-bind")).toHaveCount(0);
    await friend.goto("/me/ledger");
    await expect(friend.getByTestId("ledger-label")).toHaveText(["赠送"]);
    await expect(friend.locator(".ledger-note")).toHaveText(["新用户邀请奖励"]);
    await buyPack(friend, "credits_600", "30.00");
    await expect(friend.getByTestId("pay-result")).toHaveAttribute("data-state", "success");
    await expect(friend.getByTestId("pay-result-balance")).toHaveText("当前积分 650");
    await friendContext.close();

    // --- The promoter's 5%: 1.50 coins, frozen for 7 days.
    const paidAt = Date.now();
    const unlockDay = zhDay(new Date(paidAt + 7 * DAY_MS));
    await page.goto("/me");
    await expect(page.getByTestId("coins-pending")).toHaveText("1.50");
    await page.getByTestId("coins-pending-link").click();
    await expect(page).toHaveURL(/\/me\/pending-coins$/);
    const lot = page.getByTestId("pending-lot");
    await expect(lot).toHaveCount(1);
    await expect(lot.getByTestId("pending-lot-source")).toHaveText("推广佣金");
    // 5% of ¥30 (this page writes lots to the third decimal: "+1.500").
    await expect(lot.getByTestId("pending-lot-amount")).toHaveText(/^\+1\.500?$/);
    await expect(lot.getByTestId("pending-lot-unlock")).toHaveText(`${unlockDay} 解冻`);
    const unlockAt = Date.parse(
      (await lot.getByTestId("pending-lot-unlock").getAttribute("data-unlock-at")) ?? "",
    );
    expect(Math.abs(unlockAt - (paidAt + 7 * DAY_MS))).toBeLessThan(60_000);

    // The ledger: 推广佣金 (金币·冻结中) on the coins side; the bonus says what it was for.
    await page.goto("/me/ledger");
    await expect(page.getByTestId("ledger-row").first().getByTestId("ledger-label")).toHaveText("赠送");
    await expect(page.getByTestId("ledger-row").first().locator(".ledger-note")).toHaveText("成为推广员奖励");
    await expect(page.getByTestId("ledger-row").first().getByTestId("ledger-amount")).toHaveText("+600");
    await expect(page.getByTestId("ledger-row").nth(1).getByTestId("ledger-label")).toHaveText(
      "月卡每日领取",
    );
    await page.getByRole("tab", { name: "金币" }).click();
    const coinRow = page.getByTestId("ledger-row").first();
    await expect(coinRow.getByTestId("ledger-label")).toHaveText("推广佣金冻结中");
    await expect(coinRow.getByTestId("ledger-amount")).toHaveText("+1.50");

    // 推广中心 counts the invite and lists the commission as pending.
    await page.goto("/me/promoter");
    await expect(page.getByTestId("promoter-stat-invites")).toHaveText("1");
    await expect(page.getByTestId("promoter-stat-pending")).toHaveText("1.50");
    await expect(page.getByTestId("invite-row")).toHaveCount(1);
    await expect(page.getByTestId("invite-row")).toContainText("+1.50");
    await page.getByRole("tab", { name: "佣金明细" }).click();
    const commission = page.getByTestId("commission-row");
    await expect(commission).toHaveCount(1);
    await expect(commission.getByTestId("commission-amount")).toHaveText("+1.50");
    await expect(commission.getByTestId("commission-status")).toHaveText(`冻结中 · ${unlockDay} 解冻`);
    await expect(commission).toContainText("支付 ¥30.00");
    await page.getByRole("tab", { name: "邀请记录" }).click();
    await expect(page.getByTestId("invite-row")).toHaveCount(1);
    await toastsGone(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, "promoter.png", true);
  });
});
