import { expect, type Page, test } from "@playwright/test";
import {
  apiGet,
  createTaskViaApi,
  grantCredits,
  loginViaApi,
  type Session,
  useSession,
  waitForTask,
} from "./helpers.ts";

// Chinese characters (CJK unified ideographs, extension A) plus CJK and full-width punctuation
// (「」、。（）：), which would give a Chinese string away just as well.
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

/** A Chinese prompt: user content, the one thing allowed to stay Chinese in English mode. */
const PROMPT = "黄昏的海边，一只橘猫追着浪花奔跑";
/** The simulated vendor fails a prompt with #fail, with a reason written in Chinese by the server. */
const FAIL_PROMPT = "雨夜的霓虹街道 #fail";

let session: Session;
let videoId: string;

test.describe("English mode", () => {
  test.beforeAll(async ({ request }) => {
    test.setTimeout(120_000);
    session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    const task = await createTaskViaApi(request, session, { prompt: PROMPT, duration_sec: 10 });
    const failing = await createTaskViaApi(request, session, { prompt: FAIL_PROMPT, duration_sec: 10 });
    const done = await waitForTask(request, session, task.task_id);
    expect(done.status).toBe("SUCCESS");
    videoId = done.video_id!;
    expect((await waitForTask(request, session, failing.task_id)).status).toBe("FAILURE");
  });

  test("every page reads without a Chinese character outside user content", async ({ page, request }) => {
    test.setTimeout(120_000);
    await useSession(page, session);

    // Switch the way a person would: 我的 › 设置 › 语言 › English.
    await page.goto("/me");
    await page.getByText("设置", { exact: true }).click();
    await page.getByTestId("language-row").click();
    await page.locator(".adm-action-sheet").getByText("English", { exact: true }).click();
    await expect(page.getByTestId("language-row")).toContainText("Language");

    const me = await apiGet<{ nickname: string }>(request, session, "/me");
    const userContent = [PROMPT, FAIL_PROMPT, me.nickname];
    const visibleText = async () => {
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered, visible text is what is asserted
      let text = await page.locator("body").innerText();
      // Other people's works, names and bios (marked data-user-content) stay as they wrote them.
      const marked = await page.locator("[data-user-content]").allInnerTexts();
      for (const s of [...userContent, ...marked].filter(Boolean).sort((x, y) => y.length - x.length))
        text = text.split(s).join("");
      return text;
    };
    const assertEnglish = async (where: string) => {
      const text = await visibleText();
      expect(text.match(CJK), `${where} shows Chinese: ${text}`).toBeNull();
    };

    // [path, something that is on the page once it has loaded]
    const pages: [string, (p: Page) => ReturnType<Page["getByText"]>][] = [
      ["/", (p) => p.getByTestId("home-tabs")],
      ["/?tab=hot", (p) => p.getByTestId("home-tabs")],
      ["/?tab=following", (p) => p.getByTestId("home-tabs")],
      ["/?tab=ranking", (p) => p.getByTestId("ranking")],
      [`/assets/videos/${videoId}/publish`, (p) => p.getByTestId("publish-submit")],
      ["/assets?tab=favorites", (p) => p.getByTestId("favorites-grid")],
      ["/me/pending-coins", (p) => p.getByTestId("pending-empty")],
      [`/users/${session.user_id}/followers`, (p) => p.getByTestId("user-list-empty")],
      [`/users/${session.user_id}/following`, (p) => p.getByTestId("user-list-empty")],
      ["/tools", (p) => p.getByTestId("tools-empty")],
      ["/create", (p) => p.getByText("Prompt", { exact: true })],
      ["/tasks", (p) => p.getByText("Done", { exact: true }).first()],
      ["/tasks?status=FAILURE", (p) => p.getByTestId("task-error")],
      ["/tasks?status=QUEUED", (p) => p.getByTestId("tasks-empty")],
      ["/assets", (p) => p.getByTestId("video-card").first()],
      [`/assets/videos/${videoId}`, (p) => p.locator("video")],
      ["/me", (p) => p.getByTestId("credits-balance").getByText("90")], // 100 − 10, the failure refunded
      ["/me/ledger", (p) => p.getByTestId("ledger-row").first()],
      ["/me/ledger?type=coins", (p) => p.getByTestId("ledger-empty")],
      ["/me/recharge", (p) => p.getByTestId("pack-credits_120")],
      ["/me/payments", (p) => p.getByTestId("payments-empty")],
      ["/me/promoter", (p) => p.getByTestId("promoter-bind")],
      ["/me/settings", (p) => p.getByTestId("settings-user-id")],
      ["/me/profile", (p) => p.getByTestId("profile-save")],
      ["/me/delete-account", (p) => p.getByTestId("delete-credits")],
      ["/about", (p) => p.getByTestId("app-version")],
      ["/agreements/user", (p) => p.getByTestId("agreement-user")],
      ["/agreements/privacy", (p) => p.getByTestId("agreement-privacy")],
    ];
    for (const [path, ready] of pages) {
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      // Let queries that resolve after the first paint (config, counts) render too.
      await page.waitForLoadState("networkidle");
      await assertEnglish(path);
    }

    // Money in: a paid order's result page, 充值记录 and the 月卡 card on 我的.
    const auth = { authorization: `Bearer ${session.access_token}` };
    const created = await request.post("/api/v1/payments/create", {
      headers: { ...auth, "idempotency-key": `e2e-i18n-pay-${Date.now()}` },
      data: { product_id: "credits_120", pay_channel: "sandbox", client: "h5" },
    });
    expect(created.status(), await created.text()).toBe(200);
    const paymentId = ((await created.json()) as { data: { payment_id: string } }).data.payment_id;
    const completed = await request.post(`/api/v1/dev/payments/${paymentId}/complete`, {
      headers: auth,
      data: { result: "success" },
    });
    expect(completed.status(), await completed.text()).toBe(200);
    const money: [string, (p: Page) => ReturnType<Page["getByText"]>][] = [
      [`/pay/result/${paymentId}`, (p) => p.getByTestId("pay-result-balance").getByText("210")],
      ["/me/payments", (p) => p.getByTestId("payment-row")],
      ["/me", (p) => p.getByTestId("sub-open")],
    ];
    for (const [path, ready] of money) {
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      await page.waitForLoadState("networkidle");
      await assertEnglish(path);
    }

    // Community pages of a published work (the title is English: user content).
    const publish = await request.post("/api/v1/works/publish", {
      headers: {
        authorization: `Bearer ${session.access_token}`,
        "idempotency-key": `e2e-i18n-publish-${Date.now()}`,
      },
      data: { video_id: videoId, title: "Sunset cat", description: "" },
    });
    expect(publish.status(), await publish.text()).toBe(200);
    const workId = ((await publish.json()) as { data: { work_id: string } }).data.work_id;
    const community: [string, (p: Page) => ReturnType<Page["getByText"]>][] = [
      [`/play/${workId}`, (p) => p.getByTestId("work-slide-active")],
      [`/users/${session.user_id}`, (p) => p.getByTestId("work-tile").first()],
      [`/assets`, (p) => p.getByTestId("video-published").first()],
      [`/create?remix=${workId}`, (p) => p.getByTestId("remix-banner")],
    ];
    for (const [path, ready] of community) {
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      await page.waitForLoadState("networkidle");
      await assertEnglish(path);
    }
    await page.goto(`/play/${workId}`);
    await page.getByTestId("work-slide-active").getByTestId("rail-prompt").click();
    await expect(page.getByTestId("prompt-text")).toBeVisible();
    await assertEnglish("prompt sheet");
    await page.goto("/");
    await page.getByTestId("work-slide-active").getByTestId("rail-share").click();
    await expect(page.getByTestId("share-toast")).toBeVisible();
    await assertEnglish("share toast");

    // The deletion page's second confirmation.
    await page.goto("/me/delete-account");
    await page.getByTestId("delete-understood").click();
    await page.getByTestId("delete-account-submit").click();
    await expect(page.locator(".adm-dialog")).toContainText("Delete your account?");
    await assertEnglish("delete confirmation");
    await page.locator(".adm-dialog").getByRole("button", { name: "Cancel" }).click();

    // The player's menu.
    await page.goto(`/assets/videos/${videoId}`);
    await page.getByTestId("player-menu").click();
    await expect(page.locator(".adm-action-sheet")).toBeVisible();
    await assertEnglish("player menu");

    // Logged out: the login page, its refusal toast and the WeChat cancel toast.
    await page.evaluate(() => {
      localStorage.removeItem("skyriff.access_token");
      localStorage.removeItem("skyriff.refresh_token");
    });
    await page.goto("/login");
    await expect(page.getByTestId("login-agreement")).toHaveText(
      "I have read and agree to the User Agreement and Privacy Policy",
    );
    await page.waitForLoadState("networkidle");
    await assertEnglish("/login");
    await page.getByTestId("send-code").click();
    await expect(page.locator(".adm-toast-main")).toBeVisible();
    await assertEnglish("/login refusal toast");
  });
});
