/**
 * S3-compatible object storage (AWS S3, Aliyun OSS, Tencent COS, MinIO) through @aws-sdk/client-s3,
 * with presigned GET links (SigV4 query signing) for downloads and playback.
 *
 * Settings (env names read by `createStorage`, see index.ts):
 *
 *   STORAGE_DRIVER=s3
 *   S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY    required
 *   S3_REGION             signing region (default us-east-1 when S3_ENDPOINT is set)
 *   S3_ENDPOINT           the API endpoint the servers talk to; unset = AWS itself
 *   S3_FORCE_PATH_STYLE   true → http://endpoint/bucket/key, false → http://bucket.endpoint/key
 *   S3_PUBLIC_ENDPOINT    endpoint written into signed links when browsers must use another host than the
 *                         servers (internal vs public endpoint, or a CDN/custom domain bound to the bucket)
 *
 *   Aliyun OSS    S3_ENDPOINT=https://s3.oss-cn-hangzhou.aliyuncs.com  S3_REGION=cn-hangzhou
 *                 S3_FORCE_PATH_STYLE=false (OSS only serves virtual-hosted style)
 *                 servers inside Aliyun: S3_ENDPOINT=https://s3.oss-cn-hangzhou-internal.aliyuncs.com and
 *                 S3_PUBLIC_ENDPOINT=https://s3.oss-cn-hangzhou.aliyuncs.com
 *   Tencent COS   S3_ENDPOINT=https://cos.ap-guangzhou.myqcloud.com  S3_REGION=ap-guangzhou
 *                 S3_BUCKET=<name>-<APPID> (e.g. skyriff-1250000000)  S3_FORCE_PATH_STYLE=false
 *   MinIO         S3_ENDPOINT=http://minio:9000  S3_REGION=us-east-1  S3_FORCE_PATH_STYLE=true
 *                 S3_PUBLIC_ENDPOINT=https://media.example.com (the host browsers reach MinIO on)
 *   AWS S3        S3_REGION=ap-east-1 (leave S3_ENDPOINT unset)
 *
 * Requests carry no flexible checksums unless an operation requires them
 * (`requestChecksumCalculation: "WHEN_REQUIRED"`): OSS, COS and older MinIO reject or mis-store the
 * aws-chunked uploads with trailing CRC headers that newer SDKs send by default.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import {
  assertValidStorageKey,
  attachmentDisposition,
  ObjectNotFoundError,
  type ObjectStorage,
} from "./types.js";

export interface S3StorageOptions {
  /** e.g. https://s3.oss-cn-hangzhou.aliyuncs.com; unset for AWS. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle?: boolean;
  /** Endpoint used in presigned URLs (defaults to `endpoint`). */
  publicEndpoint?: string;
  /** Clock for presigning (tests move it to make expired links). */
  now?: () => Date;
}

/** SigV4 presigned URLs cannot outlive 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface S3Storage extends ObjectStorage {
  readonly kind: "s3";
  readonly bucket: string;
  /** The underlying client (for tests and admin tooling). */
  readonly client: S3Client;
  /** Releases the HTTP connections. */
  close(): void;
}

export function createS3Storage(opts: S3StorageOptions): S3Storage {
  const base: S3ClientConfig = {
    region: opts.region,
    credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    forcePathStyle: opts.forcePathStyle ?? false,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
  };
  const client = new S3Client({ ...base, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
  const publicEndpoint = opts.publicEndpoint ?? opts.endpoint;
  const signer =
    publicEndpoint === opts.endpoint
      ? client
      : new S3Client({ ...base, ...(publicEndpoint ? { endpoint: publicEndpoint } : {}) });
  const Bucket = opts.bucket;
  const now = opts.now ?? (() => new Date());

  return {
    kind: "s3",
    bucket: Bucket,
    client,

    async put(key, body, contentType) {
      assertValidStorageKey(key);
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.length,
        }),
      );
    },

    async putFile(key, filePath, contentType) {
      assertValidStorageKey(key);
      const { size } = await stat(filePath);
      const body = createReadStream(filePath);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ContentLength: size,
          }),
        );
      } finally {
        body.destroy();
      }
    },

    async getToFile(key, filePath) {
      assertValidStorageKey(key);
      let response: GetObjectCommandOutput;
      try {
        response = await client.send(new GetObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (isNotFound(err)) throw new ObjectNotFoundError(key);
        throw err;
      }
      const stream = toNodeReadable(response.Body);
      const target = path.resolve(filePath);
      await mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await pipeline(stream, createWriteStream(tmp));
        await rename(tmp, target);
      } catch (err) {
        stream.destroy();
        await rm(tmp, { force: true });
        throw err;
      }
    },

    async exists(key) {
      assertValidStorageKey(key);
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },

    async delete(key) {
      assertValidStorageKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },

    async signedUrl(key, { expiresInSec, downloadName }) {
      assertValidStorageKey(key);
      if (!Number.isFinite(expiresInSec) || expiresInSec <= 0) {
        throw new RangeError("expiresInSec must be a positive number");
      }
      const expiresIn = Math.min(Math.ceil(expiresInSec), MAX_PRESIGN_SECONDS);
      // SigV4 dates have whole-second precision; expire_at is computed from the same second.
      const signingDate = new Date(Math.floor(now().getTime() / 1000) * 1000);
      const command = new GetObjectCommand({
        Bucket,
        Key: key,
        ...(downloadName ? { ResponseContentDisposition: attachmentDisposition(downloadName) } : {}),
      });
      const url = await getSignedUrl(signer, command, { expiresIn, signingDate });
      return { url, expireAt: new Date(signingDate.getTime() + expiresIn * 1000) };
    },

    close() {
      client.destroy();
      if (signer !== client) signer.destroy();
    },
  };
}

function isNotFound(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === "NotFound" ||
    e.name === "NoSuchKey" ||
    e.Code === "NoSuchKey" ||
    e.$metadata?.httpStatusCode === 404
  );
}

/** GetObject's body is a Node stream in Node; accept a web stream too (custom request handlers). */
function toNodeReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body && typeof body === "object" && "transformToWebStream" in body) {
    const web = (body as { transformToWebStream(): ReadableStream }).transformToWebStream();
    return Readable.fromWeb(web as import("node:stream/web").ReadableStream);
  }
  throw new Error("S3 GetObject returned no readable body");
}
