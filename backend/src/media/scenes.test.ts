import { describe, expect, it } from "vitest";
import {
  canvasSize,
  FRACTAL_POINTS,
  kenBurnsFilter,
  kenBurnsFor,
  num,
  PALETTES,
  paletteLut,
  SCENE_KINDS,
  sceneFilter,
  sceneFor,
} from "./scenes.js";

const SIZE = { width: 720, height: 1280, fps: 15, durationSec: 10 };

/** Prompts from 0 to n-1, in Chinese and English, as users type them. */
const prompts = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    i % 2 ? `a corgi on the beach, shot ${i}` : `一只橘猫在月球上跳舞 ${i}`,
  );

/** The first prompt (of many tried) whose scene is of this kind. */
function promptOfKind(kind: string): string {
  const found = prompts(500).find((p) => sceneFor(p).kind === kind);
  if (!found) throw new Error(`no prompt gives ${kind}`);
  return found;
}

/** Evaluates one channel of `lutrgb` (an ffmpeg expression of `val`) in JS. */
function lutChannel(lut: string, channel: "r" | "g" | "b", val: number): number {
  const expr = new RegExp(`[=:]${channel}=([^:]+)`).exec(lut)?.[1] ?? "";
  const js = expr
    .replace(/\\,/g, ",")
    .replace(/\bif\(/g, "IF(")
    .replace(/\blt\(/g, "LT(");
  const fn = new Function("val", "IF", "LT", `return ${js};`) as (
    v: number,
    f: (c: number, a: number, b: number) => number,
    l: (a: number, b: number) => number,
  ) => number;
  return fn(
    val,
    (c, a, b) => (c ? a : b),
    (a, b) => (a < b ? 1 : 0),
  );
}

describe("sceneFor", () => {
  it("gives the same scene for the same prompt, every time", () => {
    expect(sceneFor("一只橘猫在月球上跳舞")).toEqual(sceneFor("一只橘猫在月球上跳舞"));
    expect(sceneFilter(sceneFor("x"), SIZE)).toBe(sceneFilter(sceneFor("x"), SIZE));
  });

  it("spreads prompts over every kind and palette, with distinct motion", () => {
    const scenes = prompts(400).map(sceneFor);
    const kinds = new Map<string, number>();
    for (const s of scenes) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
    expect([...kinds.keys()].sort()).toEqual([...SCENE_KINDS].sort());
    // Roughly uniform: every kind gets at least half of its fair share.
    for (const n of kinds.values()) expect(n).toBeGreaterThan(400 / SCENE_KINDS.length / 2);
    expect(new Set(scenes.map((s) => s.palette.name)).size).toBe(PALETTES.length);
    // No two prompts share the motion parameters, even with the same kind and palette.
    expect(new Set(scenes.map((s) => JSON.stringify(s.waves))).size).toBe(scenes.length);
  });

  it("gives different filtergraphs for prompts that differ by one character", () => {
    expect(sceneFilter(sceneFor("一只橘猫在月球上跳舞"), SIZE)).not.toBe(
      sceneFilter(sceneFor("一只橘猫在月球上跳舞。"), SIZE),
    );
  });
});

describe("paletteLut", () => {
  it("maps black to the darkest stop and white to the lightest, through the middle stops", () => {
    for (const palette of PALETTES) {
      const lut = paletteLut(palette);
      const [c0, c1, c2, c3] = palette.stops;
      const at = (val: number) => (["r", "g", "b"] as const).map((c) => Math.round(lutChannel(lut, c, val)));
      const rgb = (c: number) => [(c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff];
      expect(at(0)).toEqual(rgb(c0));
      expect(at(85)).toEqual(rgb(c1));
      expect(at(170)).toEqual(rgb(c2));
      expect(at(255)).toEqual(rgb(c3));
    }
  });

  it("uses dark bases, so white subtitles and the watermark stay legible", () => {
    for (const { stops } of PALETTES) {
      const [r, g, b] = [(stops[0] >> 16) & 0xff, (stops[0] >> 8) & 0xff, stops[0] & 0xff];
      expect(0.299 * r + 0.587 * g + 0.114 * b).toBeLessThan(40);
    }
  });
});

describe("sceneFilter", () => {
  it("draws each kind with its own ffmpeg sources", () => {
    const sources: Record<string, RegExp> = {
      aurora: /geq=lum=/,
      horizon: /vstack/,
      cells: /cellauto=.*:rule=\d+:pattern=1[01]*:scroll=1/,
      life: /life=.*:rule=B\d+\/S\d+/,
      fractal: /mandelbrot=.*:end_pts=150/,
      bokeh: /geq=lum=.*overlay=/,
    };
    for (const kind of SCENE_KINDS) {
      const graph = sceneFilter(sceneFor(promptOfKind(kind)), SIZE);
      expect(graph).toMatch(sources[kind] as RegExp);
    }
  });

  it("ends in one labelled output of the requested size and duration, upscaled from a small canvas", () => {
    for (const kind of SCENE_KINDS) {
      const graph = sceneFilter(sceneFor(promptOfKind(kind)), SIZE, "out");
      expect(graph.endsWith("scale=720:1280:flags=bicubic,setsar=1,trim=duration=10[out]")).toBe(true);
      expect(graph).not.toMatch(/\s/);
      // Every moving source runs at the clip's frame rate and stops at its duration.
      for (const src of graph.match(/(nullsrc|cellauto|life|mandelbrot)=[^,;]*/g) ?? []) {
        if (src.includes(":r=1:d=1")) continue; // one-frame sprites
        expect(src).toContain(":r=15");
      }
    }
    expect(canvasSize(720, 1280)).toEqual({ width: 180, height: 320 });
    expect(canvasSize(1280, 720)).toEqual({ width: 320, height: 180 });
  });

  it("moves: every kind has a time term or a source that evolves", () => {
    for (const kind of SCENE_KINDS) {
      const graph = sceneFilter(sceneFor(promptOfKind(kind)), SIZE);
      expect(graph).toMatch(/\*T\b|\*t\b|cellauto=|life=|mandelbrot=/);
    }
  });

  it("zooms into a known point of the Mandelbrot set", () => {
    const scene = { ...sceneFor(promptOfKind("fractal")), point: 0 };
    expect(sceneFilter(scene, SIZE)).toContain(
      `start_x=${FRACTAL_POINTS[0].x}:start_y=${FRACTAL_POINTS[0].y}`,
    );
  });
});

describe("kenBurnsFilter", () => {
  it("cover-fits the image (no bars, no distortion), then zooms from 1× towards a seeded point", () => {
    const kb = kenBurnsFor("让画面动起来");
    expect(kenBurnsFor("让画面动起来")).toEqual(kb);
    expect(kb.zoom).toBeGreaterThan(1.1);
    expect(kb.zoom).toBeLessThanOrEqual(1.2);
    const graph = kenBurnsFilter(kb, "0:v", SIZE, "scene");
    expect(graph).toContain(
      "[0:v]trim=end_frame=1,scale=1440:2560:force_original_aspect_ratio=increase:flags=bicubic,crop=1440:2560,",
    );
    expect(graph).toContain(`zoompan=z=1+${num(kb.zoom - 1)}*(3*pow(min(on/149\\,1)\\,2)`);
    expect(graph).toContain(":d=150:s=720x1280:fps=15");
    expect(graph.endsWith("trim=duration=10[scene]")).toBe(true);
    expect(kenBurnsFor("another prompt")).not.toEqual(kb);
  });
});

describe("num", () => {
  it("writes at most four decimals and wraps negatives for ffmpeg's expression parser", () => {
    expect(num(0.123456)).toBe("0.1235");
    expect(num(-0.5)).toBe("(-0.5)");
    expect(num(-0.00001)).toBe("0");
    expect(num(2)).toBe("2");
  });
});
