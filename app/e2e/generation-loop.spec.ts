import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import {
  apiGet,
  createProjectViaApi,
  createTaskViaApi,
  creditsBalance,
  grantCredits,
  loginViaApi,
  makePng,
  type Session,
  swipe,
  uploadImageViaApi,
  useSession,
  waitForTask,
} from "./helpers.ts";

// The webServer runs the simulated vendor with SIMULATED_VENDOR_SECONDS=6: a task takes ~10–20 s.
const TASK_DONE = { timeout: 90_000 };
const SIM = "skyriff-sim";
const SIM_NAME = "SkyRiff 模拟生成";

type ApiTask = {
  task_id: string;
  status: string;
  prompt: string;
  duration_sec: number;
  ratio: string;
  model: string;
  project_id: string | null;
  reference_image_asset_id: string | null;
  video_id: string | null;
};
type ApiVideo = {
  video_id: string;
  prompt: string;
  ratio: string;
  duration_sec: number;
  watermarked_play_url: string;
  thumbnail_url: string;
};

const settingsOf = (t: ApiTask) => ({
  prompt: t.prompt,
  duration_sec: t.duration_sec,
  ratio: t.ratio,
  model: t.model,
  project_id: t.project_id,
  reference_image_asset_id: t.reference_image_asset_id,
});

// antd-mobile's TextArea keeps a hidden twin for auto-sizing: address the visible one.
const promptBox = (page: Page) => page.locator(".create-prompt textarea:not([aria-hidden])");
const activeOption = (page: Page, testId: string) =>
  page.locator(".adm-selector-item-active").filter({ has: page.getByTestId(testId) });

type Sample = { shown: number; server: number };

/** Samples `data-shown` / `data-progress` of every element with `data-task-id` every 100 ms. */
async function sampleProgress(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __samples: Record<string, Sample[]> };
    w.__samples = {};
    setInterval(() => {
      for (const el of document.querySelectorAll<HTMLElement>("[data-task-id]")) {
        const holder = el.matches("[data-shown]") ? el : el.querySelector<HTMLElement>("[data-shown]");
        if (!holder) continue;
        const id = el.getAttribute("data-task-id")!;
        w.__samples[id] ??= [];
        w.__samples[id].push({
          shown: Number(holder.getAttribute("data-shown")),
          server: Number(holder.getAttribute("data-progress")),
        });
      }
    }, 100);
  });
}
const samplesOf = (page: Page, taskId: string) =>
  page.evaluate(
    (id) => (window as unknown as { __samples: Record<string, Sample[]> }).__samples[id] ?? [],
    taskId,
  );

/** The shown progress moved on its own, never went backwards and never ran far ahead of the server. */
function expectSteady(samples: Sample[]) {
  const info = JSON.stringify(samples.map((s) => `${s.shown}/${s.server}`));
  expect(samples.length, info).toBeGreaterThan(5);
  for (let i = 1; i < samples.length; i++)
    expect(samples[i]!.shown, info).toBeGreaterThanOrEqual(samples[i - 1]!.shown);
  for (const s of samples) expect(s.shown - s.server, info).toBeLessThanOrEqual(9);
  expect(
    samples.some((s) => s.shown > 0 && s.shown < 100),
    info,
  ).toBe(true);
  // Steadier than the server: more distinct values on the way than the server ever sent.
  expect(new Set(samples.map((s) => s.shown)).size, info).toBeGreaterThan(
    new Set(samples.map((s) => s.server)).size,
  );
}

test.describe("the generation loop", () => {
  test.describe.configure({ timeout: 150_000 });

  test("资产 stays live: a task finishing while 资产 is open shows its video without navigation", async ({
    page,
    request,
  }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    const projectId = await createProjectViaApi(request, session, "旅行");
    const created = await createTaskViaApi(request, session, {
      prompt: "资产页里实时出现的视频",
      duration_sec: 10,
      project_id: projectId,
    });
    await useSession(page, session);
    await page.goto("/assets");

    // A 生成中 tile with its progress, in 全部 and in its own project only.
    const tile = page.getByTestId("pending-tile");
    await expect(tile).toHaveCount(1);
    await expect(tile).toHaveAttribute("data-task-id", created.task_id);
    await expect(tile.getByTestId("pending-status")).toHaveText(/排队中|生成中/);
    await expect(tile.getByTestId("pending-percent")).toHaveText(/^\d+%$/);
    const tabs = page.getByTestId("project-tabs");
    await tabs.getByText("未分类", { exact: true }).click();
    await expect(page.getByTestId("assets-empty")).toBeVisible();
    await expect(tile).toHaveCount(0);
    await page.getByTestId("project-tab").click();
    await expect(tile).toHaveCount(1);
    await expect(page.getByTestId("project-tab")).toHaveText("旅行 0");
    await tabs.getByText("全部", { exact: true }).click();
    await expect(tile).toHaveCount(1);

    // From here on: no reload, no navigation.
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    await sampleProgress(page);
    const url = page.url();

    const card = page.getByTestId("video-card");
    await expect(card).toHaveCount(1, TASK_DONE);
    await expect(tile).toHaveCount(0);
    const task = await apiGet<ApiTask>(request, session, `/tasks/${created.task_id}`);
    expect(task.status).toBe("SUCCESS");
    await expect(card).toHaveAttribute("data-video-id", task.video_id!);
    await expect
      .poll(() => card.locator("img").evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    expect(page.url()).toBe(url);
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    // The project's count followed too.
    await expect(page.getByTestId("project-tab")).toHaveText("旅行 1");
    expectSteady(await samplesOf(page, created.task_id));
  });

  test("a failed task's 重新生成 confirms the cost, then starts a new task with the same settings", async ({
    page,
    request,
  }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    const projectId = await createProjectViaApi(request, session, "海边");
    const imageId = await uploadImageViaApi(request, session);
    const created = await createTaskViaApi(request, session, {
      prompt: "海边的灯塔 #fail",
      duration_sec: 15,
      ratio: "16:9",
      project_id: projectId,
      reference_image_asset_id: imageId,
    });
    const failed = await waitForTask(request, session, created.task_id);
    expect(failed.status).toBe("FAILURE");
    expect(await creditsBalance(request, session)).toBe(100);
    const original = await apiGet<ApiTask>(request, session, `/tasks/${created.task_id}`);

    await useSession(page, session);
    await page.goto("/tasks?status=FAILURE");
    const row = page.getByTestId("task-row");
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId("task-refunded")).toHaveText("已退回 15 积分");
    await expect(row.getByTestId("task-edit")).toHaveText("编辑后生成");
    await expect(row.getByTestId("task-regenerate")).toHaveText("重新生成");

    // 取消 in the confirmation starts nothing.
    const creates: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/api/v1/tasks/create")) creates.push(r.url());
    });
    await row.getByTestId("task-regenerate").click();
    const dialog = page.locator(".adm-dialog");
    await expect(dialog.getByTestId("confirm-cost")).toHaveText("将消耗 15 积分，剩余 85 积分");
    await expect(dialog.getByTestId("confirm-summary")).toContainText("海边的灯塔 #fail");
    await expect(dialog.getByTestId("confirm-summary")).toContainText(
      `${SIM_NAME} · 15 秒 · 16:9 · 图生视频`,
    );
    await dialog.getByRole("button", { name: "取消" }).click();
    await expect(dialog).toHaveCount(0);
    expect(creates).toHaveLength(0);
    expect(await creditsBalance(request, session)).toBe(100);

    // 确认生成: a new charge, a new task, the same settings.
    await row.getByTestId("task-regenerate").click();
    const sent = page.waitForRequest((r) => r.url().endsWith("/api/v1/tasks/create"));
    await page.locator(".adm-dialog").getByRole("button", { name: "确认生成" }).click();
    const req = await sent;
    expect(req.headers()["idempotency-key"]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(req.postDataJSON()).toEqual(settingsOf(original));

    // The list shows 全部 with the new task on top.
    await expect(page).toHaveURL(/\/tasks$/);
    await expect(page.getByTestId("task-row")).toHaveCount(2);
    const tasks = await apiGet<{ items: ApiTask[] }>(request, session, "/tasks");
    expect(tasks.items).toHaveLength(2);
    const fresh = tasks.items.find((t) => t.task_id !== created.task_id)!;
    expect(settingsOf(fresh)).toEqual(settingsOf(original));
    expect(fresh.project_id).toBe(projectId);
    expect(fresh.reference_image_asset_id).toBe(imageId);
    await expect(page.getByTestId("task-row").first()).toHaveAttribute("data-task-id", fresh.task_id);
    await expect(page.getByTestId("tasks-balance")).toHaveText("85");
    expect(await creditsBalance(request, session)).toBe(85);
  });

  test("编辑后生成 opens 创作 with the old prompt and settings", async ({ page, request }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    const projectId = await createProjectViaApi(request, session, "夜景");
    const imageId = await uploadImageViaApi(request, session);
    const prompt = "夜色中的摩天轮 #fail";
    const created = await createTaskViaApi(request, session, {
      prompt,
      duration_sec: 25,
      ratio: "1:1",
      project_id: projectId,
      reference_image_asset_id: imageId,
    });
    expect((await waitForTask(request, session, created.task_id)).status).toBe("FAILURE");

    await useSession(page, session);
    await page.goto("/tasks");
    await page.getByTestId("task-row").getByTestId("task-edit").click();
    await expect(page).toHaveURL(/\/create$/);
    await expect(promptBox(page)).toHaveValue(prompt);
    await expect(activeOption(page, `model-option-${SIM}`)).toHaveCount(1);
    await expect(activeOption(page, "duration-option-25")).toHaveCount(1);
    await expect(activeOption(page, "ratio-option-1:1")).toHaveCount(1);
    await expect(page.getByTestId("project-current")).toHaveText("夜景");
    await expect(page.getByTestId("reference-tile")).toHaveAttribute("data-asset-id", imageId);
    await expect(page.getByTestId("create-cost")).toHaveText("25 积分");

    // Edit, then generate: the edited prompt with the other settings kept.
    await promptBox(page).fill("夜色中的摩天轮，第二版");
    await page.getByTestId("create-submit").click();
    const sent = page.waitForRequest((r) => r.url().endsWith("/api/v1/tasks/create"));
    await page.locator(".adm-dialog").getByRole("button", { name: "确认生成" }).click();
    expect((await sent).postDataJSON()).toEqual({
      prompt: "夜色中的摩天轮，第二版",
      duration_sec: 25,
      ratio: "1:1",
      model: SIM,
      project_id: projectId,
      reference_image_asset_id: imageId,
    });
    await expect(page).toHaveURL(/\/tasks$/);
  });

  test("创作 follows the chosen model: resolution buttons, image limits, 画面比例跟随参考图", async ({
    page,
    request,
  }, testInfo) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    await useSession(page, session);
    // The e2e server runs the simulator only: two living-vendor models (as config/models.ts defines
    // them) are added to what /config answers. The server itself still refuses to run them.
    const living = [
      {
        id: "seedance-2.0",
        name: "即梦 Seedance 2.0",
        vendor: "ark",
        durations: [5, 10, 15],
        ratios: ["9:16", "16:9", "1:1"],
        resolutions: ["720p", "480p", "1080p"],
        image_to_video: true,
        image: {
          min_side: 300,
          max_side: 6000,
          min_aspect: 0.4,
          max_aspect: 2.5,
          max_bytes: 30 * 1024 * 1024,
          output: "crops-to-ratio",
        },
        credits_per_second: 1,
      },
      {
        id: "wan2.7",
        name: "通义万相 2.7",
        vendor: "dashscope",
        durations: [5, 10, 15],
        ratios: ["9:16", "16:9", "1:1"],
        resolutions: ["720p", "1080p"],
        image_to_video: true,
        image: {
          min_side: 360,
          max_side: 2000,
          min_aspect: 0.25,
          max_aspect: 4,
          max_bytes: 10 * 1024 * 1024,
          output: "follows-image",
        },
        credits_per_second: 1,
      },
    ];
    await page.route("**/api/v1/config", async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      json.data.models.push(...living);
      await route.fulfill({ response, json });
    });
    const uploads: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/api/v1/media/upload")) uploads.push(r.url());
    });
    await page.goto("/create");

    // The simulator has one resolution: no buttons for it.
    await expect(activeOption(page, `model-option-${SIM}`)).toHaveCount(1);
    await expect(page.getByTestId("resolution-picker")).toHaveCount(0);

    await page.getByTestId("model-option-seedance-2.0").click();
    const resolutions = page.getByTestId("resolution-picker").locator(".adm-selector-item");
    await expect(resolutions).toHaveText([/^480P$/, /^720P默认$/, /^1080P$/]);
    await expect(activeOption(page, "resolution-option-720p")).toHaveCount(1);
    await expect(page.getByTestId("duration-picker").locator(".adm-selector-item")).toHaveText([
      "5 秒",
      "10 秒",
      "15 秒",
    ]);
    await page.getByTestId("resolution-option-1080p").click();
    await expect(activeOption(page, "resolution-option-1080p")).toHaveCount(1);

    // Too large for the upload: refused on the phone, nothing is sent.
    await page.getByTestId("reference-input").setInputFiles({
      name: "huge.png",
      mimeType: "image/png",
      buffer: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    await expect(page.getByTestId("upload-error")).toHaveText("图片不能超过 10 MB，请压缩后再上传");
    expect(uploads).toHaveLength(0);

    // A small panorama: accepted, and the user is told what fitting it into the model will do.
    await page.getByTestId("reference-input").setInputFiles({
      name: "strip.png",
      mimeType: "image/png",
      buffer: makePng(200, 60),
    });
    await expect(page.getByTestId("reference-preview")).toBeVisible();
    const fit = page.getByTestId("reference-fit");
    await expect(fit).toContainText("参考图较小（200×60），该模型要求每边至少 300 像素");
    await expect(fit).toContainText("补黑边");
    // Seedance crops the image to the chosen ratio: the ratio buttons stay.
    await expect(page.getByTestId("ratio-picker")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("create-seedance-resolutions.png") });

    // Wan's video keeps the image's ratio: no ratio to pick while an image is attached.
    await page.getByTestId("model-option-wan2.7").click();
    await expect(page.getByTestId("ratio-follows-image")).toContainText("画面比例跟随参考图");
    await expect(page.getByTestId("ratio-picker")).toHaveCount(0);
    // 200×60 is inside Wan's 1:4–4:1, so no bars there; still too small.
    await expect(fit).toContainText("每边至少 360 像素");
    await expect(fit).not.toContainText("补黑边");
    await page.getByTestId("project-current").scrollIntoViewIfNeeded();
    await expect(page.locator(".adm-toast-mask")).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath("create-wan-follows-image.png") });
    await page.getByTestId("reference-remove").click();
    await expect(page.getByTestId("ratio-picker")).toBeVisible();

    // The create carries the resolution picked (the server then refuses the model it does not run).
    await page.getByTestId("model-option-seedance-2.0").click();
    await promptBox(page).fill("清晨的竹林，薄雾，1080P");
    await page.getByTestId("create-submit").click();
    const sent = page.waitForRequest((r) => r.url().endsWith("/api/v1/tasks/create"));
    await page.locator(".adm-dialog").getByRole("button", { name: "确认生成" }).click();
    expect((await sent).postDataJSON()).toMatchObject({
      model: "seedance-2.0",
      resolution: "1080p",
      duration_sec: 5,
    });
    await expect(page.getByText("该模型暂不可用")).toBeVisible();
  });

  test("the 创作 form (prompt, image, model, duration, ratio, project) survives 去充值 and back", async ({
    page,
    request,
  }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 10);
    await createProjectViaApi(request, session, "城市");
    await useSession(page, session);
    await page.goto("/create");

    const prompt = "雨夜的霓虹街头，镜头缓缓推进";
    await promptBox(page).fill(prompt);
    await page.getByTestId("reference-input").setInputFiles({
      name: "reference.png",
      mimeType: "image/png",
      buffer: makePng(64, 96),
    });
    await expect(page.getByTestId("reference-preview")).toBeVisible();
    await page.getByTestId(`model-option-${SIM}`).click();
    await page.getByTestId("duration-option-25").click();
    await page.getByTestId("ratio-option-16:9").click();
    await page.getByText("项目", { exact: true }).click();
    // The wheel's own item click (a synthetic mouse click is taken for a drag by its gesture handler).
    await page.locator(".adm-picker-view-column-item").filter({ hasText: "城市" }).dispatchEvent("click");
    await page.locator(".adm-picker").getByText("确定", { exact: true }).click();
    await expect(page.getByTestId("project-current")).toHaveText("城市");
    await expect(page.getByTestId("create-balance-after")).toHaveText("积分不足");
    const assetId = await page.getByTestId("reference-tile").getAttribute("data-asset-id");

    const expectKept = async () => {
      await expect(page).toHaveURL(/\/create$/);
      await expect(promptBox(page)).toHaveValue(prompt);
      await expect(activeOption(page, "duration-option-25")).toHaveCount(1);
      await expect(activeOption(page, "ratio-option-16:9")).toHaveCount(1);
      await expect(activeOption(page, `model-option-${SIM}`)).toHaveCount(1);
      await expect(page.getByTestId("project-current")).toHaveText("城市");
      await expect(page.getByTestId("reference-tile")).toHaveAttribute("data-asset-id", assetId!);
      const preview = page.getByTestId("reference-preview");
      await expect(preview).toBeVisible();
      await expect.poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(64);
    };

    // 生成 → 积分不足 → 去充值 → back.
    await page.getByTestId("create-submit").click();
    await page.locator(".adm-dialog").getByRole("button", { name: "去充值" }).click();
    await expect(page).toHaveURL(/\/me\/recharge$/);
    await expect(page.getByTestId("recharge-draft-kept")).toBeVisible();
    await page.goBack();
    await expectKept();

    // The same trip, back through the recharge page's own 返回创作.
    await page.getByTestId("create-submit").click();
    await page.locator(".adm-dialog").getByRole("button", { name: "去充值" }).click();
    await expect(page).toHaveURL(/\/me\/recharge$/);
    await page.getByTestId("recharge-back-to-create").click();
    await expectKept();

    // And a reload of the tab.
    await page.reload();
    await expectKept();
    expect(await creditsBalance(request, session)).toBe(10);
  });

  test.describe("换用同类模型", () => {
    // docs/screenshots are 390×844 at 1×; a normal run leaves them alone (UPDATE_SCREENSHOTS=1 refreshes).
    test.use({ deviceScaleFactor: 1 });

    test("the switch is off by default, kept in the draft, and sends allow_failover only when on", async ({
      page,
      request,
    }, testInfo) => {
      const session = await loginViaApi(request);
      await grantCredits(request, session, 100);
      await useSession(page, session);
      await page.goto("/create");
      const row = page.getByTestId("failover-row");
      const toggle = page.getByTestId("failover-switch");
      await expect(row).toContainText("换用同类模型");
      await expect(row).toContainText("所选模型暂不可用时，自动换用同类模型（价格相同或更低，差价退回）");
      await expect(toggle).toHaveAttribute("aria-checked", "false");

      // Off: the request is the one it always was, without the field.
      await promptBox(page).fill("海边的日落，不换模型");
      await page.getByTestId("create-submit").click();
      const plain = page.waitForRequest((r) => r.url().endsWith("/api/v1/tasks/create"));
      await page.locator(".adm-dialog").getByRole("button", { name: "确认生成" }).click();
      expect((await plain).postDataJSON()).not.toHaveProperty("allow_failover");
      await expect(page).toHaveURL(/\/tasks$/);

      // A new form starts off again; once on, it stays on in the draft (here over a reload).
      await page.goto("/create");
      await expect(toggle).toHaveAttribute("aria-checked", "false");
      await toggle.click();
      await expect(toggle).toHaveAttribute("aria-checked", "true");
      await promptBox(page).fill("海边的日落，允许换用同类模型");
      await page.reload();
      await expect(promptBox(page)).toHaveValue("海边的日落，允许换用同类模型");
      await expect(toggle).toHaveAttribute("aria-checked", "true");

      await expect(page.locator(".adm-toast-mask")).toHaveCount(0);
      const outDir = process.env.UPDATE_SCREENSHOTS
        ? join(import.meta.dirname, "..", "..", "docs", "screenshots")
        : testInfo.outputPath();
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, "create-failover.png") });

      await page.getByTestId("create-submit").click();
      const sent = page.waitForRequest((r) => r.url().endsWith("/api/v1/tasks/create"));
      await page.locator(".adm-dialog").getByRole("button", { name: "确认生成" }).click();
      expect((await sent).postDataJSON()).toMatchObject({ model: SIM, allow_failover: true });
      await expect(page).toHaveURL(/\/tasks$/);
      // The card names the model the task is on (after a move, the one it moved to).
      const card = page.getByTestId("task-row").filter({ hasText: "允许换用同类模型" });
      await expect(card.getByTestId("task-meta")).toContainText(SIM_NAME);
    });
  });

  test("task cards: filtered empty tabs, thumbnail, model, time, wait estimate, steady progress, refund", async ({
    page,
    request,
  }) => {
    const session = await loginViaApi(request);
    await grantCredits(request, session, 100);
    await useSession(page, session);

    // Empty filters speak for themselves.
    await page.goto("/tasks");
    await expect(page.getByTestId("tasks-empty")).toContainText("还没有生成任务");
    for (const [tab, text] of [
      ["排队中", "没有排队中的任务"],
      ["生成中", "没有生成中的任务"],
      ["已完成", "没有已完成的任务"],
      ["失败", "没有失败的任务"],
    ] as const) {
      await page.getByRole("tab", { name: tab }).click();
      await expect(page.getByTestId("tasks-empty")).toContainText(text);
      await expect(page.getByTestId("tasks-empty")).not.toContainText("还没有生成任务");
    }
    await page.getByTestId("tasks-show-all").click();
    await expect(page).toHaveURL(/\/tasks$/);
    await expect(page.getByTestId("tasks-empty")).toContainText("还没有生成任务");

    const ok = await createTaskViaApi(request, session, { prompt: "任务卡片：成功的一条", duration_sec: 10 });
    const bad = await createTaskViaApi(request, session, {
      prompt: "任务卡片：失败的一条 #fail",
      duration_sec: 10,
    });
    await page.reload();
    await sampleProgress(page);
    const okRow = page.locator(`[data-testid="task-row"][data-task-id="${ok.task_id}"]`);
    const badRow = page.locator(`[data-testid="task-row"][data-task-id="${bad.task_id}"]`);
    await expect(okRow.getByTestId("task-meta")).toHaveText(`${SIM_NAME} · 10 秒 · 9:16`);
    await expect(okRow.getByTestId("task-time")).toHaveText(/刚刚|分钟前/);
    await expect(okRow.getByTestId("task-eta")).toHaveText(/^(预计约 \d+ 秒后完成|即将完成)$/);

    await expect(okRow.getByTestId("task-status")).toHaveText("已完成", TASK_DONE);
    await expect(okRow.getByTestId("task-progress")).toHaveCount(0);
    const thumb = okRow.getByTestId("task-thumb-img");
    await expect(thumb).toBeVisible();
    await expect
      .poll(() => thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    expectSteady(await samplesOf(page, ok.task_id));

    await expect(badRow.getByTestId("task-status")).toHaveText("失败", TASK_DONE);
    await expect(badRow.getByTestId("task-error")).not.toBeEmpty();
    await expect(badRow.getByTestId("task-refunded")).toHaveText("已退回 10 积分");
    await expect(badRow.getByTestId("task-regenerate")).toBeVisible();
    await expect(badRow.getByTestId("task-thumb-img")).toHaveCount(0);
  });
});

test.describe("the player", () => {
  test.describe.configure({ timeout: 180_000 });

  let session: Session;
  /** The 资产 grid order (newest first). */
  let videos: ApiVideo[] = [];

  test.beforeAll(async ({ playwright }, testInfo) => {
    test.setTimeout(180_000);
    const request = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL });
    session = await loginViaApi(request);
    await grantCredits(request, session, 200);
    const specs = [
      { prompt: "竖屏：清晨的城市天际线", ratio: "9:16" },
      { prompt: "横屏：草原上的风吹过麦浪", ratio: "16:9" },
      { prompt: "方形：转盘上旋转的陶罐", ratio: "1:1" },
    ];
    const ids: string[] = [];
    for (const s of specs)
      ids.push((await createTaskViaApi(request, session, { ...s, duration_sec: 10 })).task_id);
    for (const id of ids) expect((await waitForTask(request, session, id, 150_000)).status).toBe("SUCCESS");
    videos = (await apiGet<{ items: ApiVideo[] }>(request, session, "/assets/videos")).items;
    expect(videos.map((v) => v.ratio).sort()).toEqual(["16:9", "1:1", "9:16"]);
    await request.dispose();
  });

  const playerUrl = /\/assets\/videos\/([^/?]+)\?list=all$/;
  const currentId = (page: Page) => new URL(page.url()).pathname.split("/").pop();

  /** Geometry of the picture (object-fit: contain) and of everything drawn around it. */
  async function layout(page: Page) {
    const video = page.getByTestId("player-video");
    await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBeGreaterThan(0);
    return page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="player-video"]')!;
      const box = (el: Element | null) => {
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      };
      const r = v.getBoundingClientRect();
      const scale = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
      const w = v.videoWidth * scale;
      const h = v.videoHeight * scale;
      const left = r.left + (r.width - w) / 2;
      const top = r.top + (r.height - h) / 2;
      return {
        fit: getComputedStyle(v).objectFit,
        aspect: v.videoWidth / v.videoHeight,
        frame: { left, top, right: left + w, bottom: top + h },
        viewport: { width: innerWidth, height: innerHeight },
        overlays: {
          caption: box(document.querySelector('[data-testid="player-caption"]')),
          bottom: box(document.querySelector('[data-testid="player-bottom"]')),
          top: box(document.querySelector('[data-testid="player-top"]')),
          download: box(document.querySelector('[data-testid="download-no-watermark"]')),
          menu: box(document.querySelector('[data-testid="player-menu"]')),
        },
      };
    });
  }

  type Box = { left: number; top: number; right: number; bottom: number };
  const overlap = (a: Box, b: Box) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;

  async function expectLetterboxedAndClear(page: Page, ratio: string) {
    const g = await layout(page);
    const info = JSON.stringify(g);
    expect(g.fit, info).toBe("contain");
    const [rw, rh] = ratio.split(":").map(Number) as [number, number];
    expect(Math.abs(g.aspect - rw / rh), info).toBeLessThan(0.02);
    // The whole frame is on screen: letterboxed, not cropped.
    expect(g.frame.left, info).toBeGreaterThanOrEqual(-0.5);
    expect(g.frame.top, info).toBeGreaterThanOrEqual(-0.5);
    expect(g.frame.right, info).toBeLessThanOrEqual(g.viewport.width + 0.5);
    expect(g.frame.bottom, info).toBeLessThanOrEqual(g.viewport.height + 0.5);
    if (ratio === "16:9") expect(g.frame.right - g.frame.left, info).toBeGreaterThan(g.viewport.width - 2);
    // The burned-in mark's corners (bottom-right per the media pipeline's markLayout, and the top-right)
    // are never under the caption or the controls; in fact nothing of them is drawn over the frame.
    const w = g.frame.right - g.frame.left;
    const h = g.frame.bottom - g.frame.top;
    const corners: Box[] = [
      {
        left: g.frame.left + w * 0.4,
        top: g.frame.top + h * 0.8,
        right: g.frame.right,
        bottom: g.frame.bottom,
      },
      { left: g.frame.left + w * 0.4, top: g.frame.top, right: g.frame.right, bottom: g.frame.top + h * 0.2 },
    ];
    for (const [name, b] of Object.entries(g.overlays)) {
      if (!b) continue;
      for (const c of corners) expect(overlap(b, c), `${name} over a watermark corner: ${info}`).toBe(false);
      expect(overlap(b, g.frame), `${name} over the picture: ${info}`).toBe(false);
    }
  }

  test("letterboxed 9:16, 16:9 and 1:1; caption and controls clear of the watermark; swipe, keys and buttons walk the list", async ({
    page,
  }) => {
    await useSession(page, session);
    await page.goto("/assets");
    // Pinch-zoom is not disabled on the page.
    const viewport = await page.locator('meta[name="viewport"]').getAttribute("content");
    expect(viewport).not.toMatch(/maximum-scale|user-scalable\s*=\s*(no|0)/);
    const cards = page.getByTestId("video-card");
    await expect(cards).toHaveCount(3);
    const order = await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-video-id")));
    expect(order).toEqual(videos.map((v) => v.video_id));
    const ratioOf = (id: string | undefined) => videos.find((v) => v.video_id === id)!.ratio;

    await cards.first().click();
    await expect(page).toHaveURL(playerUrl);
    expect(currentId(page)).toBe(order[0]);
    await expect(page.getByTestId("player-position")).toHaveText("1 / 3");
    await expect(page.getByTestId("swipe-hint")).toHaveText(/上下滑动切换/);
    await expectLetterboxedAndClear(page, ratioOf(order[0]!));
    const stage = page.getByTestId("player-stage");
    const src0 = await page.getByTestId("player-video").getAttribute("src");

    // Swipe up: the next video of the list.
    await swipe(page, stage, "up");
    await expect.poll(() => currentId(page)).toBe(order[1]);
    await expect(page).toHaveURL(playerUrl);
    await expect(page.getByTestId("player-position")).toHaveText("2 / 3");
    await expect(page.getByTestId("player-video")).not.toHaveAttribute("src", src0!);
    await expectLetterboxedAndClear(page, ratioOf(order[1]!));

    // Swipe down: back to the first.
    await swipe(page, stage, "down");
    await expect.poll(() => currentId(page)).toBe(order[0]);
    await expect(page.getByTestId("player-video")).toHaveAttribute("src", src0!);

    // Keyboard and the on-screen arrows do the same.
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => currentId(page)).toBe(order[1]);
    await page.getByTestId("player-next").click();
    await expect.poll(() => currentId(page)).toBe(order[2]);
    await expect(page.getByTestId("player-position")).toHaveText("3 / 3");
    await expectLetterboxedAndClear(page, ratioOf(order[2]!));
    await page.keyboard.press("ArrowDown");
    await expect(page.locator(".adm-toast-main")).toHaveText("已经是最后一个了");
    expect(currentId(page)).toBe(order[2]);
    await page.keyboard.press("ArrowUp");
    await expect.poll(() => currentId(page)).toBe(order[1]);

    // A tap still pauses and plays (a swipe is not a tap).
    const video = page.getByTestId("player-video");
    await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).readyState)).toBeGreaterThan(2);
    if (await video.evaluate((v) => (v as HTMLVideoElement).paused)) await stage.tap();
    await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).paused)).toBe(false);
    await stage.tap();
    await expect(page.getByTestId("player-paused-indicator")).toBeVisible();

    // Back returns to 资产.
    await page.getByRole("button", { name: "返回" }).click();
    await expect(page).toHaveURL(/\/assets$/);
  });

  test("a poster and a spinner while the video loads", async ({ page }) => {
    const target = videos[0]!;
    const playPath = new URL(target.watermarked_play_url, "http://x").pathname;
    const thumbPath = new URL(target.thumbnail_url, "http://x").pathname;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(
      (url) => url.pathname === playPath,
      async (route) => {
        await gate;
        await route.continue();
      },
    );
    await useSession(page, session);
    await page.goto(`/assets/videos/${target.video_id}`);
    const video = page.getByTestId("player-video");
    await expect(page.getByTestId("player-loading")).toBeVisible();
    expect(new URL((await video.getAttribute("poster"))!, "http://x").pathname).toBe(thumbPath);
    release();
    await expect(page.getByTestId("player-loading")).toHaveCount(0, { timeout: 20_000 });
    // Opened without a list (e.g. from 任务): no swipe hint.
    await expect(page.getByTestId("swipe-hint")).toHaveCount(0);
  });

  test("the menu: 复制提示词 copies the prompt, 再次生成 opens 创作 prefilled", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const target = videos.find((v) => v.ratio === "16:9")!;
    await useSession(page, session);
    await page.goto(`/assets/videos/${target.video_id}?list=all`);
    await page.getByTestId("player-menu").click();
    await page.locator(".adm-action-sheet").getByText("复制提示词", { exact: true }).click();
    await expect(page.getByTestId("copy-toast")).toHaveText("提示词已复制");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(target.prompt);
    await expect(page.locator(".adm-action-sheet")).toHaveCount(0);

    await page.getByTestId("player-menu").click();
    await page.locator(".adm-action-sheet").getByText("再次生成", { exact: true }).click();
    await expect(page).toHaveURL(/\/create$/);
    await expect(promptBox(page)).toHaveValue(target.prompt);
    await expect(activeOption(page, "ratio-option-16:9")).toHaveCount(1);
    await expect(activeOption(page, "duration-option-10")).toHaveCount(1);
    await expect(activeOption(page, `model-option-${SIM}`)).toHaveCount(1);
  });

  test("English mode: 创作, 任务, 资产 and the player show no Chinese outside user content", async ({
    page,
    request,
  }) => {
    await useSession(page, session);
    await page.evaluate(() => localStorage.setItem("skyriff.lang", "en"));
    // Model names as the server gives them in English (proper nouns may keep their own script).
    const config = await (
      await request.get("/api/v1/config", { headers: { "accept-language": "en" } })
    ).json();
    const modelNames = (config.data.models as { name: string }[]).map((m) => m.name);
    const userContent = [...videos.map((v) => v.prompt), ...modelNames];
    const cjk = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
    const pageText = async () => {
      // The rendered text only (textContent would include hidden nodes such as the TextArea's twin).
      // biome-ignore lint/performance/useDomNodeTextContent: rendered text is what the user reads
      let text = await page.locator("body").innerText();
      for (const s of userContent) text = text.split(s).join("");
      return text;
    };
    const pages: [string, string][] = [
      ["/create", "create-submit"],
      ["/tasks", "task-row"],
      ["/tasks?status=FAILURE", "tasks-empty"],
      ["/assets", "video-card"],
      [`/assets/videos/${videos[1]!.video_id}?list=all`, "swipe-hint"],
    ];
    for (const [path, ready] of pages) {
      await page.goto(path);
      await expect(page.getByTestId(ready).first()).toBeVisible();
      const text = await pageText();
      expect(text.match(cjk), `${path}: ${text}`).toBeNull();
    }
    await page.getByTestId("player-menu").click();
    await expect(page.locator(".adm-action-sheet")).toContainText("Copy prompt");
    const text = await pageText();
    expect(text.match(cjk), text).toBeNull();
  });
});
