import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterValue, markLayout, simulatedClipArgs, thumbnailArgs } from "../../src/media/args.js";
import { findFont, MediaError, mediaTools, probe, runFfmpeg } from "../../src/media/ffmpeg.js";
import { fetchToFile, processVideo } from "../../src/media/pipeline.js";

const RENDER_TIMEOUT = 60_000;

/** Top-level MP4 box types in file order. */
function topLevelBoxes(file: string): string[] {
  const buf = readFileSync(file);
  const types: string[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    let size = buf.readUInt32BE(offset);
    const type = buf.toString("latin1", offset + 4, offset + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(offset + 8));
    else if (size === 0) size = buf.length - offset;
    if (size < 8) throw new Error(`bad box ${type} at ${offset}`);
    types.push(type);
    offset += size;
  }
  return types;
}

/** Width and height from a JPEG's SOF marker. */
function jpegSize(file: string): { width: number; height: number } {
  const buf = readFileSync(file);
  expect(buf[0]).toBe(0xff);
  expect(buf[1]).toBe(0xd8);
  let offset = 2;
  while (offset + 9 < buf.length) {
    if (buf[offset] !== 0xff) throw new Error("bad JPEG marker");
    const marker = buf[offset + 1] ?? 0;
    const length = buf.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: buf.readUInt16BE(offset + 5), width: buf.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  throw new Error("no SOF marker");
}

const QUIET = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"];

/** Space-separated arguments (none of them contains a space). */
const words = (text: string) => text.split(" ");

/** Runs ffmpeg with the quiet prefix. */
function ffmpeg(...args: string[]): Promise<void> {
  return runFfmpeg([...QUIET, ...args]);
}

let scratch = 0;
/** A fresh file name in the test directory. */
function temp(ext: string): string {
  scratch += 1;
  return path.join(dir, `tmp-${scratch}.${ext}`);
}

/** md5 of the first audio stream's packets as stored (no decoding): equal iff the audio was copied. */
async function audioPacketsMd5(file: string): Promise<string> {
  const out = temp("md5");
  await ffmpeg("-i", file, "-map", "0:a:0", "-c", "copy", "-f", "md5", out);
  return readFileSync(out, "utf8").trim();
}

/** One frame as 8-bit gray pixels (a still image, or the video frame at `atSec`), at its own size. */
async function grayFrame(file: string, atSec?: number): Promise<Buffer> {
  const out = temp("gray");
  const seek = atSec === undefined ? [] : ["-ss", atSec.toFixed(3)];
  await ffmpeg(...seek, "-i", file, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", out);
  return readFileSync(out);
}

/** Mean absolute difference of two gray frames of `width` columns inside a rectangle. */
function meanDiff(
  a: Buffer,
  b: Buffer,
  width: number,
  rect: { x0: number; y0: number; x1: number; y1: number },
): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  let n = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++) {
      sum += Math.abs((a[y * width + x] ?? 0) - (b[y * width + x] ?? 0));
      n += 1;
    }
  }
  return sum / n;
}

/** Mean RGB of a picture (scaled to one pixel). */
async function meanColor(file: string): Promise<{ r: number; g: number; b: number }> {
  const out = temp("rgb");
  await ffmpeg("-i", file, ...words("-frames:v 1 -vf scale=1:1:flags=area -f rawvideo -pix_fmt rgb24"), out);
  const [r = 0, g = 0, b = 0] = readFileSync(out);
  return { r, g, b };
}

let dir: string;
let clip: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "skyriff-media-"));
  clip = path.join(dir, "sim.mp4");
  await runFfmpeg(
    simulatedClipArgs({
      output: clip,
      durationSec: 10,
      width: 720,
      height: 1280,
      text: "一只橘猫在月球上跳舞 a cat dancing on the moon: 100% 'real' [test]",
      fontFile: findFont(),
    }),
  );
}, RENDER_TIMEOUT);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("simulated clip + probe", () => {
  it("is a 10 s 720×1280 H.264/AAC MP4", { timeout: RENDER_TIMEOUT }, async () => {
    const info = await probe(clip);
    expect(Number.isInteger(info.durationMs)).toBe(true);
    expect(Math.abs(info.durationMs - 10_000)).toBeLessThanOrEqual(200);
    expect(info).toMatchObject({ width: 720, height: 1280, videoCodec: "h264", audioCodec: "aac" });
  });

  it("probes the same without ffprobe (ffmpeg -i fallback)", { timeout: RENDER_TIMEOUT }, async () => {
    const info = await probe(clip, { tools: { ffmpeg: mediaTools().ffmpeg, ffprobe: null } });
    expect(Math.abs(info.durationMs - 10_000)).toBeLessThanOrEqual(50);
    expect(info).toMatchObject({ width: 720, height: 1280, videoCodec: "h264", audioCodec: "aac" });
  });

  it("falls back to ffmpeg when the ffprobe path cannot be run", { timeout: RENDER_TIMEOUT }, async () => {
    const info = await probe(clip, {
      tools: { ffmpeg: mediaTools().ffmpeg, ffprobe: path.join(dir, "nope") },
    });
    expect(info).toMatchObject({ width: 720, height: 1280 });
  });

  it("rejects a file that is not a video", { timeout: RENDER_TIMEOUT }, async () => {
    const text = path.join(dir, "note.txt");
    writeFileSync(text, "hello, not a video");
    await expect(probe(text)).rejects.toMatchObject({ name: "MediaError", kind: "not_video" });
    await expect(
      probe(text, { tools: { ffmpeg: mediaTools().ffmpeg, ffprobe: null } }),
    ).rejects.toMatchObject({ kind: "not_video" });
  });
});

describe("processVideo", () => {
  it(
    "renders a watermarked H.264/AAC faststart play copy and a JPEG thumbnail",
    async () => {
      const workDir = path.join(dir, "task-1");
      const res = await processVideo({ sourcePath: clip, workDir, handle: "@小雨" });
      expect(res.playPath).toBe(path.join(workDir, "play.mp4"));
      expect(res.thumbPath).toBe(path.join(workDir, "thumb.jpg"));
      expect(res.probe).toMatchObject({ width: 720, height: 1280 });

      const play = await probe(res.playPath);
      expect(play).toEqual(res.play);
      expect(play).toMatchObject({ videoCodec: "h264", audioCodec: "aac", width: 720, height: 1280 });
      expect(Math.abs(play.durationMs - res.probe.durationMs)).toBeLessThanOrEqual(200);

      const boxes = topLevelBoxes(res.playPath);
      expect(boxes).toContain("moov");
      expect(boxes).toContain("mdat");
      expect(boxes.indexOf("moov")).toBeLessThan(boxes.indexOf("mdat"));

      expect(jpegSize(res.thumbPath)).toEqual({ width: 540, height: 960 });
      expect(readFileSync(res.playPath).equals(readFileSync(clip))).toBe(false);
      expect(res.timings.renderMs).toBeGreaterThan(0);
      expect(res.timings.thumbnailMs).toBe(0); // the thumbnail came from the render itself

      // The mark is burned into the bottom-right corner; the rest of the frame is the source's.
      const [source, played] = [await grayFrame(clip, 2), await grayFrame(res.playPath, 2)];
      const l = markLayout(720, 1280);
      const markArea = {
        x0: 720 - l.margin - 5 * l.markSize,
        x1: 720 - l.margin,
        y0: l.markY,
        y1: l.handleY + l.handleSize,
      };
      const elsewhere = { x0: 0, x1: 360, y0: 200, y1: 1000 };
      const marked = meanDiff(source, played, 720, markArea);
      const untouched = meanDiff(source, played, 720, elsewhere);
      expect(untouched).toBeLessThan(3);
      expect(marked).toBeGreaterThan(8);
      expect(marked).toBeGreaterThan(4 * untouched);
    },
    RENDER_TIMEOUT,
  );

  it(
    "keeps AAC source audio bit-exact (stream copy)",
    async () => {
      const res = await processVideo({ sourcePath: clip, workDir: path.join(dir, "task-aac"), handle: "x" });
      expect(res.probe.audioCodec).toBe("aac");
      expect(res.play.audioCodec).toBe("aac");
      expect(await audioPacketsMd5(res.playPath)).toBe(await audioPacketsMd5(clip));
      expect(await probe(res.playPath)).toEqual(res.play);
    },
    RENDER_TIMEOUT,
  );

  it(
    "re-encodes AAC that cannot be copied, keeping the text watermark",
    async () => {
      // An ffmpeg that refuses to copy audio and logs the runs it is given.
      const log = path.join(dir, "runs.log");
      const fake = path.join(dir, "no-copy-ffmpeg.sh");
      writeFileSync(
        fake,
        `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nfor a in "$@"; do [ "$a" = copy ] && { echo 'copy refused' >&2; exit 1; }; done\nexec '${mediaTools().ffmpeg}' "$@"\n`,
        { mode: 0o755 },
      );
      const res = await processVideo({
        sourcePath: clip,
        workDir: path.join(dir, "task-nocopy"),
        handle: "x",
        tools: { ...mediaTools(), ffmpeg: fake },
      });
      expect(res.play).toMatchObject({ videoCodec: "h264", audioCodec: "aac" });
      expect(await audioPacketsMd5(res.playPath)).not.toBe(await audioPacketsMd5(clip));
      const runs = readFileSync(log, "utf8").trim().split("\n");
      expect(runs).toHaveLength(2);
      expect(runs[0]).toContain("-c:a copy");
      expect(runs[1]).toContain("-c:a aac");
      expect(runs[1]).toContain(findFont() ? "drawtext" : "drawbox");
    },
    RENDER_TIMEOUT,
  );

  it(
    "re-encodes non-AAC audio (MP3 in MP4, Opus in Matroska) to AAC",
    async () => {
      for (const [encoder, codec, file] of [
        ["libmp3lame", "mp3", "mp3.mp4"],
        ["libopus", "opus", "opus.mkv"],
      ] as const) {
        const source = path.join(dir, file);
        await ffmpeg(
          ...words("-f lavfi -i testsrc=size=320x240:rate=25:duration=2"),
          ...words("-f lavfi -i sine=frequency=300:sample_rate=48000:duration=2"),
          ...words(`-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a ${encoder} -shortest`),
          source,
        );
        expect((await probe(source)).audioCodec).toBe(codec);
        const res = await processVideo({
          sourcePath: source,
          workDir: path.join(dir, `task-${file}`),
          handle: "x",
        });
        expect(res.play).toMatchObject({ videoCodec: "h264", audioCodec: "aac", width: 320, height: 240 });
        expect(await probe(res.playPath)).toEqual(res.play);
        expect(Math.abs(res.play.durationMs - 2000)).toBeLessThanOrEqual(150);
        expect(jpegSize(res.thumbPath)).toEqual({ width: 320, height: 240 });
      }
    },
    RENDER_TIMEOUT,
  );

  it(
    "takes the thumbnail from the clean source frame at 1 s, not from the watermarked copy",
    async () => {
      const res = await processVideo({
        sourcePath: clip,
        workDir: path.join(dir, "task-thumb"),
        handle: "@小雨",
      });
      const reference = temp("jpg");
      await runFfmpeg(thumbnailArgs({ input: clip, output: reference, atSec: 1, width: 540 }));
      const [thumb, atOne] = [await grayFrame(res.thumbPath), await grayFrame(reference)];
      const l = markLayout(540, 960);
      const corner = {
        x0: 540 - l.margin - 5 * l.markSize,
        x1: 540 - l.margin,
        y0: l.markY,
        y1: l.handleY + l.handleSize,
      };
      expect(meanDiff(thumb, atOne, 540, { x0: 0, x1: 540, y0: 0, y1: 960 })).toBeLessThan(1.5);
      expect(meanDiff(thumb, atOne, 540, corner)).toBeLessThan(2);
      // The same corner of the play copy's frame at 1 s does carry the mark.
      const playFrame = temp("jpg");
      await runFfmpeg(thumbnailArgs({ input: res.playPath, output: playFrame, atSec: 1, width: 540 }));
      expect(meanDiff(await grayFrame(playFrame), atOne, 540, corner)).toBeGreaterThan(8);
    },
    RENDER_TIMEOUT,
  );

  it(
    "takes the thumbnail a little into the clip: at 1 s, or mid-clip when the clip is shorter than 1 s",
    async () => {
      // Red first (the "black first frame"), then green: the thumbnail must be green.
      for (const [redSec, greenSec] of [
        [0.6, 2.4],
        [0.2, 0.4],
      ] as const) {
        const source = temp("mp4");
        await ffmpeg(
          ...words(`-f lavfi -i color=c=red:s=480x270:r=25:d=${redSec}`),
          ...words(`-f lavfi -i color=c=green:s=480x270:r=25:d=${greenSec}`),
          ...words(`-f lavfi -i sine=frequency=300:sample_rate=44100:duration=${redSec + greenSec}`),
          ...words("-filter_complex [0:v][1:v]concat=n=2:v=1:a=0[v] -map [v] -map 2:a"),
          ...words("-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest"),
          source,
        );
        const res = await processVideo({
          sourcePath: source,
          workDir: path.join(dir, `task-${redSec}`),
          handle: "x",
        });
        if (redSec < 0.5) expect(res.probe.durationMs).toBeLessThan(1000);
        expect(jpegSize(res.thumbPath)).toEqual({ width: 480, height: 270 });
        const color = await meanColor(res.thumbPath);
        expect(color.g).toBeGreaterThan(color.r + 40);
        expect(res.timings.thumbnailMs).toBe(0);
        expect(await probe(res.playPath)).toEqual(res.play);
      }
    },
    RENDER_TIMEOUT,
  );

  it(
    "still writes a thumbnail when the video stream ends long before the audio",
    async () => {
      // 0.4 s of video, 3 s of audio: no frame at the 1 s the container duration suggests.
      const early = path.join(dir, "early-end.mp4");
      await ffmpeg(
        ...words("-f lavfi -i testsrc=size=320x240:rate=25:duration=0.4"),
        ...words("-f lavfi -i sine=frequency=300:sample_rate=44100:duration=3"),
        ...words("-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac"),
        early,
      );
      expect((await probe(early)).durationMs).toBeGreaterThan(2500);
      const res = await processVideo({
        sourcePath: early,
        workDir: path.join(dir, "task-early"),
        handle: "x",
      });
      expect(jpegSize(res.thumbPath)).toEqual({ width: 320, height: 240 });
      expect(res.timings.thumbnailMs).toBeGreaterThan(0); // the separate first-frame run
      expect(await probe(res.playPath)).toEqual(res.play);
    },
    RENDER_TIMEOUT,
  );

  it(
    "reports the display size of a rotated source, as a probe of the copy does",
    async () => {
      const coded = temp("mp4");
      await ffmpeg(
        ...words("-f lavfi -i testsrc=size=640x360:rate=25:duration=1"),
        ...words("-c:v libx264 -preset ultrafast -pix_fmt yuv420p"),
        coded,
      );
      const rotated = path.join(dir, "rotated.mp4");
      await ffmpeg("-i", coded, ...words("-c copy -metadata:s:v:0 rotate=90"), rotated);
      expect(await probe(rotated)).toMatchObject({ width: 360, height: 640 });
      const res = await processVideo({
        sourcePath: rotated,
        workDir: path.join(dir, "task-rot"),
        handle: "x",
      });
      expect(res.play).toMatchObject({ width: 360, height: 640, videoCodec: "h264", audioCodec: "aac" });
      expect(await probe(res.playPath)).toEqual(res.play);
      expect(jpegSize(res.thumbPath)).toEqual({ width: 360, height: 640 });
    },
    RENDER_TIMEOUT,
  );

  it(
    "adds a silent AAC track to a video without audio",
    async () => {
      const silent = path.join(dir, "silent.mp4");
      await runFfmpeg([
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=640x360:rate=25:duration=4",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        silent,
      ]);
      expect((await probe(silent)).audioCodec).toBeNull();
      const res = await processVideo({
        sourcePath: silent,
        workDir: path.join(dir, "task-2"),
        handle: "creator",
      });
      expect(res.play).toMatchObject({ videoCodec: "h264", audioCodec: "aac", width: 640, height: 360 });
      expect(Math.abs(res.play.durationMs - 4000)).toBeLessThanOrEqual(200);
      expect(await probe(res.playPath)).toEqual(res.play);
      expect(jpegSize(res.thumbPath)).toEqual({ width: 540, height: 304 });
    },
    RENDER_TIMEOUT,
  );

  it(
    "works without ffprobe (ffmpeg -i parsing for both probes)",
    async () => {
      const tools = { ffmpeg: mediaTools().ffmpeg, ffprobe: null };
      const source = temp("mp4");
      await ffmpeg(
        ...words("-f lavfi -i testsrc=size=320x240:rate=25:duration=2"),
        ...words("-f lavfi -i sine=frequency=300:sample_rate=44100:duration=2"),
        ...words("-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest"),
        source,
      );
      const res = await processVideo({
        sourcePath: source,
        workDir: path.join(dir, "task-noprobe"),
        handle: "x",
        tools,
      });
      expect(res.probe.audioCodec).toBe("aac");
      expect(await probe(res.playPath, { tools })).toEqual(res.play);
      expect(await audioPacketsMd5(res.playPath)).toBe(await audioPacketsMd5(source));
      expect(jpegSize(res.thumbPath)).toEqual({ width: 320, height: 240 });
    },
    RENDER_TIMEOUT,
  );

  it(
    "still succeeds without a font, and with a broken font file",
    async () => {
      const noFont = await processVideo({
        sourcePath: clip,
        workDir: path.join(dir, "task-3"),
        handle: "@小雨",
        fontFile: null,
      });
      expect(noFont.play).toMatchObject({ videoCodec: "h264", audioCodec: "aac" });
      expect(jpegSize(noFont.thumbPath)).toEqual({ width: 540, height: 960 });
      const broken = path.join(dir, "broken.ttf");
      writeFileSync(broken, "not a font");
      const brokenFont = await processVideo({
        sourcePath: clip,
        workDir: path.join(dir, "task-4"),
        handle: "@小雨",
        fontFile: broken,
      });
      expect(brokenFont.play).toMatchObject({ videoCodec: "h264", audioCodec: "aac" });
      expect(await probe(brokenFont.playPath)).toEqual(brokenFont.play);
      expect(jpegSize(brokenFont.thumbPath)).toEqual({ width: 540, height: 960 });
    },
    RENDER_TIMEOUT,
  );

  it("rejects a file that is not a video and a still image, leaving no outputs", {
    timeout: RENDER_TIMEOUT,
  }, async () => {
    const text = path.join(dir, "fake.mp4");
    writeFileSync(text, "definitely not a video");
    const workDir = path.join(dir, "task-5");
    await expect(processVideo({ sourcePath: text, workDir, handle: "x" })).rejects.toMatchObject({
      kind: "not_video",
    });
    const still = path.join(dir, "task-1", "thumb.jpg");
    await expect(processVideo({ sourcePath: still, workDir, handle: "x" })).rejects.toBeInstanceOf(
      MediaError,
    );
    const left = await readdir(workDir).catch(() => []);
    expect(left).toEqual([]);
  });
});

describe("drawtext escaping", () => {
  const font = findFont();
  it.skipIf(!font)(
    "draws an escaped inline text exactly like the same text read from a file",
    async () => {
      const text = "@a:b'c,d;[e]\\f%{pts}=g 小雨";
      const textFile = path.join(dir, "text.txt");
      writeFileSync(textFile, text);
      const render = async (option: string, out: string) => {
        await runFfmpeg([
          "-hide_banner",
          "-nostdin",
          "-y",
          "-loglevel",
          "error",
          "-f",
          "lavfi",
          "-i",
          "color=c=black:s=480x60:d=1",
          "-filter_complex",
          `[0:v]drawtext=fontfile=${filterValue(font ?? "")}:${option}:expansion=none:fontsize=24:fontcolor=white:x=4:y=12[v]`,
          "-map",
          "[v]",
          "-frames:v",
          "1",
          "-f",
          "rawvideo",
          "-pix_fmt",
          "gray",
          out,
        ]);
        return readFileSync(out);
      };
      const inline = await render(`text=${filterValue(text)}`, path.join(dir, "inline.raw"));
      const fromFile = await render(`textfile=${filterValue(textFile)}`, path.join(dir, "file.raw"));
      expect(inline.length).toBe(480 * 60);
      expect(inline.some((b) => b > 128)).toBe(true);
      expect(inline.equals(fromFile)).toBe(true);
    },
    RENDER_TIMEOUT,
  );
});

describe("fetchToFile", () => {
  let server: Server;
  let base: string;
  const body = Buffer.alloc(64 * 1024, 7);

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/video.mp4") {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": String(body.length) });
        res.end(body);
      } else if (req.url === "/chunked.mp4") {
        // No content-length: the cap must be enforced while streaming.
        res.writeHead(200, { "content-type": "video/mp4" });
        let sent = 0;
        const push = () => {
          if (sent >= 8) return res.end();
          sent += 1;
          res.write(body, push);
        };
        push();
      } else if (req.url === "/busy") {
        res.writeHead(503).end();
      } else if (req.url === "/slow") {
        res.writeHead(200, { "content-type": "video/mp4" });
        res.write(body.subarray(0, 10));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("streams an http download to the file", async () => {
    const file = path.join(dir, "dl", "ok.mp4");
    const res = await fetchToFile(`${base}/video.mp4`, file, { maxBytes: 1024 * 1024 });
    expect(res).toEqual({ bytes: body.length, contentType: "video/mp4" });
    expect(readFileSync(file).equals(body)).toBe(true);
  });

  it("refuses a download over the size cap (declared or streamed) and leaves nothing behind", async () => {
    const target = path.join(dir, "dl-cap");
    await expect(
      fetchToFile(`${base}/video.mp4`, path.join(target, "a.mp4"), { maxBytes: 1000 }),
    ).rejects.toMatchObject({ kind: "too_large", retryable: false });
    await expect(
      fetchToFile(`${base}/chunked.mp4`, path.join(target, "b.mp4"), { maxBytes: 3 * body.length }),
    ).rejects.toMatchObject({ kind: "too_large" });
    expect(await readdir(target)).toEqual([]);
  });

  it("classifies HTTP errors and timeouts", async () => {
    const file = path.join(dir, "dl", "err.mp4");
    await expect(fetchToFile(`${base}/gone`, file)).rejects.toMatchObject({
      kind: "download_failed",
      retryable: false,
    });
    await expect(fetchToFile(`${base}/busy`, file)).rejects.toMatchObject({
      kind: "download_failed",
      retryable: true,
    });
    await expect(fetchToFile(`${base}/slow`, file, { timeoutMs: 300 })).rejects.toMatchObject({
      kind: "download_failed",
      retryable: true,
    });
    await expect(fetchToFile("ftp://example.com/x.mp4", file)).rejects.toMatchObject({
      kind: "download_failed",
    });
    await expect(fetchToFile("not a url", file)).rejects.toMatchObject({ kind: "download_failed" });
  });

  it("copies file:// URLs, with the same cap", async () => {
    const file = path.join(dir, "dl", "copy.mp4");
    const res = await fetchToFile(pathToFileURL(clip).href, file);
    expect(res.bytes).toBe(statSync(clip).size);
    expect(readFileSync(file).equals(readFileSync(clip))).toBe(true);
    await expect(fetchToFile(pathToFileURL(clip).href, file, { maxBytes: 10 })).rejects.toMatchObject({
      kind: "too_large",
    });
    await expect(fetchToFile(pathToFileURL(clip).href, file, { allowFileUrls: false })).rejects.toMatchObject(
      {
        kind: "download_failed",
        retryable: false,
      },
    );
    await expect(fetchToFile(pathToFileURL(path.join(dir, "missing.mp4")).href, file)).rejects.toMatchObject({
      kind: "download_failed",
      retryable: false,
    });
  });
});
