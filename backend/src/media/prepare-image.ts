/**
 * Fits an image→video reference into what the model's vendor accepts (ModelDef.image) before it is sent:
 * scaled down (aspect kept) to at most `maxSide`, up to at least `minSide`, letterboxed (black bars) to
 * the nearest aspect bound when it is outside [minAspect, maxAspect], and re-encoded as JPEG under
 * `maxBytes`. A phone photo then never reaches a vendor out of bounds (a certain rejection).
 * An image already inside every limit, in a format every vendor reads (JPEG, PNG), is sent as it is.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspectImage } from "../lib/images.js";
import type { ImageLimits } from "../vendors/types.js";
import { MediaError, type MediaTools, runFfmpeg } from "./ffmpeg.js";

/** What is sent to the vendor, and what was done to the upload to get it. */
export interface PreparedImage {
  data: Buffer;
  mime: "image/jpeg" | "image/png";
  width: number;
  height: number;
  bytes: number;
  /** Scaled (down to maxSide or up to minSide). */
  resized: boolean;
  /** Letterboxed to an aspect bound or to minSide. */
  padded: boolean;
}

/** The picture scaled to `content`, centred on a `canvas` (equal sizes: no bars). */
export interface ImageFit {
  content: { width: number; height: number };
  canvas: { width: number; height: number };
  resized: boolean;
  padded: boolean;
}

/** Pure: how an image of this size is fitted into the limits. */
export function planImageFit(width: number, height: number, limits: ImageLimits): ImageFit {
  if (width <= 0 || height <= 0) throw new MediaError("ffmpeg_failed", "image without a size");
  // The canvas the picture needs to be inside the aspect range, in the picture's own pixels.
  const bounded = withinAspect(width, height, limits);
  const long = Math.max(bounded.width, bounded.height);
  const short = Math.min(bounded.width, bounded.height);
  let scale = 1;
  if (long > limits.maxSide) scale = limits.maxSide / long;
  else if (short < limits.minSide) scale = Math.min(limits.minSide / short, limits.maxSide / long);
  const content = {
    width: clampSide(Math.round(width * scale), limits),
    height: clampSide(Math.round(height * scale), limits),
  };
  const canvas = withinAspect(content.width, content.height, limits);
  canvas.width = Math.min(limits.maxSide, Math.max(canvas.width, limits.minSide));
  canvas.height = Math.min(limits.maxSide, Math.max(canvas.height, limits.minSide));
  return {
    content,
    canvas,
    resized: content.width !== width || content.height !== height,
    padded: canvas.width !== content.width || canvas.height !== content.height,
  };
}

/** The smallest canvas holding width×height whose aspect is inside the limits (bars on one axis). */
function withinAspect(width: number, height: number, limits: ImageLimits) {
  if (width / height > limits.maxAspect) return { width, height: Math.ceil(width / limits.maxAspect) };
  if (width / height < limits.minAspect) return { width: Math.ceil(height * limits.minAspect), height };
  return { width, height };
}

const clampSide = (side: number, limits: ImageLimits) => Math.max(1, Math.min(limits.maxSide, side));

/** JPEG qualities tried in turn (ffmpeg `-q:v`, 2 best … 31 worst) until the file is under maxBytes. */
const QUALITIES = [2, 4, 7, 12, 20, 31];

export interface PrepareImageOptions {
  tools?: MediaTools;
  /** Per ffmpeg run, default 60 s. */
  timeoutMs?: number;
}

/**
 * The upload (JPEG, PNG or WebP bytes) as the vendor may receive it. Rejects with a MediaError:
 * `ffmpeg_failed` for an unreadable image, `too_large` when even the lowest quality is over maxBytes,
 * `timeout` / `tool_missing` from running ffmpeg.
 */
export async function prepareReferenceImage(
  source: Buffer,
  limits: ImageLimits,
  opts: PrepareImageOptions = {},
): Promise<PreparedImage> {
  const info = inspectImage(source);
  if (!info) throw new MediaError("ffmpeg_failed", "not a JPEG, PNG or WebP image");
  const fit = planImageFit(info.width, info.height, limits);
  const untouched = !fit.resized && !fit.padded;
  if (untouched && info.mime !== "image/webp" && source.length <= limits.maxBytes) {
    const { width, height } = info;
    return {
      data: source,
      mime: info.mime,
      width,
      height,
      bytes: source.length,
      resized: false,
      padded: false,
    };
  }
  const dir = await mkdtemp(path.join(tmpdir(), "skyriff-ref-"));
  try {
    const input = path.join(dir, "in");
    await writeFile(input, source);
    for (const quality of QUALITIES) {
      const output = path.join(dir, `out-${quality}.jpg`);
      await runFfmpeg(fitArgs(input, output, fit, quality), {
        timeoutMs: opts.timeoutMs ?? 60_000,
        ...(opts.tools ? { tools: opts.tools } : {}),
      });
      const data = await readFile(output);
      if (data.length <= limits.maxBytes) {
        return {
          data,
          mime: "image/jpeg",
          width: fit.canvas.width,
          height: fit.canvas.height,
          bytes: data.length,
          resized: fit.resized,
          padded: fit.padded,
        };
      }
    }
    throw new MediaError(
      "too_large",
      `reference image over ${limits.maxBytes} bytes even at the lowest quality`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** ffmpeg: one frame, scaled to the content size, centred on a black canvas, as a baseline JPEG. */
export function fitArgs(input: string, output: string, fit: ImageFit, quality: number): string[] {
  const { content, canvas } = fit;
  const filters = [
    `scale=${content.width}:${content.height}:flags=lanczos`,
    `pad=${canvas.width}:${canvas.height}:(ow-iw)/2:(oh-ih)/2:color=black`,
    "format=yuvj420p",
  ];
  return [
    "-hide_banner",
    "-nostdin",
    "-y",
    "-loglevel",
    "error",
    "-i",
    input,
    "-vf",
    filters.join(","),
    "-frames:v",
    "1",
    "-c:v",
    "mjpeg",
    "-q:v",
    String(quality),
    "-f",
    "image2",
    output,
  ];
}
