/**
 * Phase 1 (a): the media step between a vendor's SUCCESS and a ready asset (probe, watermarked play
 * copy, thumbnail: `processVideo`) against a plain `ffmpeg -i in -c copy out.mp4` of the same clip.
 */
import { execFile } from "node:child_process";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { dimensionsFor, simulatedClipArgs } from "../../backend/src/media/args.js";
import { findFont, mediaTools, type ProbeResult, probe, runFfmpeg } from "../../backend/src/media/ffmpeg.js";
import { processVideo } from "../../backend/src/media/pipeline.js";
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
  thumbBytes: number;
  processMs: number[];
  copyMs: number[];
}

const CLIP_SECONDS = 10;
const PROMPT = "A paper boat drifts down a rainy Shanghai alley at dusk, neon reflections, slow dolly";

export async function benchMedia(opts: MediaOptions): Promise<MediaResult> {
  const tools = mediaTools();
  const font = findFont();
  await mkdir(opts.workDir, { recursive: true });
  onCleanup(`remove ${opts.workDir}`, () => rm(opts.workDir, { recursive: true, force: true }));

  const { width, height } = dimensionsFor("9:16");
  const clipPath = path.join(opts.workDir, "source.mp4");
  opts.log(`media: rendering a ${CLIP_SECONDS} s ${width}×${height} clip (simulatedClipArgs)…`);
  const renderStart = performance.now();
  await runFfmpeg(
    simulatedClipArgs({
      output: clipPath,
      durationSec: CLIP_SECONDS,
      width,
      height,
      text: PROMPT,
      fontFile: font,
    }),
    { tools },
  );
  const renderMs = performance.now() - renderStart;
  const clip = { ...(await probe(clipPath, { tools })), bytes: (await stat(clipPath)).size, renderMs };

  const processMs: number[] = [];
  let last: Awaited<ReturnType<typeof processVideo>> | null = null;
  for (let i = 0; i < opts.runs; i++) {
    const workDir = path.join(opts.workDir, `process-${i}`);
    const t0 = performance.now();
    last = await processVideo({ sourcePath: clipPath, workDir, handle: "@SkyRiff测试", tools });
    processMs.push(performance.now() - t0);
    opts.log(`media: processVideo run ${i + 1}/${opts.runs}: ${Math.round(processMs[i]!)} ms`);
  }
  if (!last) throw new Error("media: no processVideo run");

  const copyMs: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const out = path.join(opts.workDir, `copy-${i}.mp4`);
    const t0 = performance.now();
    await runFfmpeg(
      ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", clipPath, "-c", "copy", out],
      {
        tools,
      },
    );
    copyMs.push(performance.now() - t0);
  }
  opts.log(`media: stream copy runs: ${copyMs.map((ms) => Math.round(ms)).join(", ")} ms`);

  return {
    ffmpegVersion: await versionOf(tools.ffmpeg),
    ffmpegPath: tools.ffmpeg,
    ffprobePath: tools.ffprobe,
    font,
    clip,
    play: { ...last.play, bytes: (await stat(last.playPath)).size },
    thumbBytes: (await stat(last.thumbPath)).size,
    processMs,
    copyMs,
  };
}

async function versionOf(ffmpeg: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(ffmpeg, ["-hide_banner", "-version"], { timeout: 10_000 });
    return stdout.split("\n")[0]?.trim() || "unknown";
  } catch {
    return "unknown";
  }
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
