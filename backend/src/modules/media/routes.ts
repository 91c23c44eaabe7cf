import multipart from "@fastify/multipart";
import { envelope, mediaUploadResult } from "@skyriff/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { authGuard, currentUser } from "../../http/auth-guard.js";
import { asAppError, multipartFailure } from "../../http/client-errors.js";
import { ok } from "../../http/envelope.js";
import { badUpload, getOwnImage, MAX_UPLOAD_BYTES, uploadImage } from "./service.js";

export async function mediaRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  await fastify.register(multipart, {
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6, fieldSize: 4096, headerPairs: 20 },
  });
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    "/media/upload",
    {
      preValidation: authGuard(ctx),
      schema: {
        tags: ["media"],
        summary: "Upload an image (multipart field `file`: JPEG/PNG/WebP ≤ 10 MB, EXIF stripped)",
        security: [{ bearerAuth: [] }],
        consumes: ["multipart/form-data"],
        response: { 200: envelope(mediaUploadResult) },
      },
    },
    async (req) => {
      if (!req.isMultipart())
        throw badUpload("请以 multipart/form-data 上传文件", "send multipart/form-data with a `file` field");
      // The whole body is read: too many parts (413) or a broken ending (400) only show up there.
      let bytes: Buffer | undefined;
      try {
        for await (const part of req.parts()) {
          if (part.type !== "file") continue;
          if (part.fieldname !== "file" || bytes) {
            part.file.resume();
            continue;
          }
          bytes = await part.toBuffer();
        }
      } catch (err) {
        if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE")
          throw badUpload("图片不能超过 10MB", "image larger than 10 MB");
        throw asAppError(multipartFailure(err));
      }
      if (!bytes) throw badUpload("缺少文件", "missing `file` field");
      return ok(await uploadImage(ctx, currentUser(req).userId, bytes));
    },
  );

  app.get(
    "/media/images/:id",
    {
      preValidation: authGuard(ctx),
      schema: {
        tags: ["media"],
        summary: "One of my uploaded images, with a fresh 1-hour link (others' ids are 404)",
        security: [{ bearerAuth: [] }],
        params: z.strictObject({ id: z.string().min(1).max(64) }),
        response: { 200: envelope(mediaUploadResult) },
      },
    },
    async (req) => ok(await getOwnImage(ctx, req.params.id, currentUser(req).userId)),
  );
}
