/**
 * SPEC §3 success path, media half: fetch the vendor's video into our storage (`fetchToFile`), probe it,
 * render the watermarked play copy (SkyRiff mark + creator handle, H.264/AAC MP4 +faststart) and a
 * thumbnail (`processVideo`). Storage upload and database rows are the caller's business.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { type AudioPlan, audioPlanFor, playSize, thumbnailArgs, watermarkArgs } from "./args.js";
import {
  findFont,
  MediaError,
  type MediaTools,
  type ProbeResult,
  probe,
  probeDuration,
  runFfmpeg,
} from "./ffmpeg.js";

export { MediaError, type MediaErrorKind, type ProbeResult } from "./ffmpeg.js";

export interface ProcessVideoInput {
  /** The untouched source (the no-watermark original). */
  sourcePath: string;
  /** Where play.mp4 and thumb.jpg are written (created if missing). */
  workDir: string;
  /** The creator's handle, drawn as `@handle` (Chinese works when a CJK font exists). */
  handle: string;
  /** undefined → `findFont()`; null → draw the logo shape without text. */
  fontFile?: string | null;
  /** Per ffmpeg run (default 10 minutes). */
  timeoutMs?: number;
  /** Thumbnail width, capped at the video's width (default 540). */
  thumbWidth?: number;
  tools?: MediaTools;
}

/** Where `processVideo`'s time went (wall-clock ms). */
export interface ProcessTimings {
  /** ffprobe of the source. */
  probeMs: number;
  /** The ffmpeg run writing the play copy and the thumbnail (both runs when the font failed). */
  renderMs: number;
  /** A separate thumbnail run: only when the render wrote none (the video stream ended early); else 0. */
  thumbnailMs: number;
  /** The play copy's duration (a one-field ffprobe; its size and codecs are known). */
  playProbeMs: number;
}

export interface ProcessedVideo {
  /** `${workDir}/play.mp4`: the watermarked H.264/AAC copy. */
  playPath: string;
  /** `${workDir}/thumb.jpg`. */
  thumbPath: string;
  /** The source. */
  probe: ProbeResult;
  /**
   * The play copy (its size/duration are what the asset should show): the size and codecs it was
   * rendered with, the duration probed from the file. Equal to `probe(playPath)`.
   */
  play: ProbeResult;
  timings: ProcessTimings;
}

interface RenderAttempt {
  fontFile: string | null;
  audio: AudioPlan;
}

async function nonEmptyFile(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  return info?.isFile() === true && info.size > 0;
}

/**
 * Probes the source (MediaError `not_video` / `zero_duration` when it is not a usable video), then
 * renders in one ffmpeg run the watermarked play copy (source AAC audio copied, other audio re-encoded,
 * a silent track when there is none) and a JPEG thumbnail of the clean source frame at 1 s (mid-clip
 * for shorter clips). If the run fails, it is repeated with the audio re-encoded (when it was copied)
 * and then with the text-less logo: neither an odd AAC stream nor a font problem fails the pipeline. Of the play copy only the duration is probed: its size and
 * codecs are the ones it was rendered with.
 */
export async function processVideo(input: ProcessVideoInput): Promise<ProcessedVideo> {
  const timeoutMs = input.timeoutMs ?? 600_000;
  const tools = input.tools;
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  const source = await probe(input.sourcePath, { tools, timeoutMs: Math.min(timeoutMs, 60_000) });
  const probeMs = lap();
  if (source.width <= 0 || source.height <= 0) throw new MediaError("not_video", "video has no frame size");
  if (source.durationMs < 100) throw new MediaError("zero_duration", "video has (almost) zero duration");

  await mkdir(input.workDir, { recursive: true });
  const playPath = path.join(input.workDir, "play.mp4");
  const thumbPath = path.join(input.workDir, "thumb.jpg");
  const fontFile = input.fontFile === undefined ? findFont() : input.fontFile;
  // A frame a little into the clip (the first is often black).
  const atMs = Math.min(1000, Math.floor(source.durationMs / 2));
  const thumbWidth = Math.min(input.thumbWidth ?? 540, source.width);
  const base = {
    input: input.sourcePath,
    output: playPath,
    handle: input.handle,
    width: source.width,
    height: source.height,
    thumbnail: { output: thumbPath, atSec: atMs / 1000, width: thumbWidth },
  };
  // When a run fails, the next one is more conservative: AAC re-encoded instead of copied (a stream
  // the MP4 muxer refuses), then the text-less logo (a font drawtext cannot use).
  const audio = audioPlanFor(source.audioCodec);
  const attempts: RenderAttempt[] = [{ fontFile, audio }];
  if (audio === "copy") attempts.push({ fontFile, audio: "encode" });
  if (fontFile) attempts.push({ fontFile: null, audio: audio === "copy" ? "encode" : audio });
  try {
    // A thumbnail left by an earlier attempt in the same directory must not pass for this run's.
    await rm(thumbPath, { force: true });
    lap();
    for (const [i, attempt] of attempts.entries()) {
      try {
        await runFfmpeg(watermarkArgs({ ...base, ...attempt }), { timeoutMs, tools });
        break;
      } catch (err) {
        const retry = i < attempts.length - 1 && err instanceof MediaError && err.kind === "ffmpeg_failed";
        if (!retry) throw err;
      }
    }
    const renderMs = lap();
    let thumbnailMs = 0;
    if (!(await nonEmptyFile(thumbPath))) {
      // No frame at `atMs`: the container is longer than its video stream (trailing audio, say).
      await runFfmpeg(
        thumbnailArgs({ input: input.sourcePath, output: thumbPath, atSec: 0, width: thumbWidth }),
        {
          timeoutMs: Math.min(timeoutMs, 120_000),
          tools,
        },
      );
      if (!(await nonEmptyFile(thumbPath))) {
        throw new MediaError("ffmpeg_failed", "no thumbnail frame was written");
      }
      thumbnailMs = lap();
    }
    lap();
    // Size and codecs are the ones the copy was rendered with; only its duration is asked for.
    const play: ProbeResult = {
      durationMs: await probeDuration(playPath, { tools }),
      ...playSize(source.width, source.height),
      videoCodec: "h264",
      audioCodec: "aac",
    };
    const playProbeMs = lap();
    return {
      playPath,
      thumbPath,
      probe: source,
      play,
      timings: { probeMs, renderMs, thumbnailMs, playProbeMs },
    };
  } catch (err) {
    await Promise.all([rm(playPath, { force: true }), rm(thumbPath, { force: true })]);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------
// Fetching

export interface FetchToFileOptions {
  /** Whole transfer, headers and body (default 5 minutes). */
  timeoutMs?: number;
  /** Refuse anything larger (default 512 MB). */
  maxBytes?: number;
  /**
   * Accept file:// URLs (default true). Only the simulated vendor hands out file:// URLs; pass false
   * for real vendors so a hostile vendor answer cannot make us copy local files.
   */
  allowFileUrls?: boolean;
  /**
   * Opens an http(s) URL instead of a plain GET: the vendor's `download` for a video behind its
   * credentials (an OpenAI-style `/content` stream). The response is checked like a plain GET's.
   */
  open?: (url: string, signal: AbortSignal) => Promise<Response>;
}

export interface FetchedFile {
  bytes: number;
  contentType: string | null;
}

/**
 * Copies `url` (http, https or file://) to `filePath`, atomically (a temp name then rename). Rejects
 * with MediaError `too_large` past `maxBytes`, or `download_failed` (retryable for timeouts, network
 * errors, 408/429/5xx; not for other statuses, missing files or unsupported schemes).
 */
export async function fetchToFile(
  url: string,
  filePath: string,
  opts: FetchToFileOptions = {},
): Promise<FetchedFile> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MediaError("download_failed", "invalid video URL");
  }
  await mkdir(path.dirname(filePath), { recursive: true });
  const temp = `${filePath}.${randomBytes(6).toString("hex")}.part`;
  try {
    let result: FetchedFile;
    if (parsed.protocol === "file:") {
      if (opts.allowFileUrls === false) {
        throw new MediaError("download_failed", "file:// URLs are not allowed here");
      }
      result = await copyLocal(parsed, temp, maxBytes);
    } else if (parsed.protocol === "http:" || parsed.protocol === "https:") {
      result = await download(parsed, temp, timeoutMs, maxBytes, opts.open);
    } else {
      throw new MediaError("download_failed", `unsupported URL scheme ${parsed.protocol}`);
    }
    await rename(temp, filePath);
    return result;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

async function copyLocal(url: URL, temp: string, maxBytes: number): Promise<FetchedFile> {
  const source = fileURLToPath(url);
  const info = await stat(source).catch(() => null);
  if (!info?.isFile()) throw new MediaError("download_failed", "file not found");
  if (info.size > maxBytes) throw new MediaError("too_large", `video is larger than ${maxBytes} bytes`);
  await copyFile(source, temp);
  return { bytes: info.size, contentType: null };
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

async function download(
  url: URL,
  temp: string,
  timeoutMs: number,
  maxBytes: number,
  open: FetchToFileOptions["open"],
): Promise<FetchedFile> {
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = open ? await open(url.href, signal) : await fetch(url, { signal, redirect: "follow" });
  } catch (err) {
    throw transferError(err, signal);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new MediaError(
      "download_failed",
      `download answered HTTP ${res.status}`,
      retryableStatus(res.status),
    );
  }
  const declared = res.headers.get("content-length");
  if (declared && /^\d+$/.test(declared) && Number.parseInt(declared, 10) > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new MediaError("too_large", `video is larger than ${maxBytes} bytes`);
  }
  if (!res.body) throw new MediaError("download_failed", "download has no body", true);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new MediaError("too_large", `video is larger than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
      counter,
      createWriteStream(temp),
    );
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw transferError(err, signal);
  }
  return { bytes, contentType: res.headers.get("content-type") };
}

function transferError(err: unknown, signal: AbortSignal): MediaError {
  if (err instanceof MediaError) return err;
  if (signal.aborted) return new MediaError("download_failed", "download timed out", true);
  const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : "";
  return new MediaError("download_failed", `download failed: ${message || "network error"}`, true);
}
