/**
 * Object storage: where uploads, vendor videos, play copies and thumbnails live.
 *
 * Two implementations, chosen by config (`STORAGE_DRIVER`):
 * - `local`: files under `DATA_DIR/storage`, served by `localFilesPlugin` at `/files/*` behind
 *   HMAC-signed, expiring URLs (embedded mode);
 * - `s3`: any S3-compatible store (AWS, Aliyun OSS, Tencent COS, MinIO) with presigned GET URLs.
 *
 * Keys are relative, slash-separated paths such as `uploads/<userId>/<id>.jpg` or
 * `videos/<id>/source.mp4`. Every method validates its key and throws `InvalidStorageKeyError` on a bad one.
 */
export interface ObjectStorage {
  readonly kind: "local" | "s3";
  /** Stores `body` under `key`, replacing any previous object. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Stores the file at `filePath` under `key` (streamed, never read whole into memory). */
  putFile(key: string, filePath: string, contentType: string): Promise<void>;
  /** Downloads `key` into `filePath` (written completely or not at all). Throws `ObjectNotFoundError`. */
  getToFile(key: string, filePath: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Removes `key`; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A time-limited GET link. With `downloadName` the response carries
   * `Content-Disposition: attachment; filename*=UTF-8''<name>` so browsers save instead of play.
   */
  signedUrl(
    key: string,
    opts: { expiresInSec: number; downloadName?: string },
  ): Promise<{ url: string; expireAt: Date }>;
}

export class InvalidStorageKeyError extends Error {
  constructor(readonly key: string) {
    super(`invalid storage key: ${JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)}`);
    this.name = "InvalidStorageKeyError";
  }
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
    this.name = "ObjectNotFoundError";
  }
}

const KEY_PATTERN = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const MAX_KEY_LENGTH = 512;

/** Relative path of safe characters: no leading or trailing `/`, no empty segment, no `.`/`..` anywhere
 * that could walk out of a directory (`..` is refused even inside a name), at most 512 characters. */
export function isValidStorageKey(key: unknown): key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  if (!KEY_PATTERN.test(key) || key.includes("..")) return false;
  return key.split("/").every((segment) => segment !== ".");
}

export function assertValidStorageKey(key: string): void {
  if (!isValidStorageKey(key)) throw new InvalidStorageKeyError(String(key));
}

/** Content types served for stored objects, by file extension. */
const MIME_BY_EXTENSION: Record<string, string> = {
  mp4: "video/mp4",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

export function contentTypeForKey(key: string): string {
  const dot = key.lastIndexOf(".");
  const ext = dot >= 0 ? key.slice(dot + 1).toLowerCase() : "";
  return MIME_BY_EXTENSION[ext] ?? "application/octet-stream";
}

/**
 * `Content-Disposition` for a download: an ASCII fallback `filename` plus the exact UTF-8 name in
 * `filename*` (RFC 6266 / RFC 8187), e.g. `attachment; filename="_.mp4"; filename*=UTF-8''%E8%A7%86.mp4`.
 */
export function attachmentDisposition(downloadName: string): string {
  const clean =
    Array.from(downloadName, (ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f || ch === "/" || ch === "\\" ? "_" : ch;
    })
      .join("")
      .trim() || "download";
  const ascii = clean.replace(/[^\x20-\x7e]/g, "_").replace(/["%;]/g, "_");
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
