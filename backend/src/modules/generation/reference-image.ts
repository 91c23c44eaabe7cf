/**
 * The reference image of an image→video task as its vendor receives it (issue 13 §3): the upload fitted
 * into the model's limits (media/prepare-image.ts), stored next to the upload under a key derived from
 * the upload, the model and its limits, so a retried submit reuses it instead of running ffmpeg again.
 * An image already inside the limits is sent as uploaded. Never called inside a database transaction:
 * storage and ffmpeg may take seconds.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { AppContext } from "../../context.js";
import { inspectImage } from "../../lib/images.js";
import { MediaError } from "../../media/ffmpeg.js";
import { planImageFit, prepareReferenceImage } from "../../media/prepare-image.js";
import { ObjectNotFoundError } from "../../providers/storage/types.js";
import type { ImageLimits, ModelDef } from "../../vendors/types.js";
import { findImage, type ImageRow } from "../media/repository.js";
import * as repo from "./repository.js";

/** Shown to the user when the upload cannot be turned into an image the vendor accepts. */
export const REFERENCE_IMAGE_UNUSABLE_MESSAGE = "参考图无法处理，积分已退回";

/**
 * The upload can never be sent (not an image, gone from storage, too large even at the lowest quality):
 * trying again cannot help, the task fails and is refunded.
 */
export class UnusableReferenceImage extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnusableReferenceImage";
  }
}

type SentImage = NonNullable<repo.TaskRow["sentImage"]>;

/**
 * A signed, absolute link to the image the vendor should fetch, recorded on the task as `sent_image`;
 * null for text→video (or an upload whose row is gone, as before). Throws UnusableReferenceImage for a
 * definitive failure; anything else (ffmpeg timeout or missing, storage errors) is for a retry.
 */
export async function referenceImageUrl(
  ctx: AppContext,
  task: repo.TaskRow,
  model: ModelDef,
  expiresInSec: number,
): Promise<string | null> {
  if (!task.referenceImageAssetId) return null;
  const image = await findImage(ctx.db, task.referenceImageAssetId);
  if (!image) return null;
  if (!model.image) return signedUrl(ctx, image.storageKey, expiresInSec);
  const { key, sent } = await fittedImage(ctx, image, model.id, model.image);
  await repo.recordSentImage(ctx.db, task.id, sent);
  return signedUrl(ctx, key, expiresInSec);
}

/**
 * Where the upload fitted into `limits` for `modelId` is stored. The limits' digest is in the key, so a
 * change of limits prepares the image again rather than reusing one made for the old limits.
 */
export function preparedImageKey(originalKey: string, modelId: string, limits: ImageLimits): string {
  const digest = createHash("sha256")
    .update(
      JSON.stringify([limits.minSide, limits.maxSide, limits.minAspect, limits.maxAspect, limits.maxBytes]),
    )
    .digest("hex")
    .slice(0, 10);
  const safeModel = modelId.replace(/[^A-Za-z0-9_-]/g, "_");
  return `${originalKey}.prepared-${safeModel}-${digest}.jpg`;
}

/** The storage key to send (the prepared copy, or the upload itself when it already fits) and what it is. */
async function fittedImage(
  ctx: AppContext,
  image: ImageRow,
  modelId: string,
  limits: ImageLimits,
): Promise<{ key: string; sent: SentImage }> {
  const preparedKey = preparedImageKey(image.storageKey, modelId, limits);
  const workDir = await mkdtemp(path.join(ctx.config.dataDir, "tmp-ref-"));
  try {
    if (await ctx.storage.exists(preparedKey)) {
      const reused = await readPrepared(ctx, preparedKey, workDir);
      if (reused) {
        const fit = planImageFit(image.width, image.height, limits);
        return { key: preparedKey, sent: { ...reused, resized: fit.resized, padded: fit.padded } };
      }
    }
    const original = await readOriginal(ctx, image.storageKey, workDir);
    const prepared = await prepareReferenceImage(original, limits).catch(definitiveAsUnusable);
    const { width, height, bytes, mime, resized, padded } = prepared;
    const sent = { width, height, bytes, mime, resized, padded };
    // The same buffer back means the upload already fits every limit, in a format every vendor reads.
    if (prepared.data === original) return { key: image.storageKey, sent };
    await ctx.storage.put(preparedKey, prepared.data, prepared.mime);
    return { key: preparedKey, sent };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** A copy prepared by an earlier attempt; null if it is not a readable image (then it is made again). */
async function readPrepared(ctx: AppContext, key: string, workDir: string) {
  const file = path.join(workDir, "prepared.jpg");
  try {
    await ctx.storage.getToFile(key, file);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return null;
    throw err;
  }
  const data = await readFile(file);
  const info = inspectImage(data);
  return info ? { width: info.width, height: info.height, bytes: data.length, mime: info.mime } : null;
}

async function readOriginal(ctx: AppContext, key: string, workDir: string): Promise<Buffer> {
  const file = path.join(workDir, "original");
  try {
    await ctx.storage.getToFile(key, file);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new UnusableReferenceImage(`upload missing: ${key}`);
    throw err;
  }
  return readFile(file);
}

/** Not an image, or too large at any quality: definitive. A timeout or a missing ffmpeg: retried. */
function definitiveAsUnusable(err: unknown): never {
  if (err instanceof MediaError && (err.kind === "ffmpeg_failed" || err.kind === "too_large")) {
    throw new UnusableReferenceImage(err.message);
  }
  throw err;
}

async function signedUrl(ctx: AppContext, key: string, expiresInSec: number): Promise<string> {
  const { url } = await ctx.storage.signedUrl(key, { expiresInSec });
  return url.startsWith("/") ? `${ctx.config.publicBaseUrl}${url}` : url;
}
