import { describe, expect, it } from "vitest";
import {
  audioPlanFor,
  dimensionsFor,
  escapeFiltergraph,
  escapeFilterOption,
  filterValue,
  handleText,
  markLayout,
  PLAY_X264,
  playSize,
  probeArgs,
  probeDurationArgs,
  SIMULATED_X264,
  secondsText,
  simulatedClipArgs,
  simulatedToneFilter,
  subtitleLayout,
  thumbnailArgs,
  thumbnailFilter,
  watermarkArgs,
  watermarkFilter,
  wrapText,
} from "./args.js";

const FONT = "/fonts/NotoSansCJK-Regular.ttc";

function valueAfter(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

describe("dimensionsFor", () => {
  it("gives the short side `base` and 16:9 for the long side", () => {
    expect(dimensionsFor("9:16")).toEqual({ width: 720, height: 1280 });
    expect(dimensionsFor("16:9")).toEqual({ width: 1280, height: 720 });
    expect(dimensionsFor("1:1")).toEqual({ width: 720, height: 720 });
    expect(dimensionsFor("9:16", 360)).toEqual({ width: 360, height: 640 });
    expect(dimensionsFor("16:9", 1080)).toEqual({ width: 1920, height: 1080 });
  });

  it("always gives even sizes (yuv420p needs them)", () => {
    const { width, height } = dimensionsFor("9:16", 361);
    expect(width % 2).toBe(0);
    expect(height % 2).toBe(0);
  });
});

describe("probeArgs", () => {
  it("asks ffprobe for JSON format and streams of the input", () => {
    const args = probeArgs("/in/a b.mp4");
    expect(valueAfter(args, "-print_format")).toBe("json");
    expect(args).toContain("-show_format");
    expect(args).toContain("-show_streams");
    expect(args.at(-1)).toBe("/in/a b.mp4");
  });

  it("asks only for the container duration of a file whose streams are known", () => {
    const args = probeDurationArgs("/out/play.mp4");
    expect(valueAfter(args, "-show_entries")).toBe("format=duration");
    expect(valueAfter(args, "-print_format")).toBe("json");
    expect(args).not.toContain("-show_streams");
    expect(args.at(-1)).toBe("/out/play.mp4");
  });
});

describe("filter escaping", () => {
  it("matches ffmpeg's documented two-level escaping", () => {
    const text = "this is a 'string': may contain one, or more, special characters";
    expect(escapeFilterOption(text)).toBe(
      "this is a \\'string\\'\\: may contain one, or more, special characters",
    );
    expect(filterValue(text)).toBe(
      "this is a \\\\\\'string\\\\\\'\\\\: may contain one\\, or more\\, special characters",
    );
  });

  it("escapes filtergraph separators and backslashes", () => {
    expect(escapeFiltergraph("a[b],c;d\\e'f")).toBe("a\\[b\\]\\,c\\;d\\\\e\\'f");
    expect(escapeFilterOption("C:\\fonts\\x.ttf")).toBe("C\\:\\\\fonts\\\\x.ttf");
  });
});

describe("handleText", () => {
  it("adds a single @ and keeps Chinese", () => {
    expect(handleText("小雨")).toBe("@小雨");
    expect(handleText("@小雨")).toBe("@小雨");
    expect(handleText("@@x")).toBe("@x");
  });

  it("flattens control characters and truncates long handles", () => {
    expect(handleText(" a\nb\tc\u0000d ")).toBe("@a b c d");
    const long = handleText("字".repeat(40));
    expect(Array.from(long)).toHaveLength(25);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("wrapText", () => {
  it("counts CJK characters double", () => {
    expect(wrapText("一二三四五六七八", 8, 5)).toEqual(["一二三四", "五六七八"]);
  });

  it("keeps latin words whole when they fit", () => {
    expect(wrapText("a cat dancing on the moon", 10, 5)).toEqual(["a cat", "dancing on", "the moon"]);
  });

  it("breaks a word longer than a line", () => {
    expect(wrapText("abcdefghijkl", 5, 5)).toEqual(["abcde", "fghij", "kl"]);
  });

  it("ends the last line with … when text is cut", () => {
    const lines = wrapText("一二三四五六七八九十", 4, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]?.endsWith("…")).toBe(true);
  });

  it("flattens newlines and returns nothing for blank text", () => {
    expect(wrapText("a\nb", 10, 3)).toEqual(["a b"]);
    expect(wrapText("  \n ", 10, 3)).toEqual([]);
  });
});

describe("watermarkArgs", () => {
  const base = {
    input: "/in/src.mp4",
    output: "/out/play.mp4",
    handle: "@小雨",
    fontFile: FONT,
    width: 720,
    height: 1280,
    audio: "encode" as const,
  };

  it("encodes H.264 yuv420p high veryfast crf 23 + AAC into a faststart MP4", () => {
    const args = watermarkArgs(base);
    expect(valueAfter(args, "-profile:v")).toBe("high");
    expect(PLAY_X264).toEqual({ preset: "veryfast", crf: "23" });
    expect(valueAfter(args, "-c:v")).toBe("libx264");
    expect(valueAfter(args, "-pix_fmt")).toBe("yuv420p");
    expect(valueAfter(args, "-preset")).toBe("veryfast");
    expect(valueAfter(args, "-crf")).toBe("23");
    expect(valueAfter(args, "-c:a")).toBe("aac");
    expect(valueAfter(args, "-movflags")).toBe("+faststart");
    expect(args).toContain("-y");
    expect(args.at(-1)).toBe("/out/play.mp4");
    expect(valueAfter(args, "-i")).toBe("/in/src.mp4");
  });

  it("re-encodes non-AAC source audio to stereo 44.1 kHz AAC", () => {
    const args = watermarkArgs(base);
    expect(args.filter((a) => a === "-map")).toHaveLength(2);
    expect(args).toContain("0:a:0");
    expect(args.join(" ")).not.toContain("anullsrc");
    expect(args).not.toContain("-shortest");
    expect(valueAfter(args, "-b:a")).toBe("128k");
    expect(valueAfter(args, "-ac")).toBe("2");
    expect(valueAfter(args, "-ar")).toBe("44100");
  });

  it("copies source audio that is already AAC, with no audio encoder options", () => {
    const args = watermarkArgs({ ...base, audio: "copy" });
    expect(args).toContain("0:a:0");
    expect(valueAfter(args, "-c:a")).toBe("copy");
    expect(args.filter((a) => a === "-c:a")).toHaveLength(1);
    for (const flag of ["-b:a", "-ac", "-ar", "-shortest"]) expect(args).not.toContain(flag);
    expect(args.join(" ")).not.toContain("anullsrc");
    // Video is still encoded.
    expect(valueAfter(args, "-c:v")).toBe("libx264");
  });

  it("adds a silent AAC track when the source has none", () => {
    const args = watermarkArgs({ ...base, audio: "silent" });
    expect(args).toContain("anullsrc=channel_layout=stereo:sample_rate=44100");
    expect(args).toContain("1:a:0");
    expect(args).not.toContain("0:a:0");
    expect(args).toContain("-shortest");
    expect(valueAfter(args, "-c:a")).toBe("aac");
  });

  it("picks the audio plan from the source codec", () => {
    expect(audioPlanFor("aac")).toBe("copy");
    expect(audioPlanFor("mp3")).toBe("encode");
    expect(audioPlanFor("opus")).toBe("encode");
    expect(audioPlanFor("aac_latm")).toBe("encode");
    expect(audioPlanFor(null)).toBe("silent");
  });

  it("writes no second output without a thumbnail", () => {
    const args = watermarkArgs(base);
    expect(args).not.toContain("image2");
    expect(args.filter((a) => a.endsWith(".jpg"))).toEqual([]);
    expect(valueAfter(args, "-filter_complex")).toBe(`[0:v:0]${watermarkFilter(base)}[v]`);
  });

  describe("with a thumbnail output", () => {
    const thumbnail = { output: "/out/thumb.jpg", atSec: 1, width: 540 };
    const args = watermarkArgs({ ...base, audio: "copy", thumbnail });
    const graph = valueAfter(args, "-filter_complex") ?? "";

    it("splits the decoded source before the watermark, so the thumbnail is of the clean frame", () => {
      expect(graph).toBe(
        `[0:v:0]split=2[main][still];[main]${watermarkFilter(base)}[v];[still]${thumbnailFilter(1, 540)}[thumb]`,
      );
      expect(graph.split(";")[2]).not.toContain("drawtext");
    });

    it("passes exactly one frame, the first at or after atSec, scaled to the width", () => {
      expect(thumbnailFilter(1, 540)).toBe(
        "select=isnan(prev_selected_t)*gte(t\\,1.000),scale=540:-2,setsar=1",
      );
      expect(thumbnailFilter(0.25, 541)).toContain("gte(t\\,0.250)");
      expect(thumbnailFilter(0.25, 541)).toContain("scale=540:-2");
    });

    it("puts the play copy first (all its options before its path), then one JPEG frame", () => {
      const play = args.indexOf("/out/play.mp4");
      const thumb = args.indexOf("/out/thumb.jpg");
      expect(play).toBeGreaterThan(0);
      expect(thumb).toBe(args.length - 1);
      expect(args.indexOf("+faststart")).toBeLessThan(play);
      expect(args.indexOf("copy")).toBeLessThan(play);
      const second = args.slice(play + 1);
      expect(second).toEqual([
        "-map",
        "[thumb]",
        "-frames:v",
        "1",
        "-q:v",
        "4",
        "-update",
        "1",
        "-f",
        "image2",
        "/out/thumb.jpg",
      ]);
    });

    it("keeps the silent track and -shortest on the play copy", () => {
      const silent = watermarkArgs({ ...base, audio: "silent", thumbnail });
      const play = silent.indexOf("/out/play.mp4");
      expect(silent.indexOf("-shortest")).toBeLessThan(play);
      expect(silent.indexOf("1:a:0")).toBeLessThan(play);
    });
  });

  it("draws SkyRiff and the @handle bottom-right with the font", () => {
    const graph = valueAfter(watermarkArgs(base), "-filter_complex") ?? "";
    expect(graph.startsWith("[0:v:0]scale=720:1280")).toBe(true);
    expect(graph).toContain("text=SkyRiff");
    expect(graph).toContain("text=@小雨");
    expect(graph).toContain(`fontfile=${FONT}`);
    expect(graph).toContain("x=w-text_w-");
    expect(graph).toContain("expansion=none");
    expect(graph.endsWith("format=yuv420p[v]")).toBe(true);
  });

  it("scales the mark with the frame", () => {
    const size = (g: string) => Number(/fontsize=(\d+)/.exec(g)?.[1]);
    const small = valueAfter(watermarkArgs({ ...base, width: 360, height: 640 }), "-filter_complex") ?? "";
    const large = valueAfter(watermarkArgs({ ...base, width: 1080, height: 1920 }), "-filter_complex") ?? "";
    expect(size(large)).toBeGreaterThan(size(small) * 2.5);
  });

  it("escapes a hostile handle so it cannot break the filtergraph", () => {
    const graph =
      valueAfter(watermarkArgs({ ...base, handle: "a:b'c,d;[e]\\f%{pts}\nx" }), "-filter_complex") ?? "";
    expect(graph).toContain("text=@a\\\\:b\\\\\\'c\\,d\\;\\[e\\]\\\\\\\\f%{pts} x");
  });

  it("draws a text-less logo when there is no font", () => {
    const graph = valueAfter(watermarkArgs({ ...base, fontFile: null }), "-filter_complex") ?? "";
    expect(graph).not.toContain("drawtext");
    expect(graph).toContain("drawbox");
  });

  it("rounds odd sizes down to even", () => {
    const graph = valueAfter(watermarkArgs({ ...base, width: 721, height: 1279 }), "-filter_complex") ?? "";
    expect(graph).toContain("scale=720:1278");
  });
});

describe("thumbnailArgs", () => {
  it("seeks, takes one frame and scales to the width", () => {
    const args = thumbnailArgs({ input: "/in/a.mp4", output: "/out/t.jpg", atSec: 1.5, width: 540 });
    expect(valueAfter(args, "-ss")).toBe("1.500");
    expect(args.indexOf("-ss")).toBeLessThan(args.indexOf("-i"));
    expect(valueAfter(args, "-frames:v")).toBe("1");
    expect(valueAfter(args, "-update")).toBe("1");
    expect(valueAfter(args, "-vf")).toContain("scale=540:-2");
    expect(args.at(-1)).toBe("/out/t.jpg");
  });
});

describe("secondsText and playSize", () => {
  it("formats seconds with millisecond precision", () => {
    expect(secondsText(0)).toBe("0.000");
    expect(secondsText(0.25)).toBe("0.250");
    expect(secondsText(12.3456)).toBe("12.346");
    expect(secondsText(-1)).toBe("0.000");
  });

  it("gives the even size the watermark filter scales to", () => {
    expect(playSize(721, 1279)).toEqual({ width: 720, height: 1278 });
    expect(watermarkFilter({ handle: "x", fontFile: null, width: 721, height: 1279 })).toContain(
      "scale=720:1278",
    );
  });
});

describe("simulatedClipArgs", () => {
  const base = {
    output: "/out/sim.mp4",
    durationSec: 10,
    width: 720,
    height: 1280,
    text: "一只猫在月球上跳舞",
    fontFile: FONT,
  };
  const graphOf = (args: string[]) => valueAfter(args, "-filter_complex") ?? "";

  it("renders exactly the duration: sources, trims and -t all say 10 s, with a quiet tone", () => {
    const args = simulatedClipArgs(base);
    expect(valueAfter(args, "-t")).toBe("10");
    const graph = graphOf(args);
    expect(graph).toMatch(/:r=15:/);
    expect(graph).toContain("trim=duration=10[scene]");
    const tone = valueAfter(args, "-i") ?? "";
    expect(tone).toMatch(/^sine=frequency=\d+(\.\d+)?:sample_rate=44100:duration=10,volume=0\.12/);
    expect(valueAfter(args, "-f")).toBe("lavfi");
    expect(valueAfter(args, "-map")).toBe("[v]");
    expect(args).toContain("0:a");
  });

  it("encodes H.264 yuv420p + AAC into a faststart MP4, fast x264 presets", () => {
    const args = simulatedClipArgs(base);
    expect(valueAfter(args, "-c:v")).toBe("libx264");
    expect(valueAfter(args, "-pix_fmt")).toBe("yuv420p");
    expect(valueAfter(args, "-preset")).toBe(SIMULATED_X264.scene.preset);
    expect(valueAfter(args, "-c:a")).toBe("aac");
    expect(valueAfter(args, "-movflags")).toBe("+faststart");
    expect(valueAfter(args, "-r")).toBe("15");
    expect(args.at(-1)).toBe("/out/sim.mp4");
    const image = simulatedClipArgs({ ...base, image: "/tmp/ref.img" });
    expect(valueAfter(image, "-preset")).toBe(SIMULATED_X264.image.preset);
    expect(["ultrafast", "superfast", "veryfast"]).toContain(SIMULATED_X264.image.preset);
  });

  it("chooses the scene from the seed (default: the text), not from anything else", () => {
    const one = graphOf(simulatedClipArgs(base)).split(";[scene]")[0];
    const same = graphOf(simulatedClipArgs({ ...base, output: "/other.mp4" })).split(";[scene]")[0];
    const seeded = graphOf(simulatedClipArgs({ ...base, text: "other words", seed: base.text })).split(
      ";[scene]",
    )[0];
    const other = graphOf(simulatedClipArgs({ ...base, text: "一只狗在海边奔跑" })).split(";[scene]")[0];
    expect(same).toBe(one);
    expect(seeded).toBe(one);
    expect(other).not.toBe(one);
  });

  it("draws the prompt as at most three subtitle lines plus a faint SkyRiff, fading in", () => {
    const long = simulatedClipArgs({ ...base, text: "字".repeat(200) });
    const graph = graphOf(long);
    expect(graph).not.toContain("\n");
    const texts = graph.split(";[scene]")[1] ?? "";
    expect((texts.match(/drawtext=/g) ?? []).length).toBe(4);
    expect(texts).toContain("text=SkyRiff");
    expect(texts).toContain("fontcolor=white@0.5");
    expect(texts).toContain("alpha=min(1\\,max(0\\,(t-0.3)/0.6))");
    expect(texts).toContain("…");
    const short = graphOf(simulatedClipArgs(base)).split(";[scene]")[1] ?? "";
    expect((short.match(/drawtext=/g) ?? []).length).toBe(2);
    expect(short).toContain(`text=${base.text}`);
  });

  it("draws no text and no logo without a font (the media pipeline adds the watermark)", () => {
    const graph = graphOf(simulatedClipArgs({ ...base, fontFile: null }));
    expect(graph).not.toContain("drawtext");
    expect(graph).not.toContain("drawbox");
    expect(graph).toMatch(/\[scene\]format=yuv420p\[v\]$/);
  });

  it("takes a custom frame rate", () => {
    const args = simulatedClipArgs({ ...base, fps: 12 });
    expect(graphOf(args)).toMatch(/:r=12:/);
    expect(graphOf(args)).not.toMatch(/r=15:/);
    expect(valueAfter(args, "-r")).toBe("12");
  });

  it("animates a still image, read as an image only and from local files only", () => {
    const args = simulatedClipArgs({ ...base, image: "/tmp/ref.img" });
    const i = args.indexOf("/tmp/ref.img");
    expect(args.slice(i - 5, i + 1)).toEqual([
      "-protocol_whitelist",
      "file",
      "-f",
      "image2pipe",
      "-i",
      "/tmp/ref.img",
    ]);
    const graph = graphOf(args);
    expect(graph.startsWith("[0:v]trim=end_frame=1,")).toBe(true);
    expect(graph).toContain("zoompan=");
    expect(graph).toContain(":d=150:s=720x1280:fps=15");
    expect(graph).not.toContain("nullsrc");
    expect(args).toContain("1:a");
  });
});

describe("subtitleLayout", () => {
  it("keeps the subtitle above the watermark for every ratio", () => {
    for (const ratio of ["9:16", "16:9", "1:1"] as const) {
      const { width, height } = dimensionsFor(ratio);
      const l = subtitleLayout(width, height);
      const mark = markLayout(width, height);
      expect(l.bottom).toBeLessThanOrEqual(mark.markY - mark.margin);
      expect(l.bottom - l.maxLines * l.lineH).toBeGreaterThan(height / 3);
      expect(l.maxColumns * l.size * 0.55).toBeLessThanOrEqual(width * 0.86);
    }
  });

  it("scales the text with the frame", () => {
    expect(subtitleLayout(720, 1280).size).toBe(32);
    expect(subtitleLayout(360, 640).size).toBe(16);
    expect(subtitleLayout(1280, 720).size).toBe(32);
  });
});

describe("simulatedToneFilter", () => {
  it("is deterministic per seed, quiet, and fades out at the end", () => {
    expect(simulatedToneFilter("a", 10)).toBe(simulatedToneFilter("a", 10));
    expect(simulatedToneFilter("a", 10)).toContain("afade=t=out:st=9.200:d=0.8");
    expect(simulatedToneFilter("a", 10)).toContain("volume=0.12");
    const notes = new Set(["a", "b", "c", "d", "e", "f", "g"].map((s) => simulatedToneFilter(s, 5)));
    expect(notes.size).toBeGreaterThan(1);
  });
});
