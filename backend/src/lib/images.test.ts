import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { inspectImage, stripMetadata } from "./images.js";

const FFMPEG = path.resolve(import.meta.dirname, "../../../node_modules/@ffmpeg-installer/linux-x64/ffmpeg");
const tmp = mkdtempSync(path.join(tmpdir(), "skyriff-images-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GPS = "GPS 31.2304N 121.4737E Shanghai";
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const ascii = (s: string) => Buffer.from(s, "latin1");

/** A marker segment: FF <marker> <length incl. itself> <payload>. */
const segment = (marker: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([0xff, marker]), u16(payload.length + 2), payload]);

/** ffmpeg decodes every frame of the file without a single error line. */
function decodes(bytes: Buffer, ext: string): { ok: boolean; stderr: string } {
  const file = path.join(tmp, `decode-${Math.random().toString(36).slice(2)}.${ext}`);
  writeFileSync(file, bytes);
  const run = spawnSync(FFMPEG, ["-hide_banner", "-v", "error", "-i", file, "-f", "null", "-"], {
    encoding: "utf8",
  });
  return { ok: run.status === 0 && run.stderr.trim() === "", stderr: run.stderr };
}

// ---- a 16×8 grayscale baseline JPEG, built by hand -------------------------------------------
// One component, quantisation all ones, Huffman tables with a single 1-bit code each: DC category 0
// and AC end-of-block. Each of the two 8×8 blocks is then "0"+"0"; four bits plus 1-padding = 0x0F.
const JFIF = segment(0xe0, Buffer.concat([ascii("JFIF\0"), Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0])]));
const ICC = segment(
  0xe2,
  Buffer.concat([ascii("ICC_PROFILE\0"), Buffer.from([1, 1]), ascii("fake-icc-data")]),
);
const ADOBE = segment(0xee, Buffer.concat([ascii("Adobe"), Buffer.from([0, 100, 0, 0, 0, 0, 0])]));
const EXIF = segment(
  0xe1,
  Buffer.concat([
    ascii("Exif\0\0"),
    ascii("MM\0*"),
    Buffer.from([0, 0, 0, 8, 0, 0, 0, 0, 0, 0]), // IFD0 at 8 with no entries, no next IFD
    ascii(GPS),
  ]),
);
const XMP = segment(
  0xe1,
  Buffer.concat([ascii("http://ns.adobe.com/xap/1.0/\0"), ascii(`<x:xmpmeta>${GPS}</x:xmpmeta>`)]),
);
const IPTC = segment(0xed, Buffer.concat([ascii("Photoshop 3.0\0"), ascii(`8BIM IPTC-CITY ${GPS}`)]));
const COMMENT = segment(0xfe, ascii("camera owner: Zhang San"));
const DQT = segment(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]));
const sof = (marker: number, width: number, height: number) =>
  segment(marker, Buffer.concat([Buffer.from([8]), u16(height), u16(width), Buffer.from([1, 1, 0x11, 0])]));
const dht = (tableClass: number) =>
  segment(
    0xc4,
    Buffer.concat([Buffer.from([tableClass << 4]), Buffer.from([1, ...Array(15).fill(0)]), Buffer.from([0])]),
  );
const SOS = segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
const SCAN = Buffer.from([0x0f]);

function jpeg(extra: Buffer[], trailer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    JFIF,
    ...extra,
    DQT,
    sof(0xc0, 16, 8),
    dht(0),
    dht(1),
    SOS,
    SCAN,
    Buffer.from([0xff, 0xd9]),
    trailer,
  ]);
}

// ---- a 3×2 RGB PNG ----------------------------------------------------------------------------
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([ascii(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IHDR = (() => {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(3, 0);
  d.writeUInt32BE(2, 4);
  d[8] = 8; // bit depth
  d[9] = 2; // RGB
  return chunk("IHDR", d);
})();
const IDAT = chunk(
  "IDAT",
  deflateSync(
    Buffer.concat([
      Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 255]),
      Buffer.from([0, 255, 255, 255, 0, 0, 0, 128, 128, 128]),
    ]),
  ),
);
const IEND = chunk("IEND", Buffer.alloc(0));
const tIME = chunk("tIME", Buffer.from([0x07, 0xe9, 5, 17, 8, 30, 0]));

function png(extra: Buffer[], trailer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([PNG_SIG, IHDR, ...extra, IDAT, IEND, trailer]);
}

// ---- WebP -------------------------------------------------------------------------------------
// 1×1 lossless (VP8L) and lossy (VP8) images, as used by the well-known WebP feature tests.
const VP8L_1X1 = Buffer.from("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==", "base64");
const VP8_1X1 = Buffer.from("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA", "base64");

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(data.length);
  return Buffer.concat([ascii(fourcc), size, data, data.length % 2 ? Buffer.from([0]) : Buffer.alloc(0)]);
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat(chunks);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length + 4);
  return Buffer.concat([ascii("RIFF"), size, ascii("WEBP"), body]);
}

function vp8x(flags: number, width: number, height: number): Buffer {
  const d = Buffer.alloc(10);
  d[0] = flags;
  d.writeUIntLE(width - 1, 4, 3);
  d.writeUIntLE(height - 1, 7, 3);
  return riffChunk("VP8X", d);
}

/** The VP8L chunk (header + payload) of the 1×1 lossless image. */
const VP8L_CHUNK = VP8L_1X1.subarray(12);
const ALPHA = 0x10;
const EXIF_FLAG = 0x08;
const XMP_FLAG = 0x04;

function extendedWebp(): Buffer {
  return riff([
    vp8x(ALPHA | EXIF_FLAG | XMP_FLAG, 1, 1),
    VP8L_CHUNK,
    riffChunk(
      "EXIF",
      Buffer.concat([ascii("MM\0*"), Buffer.from([0, 0, 0, 8, 0, 0, 0, 0, 0, 0]), ascii(GPS)]),
    ),
    riffChunk("XMP ", ascii(`<x:xmpmeta>${GPS}</x:xmpmeta>`)),
  ]);
}

const has = (buf: Buffer, text: string) => buf.includes(ascii(text));

describe("inspectImage", () => {
  it("reads JPEG dimensions from SOF0, SOF1 and SOF2", () => {
    expect(inspectImage(jpeg([EXIF]))).toEqual({ mime: "image/jpeg", width: 16, height: 8 });
    for (const marker of [0xc1, 0xc2]) {
      const progressive = Buffer.concat([
        Buffer.from([0xff, 0xd8]),
        JFIF,
        DQT,
        sof(marker, 640, 360),
        dht(0),
      ]);
      expect(inspectImage(progressive)).toEqual({ mime: "image/jpeg", width: 640, height: 360 });
    }
  });

  it("reads PNG dimensions from IHDR", () => {
    expect(inspectImage(png([]))).toEqual({ mime: "image/png", width: 3, height: 2 });
  });

  it("reads WebP dimensions from VP8, VP8L and VP8X", () => {
    expect(inspectImage(VP8_1X1)).toEqual({ mime: "image/webp", width: 1, height: 1 });
    expect(inspectImage(VP8L_1X1)).toEqual({ mime: "image/webp", width: 1, height: 1 });
    expect(inspectImage(riff([vp8x(0, 1920, 1080), VP8L_CHUNK]))).toEqual({
      mime: "image/webp",
      width: 1920,
      height: 1080,
    });
  });

  it("refuses anything that is not a well-formed JPEG, PNG or WebP header", () => {
    const exe = Buffer.concat([
      ascii("MZ"),
      Buffer.alloc(58),
      ascii("This program cannot be run in DOS mode"),
    ]);
    const gif = Buffer.concat([ascii("GIF89a"), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.alloc(20)]);
    const cases: [string, Buffer][] = [
      ["empty", Buffer.alloc(0)],
      ["renamed exe", exe],
      ["gif", gif],
      ["text", ascii("<svg xmlns='http://www.w3.org/2000/svg'></svg>")],
      ["jpeg cut inside SOF", jpeg([]).subarray(0, 2 + JFIF.length + DQT.length + 6)],
      ["jpeg without a frame header", Buffer.concat([Buffer.from([0xff, 0xd8]), JFIF, DQT, SOS, SCAN])],
      ["jpeg with zero height", Buffer.concat([Buffer.from([0xff, 0xd8]), sof(0xc0, 16, 0), dht(0)])],
      [
        "jpeg with a lying segment length",
        Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xf0]), JFIF]),
      ],
      ["lossless/arithmetic jpeg", Buffer.concat([Buffer.from([0xff, 0xd8]), sof(0xc9, 16, 8), dht(0)])],
      ["png signature only", Buffer.concat([PNG_SIG, Buffer.alloc(8)])],
      ["png cut inside IHDR", png([]).subarray(0, 24)],
      [
        "png with a corrupt IHDR crc",
        (() => {
          const b = png([]);
          b[17] = 9; // width changed without fixing the CRC
          return b;
        })(),
      ],
      ["webp with a truncated RIFF", VP8L_1X1.subarray(0, 24)],
      ["webp with an unknown first chunk", riff([riffChunk("ABCD", Buffer.alloc(10))])],
      ["webp VP8 without start code", riff([riffChunk("VP8 ", Buffer.alloc(12))])],
    ];
    for (const [name, buf] of cases) expect(inspectImage(buf), name).toBeNull();
  });
});

describe("stripMetadata", () => {
  it("JPEG: drops Exif/XMP (APP1), IPTC (APP13), comments and trailers; keeps JFIF, ICC, Adobe and the image", () => {
    const original = jpeg([EXIF, XMP, ICC, IPTC, ADOBE, COMMENT], ascii(`TRAILER ${GPS}`));
    const before = Buffer.from(original);
    expect(has(original, GPS)).toBe(true);
    expect(decodes(original, "jpg")).toMatchObject({ ok: true });

    const clean = stripMetadata(original, "image/jpeg");
    expect(original.equals(before)).toBe(true); // input untouched
    expect(has(clean, GPS)).toBe(false);
    expect(has(clean, "Exif")).toBe(false);
    expect(has(clean, "xmpmeta")).toBe(false);
    expect(has(clean, "Photoshop")).toBe(false);
    expect(has(clean, "Zhang San")).toBe(false);
    expect(has(clean, "TRAILER")).toBe(false);
    expect(clean.includes(Buffer.from([0xff, 0xe1]))).toBe(false);
    expect(clean.includes(Buffer.from([0xff, 0xfe]))).toBe(false);
    expect(clean.includes(JFIF)).toBe(true);
    expect(clean.includes(ICC)).toBe(true);
    expect(clean.includes(ADOBE)).toBe(true);
    // Exactly the metadata-free file one would have built by hand.
    expect(clean.equals(jpeg([ICC, ADOBE]))).toBe(true);
    expect(inspectImage(clean)).toEqual({ mime: "image/jpeg", width: 16, height: 8 });
    expect(decodes(clean, "jpg")).toEqual({ ok: true, stderr: "" });
  });

  it("JPEG: drops metadata segments found between progressive scans", () => {
    const scans = Buffer.concat([SOS, Buffer.from([0x12, 0xff, 0x00, 0x34]), COMMENT, dht(1), SOS, SCAN]);
    const original = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      DQT,
      sof(0xc2, 16, 8),
      dht(0),
      scans,
      Buffer.from([0xff, 0xd9]),
    ]);
    const clean = stripMetadata(original, "image/jpeg");
    expect(has(clean, "Zhang San")).toBe(false);
    expect(clean.includes(Buffer.from([0x12, 0xff, 0x00, 0x34]))).toBe(true); // stuffed entropy bytes kept
    expect(clean.subarray(-2).equals(Buffer.from([0xff, 0xd9]))).toBe(true);
  });

  it("PNG: drops eXIf, tEXt, zTXt, iTXt and tIME chunks and keeps the image", () => {
    const text = chunk("tEXt", ascii(`Comment\0${GPS}`));
    const ztxt = chunk("zTXt", Buffer.concat([ascii("Author\0\0"), deflateSync(ascii("Zhang San"))]));
    const itxt = chunk("iTXt", ascii(`XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>${GPS}</x:xmpmeta>`));
    const exif = chunk(
      "eXIf",
      Buffer.concat([ascii("MM\0*"), Buffer.from([0, 0, 0, 8, 0, 0, 0, 0, 0, 0]), ascii(GPS)]),
    );
    const original = png([text, ztxt, itxt, exif, tIME]);
    expect(has(original, GPS)).toBe(true);
    expect(decodes(original, "png")).toMatchObject({ ok: true });

    const clean = stripMetadata(original, "image/png");
    expect(has(clean, GPS)).toBe(false);
    for (const type of ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]) expect(has(clean, type), type).toBe(false);
    expect(clean.equals(png([]))).toBe(true);
    expect(inspectImage(clean)).toEqual({ mime: "image/png", width: 3, height: 2 });
    expect(decodes(clean, "png")).toEqual({ ok: true, stderr: "" });
  });

  it("PNG: drops bytes after IEND", () => {
    const clean = stripMetadata(png([], ascii(GPS)), "image/png");
    expect(has(clean, GPS)).toBe(false);
    expect(clean.equals(png([]))).toBe(true);
  });

  it("WebP: drops EXIF and XMP chunks, clears their VP8X flags and fixes the RIFF size", () => {
    const original = extendedWebp();
    expect(has(original, GPS)).toBe(true);
    expect(inspectImage(original)).toEqual({ mime: "image/webp", width: 1, height: 1 });

    const clean = stripMetadata(original, "image/webp");
    expect(has(clean, GPS)).toBe(false);
    expect(has(clean, "EXIF")).toBe(false);
    expect(has(clean, "XMP ")).toBe(false);
    expect(clean.readUInt32LE(4)).toBe(clean.length - 8);
    expect(clean.toString("latin1", 12, 16)).toBe("VP8X");
    expect(clean[20]).toBe(ALPHA); // EXIF and XMP bits cleared, the alpha bit kept
    expect(clean.equals(riff([vp8x(ALPHA, 1, 1), VP8L_CHUNK]))).toBe(true);
    expect(inspectImage(clean)).toEqual({ mime: "image/webp", width: 1, height: 1 });
    expect(decodes(clean, "webp")).toEqual({ ok: true, stderr: "" });
  });

  it("leaves metadata-free images byte for byte as they were", () => {
    expect(stripMetadata(jpeg([]), "image/jpeg").equals(jpeg([]))).toBe(true);
    expect(stripMetadata(png([]), "image/png").equals(png([]))).toBe(true);
    expect(stripMetadata(VP8L_1X1, "image/webp").equals(VP8L_1X1)).toBe(true);
    expect(stripMetadata(VP8_1X1, "image/webp").equals(VP8_1X1)).toBe(true);
  });

  it("the ffmpeg used to check decoding is present", () => {
    expect(existsSync(FFMPEG)).toBe(true);
    expect(decodes(ascii("not an image at all"), "jpg").ok).toBe(false);
  });
});
