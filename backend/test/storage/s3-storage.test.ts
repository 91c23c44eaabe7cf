import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, type S3Storage } from "../../src/providers/storage/s3.js";
import {
  attachmentDisposition,
  InvalidStorageKeyError,
  ObjectNotFoundError,
} from "../../src/providers/storage/types.js";

// s3rver ships no type declarations; describe the little we use.
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (opts: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  resetOnClose?: boolean;
}) => S3rverInstance;
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor;

const BUCKET = "skyriff-test";
/** s3rver's built-in account. */
const CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

let workDir: string;
let server: S3rverInstance;
let endpoint: string;
let storage: S3Storage;
/** A plain TCP-level HTTP proxy on another port, standing in for a public endpoint / CDN host. */
let proxy: Server;
let proxyEndpoint: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), "skyriff-s3-"));
  server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: path.join(workDir, "s3rver"),
  });
  const address = await server.run();
  endpoint = `http://127.0.0.1:${address.port}`;
  storage = createS3Storage({
    endpoint,
    region: "us-east-1",
    bucket: BUCKET,
    ...CREDENTIALS,
    forcePathStyle: true,
  });
  await storage.client.send(new CreateBucketCommand({ Bucket: BUCKET }));

  proxy = createServer((req, res) => {
    const upstream = request(
      { host: "127.0.0.1", port: address.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  storage?.close();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await server?.close();
  rmSync(workDir, { recursive: true, force: true });
});

const VIDEO = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));

describe("S3 object storage against s3rver", () => {
  it("puts, checks, downloads and deletes objects", async () => {
    const key = "uploads/u1/a.jpg";
    expect(storage.kind).toBe("s3");
    expect(await storage.exists(key)).toBe(false);
    await storage.put(key, Buffer.from("jpeg bytes"), "image/jpeg");
    expect(await storage.exists(key)).toBe(true);

    const out = path.join(workDir, "downloads", "nested", "a.jpg");
    await storage.getToFile(key, out);
    expect(readFileSync(out, "utf8")).toBe("jpeg bytes");
    expect(readdirSync(path.dirname(out))).toEqual(["a.jpg"]);

    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    await storage.delete(key); // deleting a missing key is fine
    await expect(storage.getToFile(key, path.join(workDir, "downloads", "gone.jpg"))).rejects.toBeInstanceOf(
      ObjectNotFoundError,
    );
    expect(readdirSync(path.dirname(out))).toEqual(["a.jpg"]); // no partial file for the failed download
  });

  it("uploads a file from disk byte for byte and keeps its content type", async () => {
    const src = path.join(workDir, "source.mp4");
    writeFileSync(src, VIDEO);
    const key = "videos/v1/source.mp4";
    await storage.putFile(key, src, "video/mp4");
    const out = path.join(workDir, "copy.mp4");
    await storage.getToFile(key, out);
    expect(readFileSync(out).equals(VIDEO)).toBe(true);

    const { url } = await storage.signedUrl(key, { expiresInSec: 300 });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
  });

  it("refuses bad keys before any request", async () => {
    for (const key of ["../x.jpg", "/abs.jpg", "a//b.jpg", "a/./b.jpg", "a b.jpg"]) {
      await expect(storage.put(key, Buffer.from("x"), "image/jpeg"), key).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
      await expect(storage.signedUrl(key, { expiresInSec: 60 }), key).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
    }
  });

  it("presigned URLs fetch the bytes over HTTP, with a download name when asked", async () => {
    const key = "videos/v2/source.mp4";
    await storage.put(key, VIDEO, "video/mp4");
    const before = Date.now();
    const link = await storage.signedUrl(key, { expiresInSec: 600 });
    expect(link.url.startsWith(`${endpoint}/${BUCKET}/${key}?`)).toBe(true);
    expect(link.url).toContain("X-Amz-Expires=600");
    expect(link.expireAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(link.expireAt.getTime()).toBeLessThanOrEqual(Date.now() + 600_000);

    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(VIDEO)).toBe(true);

    const named = await storage.signedUrl(key, { expiresInSec: 600, downloadName: "天空 即兴.mp4" });
    const download = await fetch(named.url);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe(attachmentDisposition("天空 即兴.mp4"));
    expect(Buffer.from(await download.arrayBuffer()).equals(VIDEO)).toBe(true);

    // (s3rver checks SigV4 expiry but not the signature itself; see the public-endpoint test for the host.)
  });

  it("expired presigned URLs are refused", async () => {
    const key = "videos/v3/source.mp4";
    await storage.put(key, Buffer.from("old video"), "video/mp4");
    const past = createS3Storage({
      endpoint,
      region: "us-east-1",
      bucket: BUCKET,
      ...CREDENTIALS,
      forcePathStyle: true,
      now: () => new Date(Date.now() - 2 * 3600_000),
    });
    try {
      const link = await past.signedUrl(key, { expiresInSec: 3600 });
      expect(link.expireAt.getTime()).toBeLessThan(Date.now());
      const res = await fetch(link.url);
      expect(res.status).toBe(403);
      const body = await res.text();
      expect(body).toContain("AccessDenied");
      expect(body).not.toContain("old video");
    } finally {
      past.close();
    }
  });

  it("signs links for the public endpoint when one is configured", async () => {
    const key = "videos/v4/play.mp4";
    const at = new Date();
    const options = {
      region: "us-east-1",
      bucket: BUCKET,
      ...CREDENTIALS,
      forcePathStyle: true,
      now: () => at,
    };
    const viaProxy = createS3Storage({ ...options, endpoint, publicEndpoint: proxyEndpoint });
    const direct = createS3Storage({ ...options, endpoint });
    try {
      await viaProxy.put(key, VIDEO, "video/mp4"); // API calls still go to the internal endpoint
      expect(await direct.exists(key)).toBe(true);
      const link = await viaProxy.signedUrl(key, { expiresInSec: 60 });
      expect(link.url.startsWith(`${proxyEndpoint}/${BUCKET}/${key}?`)).toBe(true);
      const res = await fetch(link.url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(VIDEO)).toBe(true);
      // The Host is part of what is signed: the same object, second and expiry signed for the internal
      // host gives another signature (a link cannot be moved between hosts).
      const internal = new URL((await direct.signedUrl(key, { expiresInSec: 60 })).url);
      const pub = new URL(link.url);
      expect(pub.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
      expect(pub.searchParams.get("X-Amz-Date")).toBe(internal.searchParams.get("X-Amz-Date"));
      expect(pub.searchParams.get("X-Amz-Signature")).not.toBe(internal.searchParams.get("X-Amz-Signature"));
    } finally {
      viaProxy.close();
      direct.close();
    }
  });
});
