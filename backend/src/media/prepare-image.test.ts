import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { inspectImage } from "../lib/images.js";
import type { ImageLimits } from "../vendors/types.js";
import { mediaTools } from "./ffmpeg.js";
import { planImageFit, prepareReferenceImage } from "./prepare-image.js";

/** Seedance's documented limits; Wan's. */
const SEEDANCE: ImageLimits = {
  minSide: 300,
  maxSide: 6000,
  minAspect: 0.4,
  maxAspect: 2.5,
  maxBytes: 30 * 1024 * 1024,
  output: "crops-to-ratio",
};
const WAN: ImageLimits = {
  ...SEEDANCE,
  minSide: 360,
  maxSide: 2000,
  minAspect: 0.25,
  maxAspect: 4,
  maxBytes: 10 * 1024 * 1024,
};

/** An image made by ffmpeg: a test pattern (or noise, which compresses badly) of the given size. */
function image(
  width: number,
  height: number,
  format: "png" | "mjpeg" | "webp" = "png",
  noise = false,
): Buffer {
  const source = noise
    ? `nullsrc=s=${width}x${height},geq=lum='random(1)*255':cb='random(2)*255':cr='random(3)*255'`
    : `testsrc2=s=${width}x${height}`;
  const codec =
    format === "png"
      ? ["-c:v", "png", "-f", "image2pipe"]
      : format === "webp"
        ? ["-c:v", "libwebp", "-f", "webp"]
        : ["-c:v", "mjpeg", "-f", "image2pipe"];
  return execFileSync(
    mediaTools().ffmpeg,
    ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", source, "-frames:v", "1", ...codec, "pipe:1"],
    { maxBuffer: 256 * 1024 * 1024 },
  );
}

const aspectOf = (s: { width: number; height: number }) => s.width / s.height;

describe("planImageFit", () => {
  it("leaves an image inside the limits alone", () => {
    expect(planImageFit(1080, 1920, WAN)).toMatchObject({
      content: { width: 1080, height: 1920 },
      canvas: { width: 1080, height: 1920 },
      resized: false,
      padded: false,
    });
  });

  it("scales a phone photo down to maxSide, keeping its aspect (Wan: 2000 px)", () => {
    const fit = planImageFit(3024, 4032, WAN);
    expect(fit.content).toEqual({ width: 1500, height: 2000 });
    expect(fit).toMatchObject({ resized: true, padded: false });
  });

  it("scales a small image up to minSide", () => {
    const fit = planImageFit(200, 300, SEEDANCE);
    expect(fit.content).toEqual({ width: 300, height: 450 });
    expect(fit.padded).toBe(false);
  });

  it("letterboxes a panorama to the nearest aspect bound, then fits the sides", () => {
    const wide = planImageFit(8000, 1000, SEEDANCE);
    expect(aspectOf(wide.canvas)).toBeLessThanOrEqual(2.5);
    expect(aspectOf(wide.canvas)).toBeGreaterThan(2.49);
    expect(wide.canvas.width).toBe(6000);
    expect(wide.content.width).toBe(6000);
    expect(wide.content.height).toBe(750);
    expect(wide).toMatchObject({ resized: true, padded: true });

    const tall = planImageFit(500, 4000, WAN);
    expect(aspectOf(tall.canvas)).toBeGreaterThanOrEqual(0.25);
    expect(tall.canvas.height).toBe(2000);
    expect(tall.canvas.width).toBeGreaterThanOrEqual(500);
    expect(tall.content).toEqual({ width: 250, height: 2000 });
  });

  it("a thin strip ends with every side and the aspect inside the limits", () => {
    for (const [w, h] of [
      [5000, 40],
      [40, 5000],
      [301, 299],
      [6001, 6001],
      [1, 1],
    ] as const) {
      for (const limits of [SEEDANCE, WAN]) {
        const { canvas, content } = planImageFit(w, h, limits);
        for (const side of [canvas.width, canvas.height]) {
          expect(side).toBeGreaterThanOrEqual(limits.minSide);
          expect(side).toBeLessThanOrEqual(limits.maxSide);
        }
        expect(aspectOf(canvas)).toBeGreaterThanOrEqual(limits.minAspect);
        expect(aspectOf(canvas)).toBeLessThanOrEqual(limits.maxAspect);
        expect(content.width).toBeLessThanOrEqual(canvas.width);
        expect(content.height).toBeLessThanOrEqual(canvas.height);
      }
    }
  });
});

describe("prepareReferenceImage (ffmpeg)", () => {
  it("sends an image inside the limits as it is", async () => {
    const png = image(720, 1280);
    const sent = await prepareReferenceImage(png, WAN);
    expect(sent).toMatchObject({
      mime: "image/png",
      width: 720,
      height: 1280,
      resized: false,
      padded: false,
    });
    expect(sent.data.equals(png)).toBe(true);
    expect(sent.bytes).toBe(png.length);
  });

  it("re-encodes a too-large image as a JPEG of the planned size", async () => {
    const sent = await prepareReferenceImage(image(3000, 4000, "mjpeg"), WAN);
    expect(sent).toMatchObject({
      mime: "image/jpeg",
      width: 1500,
      height: 2000,
      resized: true,
      padded: false,
    });
    expect(inspectImage(sent.data)).toEqual({ mime: "image/jpeg", width: 1500, height: 2000 });
    expect(sent.bytes).toBe(sent.data.length);
  });

  it("letterboxes a panorama and upscales a thumbnail", async () => {
    const wide = await prepareReferenceImage(image(1600, 400), SEEDANCE);
    expect(wide).toMatchObject({
      mime: "image/jpeg",
      width: 1600,
      height: 640,
      resized: false,
      padded: true,
    });
    expect(inspectImage(wide.data)).toMatchObject({ width: 1600, height: 640 });
    const small = await prepareReferenceImage(image(160, 200), WAN);
    expect(inspectImage(small.data)).toMatchObject({ width: 360, height: 450 });
    expect(small.resized).toBe(true);
  });

  it("turns WebP into JPEG (not every vendor reads WebP)", async () => {
    const sent = await prepareReferenceImage(image(640, 640, "webp"), WAN);
    expect(sent).toMatchObject({
      mime: "image/jpeg",
      width: 640,
      height: 640,
      resized: false,
      padded: false,
    });
  });

  it("lowers the quality until the file is under maxBytes, and says so when it cannot", async () => {
    const noisy = image(800, 800, "png", true);
    const limits = { ...WAN, maxBytes: 200 * 1024 };
    expect(noisy.length).toBeGreaterThan(limits.maxBytes);
    const sent = await prepareReferenceImage(noisy, limits);
    expect(sent.bytes).toBeLessThanOrEqual(limits.maxBytes);
    expect(sent.mime).toBe("image/jpeg");
    await expect(prepareReferenceImage(noisy, { ...WAN, maxBytes: 1000 })).rejects.toMatchObject({
      kind: "too_large",
    });
  });

  it("refuses what is not an image", async () => {
    await expect(prepareReferenceImage(Buffer.from("not an image at all"), WAN)).rejects.toMatchObject({
      kind: "ffmpeg_failed",
    });
  });
});
