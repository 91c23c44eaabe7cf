/**
 * Image sniffing and metadata stripping for uploads (SPEC §3: jpeg/png/webp by content, EXIF stripped).
 * Pure byte parsing, no dependencies: the declared name and type of an upload are never trusted.
 *
 * - `inspectImage` reads the container headers (JPEG SOF0/1/2, PNG IHDR, WebP VP8/VP8L/VP8X) and returns
 *   the type and pixel size, or null for anything else (other formats, truncated or corrupt headers).
 * - `stripMetadata` removes what can identify a person or place (EXIF incl. GPS, XMP, IPTC, comments,
 *   embedded thumbnails, text chunks, timestamps) and keeps everything needed to render the image
 *   identically (JFIF, ICC colour profile, Adobe colour transform, all image data).
 */

export type ImageMime = "image/jpeg" | "image/png" | "image/webp";

export interface ImageInfo {
  mime: ImageMime;
  width: number;
  height: number;
}

export function inspectImage(buf: Buffer): ImageInfo | null {
  if (!Buffer.isBuffer(buf) || buf.length < 12) return null;
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return inspectJpeg(buf);
  if (buf.subarray(0, 8).equals(PNG_SIGNATURE)) return inspectPng(buf);
  if (isRiffWebp(buf)) return inspectWebp(buf);
  return null;
}

/** Returns a new buffer without metadata. Input that is not a well-formed `mime` image is returned as it is. */
export function stripMetadata(buf: Buffer, mime: ImageMime): Buffer {
  switch (mime) {
    case "image/jpeg":
      return buf[0] === 0xff && buf[1] === 0xd8 ? stripJpeg(buf) : buf;
    case "image/png":
      return buf.subarray(0, 8).equals(PNG_SIGNATURE) ? stripPng(buf) : buf;
    case "image/webp":
      return isRiffWebp(buf) ? stripWebp(buf) : buf;
    default:
      return buf;
  }
}

// ---------------------------------------------------------------- JPEG

const SOS = 0xda;
const EOI = 0xd9;

/** Markers with no length field: TEM, RST0–7 (SOI/EOI are handled by the walkers). */
const isStandalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd7);

/** Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function inspectJpeg(buf: Buffer): ImageInfo | null {
  let pos = 2;
  while (pos + 4 <= buf.length) {
    if (buf[pos] !== 0xff) return null;
    const marker = buf[pos + 1]!;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (isStandalone(marker)) {
      pos += 2;
      continue;
    }
    if (marker === SOS || marker === EOI || marker === 0xd8 || marker === 0x00) return null; // no frame header
    const len = buf.readUInt16BE(pos + 2);
    if (len < 2 || pos + 2 + len > buf.length) return null;
    if (isSof(marker)) {
      // Baseline, extended sequential and progressive Huffman only: what browsers and ffmpeg decode.
      if (marker > 0xc2 || len < 8) return null;
      const precision = buf[pos + 4]!;
      const height = buf.readUInt16BE(pos + 5);
      const width = buf.readUInt16BE(pos + 7);
      const components = buf[pos + 9]!;
      if (precision !== 8 && precision !== 12) return null;
      if (components < 1 || components > 4 || len < 8 + 3 * components) return null;
      if (width === 0 || height === 0) return null;
      return { mime: "image/jpeg", width, height };
    }
    pos += 2 + len;
  }
  return null;
}

const ICC_PROFILE_ID = Buffer.from("ICC_PROFILE\0", "latin1");
const JFIF_ID = Buffer.from("JFIF\0", "latin1");

/** Keeps APP0/JFIF, APP2/ICC_PROFILE and APP14/Adobe; drops every other APPn (Exif, XMP, IPTC/APP13,
 * JFXX and MPF thumbnails, maker data…) and COM. Other segments are image data and are kept. */
function keepJpegSegment(marker: number, segment: Buffer): boolean {
  const data = segment.subarray(4);
  if (marker === 0xfe) return false;
  if (marker < 0xe0 || marker > 0xef) return true;
  if (marker === 0xe0) return data.subarray(0, JFIF_ID.length).equals(JFIF_ID);
  if (marker === 0xe2) return data.subarray(0, ICC_PROFILE_ID.length).equals(ICC_PROFILE_ID);
  return marker === 0xee;
}

/** Index of the next marker after entropy-coded data starting at `from` (skipping stuffed FF00 and RSTn). */
function nextMarkerAfterScan(buf: Buffer, from: number): number {
  let i = buf.indexOf(0xff, from);
  while (i >= 0 && i + 1 < buf.length) {
    const next = buf[i + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
      i = buf.indexOf(0xff, i + 1);
      continue;
    }
    return i;
  }
  return -1;
}

function stripJpeg(buf: Buffer): Buffer {
  const out: Buffer[] = [buf.subarray(0, 2)];
  let pos = 2;
  while (pos < buf.length) {
    if (buf[pos] !== 0xff || pos + 1 >= buf.length) {
      out.push(buf.subarray(pos)); // not a marker where one must be: keep the rest untouched
      break;
    }
    const marker = buf[pos + 1]!;
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if (marker === EOI) {
      out.push(buf.subarray(pos, pos + 2)); // anything after EOI (trailers, MPF images) is dropped
      break;
    }
    if (isStandalone(marker)) {
      out.push(buf.subarray(pos, pos + 2));
      pos += 2;
      continue;
    }
    if (pos + 4 > buf.length) {
      out.push(buf.subarray(pos));
      break;
    }
    const len = buf.readUInt16BE(pos + 2);
    const end = pos + 2 + len;
    if (len < 2 || end > buf.length) {
      // Truncated segment: keep it only if it is not metadata.
      if (keepJpegSegment(marker, buf.subarray(pos))) out.push(buf.subarray(pos));
      break;
    }
    const segment = buf.subarray(pos, end);
    if (keepJpegSegment(marker, segment)) out.push(segment);
    pos = end;
    if (marker === SOS) {
      const next = nextMarkerAfterScan(buf, pos);
      if (next < 0) {
        out.push(buf.subarray(pos)); // scan runs to the end (no EOI)
        break;
      }
      out.push(buf.subarray(pos, next));
      pos = next;
    }
  }
  return Buffer.concat(out);
}

// ---------------------------------------------------------------- PNG

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_DROP = new Set(["eXIf", "tEXt", "zTXt", "iTXt", "tIME"]);
const PNG_MAX_DIMENSION = 0x7fffffff;

function inspectPng(buf: Buffer): ImageInfo | null {
  if (buf.length < 33) return null;
  if (buf.readUInt32BE(8) !== 13 || buf.toString("latin1", 12, 16) !== "IHDR") return null;
  if (crc32(buf.subarray(12, 29)) !== buf.readUInt32BE(29)) return null;
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  if (width === 0 || height === 0 || width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) return null;
  const bitDepth = buf[24]!;
  const colorType = buf[25]!;
  const allowedDepths: Record<number, number[]> = {
    0: [1, 2, 4, 8, 16],
    2: [8, 16],
    3: [1, 2, 4, 8],
    4: [8, 16],
    6: [8, 16],
  };
  if (!allowedDepths[colorType]?.includes(bitDepth)) return null;
  return { mime: "image/png", width, height };
}

function stripPng(buf: Buffer): Buffer {
  const out: Buffer[] = [buf.subarray(0, 8)];
  let pos = 8;
  while (pos < buf.length) {
    if (pos + 12 > buf.length) {
      out.push(buf.subarray(pos));
      break;
    }
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("latin1", pos + 4, pos + 8);
    const end = pos + 12 + len;
    if (len > 0x7fffffff || end > buf.length) {
      if (!PNG_DROP.has(type)) out.push(buf.subarray(pos));
      break;
    }
    if (!PNG_DROP.has(type)) out.push(buf.subarray(pos, end));
    pos = end;
    if (type === "IEND") break; // bytes after IEND are not part of the image
  }
  return Buffer.concat(out);
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC), as used by PNG chunks. */
function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------- WebP

const VP8X_EXIF_FLAG = 0x08;
const VP8X_XMP_FLAG = 0x04;
const WEBP_DROP = new Set(["EXIF", "XMP "]);

function isRiffWebp(buf: Buffer): boolean {
  return (
    buf.length >= 12 && buf.toString("latin1", 0, 4) === "RIFF" && buf.toString("latin1", 8, 12) === "WEBP"
  );
}

/** End of the RIFF payload: the declared size when the buffer holds it all, else null (truncated/corrupt). */
function riffEnd(buf: Buffer): number | null {
  const size = buf.readUInt32LE(4);
  if (size < 4 + 8 || size + 8 > buf.length) return null;
  return size + 8;
}

function inspectWebp(buf: Buffer): ImageInfo | null {
  const end = riffEnd(buf);
  if (end === null || end < 20) return null;
  const fourcc = buf.toString("latin1", 12, 16);
  const size = buf.readUInt32LE(16);
  const data = 20;
  if (data + size > end) return null;
  const result = (width: number, height: number): ImageInfo | null =>
    width > 0 && height > 0 ? { mime: "image/webp", width, height } : null;
  switch (fourcc) {
    case "VP8 ": {
      // Frame tag (3 bytes, key frame bit 0 = 0), start code 9d 01 2a, then 14-bit width and height.
      if (size < 10) return null;
      if ((buf[data]! & 0x01) !== 0) return null;
      if (buf[data + 3] !== 0x9d || buf[data + 4] !== 0x01 || buf[data + 5] !== 0x2a) return null;
      return result(buf.readUInt16LE(data + 6) & 0x3fff, buf.readUInt16LE(data + 8) & 0x3fff);
    }
    case "VP8L": {
      // Signature 0x2f, then 14-bit width-1, 14-bit height-1, alpha bit, 3-bit version (0).
      if (size < 5 || buf[data] !== 0x2f) return null;
      const bits = buf.readUInt32LE(data + 1);
      if (bits >>> 29 !== 0) return null;
      return result((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    case "VP8X": {
      // Flags, 3 reserved bytes, 24-bit canvas width-1, 24-bit canvas height-1.
      if (size < 10) return null;
      return result(buf.readUIntLE(data + 4, 3) + 1, buf.readUIntLE(data + 7, 3) + 1);
    }
    default:
      return null;
  }
}

function stripWebp(buf: Buffer): Buffer {
  const end = riffEnd(buf) ?? buf.length;
  const chunks: Buffer[] = [];
  let pos = 12;
  while (pos + 8 <= end) {
    const fourcc = buf.toString("latin1", pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const next = pos + 8 + size + (size % 2);
    if (next > end) {
      if (!WEBP_DROP.has(fourcc)) chunks.push(buf.subarray(pos, end));
      pos = end;
      break;
    }
    if (!WEBP_DROP.has(fourcc)) {
      let chunk = buf.subarray(pos, next);
      if (fourcc === "VP8X" && size >= 10) {
        chunk = Buffer.from(chunk); // copy: never modify the caller's buffer
        chunk[8] = chunk[8]! & ~(VP8X_EXIF_FLAG | VP8X_XMP_FLAG);
      }
      chunks.push(chunk);
    }
    pos = next;
  }
  if (pos < end) chunks.push(buf.subarray(pos, end));
  const body = Buffer.concat(chunks);
  const header = Buffer.alloc(12);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(4 + body.length, 4);
  header.write("WEBP", 8, "latin1");
  return Buffer.concat([header, body]);
}
