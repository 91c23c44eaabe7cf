import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Ratio } from "@skyriff/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelDefaults } from "../../src/config/models.js";
import { dimensionsFor, simulatedClipArgs } from "../../src/media/args.js";
import { findFont, probe, runFfmpeg } from "../../src/media/ffmpeg.js";
import { SCENE_KINDS, sceneFor } from "../../src/media/scenes.js";
import {
  createSimulatedVendor,
  decodeSimulatedTaskId,
  SIMULATED_FAIL_MESSAGE,
  SIMULATED_FAIL_TAG,
  SIMULATED_IMAGE_FALLBACK_NOTE,
  simulatedStateAt,
} from "../../src/vendors/simulated.js";
import { type ModelDef, VendorError, type VendorTaskState } from "../../src/vendors/types.js";

const RENDER_TIMEOUT = 60_000;
const START = Date.UTC(2025, 0, 1, 8, 0, 0);

const simDefaults = modelDefaults().find((m) => m.id === "skyriff-sim");
if (!simDefaults) throw new Error("skyriff-sim is not in the catalog");
const model: ModelDef = { ...simDefaults, enabled: true };

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "skyriff-sim-"));
  dirs.push(dir);
  return dir;
}

/** Two vendor instances (two "processes") sharing a work dir and a movable clock. */
function setup(totalSeconds = 20, over: { baseSize?: number; fontFile?: string | null } = {}) {
  const workDir = scratchDir();
  const clock = { ms: START };
  const now = () => clock.ms;
  const a = createSimulatedVendor({ workDir, totalSeconds, now, ...over });
  const b = createSimulatedVendor({ workDir, totalSeconds, now, ...over });
  return { workDir, clock, a, b };
}

// ---------------------------------------------------------------------------------------------------
// Looking at the pictures: frames decoded to raw RGB, compared by mean absolute difference (0–255).

const QUIET = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"];
let scratch = 0;

/**
 * The video's frames (or a still image) as `side`×`side` RGB, one per second of video by default
 * (`fps=1` keeps the frame at 0 s, 1 s, 2 s…). `filter` runs before the downscale.
 */
async function rgbFrames(file: string, opts: { side?: number; fps?: number | null; filter?: string } = {}) {
  const side = opts.side ?? 64;
  const out = path.join(scratchDir(), `frames-${++scratch}.rgb`);
  const chain = [
    opts.fps === null ? null : `fps=${opts.fps ?? 1}`,
    opts.filter,
    `scale=${side}:${side}:flags=area`,
  ];
  await runFfmpeg([
    ...QUIET,
    "-i",
    file,
    "-vf",
    chain.filter(Boolean).join(","),
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    out,
  ]);
  const bytes = readFileSync(out);
  const size = side * side * 3;
  return Array.from({ length: bytes.length / size }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}

function meanDiff(a: Buffer | undefined, b: Buffer | undefined): number {
  if (!a || !b) throw new Error("missing frame");
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** Mean difference of two equally long frame lists. */
function clipDiff(a: Buffer[], b: Buffer[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((sum, frame, i) => sum + meanDiff(frame, b[i]), 0) / a.length;
}

/** Number of video frames, by decoding them (independent of container metadata). */
async function frameCount(file: string): Promise<number> {
  return (await rgbFrames(file, { side: 2, fps: null })).length;
}

/** Creates a task, moves the clock past SUCCESS and returns the rendered file. */
async function renderVia(
  vendor: ReturnType<typeof createSimulatedVendor>,
  clock: { ms: number },
  prompt: string,
  durationSec: number,
  ratio: Ratio,
  referenceImageUrl: string | null = null,
): Promise<string> {
  const { vendorTaskId } = await vendor.create(input(prompt, durationSec, ratio, referenceImageUrl));
  clock.ms += 3_600_000;
  const done = await vendor.get(vendorTaskId);
  expect(done.status).toBe("SUCCESS");
  return fileURLToPath(done.videoUrl ?? "");
}

/** The first prompt (of many tried) whose scene is of this kind. */
function promptOfKind(kind: string): string {
  for (let i = 0; i < 500; i++) {
    const p = `场景 ${kind} ${i}`;
    if (sceneFor(p).kind === kind) return p;
  }
  throw new Error(`no prompt gives ${kind}`);
}

// A local server for reference images (the vendor fetches http/https only).
let images: Server;
let imageBase = "";
const served: string[] = [];
const imageDir = scratchDir();
const PHOTO = path.join(imageDir, "photo.png");
const OTHER = path.join(imageDir, "other.png");

beforeAll(async () => {
  // Two landscape pictures unlike each other: a busy test card, and colour bars with a gradient.
  await runFfmpeg([...QUIET, "-f", "lavfi", "-i", "testsrc2=s=960x640", "-frames:v", "1", PHOTO]);
  await runFfmpeg([
    ...QUIET,
    "-f",
    "lavfi",
    "-i",
    "smptehdbars=s=960x640",
    "-vf",
    "hflip,hue=h=90",
    "-frames:v",
    "1",
    OTHER,
  ]);
  images = createServer((req, res) => {
    served.push(req.url ?? "");
    const file = req.url === "/photo.png" ? PHOTO : req.url === "/other.png" ? OTHER : null;
    if (req.url === "/not-an-image.png") {
      res.writeHead(200, { "content-type": "image/png" }).end("<html>not an image</html>");
      return;
    }
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "image/png" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => images.listen(0, "127.0.0.1", resolve));
  imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
}, RENDER_TIMEOUT);

afterAll(async () => {
  await new Promise<void>((resolve) => images?.close(() => resolve()));
});

function input(prompt: string, durationSec: number, ratio: Ratio, referenceImageUrl: string | null = null) {
  return {
    taskId: "task-1",
    model,
    prompt,
    durationSec,
    ratio,
    resolution: "720p",
    referenceImageUrl,
    callbackUrl: null,
  };
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
      expect(await frameCount(file)).toBe(150);

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
      const square = await a.create(input("square", 2, "1:1", `${imageBase}/photo.png`));
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
      expect(sq).toMatchObject({ width: 720, height: 720, videoCodec: "h264", audioCodec: "aac" });
      expect(Math.abs(sq.durationMs - 2_000)).toBeLessThanOrEqual(200);
      // Exactly the requested length in frames too (15 fps).
      expect(await frameCount(fileURLToPath(results[0]?.videoUrl ?? ""))).toBe(45);
      expect(await frameCount(fileURLToPath(results[3]?.videoUrl ?? ""))).toBe(30);
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

describe("simulated scenes", () => {
  it(
    "two prompts give visibly different clips; the same prompt twice gives identical frames",
    async () => {
      const { a, b, clock } = setup(20, { baseSize: 360 });
      const catPrompt = "一只橘猫在月球上跳舞";
      const trainPrompt = "futuristic train crossing a desert at night";
      // Rendered by two "processes" from two task ids (two renders, not one cached file).
      const cat = await renderVia(a, clock, catPrompt, 4, "9:16");
      const catAgain = await renderVia(b, clock, catPrompt, 4, "9:16");
      const train = await renderVia(a, clock, trainPrompt, 4, "9:16");
      expect(catAgain).not.toBe(cat);
      const [catFrames, againFrames, trainFrames] = await Promise.all([
        rgbFrames(cat),
        rgbFrames(catAgain),
        rgbFrames(train),
      ]);
      expect(catFrames).toHaveLength(4);
      expect(clipDiff(catFrames, againFrames)).toBe(0);
      const between = clipDiff(catFrames, trainFrames);
      // What the prompt's text alone changes: the same scene (the seed) with the other prompt's text.
      const textOnly = path.join(scratchDir(), "text-only.mp4");
      await runFfmpeg(
        simulatedClipArgs({
          output: textOnly,
          durationSec: 4,
          ...dimensionsFor("9:16", 360),
          text: trainPrompt,
          seed: catPrompt,
          fontFile: findFont(),
        }),
      );
      const subtitleOnly = clipDiff(catFrames, await rgbFrames(textOnly));
      console.info(
        `mean |Δ| between prompts ${between.toFixed(1)}, subtitle only ${subtitleOnly.toFixed(1)}`,
      );
      // 20 of 255 is a different picture (palette, layout), not a different subtitle on the same one:
      // and at least 5× what the subtitle alone changes.
      expect(between).toBeGreaterThan(20);
      expect(between).toBeGreaterThan(5 * subtitleOnly);
    },
    RENDER_TIMEOUT,
  );

  it(
    "every kind of scene moves: frames one and three seconds apart differ",
    async () => {
      // No text (a fading subtitle would count as motion), small frames: only the scene is measured.
      const { a, clock } = setup(20, { baseSize: 180, fontFile: null });
      const moved: Record<string, number> = {};
      for (const kind of SCENE_KINDS) {
        const file = await renderVia(a, clock, promptOfKind(kind), 4, "9:16");
        expect(await frameCount(file), kind).toBe(60);
        const frames = await rgbFrames(file);
        moved[kind] = Math.min(meanDiff(frames[0], frames[2]), meanDiff(frames[1], frames[3]));
      }
      console.info(
        `motion (mean |Δ| over 2 s): ${Object.entries(moved)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(", ")}`,
      );
      // A still picture re-encoded scores below 1; 3 of 255 is motion anyone sees.
      for (const kind of SCENE_KINDS) expect(moved[kind], kind).toBeGreaterThan(3);
    },
    RENDER_TIMEOUT,
  );

  it(
    "renders every ratio at its size, H.264/AAC, exactly the requested length",
    async () => {
      const { a, clock } = setup(20, { baseSize: 360 });
      for (const ratio of ["9:16", "16:9", "1:1"] as const) {
        const file = await renderVia(a, clock, `ratio ${ratio}`, 3, ratio);
        const info = await probe(file);
        expect(info).toMatchObject({ ...dimensionsFor(ratio, 360), videoCodec: "h264", audioCodec: "aac" });
        expect(Math.abs(info.durationMs - 3_000)).toBeLessThanOrEqual(150);
        expect(await frameCount(file)).toBe(45);
      }
    },
    RENDER_TIMEOUT,
  );
});

describe("simulated image→video", () => {
  /** The picture as it should fill a 9:16 frame: scaled to cover it, the overflow cropped evenly. */
  const coverFit = "scale=360:640:force_original_aspect_ratio=increase,crop=360:640";

  it(
    "animates the uploaded image: the first frame is the image cover-fitted, then it zooms",
    async () => {
      const { a, clock } = setup(20, { baseSize: 360 });
      served.length = 0;
      const { vendorTaskId } = await a.create(input("让画面动起来", 4, "9:16", `${imageBase}/photo.png`));
      expect(served).toEqual([]); // fetched when the clip is rendered, by whichever process renders it
      clock.ms += 3_600_000;
      const done = await a.get(vendorTaskId);
      expect(served).toEqual(["/photo.png"]);
      const file = fileURLToPath(done.videoUrl ?? "");
      expect(await probe(file)).toMatchObject({
        width: 360,
        height: 640,
        videoCodec: "h264",
        audioCodec: "aac",
      });
      expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]); // the image was removed

      const [first, ...rest] = await rgbFrames(file, { side: 32 });
      const [photo] = await rgbFrames(PHOTO, { side: 32, fps: null, filter: coverFit });
      const [stretched] = await rgbFrames(PHOTO, { side: 32, fps: null });
      const [other] = await rgbFrames(OTHER, { side: 32, fps: null, filter: coverFit });
      const same = meanDiff(first, photo);
      const distorted = meanDiff(first, stretched);
      const different = meanDiff(first, other);
      const zoomed = meanDiff(first, rest.at(-1));
      console.info(
        `image→video first frame vs image ${same.toFixed(1)}, vs stretched ${distorted.toFixed(1)}, vs another image ${different.toFixed(1)}; last vs first ${zoomed.toFixed(1)}`,
      );
      // Resembles the image (x264 and the 32×32 downscale leave a few levels), not another image.
      expect(same).toBeLessThan(6);
      expect(different).toBeGreaterThan(40);
      // Cover-fitted, not squeezed: the stretched picture is much further away.
      expect(distorted).toBeGreaterThan(3 * same);
      // Ken Burns: the end of the clip is zoomed in and panned, the picture has moved.
      expect(zoomed).toBeGreaterThan(8);
    },
    RENDER_TIMEOUT,
  );

  it(
    "falls back to the prompt's text→video scene when the image cannot be fetched or decoded",
    async () => {
      const { a, clock } = setup(20, { baseSize: 180 });
      const prompt = "让画面动起来";
      const text = await renderVia(a, clock, prompt, 2, "9:16");
      const [photo] = await rgbFrames(PHOTO, { side: 32, fps: null, filter: coverFit });
      for (const url of [
        `${imageBase}/gone.png`,
        `${imageBase}/not-an-image.png`,
        "http://127.0.0.1:9/x.png",
      ]) {
        const file = await renderVia(a, clock, prompt, 2, "9:16", url);
        expect(await probe(file)).toMatchObject({ width: 180, height: 320, videoCodec: "h264" });
        // At 0 s the subtitle has not faded in yet: the first frame is the text→video scene's.
        const [first] = await rgbFrames(file, { side: 32 });
        const [scene] = await rgbFrames(text, { side: 32 });
        expect(meanDiff(first, scene)).toBeLessThan(2);
        expect(meanDiff(first, photo)).toBeGreaterThan(20);
      }
      expect(readdirSync(path.dirname(text)).every((f) => f.endsWith(".mp4"))).toBe(true);
      expect(SIMULATED_IMAGE_FALLBACK_NOTE).toContain("参考图");
    },
    RENDER_TIMEOUT,
  );

  it("keeps the image URL in the task id and refuses URLs it could not fetch", async () => {
    const { a } = setup();
    const url = `${imageBase}/photo.png?X-Signature=abc&expires=123`;
    const { vendorTaskId } = await a.create(input("x", 5, "9:16", url));
    expect(decodeSimulatedTaskId(vendorTaskId)).toMatchObject({ i: 1, u: url });
    for (const bad of [
      "file:///etc/passwd",
      "ftp://example.com/a.png",
      `https://x.test/${"a".repeat(5000)}`,
    ]) {
      await expect(a.create(input("x", 5, "9:16", bad))).rejects.toMatchObject({ kind: "rejected" });
    }
    const tampered = `sim1.${Buffer.from(
      JSON.stringify({ ...decodeSimulatedTaskId(vendorTaskId), u: "file:///etc/passwd" }),
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
