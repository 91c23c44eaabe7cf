/**
 * Scenes of the simulated vendor (pure: no I/O). A scene is chosen and parameterised from a hash of the
 * prompt, so the same prompt always gives the same picture and different prompts give different
 * palettes, motion and composition. Everything is drawn with ffmpeg's own sources and filters (`geq`
 * fields mapped through a palette, `cellauto`, `life`, `mandelbrot`, soft sprites drifting with
 * `overlay`, `hue`, `vignette`), on a small canvas (a quarter of the output size) that is upscaled
 * once: the content is soft by design, so the upscale costs nothing visible and the render stays fast.
 *
 * Image→video (`kenBurnsFilter`) instead animates the reference image: cover-fit to the output ratio,
 * then a slow eased zoom and pan (`zoompan` on a 2× copy, so the crop moves in half pixels).
 */
import { createHash } from "node:crypto";

/**
 * A filter option value inside a filtergraph: ffmpeg's two escaping levels (the same rule as
 * `filterValue` in args.ts, repeated here so this module does not import args.ts, which imports it).
 */
function filterValue(value: string): string {
  return value.replace(/[\\':]/g, (c) => `\\${c}`).replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

export const SCENE_KINDS = ["aurora", "horizon", "cells", "life", "fractal", "bokeh"] as const;
export type SceneKind = (typeof SCENE_KINDS)[number];

export interface Palette {
  name: string;
  /** Four colours, dark → light, 0xRRGGBB. */
  stops: readonly [number, number, number, number];
}

/** Hand-picked palettes: a dark base (so white subtitles and the watermark read), two mids, a highlight. */
export const PALETTES: readonly Palette[] = [
  { name: "dusk", stops: [0x140c2c, 0x4a2a7a, 0xc0507a, 0xffb38a] },
  { name: "ocean", stops: [0x03142b, 0x0b4f7a, 0x1fa3a8, 0xa8f0e0] },
  { name: "forest", stops: [0x07170f, 0x1f4d2b, 0x5e9a3c, 0xe3f2a0] },
  { name: "ember", stops: [0x170404, 0x6b1414, 0xd9552b, 0xffd27a] },
  { name: "sakura", stops: [0x241028, 0x7a3a6e, 0xe07a9e, 0xffe0ea] },
  { name: "neon", stops: [0x0a0420, 0x3b1a8c, 0x9b3cf0, 0x4ef0ff] },
  { name: "gold", stops: [0x120c04, 0x5a3a10, 0xc08a2a, 0xfff0b0] },
  { name: "arctic", stops: [0x06101f, 0x1e3f6e, 0x6aa0d8, 0xeaf4ff] },
  { name: "jade", stops: [0x041a18, 0x0f5e55, 0x3fb39a, 0xd6fff2] },
  { name: "peach", stops: [0x2a1420, 0x8a3b4a, 0xf08a6a, 0xffe2b8] },
  { name: "lavender", stops: [0x100c24, 0x3c3480, 0x8a7ad8, 0xf0e6ff] },
  { name: "teal-orange", stops: [0x081820, 0x1d4e5e, 0xd08a4a, 0xffe6c0] },
];

/** One sine wave of a `geq` field: frequencies in cycles per frame, speed in radians per second. */
export interface Wave {
  fx: number;
  fy: number;
  speed: number;
  phase: number;
  amp: number;
}

/** A soft disc drifting over the scene; sizes and positions are fractions of the canvas. */
export interface Sprite {
  size: number;
  x: number;
  y: number;
  /** Horizontal sway amplitude and angular speed. */
  sway: number;
  swaySpeed: number;
  /** Canvas heights per 10 s, upwards (negative: downwards). */
  rise: number;
  phase: number;
  alpha: number;
  color: number;
}

export interface Scene {
  kind: SceneKind;
  palette: Palette;
  waves: readonly [Wave, Wave, Wave];
  /** A focal point (ripple centre, sun, fractal target…), fractions of the canvas. */
  focus: { x: number; y: number };
  /** Slow swing of the whole field through the palette, in gray levels (colour breathing). */
  pulse: number;
  sprites: readonly Sprite[];
  /** Seed for the `cellauto` / `life` sources. */
  seed: number;
  /** Elementary cellular automaton rule and first row (cells). */
  rule: number;
  pattern: string;
  /** Life-like rule (life). */
  lifeRule: string;
  /** Index into FRACTAL_POINTS (fractal). */
  point: number;
  /** Horizon height as a fraction of the canvas (horizon). */
  horizon: number;
}

/** Elementary automata that grow nested triangles from a sparse first row (not noise). */
export const CELL_RULES = [18, 60, 90, 102, 126, 146, 150] as const;
/** First rows for them (centred by `cellauto`). */
export const CELL_PATTERNS = ["1", "101", "1001", "10001", "1000001"] as const;
/** Life-like rules that keep moving for a few hundred generations. */
export const LIFE_RULES = ["B3/S23", "B36/S23", "B3/S12345", "B368/S245", "B3678/S34678"] as const;
/** Deep-zoom targets on the Mandelbrot set's boundary. */
export const FRACTAL_POINTS = [
  { x: -0.743643887037158, y: 0.131825904205311 },
  { x: -0.1011, y: 0.9563 },
  { x: -1.25066, y: 0.02012 },
  { x: 0.2549870375144766, y: -0.0005679790528465 },
  { x: -0.7453, y: 0.1127 },
] as const;

/** A small deterministic PRNG (mulberry32) fed from the prompt's hash. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The scene for a prompt: the same seed text always gives the same scene. */
export function sceneFor(seedText: string): Scene {
  const hash = createHash("sha256").update(seedText, "utf8").digest();
  const rand = prng(hash.readUInt32BE(4));
  const range = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const sign = () => (rand() < 0.5 ? -1 : 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const kind = SCENE_KINDS[(hash[0] ?? 0) % SCENE_KINDS.length] as SceneKind;
  const palette = PALETTES[(hash[1] ?? 0) % PALETTES.length] as Palette;
  const wave = (amp: number, fmax: number): Wave => ({
    fx: range(0.3, fmax) * sign(),
    fy: range(0.3, fmax) * sign(),
    speed: range(0.18, 0.42) * sign(),
    phase: range(0, 6.28),
    amp,
  });
  const waves: [Wave, Wave, Wave] = [
    wave(range(45, 60), 1.3),
    wave(range(30, 45), 1.6),
    wave(range(15, 28), 2.4),
  ];
  const spriteCount =
    kind === "bokeh" ? 14 : kind === "aurora" ? 4 : kind === "fractal" ? 0 : kind === "horizon" ? 2 : 3;
  const light = [palette.stops[2], palette.stops[3]];
  const sprites: Sprite[] = [];
  for (let i = 0; i < spriteCount; i++) {
    sprites.push({
      size: kind === "bokeh" ? range(0.1, 0.42) : range(0.06, 0.16),
      x: range(0.05, 0.95),
      y: range(0, 1),
      sway: range(0.02, 0.08),
      swaySpeed: range(0.3, 0.9) * sign(),
      rise: kind === "bokeh" ? range(0.4, 1.2) : range(0.25, 0.7),
      phase: range(0, 6.28),
      alpha: kind === "bokeh" ? range(0.35, 0.8) : range(0.25, 0.5),
      color: pick(light),
    });
  }
  return {
    kind,
    palette,
    waves,
    focus: { x: range(0.25, 0.75), y: range(0.2, 0.45) },
    pulse: range(12, 26),
    sprites,
    seed: hash.readUInt32BE(8) % 1_000_000_000,
    rule: pick(CELL_RULES),
    pattern: pick(CELL_PATTERNS),
    lifeRule: pick(LIFE_RULES),
    point: Math.floor(rand() * FRACTAL_POINTS.length),
    horizon: range(0.55, 0.68),
  };
}

// ---------------------------------------------------------------------------------------------------
// Filtergraph

export interface SceneSize {
  width: number;
  height: number;
  fps: number;
  durationSec: number;
}

/** A number for an ffmpeg expression: at most 4 decimals, negatives in parentheses. */
export function num(value: number): string {
  const text = String(Number(value.toFixed(4)));
  return value < 0 && text !== "0" ? `(${text})` : text;
}

function even(n: number): number {
  const i = Math.max(2, Math.floor(n));
  return i - (i % 2);
}

/** The canvas the scene is drawn on before the single upscale: a quarter of the output per side. */
export function canvasSize(width: number, height: number): { width: number; height: number } {
  return { width: even(Math.max(32, width / 4)), height: even(Math.max(32, height / 4)) };
}

function rgb(color: number): [number, number, number] {
  return [(color >> 16) & 0xff, (color >> 8) & 0xff, color & 0xff];
}

/** `lutrgb` mapping a gray value (r = g = b) through the palette's four stops. */
export function paletteLut(palette: Palette): string {
  const stops = palette.stops.map(rgb);
  const channel = (c: 0 | 1 | 2) => {
    const v = stops.map((s) => s[c]);
    const seg = (i: number, lo: number, hi: number) => {
      const a = v[i] ?? 0;
      const b = v[i + 1] ?? 0;
      return `${a}+${num(b - a)}*(val-${lo})/${hi - lo}`;
    };
    return `if(lt(val,85),${seg(0, 0, 85)},if(lt(val,170),${seg(1, 85, 170)},${seg(2, 170, 255)}))`;
  };
  return `lutrgb=r=${filterValue(channel(0))}:g=${filterValue(channel(1))}:b=${filterValue(channel(2))}`;
}

/** Drifting "aurora" curtains: a sine band whose phase is itself warped by a slower sine, plus a swell. */
export function auroraExpr(scene: Scene, durationSec: number): string {
  const [a, b, c] = scene.waves;
  const warp = `1.9*sin(6.2832*${num(b.fy)}*Y/H+${num(b.speed)}*T+${num(b.phase)})`;
  const band = `${num(a.amp + 20)}*sin(6.2832*(${num(a.fx)}*X/W+${num(a.fy * 0.6)}*Y/H)+${num(a.speed)}*T+${num(a.phase)}+${warp})`;
  const swell = `${num(c.amp + 15)}*sin(6.2832*(${num(c.fx * 0.5)}*X/W+${num(c.fy * 0.7)}*Y/H)+${num(c.speed * 0.7)}*T+${num(c.phase)})`;
  return `clip(125+${band}+${swell}+${pulseTerm(scene, durationSec)},0,255)`;
}

/** The whole field swinging once through the palette over the clip. */
function pulseTerm(scene: Scene, durationSec: number): string {
  return `${num(scene.pulse)}*sin(6.2832*T/${num(durationSec)}+${num(scene.waves[2].phase)})`;
}

/** The sky above the horizon: dark at the top, glowing towards the horizon, thin clouds drifting. */
export function skyExpr(scene: Scene, durationSec: number): string {
  const [, b, c] = scene.waves;
  const clouds = `22*sin(6.2832*(${num(b.fx * 0.8)}*X/W+${num(Math.abs(b.fy) * 2 + 1)}*Y/H)+${num(Math.abs(b.speed) * 1.5 + 0.4)}*T+${num(b.phase)})*(1-Y/H)`;
  return `clip(20+165*pow(Y/H,2.4)+${clouds}+${num(c.amp * 0.4)}*sin(6.2832*T/${num(durationSec)}),0,255)`;
}

/** The sea below the horizon: darker with depth, ripples widening towards the viewer. */
export function seaExpr(scene: Scene): string {
  const [a, b] = scene.waves;
  const ripple = `sin(6.2832*${num(Math.abs(a.fx) * 2 + 1.5)}*(X/W-0.5)*(1+2*Y/H)+${num(3 + Math.abs(b.fy) * 3)}/(0.12+Y/H)+${num(Math.abs(a.speed) * 4 + 1.5)}*T)`;
  return `clip(150-100*Y/H+18*${ripple}*(0.35+Y/H),0,255)`;
}

/** A quiet background field (the bokeh scene): a diagonal gradient with a slow swell. */
export function swellExpr(scene: Scene, durationSec: number): string {
  const [a, b] = scene.waves;
  return `clip(40+70*(0.6*Y/H+0.4*X/W)+35*sin(6.2832*(${num(a.fx * 0.6)}*X/W+${num(b.fy * 0.4)}*Y/H)+${num(a.speed * 0.8)}*T+${num(a.phase)})+${pulseTerm(scene, durationSec)},0,255)`;
}

// ---------------------------------------------------------------------------------------------------
// Filtergraph pieces

/** A moving gray field: `expr` evaluated per frame on a small grid (geq costs per pixel). */
function geqField(expr: string, w: number, h: number, size: SceneSize): string {
  return `nullsrc=s=${w}x${h}:r=${size.fps}:d=${size.durationSec},format=gray,geq=lum=${filterValue(expr)}`;
}

/** A still gray field: one frame (at T = 0), which framesync-based filters repeat (repeatlast). */
function geqStill(expr: string, w: number, h: number): string {
  return `nullsrc=s=${w}x${h}:r=1:d=1,format=gray,geq=lum=${filterValue(expr)}`;
}

/**
 * A soft disc as one RGBA frame: `overlay` repeats the last frame of a finished secondary input
 * (eof_action=repeat), so a still sprite costs one `geq` frame, whatever the clip length.
 */
function discSprite(px: number, color: number, alpha: number, falloff = 1.3): string {
  const r = px / 2;
  const [cr, cg, cb] = rgb(color);
  const a = `${Math.round(255 * alpha)}*pow(max(0,1-hypot(X-${num(r - 0.5)},Y-${num(r - 0.5)})/${num(r)}),${num(falloff)})`;
  return `nullsrc=s=${px}x${px}:r=1:d=1,format=rgba,geq=r=${cr}:g=${cg}:b=${cb}:a=${filterValue(a)}`;
}

function spriteChains(scene: Scene, canvas: { width: number; height: number }) {
  const short = Math.min(canvas.width, canvas.height);
  const sources: string[] = [];
  const overlays: string[] = [];
  scene.sprites.forEach((s, i) => {
    const px = Math.max(4, Math.round(short * s.size));
    sources.push(`${discSprite(px, s.color, s.alpha)}[s${i}]`);
    const span = canvas.height + px;
    const rise = (s.rise * canvas.height) / 10;
    const x = `${num(s.x * canvas.width - px / 2)}+${num(s.sway * canvas.width)}*sin(${num(s.swaySpeed)}*t+${num(s.phase)})`;
    // Rises and wraps around: leaves at the top, comes back from the bottom.
    const y = `mod(${num(s.y * span)}-${num(rise)}*t+${span * 8},${span})-${px}`;
    overlays.push(`overlay=x=${filterValue(x)}:y=${filterValue(y)}:eval=frame:format=rgb`);
  });
  return { sources, overlays };
}

/**
 * The scene as a filtergraph with no inputs (its sources are inside) whose output is labelled
 * `[${out}]`: yuv420p, width×height, `fps`, exactly `durationSec` seconds.
 */
export function sceneFilter(scene: Scene, size: SceneSize, out = "scene"): string {
  const width = even(size.width);
  const height = even(size.height);
  const canvas = canvasSize(width, height);
  const cw = canvas.width;
  const ch = canvas.height;
  const d = size.durationSec;
  // Smooth fields are computed on a coarse grid (geq costs per pixel) and interpolated up.
  const fw = Math.max(12, Math.round(cw / 6));
  const fh = Math.max(12, Math.round(ch / 6));
  const up = (w: number, h: number) => `scale=${w}:${h}:flags=bicubic`;
  const lut = paletteLut(scene.palette);
  const chains: string[] = [];
  switch (scene.kind) {
    case "aurora":
      chains.push(`${geqField(auroraExpr(scene, d), fw, fh, size)},${up(cw, ch)},format=rgb24,${lut}[base]`);
      break;
    case "bokeh":
      chains.push(`${geqField(swellExpr(scene, d), fw, fh, size)},${up(cw, ch)},format=rgb24,${lut}[base]`);
      break;
    case "horizon": {
      // A sky with drifting clouds and a sun sinking behind the horizon (the sun is drawn on the sky
      // only, so the horizon cuts it), over a moving sea with the sun's glint swaying on it.
      const skyH = even(ch * scene.horizon);
      const seaH = ch - skyH;
      const sun = even(Math.min(cw, ch) * 0.26);
      const sunX = Math.round(scene.focus.x * cw - sun / 2);
      const sunY0 = skyH - sun * 1.05;
      const sunY = `${num(sunY0)}+${num(sun * 0.7)}*t/${num(d)}`;
      const glintW = even(sun * 0.8);
      const glintA = "150*pow(max(0,1-abs(X-W/2)/(W/2)),1.5)*(1-Y/H)";
      const [hl, glow] = [scene.palette.stops[3], scene.palette.stops[2]];
      const [gr, gg, gb] = rgb(hl);
      chains.push(
        `${geqField(skyExpr(scene, d), fw, Math.max(8, Math.round(skyH / 6)), size)},${up(cw, skyH)},format=rgb24,${lut}[sky0]`,
      );
      chains.push(`${discSprite(Math.round(sun * 2.2), glow, 0.6, 1.6)}[halo]`);
      chains.push(`${discSprite(sun, hl, 1, 0.25)}[sun]`);
      chains.push(
        `[sky0][halo]overlay=x=${sunX - Math.round(sun * 0.6)}:y=${filterValue(`${sunY}-${num(sun * 0.6)}`)}:eval=frame:format=rgb[sky1]`,
      );
      chains.push(`[sky1][sun]overlay=x=${sunX}:y=${filterValue(sunY)}:eval=frame:format=rgb[sky]`);
      chains.push(
        `${geqField(seaExpr(scene), fw, Math.max(8, Math.round(seaH / 5)), size)},${up(cw, seaH)},format=rgb24,${lut}[sea0]`,
      );
      chains.push(
        `nullsrc=s=${glintW}x${seaH}:r=1:d=1,format=rgba,geq=r=${gr}:g=${gg}:b=${gb}:a=${filterValue(glintA)}[glint]`,
      );
      const glintX = `${num(scene.focus.x * cw - glintW / 2)}+${num(cw * 0.015)}*sin(1.3*t)`;
      chains.push(`[sea0][glint]overlay=x=${filterValue(glintX)}:y=0:eval=frame:format=rgb[sea]`);
      chains.push("[sky][sea]vstack[base]");
      break;
    }
    case "cells": {
      // A strip half as wide again as the canvas, scrolling down by itself and swaying sideways.
      const wide = even(cw * 1.5);
      const sway = `(iw-ow)*(0.5+0.5*sin(${num(scene.waves[1].speed * 0.5)}*t+${num(scene.waves[1].phase)}))`;
      const cells = `cellauto=s=${Math.round(wide / 3)}x${Math.round(ch / 3)}:r=${size.fps}:rule=${scene.rule}:pattern=${scene.pattern}:scroll=1:stitch=1:start_full=1,trim=duration=${d},format=gray,${up(wide, ch)},crop=${cw}:${ch}:x=${filterValue(sway)}:y=0,gblur=sigma=1.6`;
      chains.push(`${geqField(auroraExpr(scene, d), fw, fh, size)},${up(cw, ch)}[field]`);
      chains.push(`${cells}[cells]`);
      chains.push(`[field][cells]blend=all_mode=average,format=rgb24,${lut}[base]`);
      break;
    }
    case "life": {
      // Sparse colonies glowing like embers over a still field kept in the palette's dark half: only
      // the colonies move (a whole moving field under them doubled what x264 spends downstream).
      // tmix ends a few frames early: it gets a few more than it gives out.
      const frames = Math.max(1, Math.round(size.fps * d));
      const life = `life=s=${Math.round(cw / 4)}x${Math.round(ch / 4)}:r=${size.fps}:rule=${scene.lifeRule}:seed=${scene.seed}:ratio=0.14:mold=30:life_color=0xd0d0d0:death_color=black:mold_color=0x383838,trim=end_frame=${frames + 4},format=gray,tmix=frames=3,trim=end_frame=${frames},${up(cw, ch)},gblur=sigma=2.6`;
      chains.push(`${geqStill(`${auroraExpr(scene, d)}*0.45`, fw, fh)},${up(cw, ch)}[field]`);
      chains.push(`${life}[cells]`);
      // The moving input first: blend repeats the still's only frame (repeatlast).
      chains.push(`[cells][field]blend=all_mode=addition,format=rgb24,${lut}[base]`);
      break;
    }
    case "fractal": {
      const p = FRACTAL_POINTS[scene.point] ?? FRACTAL_POINTS[0];
      const frames = Math.max(1, Math.round(size.fps * d));
      chains.push(
        `mandelbrot=s=${Math.round(cw / 2)}x${Math.round(ch / 2)}:r=${size.fps}:maxiter=160:start_x=${p.x}:start_y=${p.y}:start_scale=1.5:end_scale=0.2:end_pts=${frames}:inner=black,trim=duration=${d},format=gray,gblur=sigma=0.8,${up(cw, ch)},format=rgb24,${lut}[base]`,
      );
      break;
    }
  }
  const { sources, overlays } = spriteChains(scene, canvas);
  chains.push(...sources);
  let last = "base";
  overlays.forEach((o, i) => {
    chains.push(`[${last}][s${i}]${o}[o${i}]`);
    last = `o${i}`;
  });
  chains.push(
    `[${last}]format=yuv420p,vignette=angle=0.6,${up(width, height)},setsar=1,trim=duration=${d}[${out}]`,
  );
  return chains.join(";");
}

// ---------------------------------------------------------------------------------------------------
// Image → video

export interface KenBurns {
  /** Zoom reached at the end of the clip (1 = none). */
  zoom: number;
  /** Where the zoom heads to, fractions of the frame (0.5, 0.5 = the centre). */
  toX: number;
  toY: number;
}

export function kenBurnsFor(seedText: string): KenBurns {
  const hash = createHash("sha256").update(`kenburns:${seedText}`, "utf8").digest();
  const rand = prng(hash.readUInt32BE(0));
  return { zoom: 1.12 + 0.08 * rand(), toX: 0.2 + 0.6 * rand(), toY: 0.25 + 0.5 * rand() };
}

/**
 * Cover-fits input `[${input}]` (one still image) to width×height (scaled so it fills the frame, the
 * overflow cropped evenly: no distortion, no bars), then zooms slowly from the full frame to
 * `kb.zoom` towards (toX, toY), eased in and out. The first frame is the cover-fitted image itself.
 */
export function kenBurnsFilter(kb: KenBurns, input: string, size: SceneSize, out = "scene"): string {
  const width = even(size.width);
  const height = even(size.height);
  const frames = Math.max(1, Math.round(size.fps * size.durationSec));
  // zoompan crops in whole input pixels: on a 2× copy, the crop moves in half output pixels.
  const pw = width * 2;
  const ph = height * 2;
  const last = Math.max(1, frames - 1);
  const ease = `(3*pow(min(on/${last},1),2)-2*pow(min(on/${last},1),3))`;
  const z = `1+${num(kb.zoom - 1)}*${ease}`;
  const x = `(iw-iw/zoom)*${num(kb.toX)}`;
  const y = `(ih-ih/zoom)*${num(kb.toY)}`;
  return [
    `[${input}]trim=end_frame=1,scale=${pw}:${ph}:force_original_aspect_ratio=increase:flags=bicubic,crop=${pw}:${ph},setsar=1`,
    `zoompan=z=${filterValue(z)}:x=${filterValue(x)}:y=${filterValue(y)}:d=${frames}:s=${width}x${height}:fps=${size.fps}`,
    `format=yuv420p,setsar=1,trim=duration=${size.durationSec}[${out}]`,
  ].join(",");
}
