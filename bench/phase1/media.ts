/**
 * Phase 1 (a): the media step between a vendor's SUCCESS and a ready asset (`processVideo`: probe,
 * watermarked play copy + thumbnail in one ffmpeg run, duration probe of the copy) against the floor
 * for a burned-in watermark: one hand-written ffmpeg pass over the same clip with the same filter text
 * (`watermarkFilter`) and the same x264 settings, audio stream-copied, nothing else. Also: how long the
 * simulated vendor takes to render a 10 s 720×1280 clip (text→video scene, image→video Ken Burns)
 * against its target (≤ 3 s).
 */
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  audioPlanFor,
  dimensionsFor,
  probeArgs,
  simulatedClipArgs,
  thumbnailArgs,
  watermarkArgs,
  watermarkFilter,
} from "../../backend/src/media/args.js";
import { findFont, mediaTools, type ProbeResult, probe, runFfmpeg } from "../../backend/src/media/ffmpeg.js";
import { type ProcessTimings, processVideo } from "../../backend/src/media/pipeline.js";
import { sceneFor } from "../../backend/src/media/scenes.js";
import { createSimulatedVendor } from "../../backend/src/vendors/simulated.js";
import type { ModelDef } from "../../backend/src/vendors/types.js";
import { onCleanup } from "../lib/cleanup.js";

export interface MediaOptions {
  /** A scratch directory (created, removed at the end). */
  workDir: string;
  runs: number;
  log: (message: string) => void;
}

export interface MediaResult {
  ffmpegVersion: string;
  ffmpegPath: string;
  ffprobePath: string | null;
  font: string | null;
  clip: ProbeResult & { bytes: number; renderMs: number };
  play: ProbeResult & { bytes: number };
  onePassBytes: number;
  thumbBytes: number;
  /** The floor's arguments as run (after `ffmpeg`), for the write-up. */
  onePassArgs: string[];
  /** Timed runs, interleaved with the one-pass runs (after one untimed warm-up of each). */
  processMs: number[];
  onePassMs: number[];
  /**
   * CPU time (user + sys) of the child processes each run spawned (ffprobe, ffmpeg), from the bench
   * process's cutime + cstime; null where /proc is not available. Steadier than wall time on a busy
   * machine.
   */
  processCpuMs: number[] | null;
  onePassCpuMs: number[] | null;
  /** processVideo's own breakdown, per run. */
  timings: ProcessTimings[];
  /** What the old pipeline ran on top, timed per run for scale: a thumbnail run, a full probe of the copy. */
  separateThumbMs: number[];
  fullProbeMs: number[];
  /** 1-minute load average when the timed runs started and ended, and the CPUs it is relative to. */
  load: { start: number; end: number; cpus: number };
  simulated: SimulatedRenderResult;
}

/** The simulated vendor's render of a 10 s 720×1280 clip: `get()` at SUCCESS, which renders it. */
export interface SimulatedRenderResult {
  targetMs: number;
  /** 1-minute load average when these runs started and ended. */
  load: { start: number; end: number };
  text: SimulatedRuns & { scene: string };
  image: SimulatedRuns & { source: string };
}

export interface SimulatedRuns {
  wallMs: number[];
  /** CPU of the ffmpeg child (user + sys), null without /proc. */
  cpuMs: number[] | null;
  bytes: number;
}

const CLIP_SECONDS = 10;
/** The simulated vendor's render target for a 10 s 720×1280 clip (issue 7). */
export const SIMULATED_TARGET_MS = 3_000;
const PROMPT = "A paper boat drifts down a rainy Shanghai alley at dusk, neon reflections, slow dolly";
const HANDLE = "@SkyRiff测试";

/**
 * The floor's encoder settings, written out here on purpose (not taken from `watermarkArgs`);
 * `checkSameEncoder` fails the bench if the play copy's settings drift away from them.
 */
const FLOOR_VIDEO = [
  "-c:v",
  "libx264",
  "-pix_fmt",
  "yuv420p",
  "-profile:v",
  "high",
  "-preset",
  "veryfast",
  "-crf",
  "23",
];

function checkSameEncoder(playArgs: string[]): void {
  for (let i = 0; i < FLOOR_VIDEO.length; i += 2) {
    const flag = FLOOR_VIDEO[i]!;
    const at = playArgs.indexOf(flag);
    if (at < 0 || playArgs[at + 1] !== FLOOR_VIDEO[i + 1]) {
      throw new Error(
        `media: the play copy uses ${flag} ${at < 0 ? "(unset)" : playArgs[at + 1]}, the bench's one pass ${FLOOR_VIDEO[i + 1]}: update FLOOR_VIDEO in bench/phase1/media.ts`,
      );
    }
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

let clockTicks: number | null | undefined;

/**
 * CPU ms used so far by the children this process has reaped (Linux: fields 16 and 17 of
 * /proc/self/stat, in clock ticks); null elsewhere.
 */
function reapedChildrenCpuMs(): number | null {
  try {
    if (clockTicks === null) return null;
    if (clockTicks === undefined)
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3 (state)
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) return null;
    return ((cutime + cstime) * 1000) / clockTicks;
  } catch {
    clockTicks = null;
    return null;
  }
}

/** The value, wall ms and children's CPU ms of one awaited step. */
async function measured<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; wallMs: number; cpuMs: number | null }> {
  const cpu0 = reapedChildrenCpuMs();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const cpu1 = reapedChildrenCpuMs();
  return { value, wallMs, cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

export async function benchMedia(opts: MediaOptions): Promise<MediaResult> {
  const tools = mediaTools();
  const font = findFont();
  await mkdir(opts.workDir, { recursive: true });
  onCleanup(`remove ${opts.workDir}`, () => rm(opts.workDir, { recursive: true, force: true }));

  const { width, height } = dimensionsFor("9:16");
  const clipPath = path.join(opts.workDir, "source.mp4");
  opts.log(`media: rendering a ${CLIP_SECONDS} s ${width}×${height} clip (simulatedClipArgs)…`);
  const renderMs = await timed(() =>
    runFfmpeg(
      simulatedClipArgs({
        output: clipPath,
        durationSec: CLIP_SECONDS,
        width,
        height,
        text: PROMPT,
        fontFile: font,
      }),
      { tools },
    ),
  );
  const clipProbe = await probe(clipPath, { tools });
  const clip = { ...clipProbe, bytes: (await stat(clipPath)).size, renderMs };
  if (audioPlanFor(clip.audioCodec) !== "copy") {
    throw new Error(`media: the bench clip's audio is ${clip.audioCodec ?? "missing"}, expected AAC`);
  }

  // The floor, by hand: decode, the same watermark filter text, the same x264 settings, audio copied.
  const filter = watermarkFilter({ handle: HANDLE, fontFile: font, width: clip.width, height: clip.height });
  const onePassArgs = (output: string) => [
    ...["-hide_banner", "-nostdin", "-y", "-loglevel", "error"],
    ...["-i", clipPath, "-filter_complex", `[0:v:0]${filter}[v]`, "-map", "[v]", "-map", "0:a:0"],
    ...FLOOR_VIDEO,
    ...["-c:a", "copy", "-f", "mp4", output],
  ];
  checkSameEncoder(
    watermarkArgs({
      input: clipPath,
      output: "play.mp4",
      handle: HANDLE,
      fontFile: font,
      width: clip.width,
      height: clip.height,
      audio: "copy",
    }),
  );

  const runProcess = (dir: string) =>
    processVideo({ sourcePath: clipPath, workDir: dir, handle: HANDLE, tools });
  const runOnePass = (out: string) => runFfmpeg(onePassArgs(out), { tools });

  opts.log("media: warm-up (one untimed run of each)…");
  await runProcess(path.join(opts.workDir, "warmup"));
  await runOnePass(path.join(opts.workDir, "warmup-pass.mp4"));

  const processMs: number[] = [];
  const onePassMs: number[] = [];
  const processCpu: (number | null)[] = [];
  const onePassCpu: (number | null)[] = [];
  const timings: ProcessTimings[] = [];
  const separateThumbMs: number[] = [];
  const fullProbeMs: number[] = [];
  type Processed = Awaited<ReturnType<typeof processVideo>>;
  const results: Processed[] = [];
  const onePassOut = (i: number) => path.join(opts.workDir, `pass-${i}.mp4`);
  const loadStart = loadavg()[0] ?? 0;
  for (let i = 0; i < opts.runs; i++) {
    const dir = path.join(opts.workDir, `process-${i}`);
    const doProcess = async () => {
      const m = await measured(() => runProcess(dir));
      results.push(m.value);
      processMs.push(m.wallMs);
      processCpu.push(m.cpuMs);
      timings.push(m.value.timings);
    };
    const doPass = async () => {
      const m = await measured(() => runOnePass(onePassOut(i)));
      onePassMs.push(m.wallMs);
      onePassCpu.push(m.cpuMs);
    };
    // Alternate the order so a slow patch of a shared machine hits both sides alike.
    if (i % 2 === 0) {
      await doProcess();
      await doPass();
    } else {
      await doPass();
      await doProcess();
    }
    const playPath = path.join(dir, "play.mp4");
    separateThumbMs.push(
      await timed(() =>
        runFfmpeg(
          thumbnailArgs({ input: clipPath, output: path.join(dir, "separate.jpg"), atSec: 1, width: 540 }),
          { tools },
        ),
      ),
    );
    fullProbeMs.push(await timed(() => probeOnce(tools.ffprobe, playPath)));
    const cpu = (v: number | null | undefined) => (v == null ? "" : ` (CPU ${Math.round(v)} ms)`);
    opts.log(
      `media: run ${i + 1}/${opts.runs}: processVideo ${Math.round(processMs[i]!)} ms${cpu(processCpu[i])}, one pass ${Math.round(onePassMs[i]!)} ms${cpu(onePassCpu[i])}`,
    );
  }
  const loadEnd = loadavg()[0] ?? 0;
  const final = results.at(-1);
  if (!final) throw new Error("media: no processVideo run");
  const simulated = await benchSimulated(opts, tools, font);

  return {
    ffmpegVersion: await versionOf(tools.ffmpeg),
    ffmpegPath: tools.ffmpeg,
    ffprobePath: tools.ffprobe,
    font,
    clip,
    play: { ...final.play, bytes: (await stat(final.playPath)).size },
    onePassBytes: (await stat(onePassOut(opts.runs - 1))).size,
    thumbBytes: (await stat(final.thumbPath)).size,
    onePassArgs: onePassArgs("pass.mp4").map((a) => (a === clipPath ? "source.mp4" : a)),
    processMs,
    onePassMs,
    processCpuMs: allNumbers(processCpu),
    onePassCpuMs: allNumbers(onePassCpu),
    timings,
    separateThumbMs,
    fullProbeMs,
    load: { start: loadStart, end: loadEnd, cpus: availableParallelism() },
    simulated,
  };
}

const SIM_MODEL: ModelDef = {
  id: "skyriff-sim",
  name: "SkyRiff simulated",
  vendor: "simulated",
  durations: [CLIP_SECONDS],
  ratios: ["9:16"],
  imageToVideo: true,
  vendorModel: "skyriff-sim",
  resolutions: ["720p"],
  image: null,
  creditsPerSecond: 1,
  vendorCostMilliPerSecond: 10,
  failoverClass: "simulated",
  timeoutMinutes: 30,
  enabled: true,
};

/**
 * The simulated vendor as the worker runs it: `create()`, then the `get()` that finds the task at
 * SUCCESS and renders the clip (for image→video, after fetching the reference image over HTTP from a
 * local server). A fresh task per run (clips are cached per task id); text and image runs interleaved,
 * after one untimed warm-up of each.
 */
async function benchSimulated(
  opts: MediaOptions,
  tools: ReturnType<typeof mediaTools>,
  font: string | null,
): Promise<SimulatedRenderResult> {
  const dir = path.join(opts.workDir, "simulated");
  await mkdir(dir, { recursive: true });
  // A 4:3 camera-sized picture with sharp detail (the costly case for the encoder).
  const reference = path.join(dir, "reference.jpg");
  await runFfmpeg(
    [
      ...["-hide_banner", "-nostdin", "-y", "-loglevel", "error"],
      ...["-f", "lavfi", "-i", "testsrc2=s=1600x1200", "-frames:v", "1", "-q:v", "3", reference],
    ],
    { tools },
  );
  const referenceBytes = readFileSync(reference);
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "image/jpeg" }).end(referenceBytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reference.jpg`;
  const vendor = createSimulatedVendor({
    workDir: path.join(dir, "clips"),
    totalSeconds: 0,
    fontFile: font,
    tools,
  });
  const render = async (image: boolean) => {
    const { vendorTaskId } = await vendor.create({
      taskId: "bench",
      model: SIM_MODEL,
      prompt: PROMPT,
      durationSec: CLIP_SECONDS,
      ratio: "9:16",
      resolution: "720p",
      referenceImageUrl: image ? url : null,
      callbackUrl: null,
    });
    const m = await measured(() => vendor.get(vendorTaskId));
    if (m.value.status !== "SUCCESS" || !m.value.videoUrl) throw new Error("media: simulated render failed");
    const file = fileURLToPath(m.value.videoUrl);
    const info = await probe(file, { tools });
    if (info.width !== 720 || info.height !== 1280 || Math.abs(info.durationMs - CLIP_SECONDS * 1000) > 200) {
      throw new Error(`media: simulated clip is ${info.width}×${info.height}, ${info.durationMs} ms`);
    }
    const bytes = (await stat(file)).size;
    await rm(file, { force: true });
    return { wallMs: m.wallMs, cpuMs: m.cpuMs, bytes };
  };
  try {
    opts.log("media: simulated vendor warm-up (text→video, image→video)…");
    await render(false);
    await render(true);
    const text: Awaited<ReturnType<typeof render>>[] = [];
    const image: Awaited<ReturnType<typeof render>>[] = [];
    const start = loadavg()[0] ?? 0;
    for (let i = 0; i < opts.runs; i++) {
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const isImage of order) (isImage ? image : text).push(await render(isImage));
      opts.log(
        `media: simulated render ${i + 1}/${opts.runs}: text→video ${Math.round(text[i]!.wallMs)} ms, image→video ${Math.round(image[i]!.wallMs)} ms`,
      );
    }
    const runs = (list: typeof text): SimulatedRuns => ({
      wallMs: list.map((r) => r.wallMs),
      cpuMs: allNumbers(list.map((r) => r.cpuMs)),
      bytes: list.at(-1)?.bytes ?? 0,
    });
    const scene = sceneFor(PROMPT);
    return {
      targetMs: SIMULATED_TARGET_MS,
      load: { start, end: loadavg()[0] ?? 0 },
      text: { ...runs(text), scene: `${scene.kind}, palette ${scene.palette.name}` },
      image: { ...runs(image), source: "a 1600×1200 JPEG test card (testsrc2) fetched over local HTTP" },
    };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function allNumbers(values: (number | null)[]): number[] | null {
  return values.every((v): v is number => v !== null) ? values : null;
}

/** The old pipeline's full ffprobe of the copy (`probe` would parse it too; only the run is timed). */
async function probeOnce(ffprobe: string | null, file: string): Promise<void> {
  if (!ffprobe) {
    await probe(file);
    return;
  }
  await promisify(execFile)(ffprobe, probeArgs(file), { timeout: 60_000, maxBuffer: 8 * 1024 * 1024 });
}

async function versionOf(ffmpeg: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(ffmpeg, ["-hide_banner", "-version"], { timeout: 10_000 });
    return stdout.split("\n")[0]?.trim() || "unknown";
  } catch {
    return "unknown";
  }
}

// ---------------------------------------------------------------------------------------------------
// Writing only the media subsection (BENCH_ONLY=media)
