// Renders the SkyRiff app icons (PNG) without any dependency: a sky-blue → violet gradient tile with a
// white play mark and a small "riff" wave. Run with `node app/scripts/gen-icons.mjs`; the output is
// committed under app/public/icons/.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const from = [0x1d, 0x8c, 0xf8]; // sky blue
const to = [0x8b, 0x5c, 0xf6]; // violet

/** Coverage (0..1) of a unit-space shape at (x, y), both in 0..1 of the tile. */
function insideRoundedRect(x, y, r) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
function insidePlay(x, y, s) {
  // Triangle pointing right, centred at (0.52, 0.46), half-height 0.2*s.
  const h = 0.2 * s;
  const left = 0.52 - 0.16 * s;
  const right = 0.52 + 0.2 * s;
  const cy = 0.46;
  if (x < left || x > right) return false;
  const t = (x - left) / (right - left);
  return Math.abs(y - cy) <= h * (1 - t);
}
function insideWave(x, y, s) {
  const w0 = 0.5 - 0.26 * s;
  const w1 = 0.5 + 0.26 * s;
  if (x < w0 || x > w1) return false;
  const yc = 0.74 + 0.035 * s * Math.sin(((x - w0) / (w1 - w0)) * Math.PI * 3);
  return Math.abs(y - yc) <= 0.022 * s;
}

function render(size, { maskable }) {
  const buf = Buffer.alloc(size * size * 4);
  const ss = 4; // supersampling per axis
  const scale = maskable ? 0.8 : 1;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          if (maskable || insideRoundedRect(x, y, 0.22)) bg++;
          else continue;
          if (insidePlay(x, y, scale) || insideWave(x, y, scale)) fg++;
        }
      }
      const n = ss * ss;
      const t = (px + py) / (2 * size);
      const o = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) {
        const base = from[c] + (to[c] - from[c]) * t;
        const mix = bg === 0 ? 0 : fg / bg;
        buf[o + c] = Math.round(base * (1 - mix) + 255 * mix);
      }
      buf[o + 3] = Math.round((255 * bg) / n);
    }
  }
  return png(size, buf);
}

const outputs = [
  ["icon-192.png", 192, false],
  ["icon-512.png", 512, false],
  ["maskable-512.png", 512, true],
  ["apple-touch-icon.png", 180, true],
];
for (const [name, size, maskable] of outputs) {
  writeFileSync(join(outDir, name), render(size, { maskable }));
  console.log(`wrote ${name}`);
}
