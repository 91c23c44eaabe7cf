/**
 * Pure builders of ffmpeg / ffprobe argument arrays (no I/O). They are run by `ffmpeg.ts`; the arrays are
 * passed to `spawn` directly, so only ffmpeg's own filtergraph escaping matters, never a shell's.
 *
 * Every ffmpeg array starts with `-hide_banner -nostdin -y -loglevel error`, so stderr holds only
 * errors (the runner keeps its tail for the error message).
 */

import { kenBurnsFilter, kenBurnsFor, sceneFilter, sceneFor } from "./scenes.js";

export type ClipRatio = "9:16" | "16:9" | "1:1";

const COMMON = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"];

/** Output frame size for a ratio: the short side is `base` (720 → 720×1280, 1280×720, 720×720). */
export function dimensionsFor(ratio: ClipRatio, base = 720): { width: number; height: number } {
  const short = even(base);
  const long = even(Math.round((base * 16) / 9));
  if (ratio === "9:16") return { width: short, height: long };
  if (ratio === "16:9") return { width: long, height: short };
  return { width: short, height: short };
}

/** ffprobe → JSON with format and streams. */
export function probeArgs(input: string): string[] {
  return ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", input];
}

/** ffprobe → JSON with the container duration only (`{"format":{"duration":"10.024000"}}`). */
export function probeDurationArgs(input: string): string[] {
  return ["-v", "error", "-print_format", "json", "-show_entries", "format=duration", input];
}

/** ffmpeg without an output: prints the input's info on stderr (the fallback when ffprobe is unusable). */
export function ffmpegInfoArgs(input: string): string[] {
  return ["-hide_banner", "-nostdin", "-i", input];
}

// ---------------------------------------------------------------------------------------------------
// Escaping

/** Level 1: a value inside one filter's `key=value:key=value` list. */
export function escapeFilterOption(value: string): string {
  return value.replace(/[\\':]/g, (c) => `\\${c}`);
}

/** Level 2: a filter's arguments inside the filtergraph (`,` `;` `[` `]` separate filters/labels). */
export function escapeFiltergraph(value: string): string {
  return value.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** A filter option value ready to be placed in a filtergraph string (both escaping levels). */
export function filterValue(value: string): string {
  return escapeFiltergraph(escapeFilterOption(value));
}

/**
 * Text safe to draw on one line: control characters (newlines, tabs, …) become spaces, runs of spaces
 * collapse, and it is trimmed (ffmpeg would strip leading/trailing blanks anyway).
 */
export function sanitizeLine(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const control = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029;
    out += control ? " " : ch;
  }
  return out.replace(/\s+/g, " ").trim();
}

/** The creator handle as drawn: one line, at most 24 characters, always starting with `@`. */
export function handleText(handle: string): string {
  const clean = sanitizeLine(handle).replace(/^@+/, "");
  const chars = Array.from(clean);
  const short = chars.length > 24 ? `${chars.slice(0, 23).join("")}…` : clean;
  return `@${short}`;
}

/** East Asian wide characters take two columns. */
function columns(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

/**
 * Wraps text into at most `maxLines` lines of at most `maxColumns` columns (CJK counts double). Latin
 * words are kept whole when they fit on a line; the last line ends with `…` when text was cut.
 */
export function wrapText(text: string, maxColumns: number, maxLines: number): string[] {
  const clean = sanitizeLine(text);
  if (clean === "" || maxLines <= 0) return [];
  const lines: string[] = [];
  let line = "";
  let width = 0;
  // Tokens: a run of non-space latin characters (a word), a single wide character, or a space.
  const tokens = clean.match(/[\u0021-\u024f]+|\s|./gsu) ?? [];
  let cut = false;
  const push = () => {
    lines.push(line.trimEnd());
    line = "";
    width = 0;
  };
  for (const token of tokens) {
    if (lines.length >= maxLines) {
      cut = true;
      break;
    }
    const tokenWidth = Array.from(token).reduce((n, c) => n + columns(c), 0);
    if (token === " ") {
      if (width > 0 && width + 1 <= maxColumns) {
        line += " ";
        width += 1;
      }
      continue;
    }
    if (width + tokenWidth <= maxColumns) {
      line += token;
      width += tokenWidth;
      continue;
    }
    if (tokenWidth <= maxColumns && width > 0) {
      push();
      if (lines.length >= maxLines) {
        cut = true;
        break;
      }
      line = token;
      width = tokenWidth;
      continue;
    }
    // Too long for any line (or a wide char at the end of a full line): break character by character.
    for (const ch of Array.from(token)) {
      const w = columns(ch);
      if (width + w > maxColumns) {
        push();
        if (lines.length >= maxLines) {
          cut = true;
          break;
        }
      }
      line += ch;
      width += w;
    }
    if (cut) break;
  }
  if (!cut && line.trim() !== "") {
    if (lines.length < maxLines) push();
    else cut = true;
  }
  if (cut && lines.length > 0) {
    const last = Array.from(lines[lines.length - 1] ?? "");
    while (last.length > 0 && last.reduce((n, c) => n + columns(c), 0) + 1 > maxColumns) last.pop();
    lines[lines.length - 1] = `${last.join("").trimEnd()}…`;
  }
  return lines.filter((l) => l !== "");
}

// ---------------------------------------------------------------------------------------------------
// Watermarked play copy

/**
 * What happens to the source's audio in the play copy: `copy` (already AAC: the packets are kept as
 * they are, no generation loss and no encode time), `encode` (any other codec → AAC), `silent` (no
 * audio: a silent AAC track is added so every play copy is H.264/AAC).
 */
export type AudioPlan = "copy" | "encode" | "silent";

/** The plan for a source audio codec as ffprobe names it (`codec_name`; null → no audio stream). */
export function audioPlanFor(audioCodec: string | null): AudioPlan {
  if (audioCodec === null) return "silent";
  return audioCodec === "aac" ? "copy" : "encode";
}

/** A JPEG written by the same ffmpeg run as the play copy (a second output). */
export interface ThumbnailOutput {
  /** A .jpg path. */
  output: string;
  /** The first frame at or after this time (seconds) is taken; it must be inside the video stream. */
  atSec: number;
  /** Thumbnail width; the height keeps the aspect ratio (even). */
  width: number;
}

export interface WatermarkArgsInput {
  input: string;
  output: string;
  /** The creator's handle; drawn as `@handle` under the SkyRiff mark. */
  handle: string;
  /** A font for drawtext; null → the mark is drawn as a logo shape without text. */
  fontFile: string | null;
  /** Output frame size (the source's display size; odd values are rounded down to even). */
  width: number;
  height: number;
  /** See `audioPlanFor`. */
  audio: AudioPlan;
  /**
   * Also write a thumbnail of the clean (un-watermarked) source frame at `atSec`, from the frames this
   * run decodes anyway: no second ffmpeg process, no second open/seek/decode of the source.
   */
  thumbnail?: ThumbnailOutput | null;
}

/** The play copy's frame size for a source display size (what `watermarkFilter` scales to). */
export function playSize(width: number, height: number): { width: number; height: number } {
  return { width: even(width), height: even(height) };
}

/** Sizes of the bottom-right mark for a frame; all integers. */
export function markLayout(width: number, height: number) {
  const short = Math.max(2, Math.min(width, height));
  const margin = Math.max(6, Math.round(short * 0.035));
  const markSize = Math.max(12, Math.round(short * 0.05));
  const handleSize = Math.max(10, Math.round(short * 0.036));
  const handleY = height - margin - Math.round(handleSize * 1.25);
  const markY = handleY - Math.round(markSize * 1.3);
  const shadow = Math.max(1, Math.round(short / 360));
  const logo = Math.max(12, Math.round(short * 0.07));
  return { margin, markSize, handleSize, handleY, markY, shadow, logo };
}

function drawtext(opts: {
  fontFile: string;
  text: string;
  size: number;
  x: string;
  y: string;
  color?: string;
  shadow?: number;
}): string {
  const parts = [
    `fontfile=${filterValue(opts.fontFile)}`,
    `text=${filterValue(opts.text)}`,
    "expansion=none",
    `fontsize=${opts.size}`,
    `fontcolor=${opts.color ?? "white@0.88"}`,
    `x=${opts.x}`,
    `y=${opts.y}`,
  ];
  if (opts.shadow) parts.push("shadowcolor=black@0.55", `shadowx=${opts.shadow}`, `shadowy=${opts.shadow}`);
  return `drawtext=${parts.join(":")}`;
}

function box(x: number, y: number, w: number, h: number, color: string): string {
  // A thickness of at least half the smaller side fills the box (portable to old ffmpeg builds).
  const fill = Math.max(1, Math.ceil(Math.max(w, h) / 2));
  return `drawbox=x=${x}:y=${y}:w=${w}:h=${h}:color=${color}:t=${fill}`;
}

/**
 * The SkyRiff logo without a font: a rounded-looking square with a "play" notch, bottom-right. Used
 * when no font file exists on the machine; the handle cannot be drawn then.
 */
export function logoFilters(width: number, height: number): string[] {
  const { margin, logo } = markLayout(width, height);
  const x = width - margin - logo;
  const y = height - margin - logo;
  const frame = Math.max(2, Math.round(logo / 10));
  const inner = logo - 2 * frame;
  const filters = [
    box(x, y, logo, logo, "white@0.6"),
    box(x + frame, y + frame, inner, inner, "0x0ea5e9@0.9"),
  ];
  // A stepped "play" triangle in the middle: STEPS columns of falling height.
  const steps = 4;
  const colW = Math.max(1, Math.round((inner * 0.5) / steps));
  const triH = Math.max(steps, Math.round(inner * 0.6));
  const left = x + frame + Math.round((inner - colW * steps) / 2) + Math.round(colW / 3);
  const middle = y + frame + Math.round(inner / 2);
  for (let k = 0; k < steps; k++) {
    const h = Math.max(1, Math.round((triH * (steps - k)) / steps));
    filters.push(box(left + k * colW, middle - Math.round(h / 2), colW, h, "white@0.95"));
  }
  return filters;
}

export function watermarkFilter(opts: {
  handle: string;
  fontFile: string | null;
  width: number;
  height: number;
}): string {
  const width = even(opts.width);
  const height = even(opts.height);
  const filters = [`scale=${width}:${height}`, "setsar=1"];
  if (opts.fontFile) {
    const l = markLayout(width, height);
    filters.push(
      drawtext({
        fontFile: opts.fontFile,
        text: "SkyRiff",
        size: l.markSize,
        x: `w-text_w-${l.margin}`,
        y: String(l.markY),
        shadow: l.shadow,
      }),
      drawtext({
        fontFile: opts.fontFile,
        text: handleText(opts.handle),
        size: l.handleSize,
        x: `w-text_w-${l.margin}`,
        y: String(l.handleY),
        color: "white@0.8",
        shadow: l.shadow,
      }),
    );
  } else {
    filters.push(...logoFilters(width, height));
  }
  filters.push("format=yuv420p");
  return filters.join(",");
}

/** The play copy's x264 settings (the bench checks its hand-written one-pass floor against them). */
export const PLAY_X264 = { preset: "veryfast", crf: "23" } as const;

/** Seconds with millisecond precision, formatted with integer math (no float formatting): "1.500". */
export function secondsText(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}`;
}

/**
 * The thumbnail branch of the play copy's filtergraph: passes exactly one frame (the first at or after
 * `atSec`; `prev_selected_t` is NaN until a frame was selected) and scales it. Selecting one frame
 * only matters: frames let through after the thumbnail output has finished would still be scaled and
 * queued until the end of the run.
 */
export function thumbnailFilter(atSec: number, width: number): string {
  return `select=isnan(prev_selected_t)*gte(t\\,${secondsText(atSec)}),scale=${even(width)}:-2,setsar=1`;
}

/**
 * The watermarked play copy: H.264 (yuv420p, high) + AAC, MP4 with the moov atom first (+faststart);
 * optionally the thumbnail as a second output of the same run (a `split` of the decoded source, so the
 * thumbnail is of the clean frame).
 */
export function watermarkArgs(opts: WatermarkArgsInput): string[] {
  const args = [...COMMON, "-i", opts.input];
  const silent = opts.audio === "silent";
  if (silent) args.push("-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=44100");
  const graph = opts.thumbnail
    ? `[0:v:0]split=2[main][still];[main]${watermarkFilter(opts)}[v];[still]${thumbnailFilter(opts.thumbnail.atSec, opts.thumbnail.width)}[thumb]`
    : `[0:v:0]${watermarkFilter(opts)}[v]`;
  args.push("-filter_complex", graph, "-map", "[v]", "-map", silent ? "1:a:0" : "0:a:0");
  if (silent) args.push("-shortest");
  args.push(...H264, "-preset", PLAY_X264.preset, "-crf", PLAY_X264.crf);
  if (opts.audio === "copy") args.push("-c:a", "copy");
  else args.push("-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "44100");
  args.push(
    "-map_metadata",
    "-1",
    "-max_muxing_queue_size",
    "1024",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    opts.output,
  );
  if (opts.thumbnail) {
    args.push("-map", "[thumb]", ...THUMB_JPEG, opts.thumbnail.output);
  }
  return args;
}

const H264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "high"];
/** One JPEG frame to one file (`-update 1`: a plain file name, not an image sequence pattern). */
const THUMB_JPEG = ["-frames:v", "1", "-q:v", "4", "-update", "1", "-f", "image2"];

// ---------------------------------------------------------------------------------------------------
// Thumbnail (own run: the fallback when the play copy's run wrote none)

export interface ThumbnailArgsInput {
  input: string;
  /** A .jpg path. */
  output: string;
  /** Where to take the frame from (seconds; should be inside the video). */
  atSec: number;
  /** Thumbnail width; the height keeps the aspect ratio (even). */
  width: number;
}

export function thumbnailArgs(opts: ThumbnailArgsInput): string[] {
  return [
    ...COMMON,
    "-ss",
    secondsText(opts.atSec),
    "-i",
    opts.input,
    "-an",
    "-vf",
    `scale=${even(opts.width)}:-2,setsar=1`,
    ...THUMB_JPEG,
    opts.output,
  ];
}

// ---------------------------------------------------------------------------------------------------
// Simulated clip

export interface SimulatedClipArgsInput {
  output: string;
  /** Whole seconds; the output is exactly this long. */
  durationSec: number;
  width: number;
  height: number;
  /** Shown wrapped as a subtitle in the lower part of the frame (the prompt). */
  text: string;
  /** A font for drawtext (CJK-capable: `findFont()`); null → no text at all. */
  fontFile: string | null;
  /** Frames per second (default 15). */
  fps?: number;
  /** What the scene is chosen from (default: `text`). The same seed always gives the same scene. */
  seed?: string;
  /** A local still image to animate (image→video); null/undefined → a generated scene. */
  image?: string | null;
}

/** Sizes and positions of the simulated clip's subtitle (all integers). */
export function subtitleLayout(width: number, height: number) {
  const short = Math.max(2, Math.min(width, height));
  const size = Math.max(10, Math.round(short * 0.044));
  const lineH = Math.round(size * 1.5);
  // CJK glyphs are about one em wide (two columns), latin ones about half.
  const maxColumns = Math.max(8, Math.min(44, Math.floor((width * 0.84) / (size * 0.55))));
  const { margin, markY } = markLayout(width, height);
  // Above the watermark the media pipeline burns in later (bottom right), never under it.
  const bottom = Math.min(Math.round(height * 0.8), markY - margin);
  const brand = Math.max(8, Math.round(short * 0.028));
  return { size, lineH, maxColumns, maxLines: 3, bottom, brand, margin };
}

/**
 * The prompt as a subtitle (at most three centred lines, white with a dark outline, fading in over
 * the first second) and a small, faint "SkyRiff" in the top-left corner.
 */
export function subtitleFilters(opts: {
  text: string;
  fontFile: string;
  width: number;
  height: number;
}): string[] {
  const l = subtitleLayout(opts.width, opts.height);
  const lines = wrapText(opts.text, l.maxColumns, l.maxLines);
  const font = `fontfile=${filterValue(opts.fontFile)}`;
  const fade = filterValue("min(1,max(0,(t-0.3)/0.6))");
  const outline = Math.max(1, Math.round(l.size / 14));
  const shadow = Math.max(1, Math.round(l.size / 16));
  const top = l.bottom - lines.length * l.lineH;
  const filters = [
    [
      `drawtext=${font}`,
      "text=SkyRiff",
      "expansion=none",
      `fontsize=${l.brand}`,
      "fontcolor=white@0.5",
      `x=${l.margin}`,
      `y=${l.margin}`,
    ].join(":"),
  ];
  lines.forEach((line, i) => {
    filters.push(
      [
        `drawtext=${font}`,
        `text=${filterValue(line)}`,
        "expansion=none",
        `fontsize=${l.size}`,
        "fontcolor=white",
        `borderw=${outline}`,
        "bordercolor=black@0.55",
        "shadowcolor=black@0.4",
        `shadowx=${shadow}`,
        `shadowy=${shadow}`,
        `alpha=${fade}`,
        "x=(w-text_w)/2",
        `y=${top + i * l.lineH}`,
      ].join(":"),
    );
  });
  return filters;
}

/** A quiet tone for the clip: one of a few low pentatonic notes, a slow tremolo, faded in and out. */
export function simulatedToneFilter(seed: string, durationSec: number): string {
  const notes = [196, 220, 246.94, 261.63, 293.66, 329.63];
  let h = 0;
  for (const ch of seed) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  const f = notes[h % notes.length] ?? 220;
  const out = Math.max(0, durationSec - 0.8);
  return `sine=frequency=${f}:sample_rate=44100:duration=${durationSec},volume=0.12,tremolo=f=0.3:d=0.4,afade=t=in:d=0.5,afade=t=out:st=${secondsText(out)}:d=0.8`;
}

/**
 * x264 settings of the simulated clip. Scenes are soft and cheap to encode at ultrafast; a zooming
 * photo costs about the same CPU at superfast, whose motion search makes the file 3–4× smaller.
 */
export const SIMULATED_X264 = {
  scene: { preset: "ultrafast", crf: "27" },
  image: { preset: "superfast", crf: "27" },
} as const;

/**
 * A real H.264/AAC MP4 standing in for a vendor's video, exactly `durationSec` long:
 * - text→video: a moving scene chosen from the prompt (`sceneFor`/`sceneFilter` in scenes.ts),
 * - image→video: the image cover-fitted to the frame, slowly zoomed and panned (`kenBurnsFilter`),
 * with the prompt as a subtitle (no text without a font) and a quiet tone. The watermark is not drawn
 * here: the media pipeline burns it into the play copy.
 */
export function simulatedClipArgs(opts: SimulatedClipArgsInput): string[] {
  const width = even(opts.width);
  const height = even(opts.height);
  const fps = opts.fps ?? 15;
  const d = Math.max(1, Math.round(opts.durationSec));
  const seed = opts.seed ?? opts.text;
  const size = { width, height, fps, durationSec: d };
  const inputs: string[] = [];
  let graph: string;
  if (opts.image) {
    // Read as an image whatever the bytes claim to be (image2pipe probes image codecs only), local only.
    inputs.push("-protocol_whitelist", "file", "-f", "image2pipe", "-i", opts.image);
    graph = kenBurnsFilter(kenBurnsFor(seed), "0:v", size, "scene");
  } else {
    graph = sceneFilter(sceneFor(seed), size, "scene");
  }
  inputs.push("-f", "lavfi", "-i", simulatedToneFilter(seed, d));
  const audioIndex = opts.image ? 1 : 0;
  const x264 = opts.image ? SIMULATED_X264.image : SIMULATED_X264.scene;
  const text = opts.fontFile
    ? subtitleFilters({ text: opts.text, fontFile: opts.fontFile, width, height })
    : [];
  graph += `;[scene]${[...text, "format=yuv420p"].join(",")}[v]`;
  return [
    ...COMMON,
    ...inputs,
    "-filter_complex",
    graph,
    "-map",
    "[v]",
    "-map",
    `${audioIndex}:a`,
    ...H264,
    "-preset",
    x264.preset,
    "-crf",
    x264.crf,
    "-g",
    String(fps * 2),
    "-r",
    String(fps),
    "-c:a",
    "aac",
    "-b:a",
    "48k",
    "-ac",
    "1",
    "-t",
    String(d),
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    opts.output,
  ];
}

function even(n: number): number {
  const i = Math.max(2, Math.floor(n));
  return i - (i % 2);
}
