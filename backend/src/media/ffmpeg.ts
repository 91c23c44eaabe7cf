/**
 * Running ffmpeg / ffprobe: locating the binaries, spawning with a timeout, probing a file, finding a
 * font for drawtext.
 *
 * Binaries: `FFMPEG_PATH` / `FFPROBE_PATH` override; otherwise the ones shipped by
 * `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe` (npm ≥ 11 skips the latter's postinstall
 * chmod, so it is made executable here). Without a usable ffprobe, `probe` parses `ffmpeg -i` output.
 */
import { spawn } from "node:child_process";
import { accessSync, chmodSync, constants, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ffmpegInfoArgs, probeArgs, probeDurationArgs } from "./args.js";

export type MediaErrorKind =
  | "not_video"
  | "zero_duration"
  | "ffmpeg_failed"
  | "timeout"
  | "tool_missing"
  | "download_failed"
  | "too_large";

/**
 * A media step failed. `retryable` says whether trying the same thing later may succeed (network
 * errors, 5xx, timeouts); false for a file that is not a video, a 404, a size cap…
 */
export class MediaError extends Error {
  constructor(
    readonly kind: MediaErrorKind,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = "MediaError";
  }
}

export interface MediaTools {
  ffmpeg: string;
  /** null → no usable ffprobe; `probe` falls back to parsing `ffmpeg -i`. */
  ffprobe: string | null;
}

export interface ProbeResult {
  /** Integer milliseconds. */
  durationMs: number;
  /** Display size (a 90°/270° rotation tag swaps the coded size). */
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
}

// ---------------------------------------------------------------------------------------------------
// Binaries

const require = createRequire(import.meta.url);
let cachedTools: MediaTools | null = null;

/** Makes a file executable by its owner if it is not; false when that is impossible. */
export function ensureExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
  } catch {
    return false;
  }
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    // fall through to chmod
  }
  try {
    chmodSync(file, statSync(file).mode | 0o100);
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function packagedBinary(pkg: string): string | null {
  try {
    const mod = require(pkg) as { path?: unknown };
    return typeof mod.path === "string" ? mod.path : null;
  } catch {
    return null;
  }
}

/** Where the binaries are configured: `process.env` or the loaded AppConfig (same names). */
export interface MediaToolsEnv {
  FFMPEG_PATH?: string | undefined;
  FFPROBE_PATH?: string | undefined;
}

/** Resolves ffmpeg and ffprobe (cached when read from `process.env`). */
export function mediaTools(env: MediaToolsEnv = process.env as MediaToolsEnv): MediaTools {
  const fromProcess = (env as unknown) === process.env;
  if (fromProcess && cachedTools) return cachedTools;
  let ffmpeg = env.FFMPEG_PATH?.trim() || null;
  if (!ffmpeg) {
    const packaged = packagedBinary("@ffmpeg-installer/ffmpeg");
    ffmpeg = packaged && ensureExecutable(packaged) ? packaged : "ffmpeg";
  }
  let ffprobe = env.FFPROBE_PATH?.trim() || null;
  if (!ffprobe) {
    const packaged = packagedBinary("@ffprobe-installer/ffprobe");
    ffprobe = packaged && ensureExecutable(packaged) ? packaged : null;
  }
  const tools = { ffmpeg, ffprobe };
  if (fromProcess) cachedTools = tools;
  return tools;
}

// ---------------------------------------------------------------------------------------------------
// Spawning

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  timeoutMs: number;
  /** Keep at most this many trailing characters of stderr (default 8000). */
  stderrLimit?: number;
  /** Keep stdout (ffprobe JSON); capped at 8 MB. */
  captureStdout?: boolean;
}

const STDOUT_CAP = 8 * 1024 * 1024;

function run(bin: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const stderrLimit = opts.stderrLimit ?? 8000;
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(bin, args, { stdio: ["ignore", opts.captureStdout ? "pipe" : "ignore", "pipe"] });
    } catch (err) {
      reject(new MediaError("tool_missing", `cannot start ${bin}: ${(err as Error).message}`));
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = "";
    let timedOut = false;
    let settled = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      if (outBytes < STDOUT_CAP) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.length > stderrLimit * 2) stderr = stderr.slice(-stderrLimit);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new MediaError("tool_missing", `cannot run ${path.basename(bin)}: ${err.code ?? err.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      if (timedOut) {
        reject(new MediaError("timeout", `${path.basename(bin)} timed out after ${opts.timeoutMs} ms`, true));
        return;
      }
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: stderr.slice(-stderrLimit) });
    });
  });
}

function tail(stderr: string, max = 600): string {
  const text = stderr.trim();
  return text.length > max ? `…${text.slice(-max)}` : text;
}

export interface RunFfmpegOptions {
  /** Kill ffmpeg after this long (default 10 minutes). */
  timeoutMs?: number;
  tools?: MediaTools;
}

/** Runs ffmpeg; rejects with a MediaError (`ffmpeg_failed` with the stderr tail, `timeout`, `tool_missing`). */
export async function runFfmpeg(args: string[], opts: RunFfmpegOptions = {}): Promise<void> {
  const tools = opts.tools ?? mediaTools();
  const res = await run(tools.ffmpeg, args, { timeoutMs: opts.timeoutMs ?? 600_000 });
  if (res.code !== 0) {
    throw new MediaError("ffmpeg_failed", `ffmpeg exited with ${res.code}: ${tail(res.stderr)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Probing

/** "10.0078" → 10008 (integer ms, half-up on the 4th decimal), without floating point. */
export function parseDecimalMs(value: unknown): number | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const text = String(value).trim();
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return null;
  const whole = Number.parseInt(m[1] ?? "0", 10);
  const frac = `${m[2] ?? ""}0000`;
  const ms = Number.parseInt(frac.slice(0, 3), 10);
  const roundUp = Number.parseInt(frac.slice(3, 4), 10) >= 5 ? 1 : 0;
  return whole * 1000 + ms + roundUp;
}

function intOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number.parseInt(value.trim(), 10);
  return null;
}

function rotated(rotation: number | null): boolean {
  return rotation !== null && Math.abs(rotation) % 180 === 90;
}

/** Demuxers of still images and text (ffmpeg reports them as one-frame "videos"). */
const NOT_VIDEO_FORMAT = /^(image2|tty|[a-z0-9]+_pipe)$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** ffprobe `-show_format -show_streams` JSON → ProbeResult; throws `not_video` without a video stream. */
export function parseProbeJson(json: unknown): ProbeResult {
  const root = isObject(json) ? json : {};
  const streams = Array.isArray(root.streams) ? root.streams.filter(isObject) : [];
  const format = isObject(root.format) ? root.format : {};
  const video = streams.find(
    (s) => s.codec_type === "video" && !(isObject(s.disposition) && s.disposition.attached_pic === 1),
  );
  if (!video) throw new MediaError("not_video", "no video stream");
  if (typeof format.format_name === "string" && NOT_VIDEO_FORMAT.test(format.format_name)) {
    throw new MediaError("not_video", `not a video (${format.format_name} input)`);
  }
  const audio = streams.find((s) => s.codec_type === "audio");
  let width = intOf(video.width) ?? 0;
  let height = intOf(video.height) ?? 0;
  const tags = isObject(video.tags) ? video.tags : {};
  let rotation = intOf(tags.rotate);
  if (rotation === null && Array.isArray(video.side_data_list)) {
    for (const sd of video.side_data_list) {
      if (isObject(sd) && sd.rotation !== undefined) rotation = intOf(sd.rotation);
    }
  }
  if (rotated(rotation)) [width, height] = [height, width];
  let durationMs = parseDecimalMs(format.duration);
  if (durationMs === null) {
    const fromStreams = streams.map((s) => parseDecimalMs(s.duration)).filter((d): d is number => d !== null);
    durationMs = fromStreams.length > 0 ? Math.max(...fromStreams) : 0;
  }
  return {
    durationMs,
    width,
    height,
    videoCodec: typeof video.codec_name === "string" ? video.codec_name : "unknown",
    audioCodec: audio && typeof audio.codec_name === "string" ? audio.codec_name : null,
  };
}

/** `ffmpeg -i file` stderr → ProbeResult (the fallback without ffprobe). */
export function parseFfmpegInfo(stderr: string): ProbeResult {
  const video = /Stream #\d+:\d+[^\n]*?: Video: ([\w-]+)[^\n]*?, (\d{1,5})x(\d{1,5})/.exec(stderr);
  if (!video || /Video: [^\n]*\(attached pic\)/.test(video[0])) {
    throw new MediaError("not_video", "no video stream");
  }
  const format = /Input #0, ([\w,-]+), from/.exec(stderr)?.[1];
  if (format && NOT_VIDEO_FORMAT.test(format)) {
    throw new MediaError("not_video", `not a video (${format} input)`);
  }
  const audio = /Stream #\d+:\d+[^\n]*?: Audio: ([\w-]+)/.exec(stderr);
  let width = Number.parseInt(video[2] ?? "0", 10);
  let height = Number.parseInt(video[3] ?? "0", 10);
  const rotate =
    /\brotate\s*:\s*(-?\d+)/.exec(stderr) ?? /rotation of (-?\d+)(?:\.\d+)? degrees/.exec(stderr);
  if (rotated(rotate ? Number.parseInt(rotate[1] ?? "0", 10) : null)) [width, height] = [height, width];
  let durationMs = 0;
  const d = /Duration: (\d+):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(stderr);
  if (d) {
    const h = Number.parseInt(d[1] ?? "0", 10);
    const m = Number.parseInt(d[2] ?? "0", 10);
    const s = parseDecimalMs(`${d[3] ?? "0"}.${d[4] ?? "0"}`) ?? 0;
    durationMs = (h * 3600 + m * 60) * 1000 + s;
  }
  return {
    durationMs,
    width,
    height,
    videoCodec: video[1] ?? "unknown",
    audioCodec: audio?.[1] ?? null,
  };
}

export interface ProbeOptions {
  timeoutMs?: number;
  tools?: MediaTools;
}

/**
 * Probes a media file. Rejects with `not_video` when the file is not a readable video, `timeout`, or
 * `tool_missing` when no ffmpeg can be run.
 */
export async function probe(file: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const tools = opts.tools ?? mediaTools();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  if (tools.ffprobe) {
    let res: RunResult | null = null;
    try {
      res = await run(tools.ffprobe, probeArgs(file), { timeoutMs, captureStdout: true });
    } catch (err) {
      // An unusable ffprobe (missing, not executable) → fall back to ffmpeg below.
      if (!(err instanceof MediaError && err.kind === "tool_missing")) throw err;
    }
    if (res) {
      if (res.code !== 0) throw new MediaError("not_video", `not a readable video: ${tail(res.stderr, 300)}`);
      let json: unknown;
      try {
        json = JSON.parse(res.stdout);
      } catch {
        throw new MediaError("not_video", "ffprobe printed no JSON");
      }
      return parseProbeJson(json);
    }
  }
  const res = await run(tools.ffmpeg, ffmpegInfoArgs(file), { timeoutMs, stderrLimit: 64_000 });
  if (!/Input #0/.test(res.stderr))
    throw new MediaError("not_video", `not a readable video: ${tail(res.stderr, 300)}`);
  return parseFfmpegInfo(res.stderr);
}

/** ffprobe `-show_entries format=duration` JSON → integer ms; null when it holds no duration. */
export function parseProbeDuration(json: unknown): number | null {
  const format = isObject(json) && isObject(json.format) ? json.format : {};
  return parseDecimalMs(format.duration);
}

/**
 * The container duration only (what `probe(file).durationMs` gives), for a file whose streams are
 * already known, such as a play copy just rendered: ffprobe prints one field. Falls back to the full
 * `probe` without a usable ffprobe or when no duration is printed.
 */
export async function probeDuration(file: string, opts: ProbeOptions = {}): Promise<number> {
  const tools = opts.tools ?? mediaTools();
  if (tools.ffprobe) {
    let res: RunResult | null = null;
    try {
      res = await run(tools.ffprobe, probeDurationArgs(file), {
        timeoutMs: opts.timeoutMs ?? 60_000,
        captureStdout: true,
      });
    } catch (err) {
      if (!(err instanceof MediaError && err.kind === "tool_missing")) throw err;
    }
    if (res) {
      if (res.code !== 0) throw new MediaError("not_video", `not a readable video: ${tail(res.stderr, 300)}`);
      let json: unknown = null;
      try {
        json = JSON.parse(res.stdout);
      } catch {
        // fall through to the full probe
      }
      const ms = parseProbeDuration(json);
      if (ms !== null) return ms;
    }
  }
  return (await probe(file, opts)).durationMs;
}

// ---------------------------------------------------------------------------------------------------
// Fonts

export const DEFAULT_FONT_CANDIDATES = [
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
];
export const DEFAULT_FONT_DIRS = ["/usr/share/fonts"];

function isFontFile(file: string): boolean {
  try {
    const st = statSync(file);
    return st.isFile() && st.size > 0;
  } catch {
    return false;
  }
}

function scanFonts(dir: string, depth: number, found: string[], budget: { entries: number }): void {
  if (depth < 0 || budget.entries <= 0) return;
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (--budget.entries <= 0) return;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) scanFonts(full, depth - 1, found, budget);
    else if (/\.(ttf|ttc|otf)$/i.test(e.name) && isFontFile(full)) found.push(full);
  }
}

export interface FindFontOptions {
  /** WATERMARK_FONT_FILE. */
  configured?: string | null;
  candidates?: string[];
  searchDirs?: string[];
}

let cachedFont: { value: string | null } | null = null;

/**
 * A font file for drawtext, or null when the machine has none: the configured WATERMARK_FONT_FILE, then
 * Noto Sans CJK (Chinese handles), DejaVu Sans, then any .ttf/.ttc/.otf under /usr/share/fonts
 * (CJK-capable names first). The default lookup is cached for the process.
 */
export function findFont(opts?: FindFontOptions): string | null {
  if (!opts && cachedFont) return cachedFont.value;
  const configured = opts ? opts.configured : process.env.WATERMARK_FONT_FILE;
  const candidates = opts?.candidates ?? DEFAULT_FONT_CANDIDATES;
  const dirs = opts?.searchDirs ?? DEFAULT_FONT_DIRS;
  let value: string | null = null;
  if (configured?.trim() && isFontFile(configured.trim())) value = configured.trim();
  if (!value) value = candidates.find(isFontFile) ?? null;
  if (!value) {
    const found: string[] = [];
    for (const dir of dirs) scanFonts(dir, 6, found, { entries: 20_000 });
    const cjk = /cjk|wqy|droidsansfallback|sourcehan|notosanssc|han/i;
    value = found.find((f) => cjk.test(path.basename(f))) ?? found[0] ?? null;
  }
  if (!opts) cachedFont = { value };
  return value;
}
