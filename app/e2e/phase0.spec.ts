import { expect, test } from "@playwright/test";
import { fetchSmsCode, loginViaApi, randomPhone, storedTokens, tabTitles, useSession } from "./helpers.ts";

test.describe("Phase 0 — accounts and wallets", () => {
  test("phone login, persistent session, empty wallets and ledger, logout everywhere", async ({
    page,
    context,
    request,
  }) => {
    const phone = randomPhone();

    // Unauthenticated visitors of 我的 are sent to the login page.
    await page.goto("/me");
    await expect(page).toHaveURL(/\/login$/);

    await page.getByPlaceholder("请输入手机号").fill(phone);
    // The agreement line is never ticked in advance.
    await expect(page.getByTestId("agree-checkbox").locator("input")).not.toBeChecked();
    await page.getByTestId("agree-checkbox").click();
    const send = page.getByTestId("send-code");
    await expect(send).toHaveText("获取验证码");
    await send.click();
    // The button turns into a 60 s countdown ("60s", "59s", …) and cannot be tapped again.
    await expect(send).toHaveText(/^\d{1,2}s$/);
    await expect(send).toBeDisabled();
    const shown = Number((await send.textContent())?.replace("s", ""));
    expect(shown).toBeGreaterThan(50);
    expect(shown).toBeLessThanOrEqual(60);

    const code = await fetchSmsCode(request, phone);
    await page.getByPlaceholder("请输入 6 位验证码").fill(code);
    await page.getByRole("button", { name: "登录", exact: true }).click();

    await expect(page).toHaveURL(/\/me$/);
    const tokens = await storedTokens(page);
    expect(tokens.access).toBeTruthy();
    expect(tokens.refresh).toBeTruthy();

    await expect(page.getByTestId("credits-balance")).toHaveText("0");
    await expect(page.getByTestId("coins-total")).toHaveText("0.00");
    await expect(page.getByTestId("coins-available")).toHaveText("0.00");
    await expect(page.getByTestId("coins-pending")).toHaveText("0.00");
    await expect(page.getByTestId("phone-masked")).toContainText(phone.slice(-4));

    // Reload ("close and reopen the app") keeps the session.
    await page.reload();
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByTestId("credits-balance")).toHaveText("0");

    // A new tab in the same browser is logged in too.
    const other = await context.newPage();
    await other.goto("/me");
    await expect(other).toHaveURL(/\/me$/);
    await expect(other.getByTestId("credits-balance")).toHaveText("0");

    // The ledger is empty for both wallets.
    await page.getByText("流水明细").click();
    await expect(page).toHaveURL(/\/me\/ledger/);
    await expect(page.getByTestId("ledger-empty")).toHaveText(/暂无流水记录/);
    await page.getByRole("tab", { name: "金币" }).click();
    await expect(page).toHaveURL(/type=coins/);
    await expect(page.getByTestId("ledger-empty")).toHaveText(/暂无流水记录/);

    // Log out from settings.
    await page.goto("/me/settings");
    const refreshToken = (await storedTokens(page)).refresh;
    expect(refreshToken).toBeTruthy();
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.locator(".adm-dialog").getByRole("button", { name: "退出登录" }).click();
    await expect(page).toHaveURL(/\/login$/);
    expect(await storedTokens(page)).toEqual({ access: null, refresh: null });

    // The other tab follows (storage event) and protected pages redirect to login.
    await expect(other).toHaveURL(/\/login$/);
    await page.goto("/me");
    await expect(page).toHaveURL(/\/login$/);

    // The server revoked the refresh token.
    const refresh = await request.post("/api/v1/auth/refresh", { data: { refresh_token: refreshToken } });
    expect(refresh.status(), await refresh.text()).toBe(401);
  });

  test("resending too early shows the server's message and keeps counting down", async ({
    page,
    request,
  }) => {
    const phone = randomPhone();
    // Someone (another tab, another device) already asked for a code for this phone.
    const first = await request.post("/api/v1/auth/sms/send", { data: { phone } });
    expect(first.status(), await first.text()).toBe(200);

    await page.goto("/login");
    await page.getByPlaceholder("请输入手机号").fill(phone);
    await page.getByTestId("agree-checkbox").click();
    await page.getByTestId("send-code").click();
    await expect(page.locator(".adm-toast-main")).toBeVisible();
    await expect(page.getByTestId("send-code")).toHaveText(/^\d{1,2}s$/);
    await expect(page.getByTestId("send-code")).toBeDisabled();
  });

  test("a wrong code shows the server's localized error and stays on the login page", async ({
    page,
    request,
  }) => {
    const phone = randomPhone();
    await page.goto("/login");
    await page.getByPlaceholder("请输入手机号").fill(phone);
    await page.getByTestId("agree-checkbox").click();
    await page.getByTestId("send-code").click();
    const code = await fetchSmsCode(request, phone);
    const wrong = code === "000000" ? "111111" : "000000";
    await page.getByPlaceholder("请输入 6 位验证码").fill(wrong);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    const toast = page.locator(".adm-toast-main");
    await expect(toast).toBeVisible();
    await expect(toast).not.toHaveText("");
    await expect(page).toHaveURL(/\/login$/);
    expect((await storedTokens(page)).access).toBeNull();
  });

  test("WeChat login through the sandbox consent page", async ({ page }) => {
    await page.goto("/login");
    await page.getByTestId("agree-checkbox").click();
    await page.getByRole("button", { name: "微信登录" }).click();

    // The backend's sandbox stands in for open.weixin.qq.com.
    const confirm = page.getByRole("button", { name: "确认登录" });
    await expect(confirm).toBeVisible();
    await page.locator("#nickname").fill(`e2e${Date.now()}`);
    await confirm.click();

    await expect(page).toHaveURL(/\/me$/);
    expect((await storedTokens(page)).access).toBeTruthy();
    await expect(page.getByTestId("credits-balance")).toHaveText("0");
    await expect(page.getByTestId("coins-total")).toHaveText("0.00");
  });

  test("switching the language to English changes the tab labels and sticks", async ({ page, request }) => {
    await useSession(page, await loginViaApi(request));
    await page.goto("/");
    expect(await tabTitles(page)).toEqual(["首页", "工具", "创作", "资产", "我的"]);
    await expect(page.getByTestId("home-tab-discover")).toHaveText("发现");

    await page.goto("/me/settings");
    await page.getByTestId("language-row").click();
    await page.locator(".adm-action-sheet").getByText("English", { exact: true }).click();
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();

    await page.goto("/");
    expect(await tabTitles(page)).toEqual(["Home", "Tools", "Create", "Assets", "Me"]);
    await page.reload();
    expect(await tabTitles(page)).toEqual(["Home", "Tools", "Create", "Assets", "Me"]);

    await page.goto("/me/settings");
    await page.getByTestId("language-row").click();
    await page.locator(".adm-action-sheet").getByText("中文", { exact: true }).click();
    await page.goto("/");
    expect(await tabTitles(page)).toEqual(["首页", "工具", "创作", "资产", "我的"]);
  });

  test("a dev grant of 100 credits shows on 我的 and as a 赠送 ledger row", async ({ page, request }) => {
    const session = await loginViaApi(request);
    const key = `e2e-grant-${session.user_id}`;
    const grant = () =>
      request.post("/api/v1/dev/grant", {
        headers: { authorization: `Bearer ${session.access_token}`, "idempotency-key": key },
        data: { user_id: session.user_id, credits: 100 },
      });
    const first = await grant();
    expect(first.status(), await first.text()).toBe(200);
    const firstBody = (await first.json()) as {
      code: number;
      data: { ledger_id: string; balance_after: number };
    };
    expect(firstBody.code).toBe(0);
    expect(firstBody.data.balance_after).toBe(100);
    // Same Idempotency-Key: the first result again, nothing moves.
    const again = await grant();
    expect(again.status(), await again.text()).toBe(200);
    expect(((await again.json()) as typeof firstBody).data).toEqual(firstBody.data);

    await useSession(page, session);
    await page.goto("/me");
    await expect(page.getByTestId("credits-balance")).toHaveText("100");
    await expect(page.getByTestId("coins-total")).toHaveText("0.00");

    await page.getByText("流水明细").click();
    const rows = page.getByTestId("ledger-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first().getByTestId("ledger-label")).toHaveText("赠送");
    await expect(rows.first().getByTestId("ledger-amount")).toHaveText("+100");
    await expect(rows.first().getByTestId("ledger-balance")).toHaveText("余额 100");

    await page.getByRole("tab", { name: "金币" }).click();
    await expect(page.getByTestId("ledger-empty")).toHaveText(/暂无流水记录/);
  });

  test("protected tabs redirect to login and come back after logging in", async ({ page, request }) => {
    for (const path of ["/create", "/assets", "/me/ledger"]) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/login$/);
    }
    await page.goto("/tools");
    await expect(page).toHaveURL(/\/tools$/);

    await page.goto("/assets");
    const phone = randomPhone();
    await page.getByPlaceholder("请输入手机号").fill(phone);
    await page.getByTestId("agree-checkbox").click();
    await page.getByTestId("send-code").click();
    await page.getByPlaceholder("请输入 6 位验证码").fill(await fetchSmsCode(request, phone));
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await expect(page).toHaveURL(/\/assets$/);
  });

  test("installable PWA: manifest, icons and a service worker that leaves the API alone", async ({
    page,
    request,
  }) => {
    const manifest = await request.get("/manifest.webmanifest");
    expect(manifest.status()).toBe(200);
    const body = (await manifest.json()) as { icons: { src: string }[]; display: string; start_url: string };
    expect(body.display).toBe("standalone");
    for (const icon of body.icons) expect((await request.get(icon.src)).status(), icon.src).toBe(200);

    await page.goto("/");
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toMatch(/\/$/);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      }
      return urls;
    });
    expect(cached).toContain("/");
    expect(cached.some((u) => u.startsWith("/api/"))).toBe(false);
  });
});

test.describe("session tokens", () => {
  test("an unusable access token is refreshed silently with the refresh token", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await useSession(page, { ...session, access_token: "not-a-valid-token" });
    await page.goto("/me");
    await expect(page.getByTestId("credits-balance")).toHaveText("0");
    const tokens = await storedTokens(page);
    expect(tokens.access).not.toBe("not-a-valid-token");
    expect(tokens.refresh).toBeTruthy();
    expect(tokens.refresh).not.toBe(session.refresh_token);
    // Another tab still holding the rotated-away token within the grace window gets the very pair this
    // tab stored (after the window the same reuse revokes the session: see auth-tokens.test.ts).
    const reuse = await request.post("/api/v1/auth/refresh", {
      data: { refresh_token: session.refresh_token },
    });
    expect(reuse.status(), await reuse.text()).toBe(200);
    expect((await reuse.json()).data.refresh_token).toBe(tokens.refresh);
  });

  test("a session the server no longer accepts sends the user to login", async ({ page, request }) => {
    const session = await loginViaApi(request);
    const logout = await request.post("/api/v1/auth/logout", {
      headers: { authorization: `Bearer ${session.access_token}` },
      data: { refresh_token: session.refresh_token },
    });
    expect(logout.status(), await logout.text()).toBe(200);
    await useSession(page, { ...session, access_token: "not-a-valid-token" });
    await page.goto("/me");
    await expect(page).toHaveURL(/\/login$/);
    expect(await storedTokens(page)).toEqual({ access: null, refresh: null });
  });
});
