import { expect, type Page, test } from "@playwright/test";
import { createTaskViaApi, grantCredits, loginViaApi, makePng, useSession, waitForTask } from "./helpers.ts";

/**
 * The server's Content-Security-Policy must not break anything the app, the Swagger UI or the WeChat
 * sandbox page does. Every violation is collected two ways: Chromium's console error ("Refused to …
 * because it violates the following Content Security Policy directive …") and the page's own
 * `securitypolicyviolation` events.
 */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/content security policy/i.test(msg.text())) violations.push(`[console] ${msg.text()}`);
  });
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  return violations;
}

async function expectEnforcedCsp(page: Page, path: string) {
  const res = await page.goto(path);
  const csp = res?.headers()["content-security-policy"] ?? "";
  expect(csp, `CSP header of ${path}`).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
}

test.describe("Content Security Policy", () => {
  test.describe.configure({ timeout: 150_000 });

  test("is enforced, and the app runs under it: pages, upload preview, video, SSE, service worker, manifest", async ({
    page,
    request,
  }) => {
    const violations = watchCsp(page);
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    const created = await createTaskViaApi(request, session, {
      prompt: "CSP 检查：湖面晨雾",
      duration_sec: 10,
    });
    const task = await waitForTask(request, session, created.task_id);
    expect(task.status).toBe("SUCCESS");

    await useSession(page, session);
    await expectEnforcedCsp(page, "/");
    // The policy really applies: an injected inline script does not run, and is reported.
    const ran = await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__inlineRan = true";
      document.body.append(s);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    violations.length = 0;

    // Service worker and manifest (worker-src, manifest-src).
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toMatch(/\/$/);

    // Avatar image (img-src 'self'), 我的 page.
    await page.goto("/me");
    await expect(page.getByTestId("credits-balance")).toBeVisible();

    // Reference image upload with its blob: preview (img-src blob:), then the tasks page (SSE).
    await page.goto("/create");
    const upload = page.waitForResponse((r) => r.url().endsWith("/api/v1/media/upload"));
    await page.getByTestId("reference-input").setInputFiles({
      name: "reference.png",
      mimeType: "image/png",
      buffer: makePng(64, 96),
    });
    expect((await upload).status()).toBe(200);
    const preview = page.getByTestId("reference-preview");
    await expect(preview).toBeVisible();
    await expect.poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(64);

    await page.goto("/tasks");
    await expect(page.getByTestId("task-row").first()).toBeVisible();

    // Thumbnails (signed /files links) and the player's video (media-src).
    await page.goto("/assets");
    const thumb = page.getByTestId("video-card").first().locator("img");
    await expect(thumb).toBeVisible();
    await expect
      .poll(() => thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    await page.goto(`/assets/videos/${task.video_id}`);
    const video = page.getByTestId("player-video");
    await expect(video).toHaveAttribute("src", /.+/);
    await expect
      .poll(() => video.evaluate((v) => (v as HTMLVideoElement).readyState), { timeout: 20_000 })
      .toBeGreaterThan(0);

    await page.goto("/me/ledger");
    await expect(page.getByTestId("ledger-label").first()).toBeVisible();
    expect(violations).toEqual([]);
  });

  test("the Swagger UI at /docs renders under it", async ({ page }) => {
    const violations = watchCsp(page);
    await expectEnforcedCsp(page, "/docs");
    await expect(page.locator(".swagger-ui .info .title")).toContainText("SkyRiff API", { timeout: 20_000 });
    await expect(page.locator(".opblock").first()).toBeVisible();
    await page.locator(".opblock-summary").first().click();
    await expect(page.locator(".opblock-body").first()).toBeVisible();
    expect(violations).toEqual([]);
  });

  test("the WeChat sandbox consent page works under its own policy", async ({ page }) => {
    const violations = watchCsp(page);
    await page.goto("/login");
    await page.getByTestId("agree-checkbox").click();
    await page.getByRole("button", { name: "微信登录" }).click();
    const confirm = page.getByRole("button", { name: "确认登录" });
    await expect(confirm).toBeVisible();
    // Its inline styles apply (style-src 'unsafe-inline' on that page).
    expect(await confirm.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe("rgb(7, 193, 96)");
    await page.locator("#nickname").fill(`csp${Date.now()}`);
    await confirm.click();
    await expect(page).toHaveURL(/\/me$/);
    expect(violations).toEqual([]);
  });
});
