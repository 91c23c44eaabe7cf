import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { loginViaApi, useSession } from "./helpers.ts";

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
    await page.screenshot({ path: join(outDir, "login.png") });
  });

  test("我的 page, logged in", async ({ page, request }) => {
    await useSession(page, await loginViaApi(request));
    await page.goto("/me");
    await expect(page.getByTestId("credits-balance")).toHaveText("0");
    await expect(page.getByTestId("nickname")).not.toBeEmpty();
    await page.screenshot({ path: join(outDir, "me.png") });
  });
});
