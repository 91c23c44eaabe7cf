/**
 * Local-disk object storage for embedded mode. Objects are plain files under `rootDir`; links are
 * HMAC-signed and expiring, served by `localFilesPlugin` (local-route.ts) at `/files/*`:
 *
 *   ${publicBaseUrl}/files/<key>?exp=<unix seconds>&sig=<base64url HMAC-SHA256(secret, key\nexp\ndn)>[&dn=<name>]
 *
 * The signature covers the download name too, so a link cannot be turned into a differently named
 * attachment (or a plain link into an attachment) without the secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { assertValidStorageKey, ObjectNotFoundError, type ObjectStorage } from "./types.js";

export interface LocalStorageOptions {
  rootDir: string;
  /** Prefix of signed URLs: "" for same-origin relative URLs, or "http://host:port". */
  publicBaseUrl: string;
  /** HMAC key of the signed URLs; `localFilesPlugin` must be given the same one. */
  secret: string;
  now?: () => Date;
}

export function createLocalStorage(opts: LocalStorageOptions): ObjectStorage {
  const root = path.resolve(opts.rootDir);
  const base = opts.publicBaseUrl.replace(/\/+$/, "");
  const now = opts.now ?? (() => new Date());

  const fileOf = (key: string): string => {
    assertValidStorageKey(key);
    return localPathForKey(root, key);
  };

  /** Writes through a temp file in the same directory, then renames: readers never see half a file. */
  async function atomically(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await write(tmp);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  return {
    kind: "local",

    async put(key, body) {
      const file = fileOf(key);
      await atomically(file, (tmp) => writeFile(tmp, body));
    },

    async putFile(key, filePath) {
      const file = fileOf(key);
      await atomically(file, (tmp) => copyFile(filePath, tmp));
    },

    async getToFile(key, filePath) {
      const file = fileOf(key);
      if (!(await isFile(file))) throw new ObjectNotFoundError(key);
      await atomically(path.resolve(filePath), (tmp) =>
        pipeline(createReadStream(file), createWriteStream(tmp)),
      );
    },

    async exists(key) {
      return isFile(fileOf(key));
    },

    async delete(key) {
      const file = fileOf(key);
      try {
        await unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    },

    async signedUrl(key, { expiresInSec, downloadName }) {
      assertValidStorageKey(key);
      if (!Number.isFinite(expiresInSec) || expiresInSec <= 0) {
        throw new RangeError("expiresInSec must be a positive number");
      }
      const exp = Math.floor(now().getTime() / 1000) + Math.ceil(expiresInSec);
      const sig = signLocal(opts.secret, key, exp, downloadName);
      let url = `${base}/files/${key}?exp=${exp}&sig=${sig}`;
      if (downloadName) url += `&dn=${encodeURIComponent(downloadName)}`;
      return { url, expireAt: new Date(exp * 1000) };
    },
  };
}

/** Absolute path of `key` under `root`; the caller has validated the key. */
export function localPathForKey(root: string, key: string): string {
  return path.join(root, ...key.split("/"));
}

export function signLocal(
  secret: string,
  key: string,
  exp: number | string,
  downloadName?: string | null,
): string {
  return createHmac("sha256", secret)
    .update(`${key}\n${exp}\n${downloadName ?? ""}`)
    .digest("base64url");
}

/**
 * True when `sig` is the signature of (key, exp, downloadName) and `exp` (unix seconds) is still in the
 * future at `now`. Constant-time comparison; malformed input is simply invalid.
 */
export function verifyLocalSignature(
  secret: string,
  key: string,
  exp: number | string | undefined,
  sig: string | undefined,
  downloadName: string | null | undefined,
  now: Date,
): boolean {
  if (typeof sig !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return false;
  const expText = typeof exp === "number" ? String(exp) : exp;
  if (typeof expText !== "string" || !/^\d{1,12}$/.test(expText)) return false;
  const expiresAtMs = Number(expText) * 1000;
  if (now.getTime() >= expiresAtMs) return false;
  const expected = Buffer.from(signLocal(secret, key, expText, downloadName || ""), "utf8");
  const given = Buffer.from(sig, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === "ENOENT" ||
      (err as NodeJS.ErrnoException).code === "ENOTDIR"
    ) {
      return false;
    }
    throw err;
  }
}
