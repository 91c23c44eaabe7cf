/**
 * Serves local-storage objects behind the signed links made by `createLocalStorage`:
 *
 *   app.register(localFilesPlugin, { prefix: "/files", rootDir, secret });
 *
 * `GET /files/<key>?exp=&sig=[&dn=]` checks the key (safe characters only, no `..`, stays inside
 * rootDir after resolving), then the signature and expiry, and streams the file with its Content-Type,
 * `Accept-Ranges: bytes` and single-range `206` answers (Chromium's <video> seeks with Range requests).
 * With `dn` the file is sent as an attachment named `dn`. Bad, tampered or expired links get
 * 403 `{code: 2002, message: "链接无效或已过期", data: null}`; a valid link to a missing object 404.
 * The routes are hidden from OpenAPI.
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import path from "node:path";
import { ErrorCode } from "@skyriff/contracts";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { defaultMessage, localeFrom } from "../../lib/errors.js";
import { localPathForKey, verifyLocalSignature } from "./local.js";
import { attachmentDisposition, contentTypeForKey, isValidStorageKey } from "./types.js";

export interface LocalFilesOptions {
  rootDir: string;
  /** The same secret given to `createLocalStorage`. */
  secret: string;
  now?: () => Date;
}

type ByteRange = { start: number; end: number };

export const localFilesPlugin: FastifyPluginAsync<LocalFilesOptions> = async (app, opts) => {
  const root = path.resolve(opts.rootDir);
  const now = opts.now ?? (() => new Date());

  // HEAD is declared explicitly: Fastify's automatic HEAD route would read the whole file and send
  // `content-length: 0` for an empty reply.
  app.route({
    method: ["GET", "HEAD"],
    url: "/*",
    schema: { hide: true },
    handler: async (req, reply) => {
      const key = (req.params as Record<string, string | undefined>)["*"] ?? "";
      const query = req.query as Record<string, string | string[] | undefined>;
      const exp = single(query.exp);
      const sig = single(query.sig);
      const dn = single(query.dn);
      if (!isValidStorageKey(key) || exp === null || sig === null || dn === null) return denied(req, reply);
      // Defence in depth: the key pattern already forbids `..`, `%` and a leading slash.
      const file = localPathForKey(root, key);
      if (!file.startsWith(root + path.sep)) return denied(req, reply);
      const at = now();
      if (!verifyLocalSignature(opts.secret, key, exp, sig, dn, at)) return denied(req, reply);

      let handle: FileHandle;
      try {
        handle = await open(file, "r");
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return missing(req, reply);
        throw err;
      }
      try {
        const info = await handle.stat();
        if (!info.isFile()) {
          await handle.close();
          return missing(req, reply);
        }
        const size = info.size;
        const etag = `"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
        const maxAge = Math.max(0, Number(exp) - Math.floor(at.getTime() / 1000));
        reply
          .header("content-type", contentTypeForKey(key))
          .header("accept-ranges", "bytes")
          .header("cache-control", `private, max-age=${maxAge}`)
          .header("etag", etag)
          .header("last-modified", info.mtime.toUTCString())
          .header("x-content-type-options", "nosniff");
        if (dn) reply.header("content-disposition", attachmentDisposition(dn));

        const rangeHeader = req.headers.range;
        const range =
          typeof rangeHeader === "string" && ifRangeHolds(req.headers["if-range"], etag, info.mtime)
            ? parseRange(rangeHeader, size)
            : null;
        if (range === "unsatisfiable") {
          await handle.close();
          return reply.code(416).header("content-range", `bytes */${size}`).send();
        }
        const { start, end } = range ?? { start: 0, end: size - 1 };
        const length = size === 0 ? 0 : end - start + 1;
        if (range) reply.code(206).header("content-range", `bytes ${start}-${end}/${size}`);
        reply.header("content-length", length);
        if (req.method === "HEAD" || length === 0) {
          await handle.close();
          return reply.send();
        }
        // The stream owns the handle from here on and closes it when done or destroyed.
        return reply.send(handle.createReadStream({ start, end }));
      } catch (err) {
        await handle.close().catch(() => {});
        throw err;
      }
    },
  });
};

function single(value: string | string[] | undefined): string | undefined | null {
  if (Array.isArray(value)) return null;
  return value;
}

function denied(req: FastifyRequest, reply: FastifyReply) {
  const en = localeFrom(req.headers["accept-language"]) === "en";
  return reply
    .code(403)
    .header("cache-control", "no-store")
    .type("application/json; charset=utf-8")
    .send({
      code: ErrorCode.NOT_ALLOWED,
      message: en ? "Link invalid or expired" : "链接无效或已过期",
      data: null,
    });
}

function missing(req: FastifyRequest, reply: FastifyReply) {
  const locale = localeFrom(req.headers["accept-language"]);
  return reply
    .code(404)
    .header("cache-control", "no-store")
    .type("application/json; charset=utf-8")
    .send({ code: ErrorCode.NOT_FOUND, message: defaultMessage(ErrorCode.NOT_FOUND, locale), data: null });
}

/** A Range is honoured only if `If-Range` (when sent) still names this version of the file. */
function ifRangeHolds(header: string | string[] | undefined, etag: string, mtime: Date): boolean {
  if (header === undefined) return true;
  if (Array.isArray(header)) return false;
  const ifRange = header.trim();
  if (ifRange.startsWith('"') || ifRange.startsWith("W/")) return ifRange === etag;
  const since = Date.parse(ifRange);
  return Number.isFinite(since) && Math.floor(mtime.getTime() / 1000) <= Math.floor(since / 1000);
}

/**
 * One `bytes=` range (RFC 9110 §14.1.2) resolved against `size`: `null` means "ignore the header and
 * send everything" (malformed, or several ranges), `"unsatisfiable"` means 416.
 */
export function parseRange(header: string, size: number): ByteRange | "unsatisfiable" | null {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null;
  const [, first = "", last = ""] = m;
  if (first === "" && last === "") return null;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? Number.POSITIVE_INFINITY : Number(last);
  if (end < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(end, size - 1) };
}
