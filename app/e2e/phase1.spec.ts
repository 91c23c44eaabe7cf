import { readFile } from "node:fs/promises";
import { expect, type Locator, type Page, test } from "@playwright/test";
import {
  apiGet,
  createTaskViaApi,
  creditsBalance,
  grantCredits,
  loginViaApi,
  makePng,
  useSession,
  waitForTask,
} from "./helpers.ts";

// The webServer runs the simulated vendor with SIMULATED_VENDOR_SECONDS=6; the worker polls young
// tasks every 5 s and then renders the watermarked copy, so a task takes roughly 10–20 s end to end.
const TASK_DONE = { timeout: 90_000 };

type Seen = { statuses: string[]; progress: number[] };

/**
 * Records every task status label and progress value the page shows (one task per test): SSE updates
 * can be brief, so the test reads the history instead of racing the screen.
 */
async function recordTaskStates(page: Page) {
  await page.addInitScript(() => {
    const seen: Seen = { statuses: [], progress: [] };
    (window as unknown as { __seen: Seen }).__seen = seen;
    const record = () => {
      const status = document.querySelector('[data-testid="task-status"]')?.textContent ?? null;
      if (status && seen.statuses.at(-1) !== status) seen.statuses.push(status);
      const bar = document.querySelector('[data-testid="task-progress"]');
      const progress = bar ? Number(bar.getAttribute("data-progress")) : null;
      if (progress !== null && seen.progress.at(-1) !== progress) seen.progress.push(progress);
    };
    new MutationObserver(record).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
}

const seenStates = (page: Page) => page.evaluate(() => (window as unknown as { __seen: Seen }).__seen);

async function fillCreateForm(page: Page, prompt: string, duration: number) {
  await page.goto("/create");
  await page.getByPlaceholder(/描述你想要的画面/).fill(prompt);
  await page.getByTestId("model-option-skyriff-sim").click();
  await page.getByTestId(`duration-option-${duration}`).click();
}

const videoProp = <T>(video: Locator, prop: "currentTime" | "paused" | "readyState" | "duration") =>
  video.evaluate((v, p) => (v as HTMLVideoElement)[p as keyof HTMLVideoElement], prop) as Promise<T>;

test.describe("Phase 1 — generation loop", () => {
  test.describe.configure({ timeout: 150_000 });

  test("text→video: cost, instant debit, QUEUED → IN_PROGRESS → SUCCESS, asset plays and pauses", async ({
    page,
    request,
  }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    await recordTaskStates(page);
    await useSession(page, session);

    const prompt = "黄昏的海边，一只橘猫追着浪花奔跑";
    await fillCreateForm(page, prompt, 10);
    await expect(page.getByTestId("prompt-count")).toHaveText(`${prompt.length}/1000`);
    await expect(page.getByTestId("reference-preview")).toHaveCount(0);
    await expect(page.getByTestId("create-cost")).toHaveText("10 积分");
    await expect(page.getByTestId("create-balance")).toHaveText("100");
    await expect(page.getByTestId("create-balance-after")).toHaveText("90");
    await expect(page.getByTestId("project-current")).toHaveText("未分类");

    await page.getByTestId("create-submit").click();
    const dialog = page.locator(".adm-dialog");
    await expect(dialog.getByTestId("confirm-cost")).toHaveText("将消耗 10 积分，剩余 90 积分");
    await dialog.getByRole("button", { name: "确认生成" }).click();

    // Straight to the task list; the credits are already gone.
    await expect(page).toHaveURL(/\/tasks$/);
    await expect(page.getByTestId("tasks-balance")).toHaveText("90");
    expect(await creditsBalance(request, session)).toBe(90);

    const row = page.getByTestId("task-row");
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId("task-prompt")).toHaveText(prompt);
    await expect(row).toContainText("SkyRiff 模拟生成 · 10 秒 · 9:16");
    await expect(row.getByTestId("task-status")).toHaveText("已完成", TASK_DONE);
    await expect(row.getByTestId("task-progress")).toHaveCount(0);

    const seen = await seenStates(page);
    expect(seen.statuses, JSON.stringify(seen)).toEqual(["排队中", "生成中", "已完成"]);
    // The bar moved: it showed more than one value on the way.
    expect(new Set(seen.progress).size, JSON.stringify(seen)).toBeGreaterThan(1);
    expect(
      seen.progress.some((p) => p > 0 && p < 100),
      JSON.stringify(seen),
    ).toBe(true);
    // Success keeps the charge: no refund.
    await expect(page.getByTestId("tasks-balance")).toHaveText("90");

    // The video is in 资产 (all, and 未分类).
    await page.goto("/assets");
    const card = page.getByTestId("video-card");
    await expect(card).toHaveCount(1);
    await expect(card.getByTestId("video-duration")).toHaveText("0:10");
    await page.getByTestId("project-tabs").getByText("未分类", { exact: true }).click();
    await expect(card).toHaveCount(1);
    await card.click();
    await expect(page).toHaveURL(/\/assets\/videos\/[^/]+$/);

    // The watermarked copy plays: currentTime advances.
    const video = page.getByTestId("player-video");
    const stage = page.getByTestId("player-stage");
    await expect.poll(() => videoProp<number>(video, "readyState"), { timeout: 15_000 }).toBeGreaterThan(0);
    if (await videoProp<boolean>(video, "paused")) await stage.tap(); // autoplay refused: tap to play
    await expect(page.getByTestId("player-paused-indicator")).toHaveCount(0);
    expect(await videoProp<number>(video, "duration")).toBeGreaterThan(9);
    const start = await videoProp<number>(video, "currentTime");
    await expect.poll(() => videoProp<number>(video, "currentTime")).toBeGreaterThan(start + 0.5);
    await expect
      .poll(async () => Number(await page.getByTestId("player-scrubber").inputValue()))
      .toBeGreaterThan(0);

    // A tap pauses: the play icon shows and time stands still.
    await stage.tap();
    await expect(page.getByTestId("player-paused-indicator")).toBeVisible();
    expect(await videoProp<boolean>(video, "paused")).toBe(true);
    const pausedAt = await videoProp<number>(video, "currentTime");
    await page.waitForTimeout(600);
    expect(await videoProp<number>(video, "currentTime")).toBe(pausedAt);

    // The scrubber seeks.
    await page.getByTestId("player-scrubber").focus();
    await page.keyboard.press("Home");
    await expect.poll(() => videoProp<number>(video, "currentTime")).toBeLessThan(0.5);

    // Another tap plays again.
    await stage.tap();
    await expect(page.getByTestId("player-paused-indicator")).toHaveCount(0);
    expect(await videoProp<boolean>(video, "paused")).toBe(false);
  });

  test("image→video: upload with preview, server errors shown, task completes", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    await useSession(page, session);
    await fillCreateForm(page, "让画面里的色彩慢慢流动起来", 10);

    // Not an image: the server's message is shown and nothing is attached.
    await page.getByTestId("reference-input").setInputFiles({
      name: "notes.png",
      mimeType: "image/png",
      buffer: Buffer.from("this is not an image at all"),
    });
    await expect(page.getByTestId("upload-error")).not.toBeEmpty();
    await expect(page.getByTestId("reference-preview")).toHaveCount(0);

    const upload = page.waitForResponse((r) => r.url().endsWith("/api/v1/media/upload"));
    await page.getByTestId("reference-input").setInputFiles({
      name: "reference.png",
      mimeType: "image/png",
      buffer: makePng(64, 96),
    });
    const uploaded = await upload;
    expect(uploaded.status(), await uploaded.text()).toBe(200);
    const { data: asset } = (await uploaded.json()) as { data: { asset_id: string; width: number } };
    expect(asset.width).toBe(64);
    const preview = page.getByTestId("reference-preview");
    await expect(preview).toBeVisible();
    expect(await preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(64);
    await expect(page.getByTestId("upload-error")).toHaveCount(0);

    // Removing and re-adding works.
    await page.getByTestId("reference-remove").click();
    await expect(preview).toHaveCount(0);
    await page.getByTestId("reference-input").setInputFiles({
      name: "reference.png",
      mimeType: "image/png",
      buffer: makePng(64, 96),
    });
    await expect(preview).toBeVisible();

    const created = page.waitForResponse((r) => r.url().endsWith("/api/v1/tasks/create"));
    await page.getByTestId("create-submit").click();
    await page.locator(".adm-dialog").getByRole("button", { name: "确认生成" }).click();
    const createdRes = await created;
    const sent = createdRes.request().postDataJSON() as { reference_image_asset_id: string | null };
    expect(sent.reference_image_asset_id).toBeTruthy();
    expect(createdRes.status(), await createdRes.text()).toBe(200);

    await expect(page).toHaveURL(/\/tasks$/);
    const row = page.getByTestId("task-row");
    await expect(row).toContainText("图生视频");
    await expect(row.getByTestId("task-status")).toHaveText("已完成", TASK_DONE);
    await row.click();
    await expect(page).toHaveURL(/\/assets\/videos\/[^/]+$/);
    await expect(page.getByTestId("player-video")).toHaveAttribute("src", /.+/);
  });

  test("download without watermark: cost confirmation, 6 credits, an MP4 file", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    const created = await createTaskViaApi(request, session, { prompt: "雪山日出延时", duration_sec: 10 });
    expect(created.balance_after).toBe(90);
    const task = await waitForTask(request, session, created.task_id);
    expect(task.status).toBe("SUCCESS");
    expect(task.video_id).toBeTruthy();

    await useSession(page, session);
    await page.goto(`/assets/videos/${task.video_id}`);
    await page.getByTestId("download-no-watermark").click();
    const dialog = page.locator(".adm-dialog");
    await expect(dialog.getByTestId("download-confirm")).toHaveText("下载无水印视频将消耗 6 积分");
    await expect(dialog.getByTestId("downloaded-before")).toHaveCount(0);

    const downloadEvent = page.waitForEvent("download");
    await dialog.getByRole("button", { name: "确认下载" }).click();
    const download = await downloadEvent;
    const file = await download.path();
    const bytes = await readFile(file);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes.subarray(4, 8).toString("latin1")).toBe("ftyp"); // an ISO BMFF / MP4 file
    expect(download.suggestedFilename()).toMatch(/\.mp4$/);
    await expect(page.getByTestId("download-toast")).toHaveText("已扣除 6 积分，剩余 84 积分");
    expect(await creditsBalance(request, session)).toBe(84);

    // A second download states the cost again and notes the earlier one; cancelling charges nothing.
    await expect(dialog).toHaveCount(0);
    await page.getByTestId("download-no-watermark").click();
    await expect(dialog.getByTestId("download-confirm")).toContainText("下载无水印视频将消耗 6 积分");
    await expect(dialog.getByTestId("downloaded-before")).toHaveText(
      "你之前已下载过此视频，再次下载仍会扣费",
    );
    await dialog.getByRole("button", { name: "取消" }).click();
    expect(await creditsBalance(request, session)).toBe(84);

    // The ledger reads well.
    await page.goto("/me/ledger");
    const labels = page.getByTestId("ledger-label");
    await expect(labels).toHaveText(["无水印下载", "生成扣除", "赠送"]);
  });

  test("a failed generation ends 失败 and refunds automatically", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    await useSession(page, session);
    await fillCreateForm(page, "这次会失败 #fail", 10);
    await page.getByTestId("create-submit").click();
    await page.locator(".adm-dialog").getByRole("button", { name: "确认生成" }).click();

    await expect(page).toHaveURL(/\/tasks$/);
    await expect(page.getByTestId("tasks-balance")).toHaveText("90");
    const row = page.getByTestId("task-row");
    await expect(row.getByTestId("task-status")).toHaveText("失败", TASK_DONE);
    await expect(row.getByTestId("task-error")).not.toBeEmpty();
    await expect(row.getByTestId("task-refunded")).toHaveText("已退回 10 积分");
    await expect(page.getByTestId("tasks-balance")).toHaveText("100");
    expect(await creditsBalance(request, session)).toBe(100);

    // The 失败 tab lists it; 已完成 does not.
    await page.getByRole("tab", { name: "失败" }).click();
    await expect(page).toHaveURL(/status=FAILURE/);
    await expect(row).toHaveCount(1);
    await page.getByRole("tab", { name: "已完成" }).click();
    await expect(page.getByTestId("tasks-empty")).toBeVisible();

    await page.goto("/me/ledger");
    await expect(page.getByTestId("ledger-label")).toHaveText(["生成失败退回", "生成扣除", "赠送"]);
  });

  test("积分不足: the dialog leads to recharge and nothing is charged", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 10);
    await useSession(page, session);
    await fillCreateForm(page, "一段 25 秒的城市夜景", 25);
    await expect(page.getByTestId("create-cost")).toHaveText("25 积分");
    await expect(page.getByTestId("create-balance-after")).toHaveText("积分不足");

    await page.getByTestId("create-submit").click();
    const dialog = page.locator(".adm-dialog");
    await expect(dialog.getByTestId("insufficient-credits")).toHaveText("需要 25 积分，当前只有 10 积分");
    await dialog.getByRole("button", { name: "去充值" }).click();
    await expect(page).toHaveURL(/\/me\/recharge$/);
    await expect(page.getByTestId("recharge-balance")).toHaveText("10");
    await expect(page.getByTestId("pack-credits_120")).toBeVisible();

    expect(await creditsBalance(request, session)).toBe(10);
    const tasks = await apiGet<{ items: unknown[] }>(request, session, "/tasks");
    expect(tasks.items).toHaveLength(0);
  });

  test("积分不足 answered by the server (a stale balance) shows the same dialog", async ({
    page,
    request,
  }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 20);
    await useSession(page, session);
    await fillCreateForm(page, "城市夜景", 15);
    await expect(page.getByTestId("create-balance")).toHaveText("20");
    // Meanwhile another device spends 10 credits.
    await createTaskViaApi(request, session, { prompt: "另一台设备", duration_sec: 10 });

    await page.getByTestId("create-submit").click();
    const dialog = page.locator(".adm-dialog");
    await dialog.getByRole("button", { name: "确认生成" }).click();
    // The confirm dialog may still be animating out: address the 积分不足 dialog itself.
    const insufficient = page
      .locator(".adm-dialog")
      .filter({ has: page.getByTestId("insufficient-credits") });
    await expect(insufficient.getByTestId("insufficient-credits")).toHaveText(
      "需要 15 积分，当前只有 10 积分",
    );
    await insufficient.getByRole("button", { name: "取消" }).click();
    await expect(page).toHaveURL(/\/create$/);
    expect(await creditsBalance(request, session)).toBe(10);
  });

  test("a retry after a lost response reuses the Idempotency-Key and charges once", async ({
    page,
    request,
  }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    await useSession(page, session);
    const keys: string[] = [];
    await page.route("**/api/v1/tasks/create", async (route) => {
      keys.push(route.request().headers()["idempotency-key"] ?? "");
      if (keys.length === 1) {
        // The server gets the request, the phone never hears back.
        await route.fetch();
        await route.abort("connectionreset");
      } else {
        await route.continue();
      }
    });
    await fillCreateForm(page, "网络不稳定时的重试", 10);
    await page.getByTestId("create-submit").click();
    const dialog = page.locator(".adm-dialog");
    await dialog.getByRole("button", { name: "确认生成" }).click();
    const retry = page.locator(".adm-dialog").filter({ hasText: "重试不会重复扣费" });
    await expect(retry).toContainText("重试不会重复扣费");
    await retry.getByRole("button", { name: "重试" }).click();

    await expect(page).toHaveURL(/\/tasks$/);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys[1]).toBe(keys[0]);
    await expect(page.getByTestId("task-row")).toHaveCount(1);
    expect(await creditsBalance(request, session)).toBe(90);
  });

  test("projects: create, move a video from the player, rename, delete back to 未分类", async ({
    page,
    request,
  }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    const created = await createTaskViaApi(request, session, {
      prompt: "项目管理用的视频",
      duration_sec: 10,
    });
    const task = await waitForTask(request, session, created.task_id);
    expect(task.status).toBe("SUCCESS");

    await useSession(page, session);
    await page.goto("/assets");
    await page.getByTestId("new-project").click();
    await page.getByTestId("project-name-input").locator("input").fill("旅行");
    await page.locator(".adm-dialog").getByRole("button", { name: "保存" }).click();
    await expect(page.getByTestId("project-bar-name")).toHaveText("旅行");
    await expect(page.getByTestId("assets-empty")).toHaveText(/还没有视频，去创作吧/);

    await page.goto(`/assets/videos/${task.video_id}`);
    await page.getByTestId("player-menu").click();
    await page.getByText("移动到项目", { exact: true }).click();
    await page.locator(".adm-action-sheet").getByText("旅行", { exact: true }).click();
    await expect(page.locator(".adm-toast-main")).toContainText("旅行");

    await page.goto("/assets");
    const projectTab = page.getByTestId("project-tab");
    await expect(projectTab).toHaveText("旅行 1");
    await projectTab.click();
    await expect(page.getByTestId("video-card")).toHaveCount(1);
    await page.getByTestId("project-tabs").getByText("未分类", { exact: true }).click();
    await expect(page.getByTestId("assets-empty")).toBeVisible();

    await projectTab.click();
    await page.getByTestId("project-bar").getByRole("button", { name: "重命名" }).click();
    await page.getByTestId("project-name-input").locator("input").fill("旅行 2026");
    await page.locator(".adm-dialog").getByRole("button", { name: "保存" }).click();
    await expect(page.getByTestId("project-bar-name")).toHaveText("旅行 2026");

    await page.getByTestId("project-bar").getByRole("button", { name: "删除" }).click();
    const dialog = page.locator(".adm-dialog");
    await expect(dialog.getByTestId("delete-project-confirm")).toHaveText("删除后视频将移到未分类");
    await dialog.getByRole("button", { name: "删除" }).click();
    await expect(projectTab).toHaveCount(0);
    await page.getByTestId("project-tabs").getByText("未分类", { exact: true }).click();
    await expect(page.getByTestId("video-card")).toHaveCount(1);
  });
});
