import { expect, type Page, test } from "@playwright/test";
import {
  apiGet,
  fetchSmsCode,
  grantCredits,
  loginViaApi,
  makePng,
  randomPhone,
  type Session,
  storedTokens,
  useSession,
} from "./helpers.ts";

type Envelope<T> = { code: number; data: T };
type Me = { user_id: string; nickname: string; avatar_url: string; phone_masked: string | null };

const toast = (page: Page) => page.locator(".adm-toast-main");

/** The session the app holds right now (read from its token store). */
async function appSession(page: Page, phone = ""): Promise<Session> {
  const tokens = await storedTokens(page);
  expect(tokens.access).toBeTruthy();
  return { phone, user_id: "", access_token: tokens.access!, refresh_token: tokens.refresh! };
}

/** Logs in through the login page: phone, tick the agreement, code from the dev outbox. */
async function loginThroughUi(page: Page, request: Parameters<typeof fetchSmsCode>[0], phone: string) {
  await page.goto("/login");
  await page.getByPlaceholder("请输入手机号").fill(phone);
  await page.getByTestId("agree-checkbox").click();
  await page.getByTestId("send-code").click();
  await page.getByPlaceholder("请输入 6 位验证码").fill(await fetchSmsCode(request, phone));
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/me$/);
}

test.describe("an account people can trust", () => {
  test("login is refused until the agreement box is ticked; both agreements open from the login page", async ({
    page,
    request,
  }) => {
    const phone = randomPhone();
    await page.goto("/login");
    await expect(page.getByTestId("login-agreement")).toHaveText("我已阅读并同意《用户协议》和《隐私政策》");
    const box = page.getByTestId("agree-checkbox").locator("input");
    await expect(box).not.toBeChecked();

    await page.getByPlaceholder("请输入手机号").fill(phone);
    await page.getByTestId("send-code").click();
    await expect(toast(page)).toHaveText("请先阅读并勾选同意《用户协议》和《隐私政策》");
    await expect(page.getByTestId("send-code")).toHaveText("获取验证码");
    // No code was sent to the phone.
    await page.waitForTimeout(500);
    const outbox = await request.get(`/api/v1/dev/sms/outbox?phone=${phone}`);
    expect(((await outbox.json()) as Envelope<{ items: unknown[] }>).data.items).toEqual([]);

    // WeChat login is refused too: the page stays, no trip to the authorize page.
    await page.getByRole("button", { name: "微信登录" }).click();
    await expect(toast(page)).toHaveText("请先阅读并勾选同意《用户协议》和《隐私政策》");
    await expect(page).toHaveURL(/\/login$/);

    // Both agreements are real pages; coming back keeps the typed phone.
    await page.getByRole("link", { name: "《用户协议》" }).click();
    await expect(page).toHaveURL(/\/agreements\/user$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("用户协议");
    await expect(page.getByTestId("agreement-user")).toContainText("积分是本应用内的虚拟物品");
    await expect(page.getByTestId("agreement-user")).toContainText("未成年人");
    await page.goBack();
    await page.getByRole("link", { name: "《隐私政策》" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("隐私政策");
    for (const words of ["手机号", "设备", "提示词", "保存期限", "你的权利", "联系我们"]) {
      await expect(page.getByTestId("agreement-privacy")).toContainText(words);
    }
    await page.goBack();
    await expect(page.getByPlaceholder("请输入手机号")).toHaveValue(phone);

    await page.getByTestId("agree-checkbox").click();
    await expect(box).toBeChecked();
    await page.getByTestId("send-code").click();
    await expect(page.getByTestId("send-code")).toHaveText(/^\d{1,2}s$/);
    await page.getByPlaceholder("请输入 6 位验证码").fill(await fetchSmsCode(request, phone));
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await expect(page).toHaveURL(/\/me$/);
  });

  test("cancelling the WeChat authorize page says 已取消微信登录, not an error", async ({ page }) => {
    await page.goto("/login");
    await page.getByTestId("agree-checkbox").click();
    await page.getByRole("button", { name: "微信登录" }).click();
    await page.getByRole("button", { name: "取消" }).click();
    await expect(toast(page)).toHaveText("已取消微信登录");
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByText("微信登录失败")).toHaveCount(0);
    expect((await storedTokens(page)).access).toBeNull();
  });

  test("注销账号 shows the balances it forfeits, ends the session, and the phone registers anew with zero balances", async ({
    page,
    request,
  }) => {
    // A phone gets one code a minute (SPEC §2): signing up again waits for the next one.
    test.setTimeout(150_000);
    const codeSentAt = Date.now();
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    await useSession(page, session);
    await page.goto("/me");
    await expect(page.getByTestId("credits-balance")).toHaveText("100");

    await page.getByText("设置", { exact: true }).click();
    const entry = page.getByTestId("delete-account-entry");
    await expect(entry).toHaveCSS("color", "rgb(255, 49, 65)");
    await entry.click();
    await expect(page).toHaveURL(/\/me\/delete-account$/);
    await expect(page.getByTestId("delete-credits")).toHaveText("100");
    await expect(page.getByTestId("delete-coins")).toHaveText("0.00");
    await expect(page.getByTestId("delete-balances")).toContainText("将全部作废");

    // Not without the explicit tick, and not without the second confirmation.
    const submit = page.getByTestId("delete-account-submit");
    await expect(submit).toHaveCSS("background-color", "rgb(255, 49, 65)");
    await submit.click();
    await expect(toast(page)).toHaveText("请先勾选确认已知晓注销后果");
    await page.getByTestId("delete-understood").click();
    await submit.click();
    const dialog = page.locator(".adm-dialog");
    await expect(dialog).toContainText("确定注销账号？");
    await expect(dialog).toContainText("100 积分和 0.00 金币将作废");
    await dialog.getByRole("button", { name: "取消" }).click();
    await expect(page).toHaveURL(/\/me\/delete-account$/);
    expect((await apiGet<Me>(request, session, "/me")).user_id).toBe(session.user_id);

    await submit.click();
    await page.locator(".adm-dialog").getByRole("button", { name: "确认注销" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(toast(page)).toHaveText("账号已注销");
    expect(await storedTokens(page)).toEqual({ access: null, refresh: null });

    // The old tokens are dead.
    const old = await request.get("/api/v1/me", {
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(old.status()).toBe(401);
    const refresh = await request.post("/api/v1/auth/refresh", {
      data: { refresh_token: session.refresh_token },
    });
    expect(refresh.status()).toBe(401);

    // The same phone signs up again: a new account with zero balances and an empty ledger.
    await page.waitForTimeout(Math.max(0, codeSentAt + 61_000 - Date.now()));
    await loginThroughUi(page, request, session.phone);
    await expect(page.getByTestId("credits-balance")).toHaveText("0");
    await expect(page.getByTestId("coins-total")).toHaveText("0.00");
    const fresh = await apiGet<Me>(request, await appSession(page), "/me");
    expect(fresh.user_id).not.toBe(session.user_id);
    expect(fresh.phone_masked).toContain(session.phone.slice(-4));
    await page.getByText("流水明细").click();
    await expect(page.getByTestId("ledger-empty")).toBeVisible();
  });

  test("a WeChat sandbox user binds a phone from 我的", async ({ page, request }) => {
    await page.goto("/login");
    await page.getByTestId("agree-checkbox").click();
    await page.getByRole("button", { name: "微信登录" }).click();
    await page.locator("#nickname").fill(`wx${Date.now()}`);
    await page.getByRole("button", { name: "确认登录" }).click();
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByTestId("phone-masked")).toHaveText("未绑定手机号");

    const entry = page.getByTestId("bind-phone-entry");
    await expect(entry).toContainText("绑定手机号");
    await entry.click();
    await expect(page).toHaveURL(/\/me\/bind-phone$/);
    const phone = randomPhone();
    await page.getByPlaceholder("请输入手机号").fill(phone);
    await page.getByTestId("bind-send-code").click();
    await page.getByPlaceholder("请输入 6 位验证码").fill(await fetchSmsCode(request, phone));
    await page.getByTestId("bind-submit").click();
    await expect(toast(page)).toHaveText("手机号已绑定");
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByTestId("phone-masked")).toContainText(phone.slice(-4));
    await expect(page.getByTestId("bind-phone-entry")).toHaveCount(0);

    // The account itself now has the phone (an SMS login with it reaches this account: account.test.ts).
    const wechatUser = await apiGet<Me & { has_phone: boolean; wechat_bound: boolean }>(
      request,
      await appSession(page),
      "/me",
    );
    expect(wechatUser).toMatchObject({ has_phone: true, wechat_bound: true });
  });

  test("the developer action on 我的 grants 100 credits", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await useSession(page, session);
    await page.goto("/me");
    await expect(page.getByTestId("credits-balance")).toHaveText("0");
    const grant = page.getByTestId("dev-grant");
    await expect(grant).toHaveText("开发者：领取 100 积分");
    await grant.click();
    await expect(page.getByTestId("credits-balance")).toHaveText("100");
    await grant.click();
    await expect(page.getByTestId("credits-balance")).toHaveText("200");
    await page.getByText("流水明细").click();
    await expect(page.getByTestId("ledger-row")).toHaveCount(2);
    await expect(page.getByTestId("ledger-amount").first()).toHaveText("+100");
  });

  test("nickname, bio and avatar are edited on 编辑资料", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await useSession(page, session);
    await page.goto("/me");
    await page.getByTestId("edit-profile").click();
    await expect(page).toHaveURL(/\/me\/profile$/);
    await page.getByTestId("profile-avatar-input").setInputFiles({
      name: "me.png",
      mimeType: "image/png",
      buffer: makePng(80, 80),
    });
    await expect(toast(page)).toHaveText("头像已更新");
    await expect(page.locator(".profile-avatar-img img")).toHaveAttribute("src", /\/files\/avatars\//);
    await page.getByTestId("profile-nickname").locator("input").fill("海边的橘猫");
    await page.getByTestId("profile-bio").locator("textarea").fill("每天一条 AI 小视频");
    await page.getByTestId("profile-save").click();
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByTestId("nickname")).toHaveText("海边的橘猫");
    const avatar = page.locator(".me-avatar img");
    await expect(avatar).toHaveAttribute("src", /\/files\/avatars\//);
    // The image really loads (a signed link the browser can fetch).
    await expect.poll(() => avatar.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(80);
    const me = await apiGet<Me>(request, session, "/me");
    expect(me.nickname).toBe("海边的橘猫");
  });
});
