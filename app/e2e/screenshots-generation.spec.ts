import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import {
  apiGet,
  createTaskViaApi,
  grantCredits,
  loginViaApi,
  makePng,
  type Session,
  useSession,
  waitForTask,
} from "./helpers.ts";

// Screenshots of the generation loop at 390×844 (the config's viewport). A normal run writes them to
// test-results/ so CI leaves the tree clean; `UPDATE_SCREENSHOTS=1` refreshes the ones in docs/screenshots/.
const outDir = process.env.UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, "..", "..", "docs", "screenshots")
  : join(import.meta.dirname, "test-results", "screenshots");

type ApiVideo = { video_id: string; ratio: string };

/** Waits until every visible thumbnail has loaded (no half-painted grid in a screenshot). */
async function imagesLoaded(page: Page, selector: string) {
  await expect
    .poll(() =>
      page
        .locator(selector)
        .evaluateAll((imgs) =>
          imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
        ),
    )
    .toBe(true);
}

/** Starts a task and waits (polling fast) until the server reports it 生成中. */
async function startRunning(request: Parameters<typeof loginViaApi>[0], session: Session, prompt: string) {
  const { task_id } = await createTaskViaApi(request, session, { prompt, duration_sec: 10 });
  await expect
    .poll(async () => (await apiGet<{ status: string }>(request, session, `/tasks/${task_id}`)).status, {
      timeout: 60_000,
      intervals: [200],
    })
    .toBe("IN_PROGRESS");
  return task_id;
}

test.describe("screenshots: the generation loop", () => {
  test.describe.configure({ timeout: 180_000 });
  test.use({ deviceScaleFactor: 1 });

  let session: Session;
  let videos: ApiVideo[] = [];

  test.beforeAll(async ({ playwright }, testInfo) => {
    test.setTimeout(240_000);
    mkdirSync(outDir, { recursive: true });
    const request = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL });
    session = await loginViaApi(request);
    await grantCredits(request, session, 300);
    const done = [
      { prompt: "黄昏的海边，一只橘猫追着浪花奔跑，电影感镜头", ratio: "9:16" },
      { prompt: "雪山日出延时，云海在山谷间缓缓翻涌", ratio: "16:9" },
      { prompt: "霓虹灯下的雨夜街头，地面倒影闪烁", ratio: "1:1" },
    ];
    const ids: string[] = [];
    for (const d of done)
      ids.push((await createTaskViaApi(request, session, { ...d, duration_sec: 10 })).task_id);
    ids.push(
      (await createTaskViaApi(request, session, { prompt: "赛博朋克城市航拍 #fail", duration_sec: 15 }))
        .task_id,
    );
    for (const id of ids) await waitForTask(request, session, id, 200_000);
    videos = (await apiGet<{ items: ApiVideo[] }>(request, session, "/assets/videos")).items;
    await request.dispose();
  });

  test("创作", async ({ page }) => {
    await useSession(page, session);
    await page.goto("/create");
    await page
      .locator(".create-prompt textarea:not([aria-hidden])")
      .fill("樱花树下的少女回眸，微风吹起粉色花瓣，柔和逆光，慢镜头");
    await page.getByTestId("reference-input").setInputFiles({
      name: "reference.png",
      mimeType: "image/png",
      buffer: makePng(96, 128),
    });
    await expect(page.getByTestId("reference-preview")).toBeVisible();
    await page.getByTestId("duration-option-15").click();
    await expect(page.getByTestId("create-cost")).toHaveText("15 积分");
    await page.screenshot({ path: join(outDir, "create.png") });
  });

  test("任务: done, running and failed cards", async ({ page, request }) => {
    const running = await startRunning(request, session, "樱花树下的少女回眸，微风吹起花瓣");
    await useSession(page, session);
    await page.goto("/tasks");
    const row = page.locator(`[data-testid="task-row"][data-task-id="${running}"]`);
    await expect(row.getByTestId("task-status")).toHaveText("生成中");
    await expect
      .poll(async () => Number(await row.getByTestId("task-progress").getAttribute("data-shown")))
      .toBeGreaterThan(15);
    await expect(page.locator('[data-testid="task-row"][data-status="SUCCESS"]')).toHaveCount(3);
    await imagesLoaded(page, '[data-testid="task-thumb-img"]');
    await expect(page.locator('[data-testid="task-thumb-img"]')).toHaveCount(3);
    await page.screenshot({ path: join(outDir, "tasks.png"), fullPage: true });
  });

  test("资产: a 生成中 tile and finished videos", async ({ page, request }) => {
    const running = await startRunning(request, session, "城市夜景延时摄影，车流如织");
    await useSession(page, session);
    await page.goto("/assets");
    const tile = page.locator(`[data-testid="pending-tile"][data-task-id="${running}"]`);
    await expect(tile.getByTestId("pending-status")).toHaveText("生成中");
    await expect.poll(async () => Number(await tile.getAttribute("data-shown"))).toBeGreaterThan(15);
    await imagesLoaded(page, '[data-testid="video-card"] img');
    await page.screenshot({ path: join(outDir, "assets.png") });
  });

  for (const ratio of ["9:16", "16:9"]) {
    test(`the player, ${ratio}`, async ({ page }) => {
      const video = videos.find((v) => v.ratio === ratio)!;
      await useSession(page, session);
      await page.goto(`/assets/videos/${video.video_id}?list=all`);
      const el = page.getByTestId("player-video");
      await expect
        .poll(() => el.evaluate((v) => (v as HTMLVideoElement).currentTime), { timeout: 20_000 })
        .toBeGreaterThan(1.5);
      await expect(page.getByTestId("player-loading")).toHaveCount(0);
      await page.screenshot({ path: join(outDir, `player-${ratio.replace(":", "x")}.png`) });
    });
  }
});
