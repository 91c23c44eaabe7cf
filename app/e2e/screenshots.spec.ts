import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { grantCredits, loginViaApi, useSession } from "./helpers.ts";

// Screenshots at 390×844 (the config's viewport). A normal run writes them to test-results/ so CI leaves
// the tree clean; `UPDATE_SCREENSHOTS=1 npm run test:e2e` refreshes the ones in docs/screenshots/.
const outDir = process.env.UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, "..", "..", "docs", "screenshots")
  : join(import.meta.dirname, "test-results", "screenshots");

test.describe("screenshots", () => {
  test.use({ deviceScaleFactor: 1 });
  test.beforeAll(() => mkdirSync(outDir, { recursive: true }));

  test("login page", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByTestId("send-code")).toBeVisible();
    await expect(page.getByRole("button", { name: "微信登录" })).toBeVisible();
    await expect(page.getByTestId("login-agreement")).toHaveText("我已阅读并同意《用户协议》和《隐私政策》");
    await page.screenshot({ path: join(outDir, "login.png") });
  });

  test("我的 page, logged in", async ({ page, request }) => {
    await useSession(page, await loginViaApi(request));
    await page.goto("/me");
    await expect(page.getByTestId("credits-balance")).toHaveText("0");
    await expect(page.getByTestId("nickname")).not.toBeEmpty();
    await expect(page.getByTestId("dev-grant")).toHaveText("开发者：领取 100 积分");
    await page.screenshot({ path: join(outDir, "me.png") });
  });

  test("设置 and the 注销账号 confirmation", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    await useSession(page, session);
    await page.goto("/me/settings");
    await expect(page.getByTestId("settings-user-id")).toContainText(session.user_id);
    await page.screenshot({ path: join(outDir, "settings.png") });

    await page.getByTestId("delete-account-entry").click();
    await expect(page.getByTestId("delete-credits")).toHaveText("100");
    await page.getByTestId("delete-understood").click();
    await page.screenshot({ path: join(outDir, "delete-account.png") });
    await page.getByTestId("delete-account-submit").click();
    await expect(page.locator(".adm-dialog")).toContainText("100 积分和 0.00 金币将作废");
    // Let the dialog's open animation finish.
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(outDir, "delete-account-confirm.png") });
  });
});
