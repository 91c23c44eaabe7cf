import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  findFont,
  MediaError,
  parseDecimalMs,
  parseFfmpegInfo,
  parseProbeDuration,
  parseProbeJson,
} from "./ffmpeg.js";

describe("parseDecimalMs", () => {
  it("turns decimal seconds into integer ms without floats", () => {
    expect(parseDecimalMs("10.000000")).toBe(10000);
    expect(parseDecimalMs("10.0078")).toBe(10008);
    expect(parseDecimalMs("10.0074")).toBe(10007);
    expect(parseDecimalMs("0.1")).toBe(100);
    expect(parseDecimalMs("7")).toBe(7000);
    expect(parseDecimalMs("3.9995")).toBe(4000);
    expect(parseDecimalMs("N/A")).toBeNull();
    expect(parseDecimalMs("-1.0")).toBeNull();
    expect(parseDecimalMs(undefined)).toBeNull();
  });
});

describe("parseProbeDuration", () => {
  it("reads format.duration as integer ms, null without one", () => {
    expect(parseProbeDuration({ format: { duration: "10.024000" } })).toBe(10024);
    expect(parseProbeDuration({ format: { duration: "N/A" } })).toBeNull();
    expect(parseProbeDuration({ format: {} })).toBeNull();
    expect(parseProbeDuration({})).toBeNull();
    expect(parseProbeDuration(null)).toBeNull();
  });
});

describe("parseProbeJson", () => {
  const json = {
    streams: [
      { codec_type: "video", codec_name: "h264", width: 720, height: 1280, duration: "10.000000" },
      { codec_type: "audio", codec_name: "aac", duration: "10.007800" },
    ],
    format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "10.007800" },
  };

  it("reads size, codecs and the container duration", () => {
    expect(parseProbeJson(json)).toEqual({
      durationMs: 10008,
      width: 720,
      height: 1280,
      videoCodec: "h264",
      audioCodec: "aac",
    });
  });

  it("falls back to the longest stream duration", () => {
    const res = parseProbeJson({ ...json, format: { format_name: "mov" } });
    expect(res.durationMs).toBe(10008);
  });

  it("swaps the size of a 90° rotated video (tag or display matrix)", () => {
    const tagged = { ...json, streams: [{ ...json.streams[0], tags: { rotate: "90" } }] };
    expect(parseProbeJson(tagged)).toMatchObject({ width: 1280, height: 720, audioCodec: null });
    const matrix = { ...json, streams: [{ ...json.streams[0], side_data_list: [{ rotation: -90 }] }] };
    expect(parseProbeJson(matrix)).toMatchObject({ width: 1280, height: 720 });
  });

  it("rejects audio-only files and still images", () => {
    expect(() => parseProbeJson({ streams: [json.streams[1]], format: json.format })).toThrow(MediaError);
    const image = {
      streams: [{ codec_type: "video", codec_name: "mjpeg", width: 10, height: 10 }],
      format: { format_name: "image2", duration: "0.040000" },
    };
    expect(() => parseProbeJson(image)).toThrow(/not a video \(image2 input\)/);
  });
});

describe("parseFfmpegInfo", () => {
  const stderr = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/tmp/a.mp4':
  Metadata:
    major_brand     : isom
  Duration: 00:00:10.01, start: 0.000000, bitrate: 240 kb/s
    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 720x1280 [SAR 1:1 DAR 9:16], 166 kb/s, 15 fps, 15 tbr, 15360 tbn, 30 tbc (default)
    Stream #0:1(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)
At least one output file must be specified`;

  it("reads the same fields as ffprobe", () => {
    expect(parseFfmpegInfo(stderr)).toEqual({
      durationMs: 10010,
      width: 720,
      height: 1280,
      videoCodec: "h264",
      audioCodec: "aac",
    });
  });

  it("handles hours and rotation", () => {
    const long = stderr
      .replace("00:00:10.01", "01:02:03.50")
      .replace("Stream #0:1", "    Metadata:\n      rotate          : 270\n    Stream #0:1");
    expect(parseFfmpegInfo(long)).toMatchObject({ durationMs: 3_723_500, width: 1280, height: 720 });
  });

  it("rejects input without video", () => {
    expect(() => parseFfmpegInfo(stderr.replace(/.*Video.*\n/, ""))).toThrow(MediaError);
  });
});

describe("findFont", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "skyriff-fonts-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const touch = (rel: string) => {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "font");
    return file;
  };

  it("prefers the configured file, then candidates, then a scan (CJK first)", () => {
    const configured = touch("mine.otf");
    const candidate = touch("cand/DejaVuSans.ttf");
    const latin = touch("scan/a/Latin.ttf");
    const cjk = touch("scan/z/wqy-zenhei.ttc");
    expect(findFont({ configured, candidates: [candidate], searchDirs: [] })).toBe(configured);
    expect(
      findFont({ configured: path.join(dir, "missing.ttf"), candidates: [candidate], searchDirs: [] }),
    ).toBe(candidate);
    expect(findFont({ configured: null, candidates: [], searchDirs: [path.join(dir, "scan")] })).toBe(cjk);
    rmSync(cjk);
    expect(findFont({ configured: null, candidates: [], searchDirs: [path.join(dir, "scan")] })).toBe(latin);
  });

  it("returns null when the machine has no font", () => {
    expect(
      findFont({ configured: null, candidates: [], searchDirs: [path.join(dir, "nothing")] }),
    ).toBeNull();
  });
});
