import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createStorage, localStorageRoot } from "../../src/providers/storage/index.js";
import { createLocalStorage, signLocal, verifyLocalSignature } from "../../src/providers/storage/local.js";
import { localFilesPlugin, parseRange } from "../../src/providers/storage/local-route.js";
import {
  InvalidStorageKeyError,
  ObjectNotFoundError,
  type ObjectStorage,
} from "../../src/providers/storage/types.js";

const SECRET = "test-storage-secret";
const T0 = new Date("2030-01-01T00:00:00Z");

let workDir: string;
let rootDir: string;
let clock: Date;
let storage: ObjectStorage;
let app: FastifyInstance;

/** 256 distinct bytes, so any wrong offset shows. */
const VIDEO = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const SECRET_OUTSIDE = "TOP-SECRET-OUTSIDE-ROOT";

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), "skyriff-local-storage-"));
  rootDir = path.join(workDir, "storage");
  // A file next to the storage root that no link may ever reach.
  writeFileSync(path.join(workDir, "outside.txt"), SECRET_OUTSIDE);
  storage = createLocalStorage({ rootDir, publicBaseUrl: "", secret: SECRET, now: () => clock });
  app = Fastify({ logger: false });
  await app.register(localFilesPlugin, { prefix: "/files", rootDir, secret: SECRET, now: () => clock });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  rmSync(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  clock = new Date(T0);
});

describe("local object storage", () => {
  it("puts, checks, downloads and deletes objects", async () => {
    const key = "uploads/u1/a.jpg";
    expect(storage.kind).toBe("local");
    expect(await storage.exists(key)).toBe(false);
    await storage.put(key, Buffer.from("jpeg bytes"), "image/jpeg");
    expect(await storage.exists(key)).toBe(true);
    expect(readFileSync(path.join(rootDir, "uploads", "u1", "a.jpg"), "utf8")).toBe("jpeg bytes");

    await storage.put(key, Buffer.from("replaced"), "image/jpeg");
    const out = path.join(workDir, "downloads", "nested", "a.jpg");
    await storage.getToFile(key, out);
    expect(readFileSync(out, "utf8")).toBe("replaced");

    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    await storage.delete(key); // deleting again is fine
    await expect(storage.getToFile(key, out)).rejects.toBeInstanceOf(ObjectNotFoundError);
    // no temp files left behind
    expect(readdirSync(path.join(rootDir, "uploads", "u1"))).toEqual([]);
    expect(readdirSync(path.dirname(out))).toEqual(["a.jpg"]);
  });

  it("stores a file from disk", async () => {
    const src = path.join(workDir, "source.mp4");
    writeFileSync(src, VIDEO);
    await storage.putFile("videos/v1/source.mp4", src, "video/mp4");
    expect(readFileSync(path.join(rootDir, "videos", "v1", "source.mp4")).equals(VIDEO)).toBe(true);
    expect(readdirSync(path.join(rootDir, "videos", "v1"))).toEqual(["source.mp4"]);
  });

  it("refuses bad keys in every method", async () => {
    const bad = [
      "",
      "/etc/passwd",
      "../outside.txt",
      "uploads/../../outside.txt",
      "uploads/..",
      "uploads/./a.jpg",
      "uploads//a.jpg",
      "uploads/a.jpg/",
      "uploads\\a.jpg",
      "uploads/a b.jpg",
      "uploads/%2e%2e/a.jpg",
      "uploads/a.jpg?x=1",
      "uploads/照片.jpg",
      `uploads/${"a".repeat(600)}`,
    ];
    for (const key of bad) {
      await expect(storage.put(key, Buffer.from("x"), "image/jpeg"), key).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
      await expect(storage.exists(key), key).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.delete(key), key).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.getToFile(key, path.join(workDir, "x")), key).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
      await expect(storage.signedUrl(key, { expiresInSec: 60 }), key).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
    }
    expect(existsSync(path.join(workDir, "x"))).toBe(false);
    expect(readFileSync(path.join(workDir, "outside.txt"), "utf8")).toBe(SECRET_OUTSIDE);
  });

  it("signs links with the documented HMAC and expiry", async () => {
    const key = "videos/v2/play.mp4";
    const link = await storage.signedUrl(key, { expiresInSec: 3600 });
    const exp = T0.getTime() / 1000 + 3600;
    expect(link.expireAt).toEqual(new Date(exp * 1000));
    expect(link.url).toBe(`/files/${key}?exp=${exp}&sig=${signLocal(SECRET, key, exp)}`);

    const named = await storage.signedUrl(key, { expiresInSec: 60, downloadName: "我的视频 1.mp4" });
    const u = new URL(named.url, "http://x");
    expect(u.searchParams.get("dn")).toBe("我的视频 1.mp4");
    expect(
      verifyLocalSignature(
        SECRET,
        key,
        u.searchParams.get("exp")!,
        u.searchParams.get("sig")!,
        "我的视频 1.mp4",
        T0,
      ),
    ).toBe(true);
    expect(
      verifyLocalSignature(
        SECRET,
        key,
        u.searchParams.get("exp")!,
        u.searchParams.get("sig")!,
        "other.mp4",
        T0,
      ),
    ).toBe(false);
    expect(
      verifyLocalSignature(SECRET, key, u.searchParams.get("exp")!, u.searchParams.get("sig")!, null, T0),
    ).toBe(false);
    expect(
      verifyLocalSignature(
        "other-secret",
        key,
        u.searchParams.get("exp")!,
        u.searchParams.get("sig")!,
        "我的视频 1.mp4",
        T0,
      ),
    ).toBe(false);
    const later = new Date(T0.getTime() + 61_000);
    expect(
      verifyLocalSignature(
        SECRET,
        key,
        u.searchParams.get("exp")!,
        u.searchParams.get("sig")!,
        "我的视频 1.mp4",
        later,
      ),
    ).toBe(false);

    const absolute = createLocalStorage({
      rootDir,
      publicBaseUrl: "http://127.0.0.1:3000/",
      secret: SECRET,
      now: () => T0,
    });
    expect((await absolute.signedUrl(key, { expiresInSec: 60 })).url).toMatch(
      /^http:\/\/127\.0\.0\.1:3000\/files\/videos\/v2\/play\.mp4\?exp=\d+&sig=[\w-]{43}$/,
    );
  });
});

describe("GET /files/* (localFilesPlugin)", () => {
  const key = "videos/v3/play.mp4";
  beforeAll(async () => {
    await storage.put(key, VIDEO, "video/mp4");
    await storage.put("uploads/u2/p.png", Buffer.from("png"), "image/png");
  });

  const expectDenied = (res: { statusCode: number; json(): unknown }) => {
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 2002, message: "链接无效或已过期", data: null });
  };

  it("serves a valid link with the right type and caching headers", async () => {
    const { url } = await storage.signedUrl(key, { expiresInSec: 600 });
    const res = await app.inject({ method: "GET", url });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(VIDEO)).toBe(true);
    expect(res.headers["content-type"]).toBe("video/mp4");
    expect(res.headers["content-length"]).toBe("256");
    expect(res.headers["accept-ranges"]).toBe("bytes");
    expect(res.headers["cache-control"]).toMatch(/^private\b/);
    expect(res.headers["content-disposition"]).toBeUndefined();

    const png = await app.inject({
      url: (await storage.signedUrl("uploads/u2/p.png", { expiresInSec: 60 })).url,
    });
    expect(png.statusCode).toBe(200);
    expect(png.headers["content-type"]).toBe("image/png");
    expect(png.body).toBe("png");
  });

  it("answers Range requests with 206 and exactly the asked bytes", async () => {
    const { url } = await storage.signedUrl(key, { expiresInSec: 600 });
    const mid = await app.inject({ url, headers: { range: "bytes=10-19" } });
    expect(mid.statusCode).toBe(206);
    expect(mid.headers["content-range"]).toBe("bytes 10-19/256");
    expect(mid.headers["content-length"]).toBe("10");
    expect(mid.headers["accept-ranges"]).toBe("bytes");
    expect(mid.rawPayload.equals(VIDEO.subarray(10, 20))).toBe(true);

    const open = await app.inject({ url, headers: { range: "bytes=250-" } });
    expect(open.statusCode).toBe(206);
    expect(open.headers["content-range"]).toBe("bytes 250-255/256");
    expect(open.rawPayload.equals(VIDEO.subarray(250))).toBe(true);

    const suffix = await app.inject({ url, headers: { range: "bytes=-4" } });
    expect(suffix.statusCode).toBe(206);
    expect(suffix.rawPayload.equals(VIDEO.subarray(252))).toBe(true);

    const past = await app.inject({ url, headers: { range: "bytes=0-100000" } });
    expect(past.statusCode).toBe(206);
    expect(past.headers["content-range"]).toBe("bytes 0-255/256");

    const unsatisfiable = await app.inject({ url, headers: { range: "bytes=256-" } });
    expect(unsatisfiable.statusCode).toBe(416);
    expect(unsatisfiable.headers["content-range"]).toBe("bytes */256");

    const stale = await app.inject({
      url,
      headers: { range: "bytes=0-1", "if-range": '"not-this-version"' },
    });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.equals(VIDEO)).toBe(true);

    const head = await app.inject({ method: "HEAD", url });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-length"]).toBe("256");
    expect(head.rawPayload.length).toBe(0);
  });

  it("sends a named attachment when the link carries a download name", async () => {
    const { url } = await storage.signedUrl(key, { expiresInSec: 600, downloadName: "天空 即兴.mp4" });
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-disposition"]).toBe(
      `attachment; filename="__ __.mp4"; filename*=UTF-8''${encodeURIComponent("天空 即兴.mp4")}`,
    );
    expect(res.rawPayload.equals(VIDEO)).toBe(true);
    // Changing or adding the name breaks the signature.
    expectDenied(await app.inject({ url: url.replace(/dn=[^&]*/, "dn=evil.exe") }));
    const plain = await storage.signedUrl(key, { expiresInSec: 600 });
    expectDenied(await app.inject({ url: `${plain.url}&dn=x.mp4` }));
  });

  it("refuses expired links with 403/2002", async () => {
    const { url } = await storage.signedUrl(key, { expiresInSec: 60 });
    clock = new Date(T0.getTime() + 59_000);
    expect((await app.inject({ url })).statusCode).toBe(200);
    clock = new Date(T0.getTime() + 60_000);
    expectDenied(await app.inject({ url }));
    clock = new Date(T0.getTime() + 86_400_000);
    expectDenied(await app.inject({ url }));
  });

  it("refuses tampered, missing or borrowed signatures with 403/2002", async () => {
    const { url } = await storage.signedUrl(key, { expiresInSec: 600 });
    const u = new URL(url, "http://x");
    const sig = u.searchParams.get("sig")!;
    const exp = u.searchParams.get("exp")!;
    const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    expectDenied(await app.inject({ url: `/files/${key}?exp=${exp}&sig=${flipped}` }));
    expectDenied(await app.inject({ url: `/files/${key}?exp=${Number(exp) + 3600}&sig=${sig}` }));
    expectDenied(await app.inject({ url: `/files/${key}?exp=${exp}` }));
    expectDenied(await app.inject({ url: `/files/${key}` }));
    expectDenied(await app.inject({ url: `/files/${key}?exp=${exp}&sig=${sig}&sig=${sig}` }));
    // A signature for one object does not open another.
    expectDenied(await app.inject({ url: `/files/uploads/u2/p.png?exp=${exp}&sig=${sig}` }));
    // Signed with another secret.
    expectDenied(await app.inject({ url: `/files/${key}?exp=${exp}&sig=${signLocal("wrong", key, exp)}` }));
  });

  it("answers 404 for a valid link to a missing object", async () => {
    const { url } = await storage.signedUrl("videos/none/play.mp4", { expiresInSec: 600 });
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 4004, data: null });
  });

  it("never serves files outside the root, however the path is encoded", async () => {
    const exp = Math.floor(T0.getTime() / 1000) + 600;
    const targets = [
      "../outside.txt",
      "../../etc/passwd",
      "..%2foutside.txt",
      "../../../../../../etc/passwd",
    ];
    const paths = [
      "/files/..%2f..%2fetc/passwd",
      "/files/..%2Foutside.txt",
      "/files/../outside.txt",
      "/files/%2e%2e/outside.txt",
      "/files/%2e%2e%2foutside.txt",
      "/files/%252e%252e%252foutside.txt",
      "/files/videos/..%2f..%2foutside.txt",
      "/files/videos/%2e%2e/%2e%2e/outside.txt",
      "/files/..%5coutside.txt",
      "/files/%2fetc%2fpasswd",
      "/files//etc/passwd",
      "/files/videos/v3/play.mp4%00.txt",
    ];
    for (const p of paths) {
      // Unsigned, and signed (with the real secret) for whatever the attacker hopes the key decodes to.
      const attempts = [p, ...targets.map((t) => `${p}?exp=${exp}&sig=${signLocal(SECRET, t, exp)}`)];
      for (const url of attempts) {
        const res = await app.inject({ url });
        expect([403, 404], url).toContain(res.statusCode);
        expect(res.body, url).not.toContain(SECRET_OUTSIDE);
        expect(res.body, url).not.toContain("root:");
      }
    }
  });
});

describe("parseRange", () => {
  it("resolves single byte ranges and ignores what it cannot honour", () => {
    expect(parseRange("bytes=0-0", 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange("bytes=5-", 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange("bytes=-20", 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=-0", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=10-", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-", 0)).toBe("unsatisfiable");
    expect(parseRange("bytes=5-2", 10)).toBeNull();
    expect(parseRange("bytes=0-1,4-5", 10)).toBeNull();
    expect(parseRange("items=0-1", 10)).toBeNull();
    expect(parseRange("bytes=-", 10)).toBeNull();
  });
});

describe("createStorage", () => {
  it("defaults to local storage under DATA_DIR/storage", async () => {
    const s = createStorage({ dataDir: workDir }, SECRET);
    expect(s.kind).toBe("local");
    await s.put("uploads/u9/z.webp", Buffer.from("w"), "image/webp");
    expect(readFileSync(path.join(localStorageRoot(workDir), "uploads", "u9", "z.webp"), "utf8")).toBe("w");
    expect((await s.signedUrl("uploads/u9/z.webp", { expiresInSec: 5 })).url).toMatch(
      /^\/files\/uploads\/u9\/z\.webp\?/,
    );
  });

  it("names the missing S3 settings", () => {
    expect(() => createStorage({ STORAGE_DRIVER: "s3", dataDir: workDir }, SECRET)).toThrow(
      /S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION/,
    );
    expect(() =>
      createStorage(
        { STORAGE_DRIVER: "s3", dataDir: workDir, S3_BUCKET: "b", S3_REGION: "cn-hangzhou" },
        SECRET,
      ),
    ).toThrow(/needs S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY$/);
    const s3 = createStorage(
      {
        STORAGE_DRIVER: "s3",
        dataDir: workDir,
        S3_BUCKET: "b",
        S3_REGION: "cn-hangzhou",
        S3_ENDPOINT: "https://s3.oss-cn-hangzhou.aliyuncs.com",
        S3_ACCESS_KEY_ID: "k",
        S3_SECRET_ACCESS_KEY: "s",
      },
      SECRET,
    );
    expect(s3.kind).toBe("s3");
  });
});
