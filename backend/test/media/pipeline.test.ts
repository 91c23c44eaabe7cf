import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterValue, simulatedClipArgs } from "../../src/media/args.js";
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
      expect(jpegSize(res.thumbPath)).toEqual({ width: 540, height: 304 });
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
      const broken = path.join(dir, "broken.ttf");
      writeFileSync(broken, "not a font");
      const brokenFont = await processVideo({
        sourcePath: clip,
        workDir: path.join(dir, "task-4"),
        handle: "@小雨",
        fontFile: broken,
      });
      expect(brokenFont.play).toMatchObject({ videoCodec: "h264", audioCodec: "aac" });
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
