import { ErrorCode, type MediaUploadResult } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { AppError, notFound } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { inspectImage, stripMetadata } from "../../lib/images.js";
import { findImage, findOwnImage, insertImage } from "./repository.js";

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const EXTENSION = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" } as const;

export const badUpload = (zh: string, en: string) =>
  new AppError(ErrorCode.VALIDATION, { fields: { file: en } }, { zh, en }, 400);

/** Sniffs the bytes (never trusts the name or the declared type), strips metadata, stores privately. */
export async function uploadImage(
  ctx: AppContext,
  userId: string,
  bytes: Buffer,
): Promise<MediaUploadResult> {
  if (bytes.length === 0) throw badUpload("文件为空", "empty file");
  if (bytes.length > MAX_UPLOAD_BYTES) throw badUpload("图片不能超过 10MB", "image larger than 10 MB");
  const info = inspectImage(bytes);
  if (!info) throw badUpload("仅支持 JPG、PNG、WebP 图片", "only JPEG, PNG or WebP images");
  const clean = stripMetadata(bytes, info.mime);
  const id = newId();
  const key = `uploads/${userId}/${id}.${EXTENSION[info.mime]}`;
  await ctx.storage.put(key, clean, info.mime);
  await insertImage(ctx.db, {
    id,
    ownerUserId: userId,
    storageKey: key,
    mime: info.mime,
    size: clean.length,
    width: info.width,
    height: info.height,
    createdAt: ctx.clock.now(),
  });
  const link = await ctx.storage.signedUrl(key, { expiresInSec: 3600 });
  return {
    asset_id: id,
    url: link.url,
    size: clean.length,
    width: info.width,
    height: info.height,
    mime: info.mime,
  };
}

/** 404 unless the image exists and belongs to the user (another user's id reveals nothing). */
export async function assertOwnImage(ctx: AppContext, imageId: string, userId: string): Promise<void> {
  if (!(await findOwnImage(ctx.db, imageId, userId))) throw notFound("image");
}

/** The user's own uploaded image (its storage key and type); 404 for another user's or an unknown id. */
export async function ownImage(ctx: AppContext, imageId: string, userId: string) {
  const image = await findOwnImage(ctx.db, imageId, userId);
  if (!image) throw notFound("image");
  return { id: image.id, storageKey: image.storageKey, mime: image.mime };
}

/** One of the user's uploaded images as the upload answered it, with a fresh 1-hour link. */
export async function getOwnImage(
  ctx: AppContext,
  imageId: string,
  userId: string,
): Promise<MediaUploadResult> {
  const image = await findOwnImage(ctx.db, imageId, userId);
  if (!image) throw notFound("image");
  const link = await ctx.storage.signedUrl(image.storageKey, { expiresInSec: 3600 });
  return {
    asset_id: image.id,
    url: link.url,
    size: image.size,
    width: image.width,
    height: image.height,
    mime: image.mime as MediaUploadResult["mime"],
  };
}

/** An absolute, expiring link to an uploaded image (for a vendor to fetch), or null if it is gone. */
export async function signedImageUrl(ctx: AppContext, imageId: string, expiresInSec: number) {
  const image = await findImage(ctx.db, imageId);
  if (!image) return null;
  const { url } = await ctx.storage.signedUrl(image.storageKey, { expiresInSec });
  return url.startsWith("/") ? `${ctx.config.publicBaseUrl}${url}` : url;
}
