import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Ratio } from "@skyriff/contracts";
import { afterAll, describe, expect, it } from "vitest";
import { probe } from "../../src/media/ffmpeg.js";
import {
  createSimulatedVendor,
  decodeSimulatedTaskId,
  SIMULATED_FAIL_MESSAGE,
  SIMULATED_FAIL_TAG,
  simulatedStateAt,
} from "../../src/vendors/simulated.js";
import { type ModelDef, VendorError, type VendorTaskState } from "../../src/vendors/types.js";

const RENDER_TIMEOUT = 60_000;
const START = Date.UTC(2025, 0, 1, 8, 0, 0);

const model: ModelDef = {
  id: "skyriff-sim",
  name: "SkyRiff 模拟生成",
  vendor: "simulated",
  durations: [10, 15, 25],
  ratios: ["9:16", "16:9", "1:1"],
  imageToVideo: true,
  creditsPerSecond: 1,
  timeoutMinutes: 30,
  enabled: true,
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Two vendor instances (two "processes") sharing a work dir and a movable clock. */
function setup(totalSeconds = 20) {
  const workDir = mkdtempSync(path.join(tmpdir(), "skyriff-sim-"));
  dirs.push(workDir);
  const clock = { ms: START };
  const now = () => clock.ms;
  const a = createSimulatedVendor({ workDir, totalSeconds, now });
  const b = createSimulatedVendor({ workDir, totalSeconds, now });
  return { workDir, clock, a, b };
}

function input(prompt: string, durationSec: number, ratio: Ratio, referenceImageUrl: string | null = null) {
  return { taskId: "task-1", model, prompt, durationSec, ratio, referenceImageUrl };
}

describe("simulated vendor", () => {
  it(
    "moves QUEUED → IN_PROGRESS (rising) → SUCCESS with a file:// URL of the requested clip",
    async () => {
      const { clock, a, b, workDir } = setup(20);
      const { vendorTaskId } = await a.create(input("一只橘猫在月球上跳舞", 10, "9:16"));

      const seen: VendorTaskState[] = [];
      for (const at of [0, 1_000, 2_999, 3_000, 5_000, 10_000, 15_000, 19_999]) {
        clock.ms = START + at;
        const fromA = await a.get(vendorTaskId);
        expect(await b.get(vendorTaskId)).toEqual(fromA);
        seen.push(fromA);
      }
      expect(seen.slice(0, 3).map((s) => s.status)).toEqual(["QUEUED", "QUEUED", "QUEUED"]);
      expect(seen[0]).toMatchObject({ progress: 0, videoUrl: null, errorMessage: null, rawStatus: "queued" });
      const running = seen.slice(3);
      expect(running.every((s) => s.status === "IN_PROGRESS" && s.rawStatus === "in_progress")).toBe(true);
      const progress = running.map((s) => s.progress ?? -1);
      expect(progress[0]).toBe(1);
      expect(progress.at(-1)).toBe(99);
      for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1] ?? 0);

      clock.ms = START + 20_000;
      const started = Date.now();
      const done = await a.get(vendorTaskId);
      const renderMs = Date.now() - started;
      expect(done).toMatchObject({
        status: "SUCCESS",
        progress: 100,
        errorMessage: null,
        rawStatus: "completed",
      });
      expect(done.videoUrl).toMatch(/^file:\/\//);
      const file = fileURLToPath(done.videoUrl ?? "");
      expect(path.dirname(file)).toBe(workDir);

      const info = await probe(file);
      expect(Math.abs(info.durationMs - 10_000)).toBeLessThanOrEqual(200);
      expect(info).toMatchObject({ width: 720, height: 1280, videoCodec: "h264", audioCodec: "aac" });

      // The other "process" finds the rendered file instead of rendering again.
      const mtime = statSync(file).mtimeMs;
      clock.ms = START + 60_000;
      expect(await b.get(vendorTaskId)).toEqual(done);
      expect(statSync(file).mtimeMs).toBe(mtime);
      expect(readdirSync(workDir)).toEqual([path.basename(file)]);
      console.info(`simulated 10 s 720×1280 render: ${renderMs} ms`);
    },
    RENDER_TIMEOUT,
  );

  it(
    "renders once when two processes poll at the same time, other ratios and durations",
    async () => {
      const { clock, a, b, workDir } = setup(20);
      const { vendorTaskId } = await b.create(input("landscape", 3, "16:9"));
      const square = await a.create(input("square", 2, "1:1", "https://example.com/ref.png"));
      clock.ms = START + 25_000;
      const results = await Promise.all([
        a.get(vendorTaskId),
        b.get(vendorTaskId),
        a.get(vendorTaskId),
        a.get(square.vendorTaskId),
      ]);
      expect(results[0]?.videoUrl).toBeTruthy();
      expect(results[1]?.videoUrl).toBe(results[0]?.videoUrl);
      expect(results[2]?.videoUrl).toBe(results[0]?.videoUrl);
      const wide = await probe(fileURLToPath(results[0]?.videoUrl ?? ""));
      expect(wide).toMatchObject({ width: 1280, height: 720, videoCodec: "h264", audioCodec: "aac" });
      expect(Math.abs(wide.durationMs - 3_000)).toBeLessThanOrEqual(200);
      const sq = await probe(fileURLToPath(results[3]?.videoUrl ?? ""));
      expect(sq).toMatchObject({ width: 720, height: 720 });
      // No temp files left behind.
      expect(readdirSync(workDir).sort()).toHaveLength(2);
      expect(readdirSync(workDir).every((f) => f.endsWith(".mp4"))).toBe(true);
      expect(decodeSimulatedTaskId(square.vendorTaskId)).toMatchObject({ i: 1, r: "1:1", d: 2 });
    },
    RENDER_TIMEOUT,
  );

  it("ends a #fail task in FAILURE at about 60 %, and every process agrees", async () => {
    const { clock, a, b, workDir } = setup(20);
    const { vendorTaskId } = await a.create(input(`会失败的任务 ${SIMULATED_FAIL_TAG}`, 10, "9:16"));
    clock.ms = START + 5_000;
    expect((await a.get(vendorTaskId)).status).toBe("IN_PROGRESS");
    clock.ms = START + 12_000;
    const before = await b.get(vendorTaskId);
    expect(before.status).toBe("IN_PROGRESS");
    expect(before.progress).toBeLessThan(60);
    clock.ms = START + 14_000;
    const failed = await a.get(vendorTaskId);
    expect(failed).toEqual({
      status: "FAILURE",
      progress: 60,
      videoUrl: null,
      errorMessage: SIMULATED_FAIL_MESSAGE,
      rawStatus: "failed",
    });
    expect(SIMULATED_FAIL_MESSAGE).toBe("模拟生成失败（#fail）");
    expect(await b.get(vendorTaskId)).toEqual(failed);
    clock.ms = START + 3_600_000;
    expect(await b.get(vendorTaskId)).toEqual(failed);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it("matches the fail tag case-insensitively", async () => {
    const { a } = setup();
    const { vendorTaskId } = await a.create(input("x #FAIL", 10, "9:16"));
    expect(decodeSimulatedTaskId(vendorTaskId)?.f).toBe(1);
  });

  it("gives distinct ids to equal requests and keeps long prompts short", async () => {
    const { a } = setup();
    const one = await a.create(input("同一个提示词", 10, "9:16"));
    const two = await a.create(input("同一个提示词", 10, "9:16"));
    expect(one.vendorTaskId).not.toBe(two.vendorTaskId);
    const long = await a.create(input("长".repeat(5000), 10, "9:16"));
    expect(long.vendorTaskId.length).toBeLessThan(1000);
    expect(decodeSimulatedTaskId(long.vendorTaskId)?.p).toHaveLength(120);
  });

  it("rejects bad requests, #reject prompts and unknown ids with VendorError", async () => {
    const { a } = setup();
    await expect(a.create(input("x", 0, "9:16"))).rejects.toMatchObject({ kind: "rejected" });
    await expect(a.create(input("x", 10, "4:3" as Ratio))).rejects.toMatchObject({ kind: "rejected" });
    await expect(a.create(input("违规内容 #reject", 10, "9:16"))).rejects.toBeInstanceOf(VendorError);
    for (const id of ["", "sim1.", "sim1.bm90IGpzb24", "other-vendor-id", `sim1.${"x".repeat(10)}`]) {
      await expect(a.get(id)).rejects.toMatchObject({ name: "VendorError", kind: "rejected" });
    }
    const { vendorTaskId } = await a.create(input("x", 10, "9:16"));
    const tampered = `sim1.${Buffer.from(
      JSON.stringify({ ...decodeSimulatedTaskId(vendorTaskId), d: 9999 }),
    ).toString("base64url")}`;
    await expect(a.get(tampered)).rejects.toMatchObject({ kind: "rejected" });
  });
});

describe("simulatedStateAt", () => {
  it("never lowers progress and ends at SUCCESS 100", () => {
    let last = -1;
    let status = "";
    for (let ms = 0; ms <= 21_000; ms += 250) {
      const s = simulatedStateAt({ f: 0 }, ms, 20_000);
      expect(s.progress).toBeGreaterThanOrEqual(last);
      last = s.progress;
      status = s.status;
    }
    expect(status).toBe("SUCCESS");
    expect(last).toBe(100);
  });

  it("finishes at once when the total time is zero", () => {
    expect(simulatedStateAt({ f: 0 }, 0, 0)).toEqual({ status: "SUCCESS", progress: 100 });
    expect(simulatedStateAt({ f: 1 }, 0, 0).status).toBe("FAILURE");
  });
});
