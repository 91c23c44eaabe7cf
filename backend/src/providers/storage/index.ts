import path from "node:path";
import { ConfigError } from "../../config/env.js";
import { createLocalStorage } from "./local.js";
import { createS3Storage } from "./s3.js";
import type { ObjectStorage } from "./types.js";

export { createLocalStorage, type LocalStorageOptions, signLocal, verifyLocalSignature } from "./local.js";
export { type LocalFilesOptions, localFilesPlugin } from "./local-route.js";
export { createS3Storage, type S3Storage, type S3StorageOptions } from "./s3.js";
export * from "./types.js";

/** The env settings storage reads (names as in config/env.ts). */
export interface StorageSettings {
  /** `local` (default) or `s3`. */
  STORAGE_DRIVER?: "local" | "s3";
  /** Absolute data directory; local objects live in `${dataDir}/storage`. */
  dataDir: string;
  S3_ENDPOINT?: string;
  S3_REGION?: string;
  S3_BUCKET?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_FORCE_PATH_STYLE?: boolean;
  S3_PUBLIC_ENDPOINT?: string;
}

/** Where local objects live; mount `localFilesPlugin` with this same rootDir and secret. */
export function localStorageRoot(dataDir: string): string {
  return path.join(dataDir, "storage");
}

/**
 * Picks the storage named by `STORAGE_DRIVER`. `secret` signs local links (pass the same one to
 * `localFilesPlugin`); S3 links are presigned with the S3 credentials. Throws `ConfigError` naming the missing S3 settings.
 */
export function createStorage(settings: StorageSettings, secret: string): ObjectStorage {
  if ((settings.STORAGE_DRIVER ?? "local") === "local") {
    return createLocalStorage({ rootDir: localStorageRoot(settings.dataDir), publicBaseUrl: "", secret });
  }
  if (settings.STORAGE_DRIVER !== "s3") {
    throw new ConfigError(
      `STORAGE_DRIVER must be "local" or "s3", got ${JSON.stringify(settings.STORAGE_DRIVER)}`,
    );
  }
  const required = ["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const;
  const missing: string[] = required.filter((name) => !settings[name]);
  if (!settings.S3_ENDPOINT && !settings.S3_REGION) missing.push("S3_REGION (or S3_ENDPOINT)");
  if (missing.length) throw new ConfigError(`STORAGE_DRIVER=s3 needs ${missing.join(", ")}`);
  return createS3Storage({
    endpoint: settings.S3_ENDPOINT,
    region: settings.S3_REGION ?? "us-east-1",
    bucket: settings.S3_BUCKET ?? "",
    accessKeyId: settings.S3_ACCESS_KEY_ID ?? "",
    secretAccessKey: settings.S3_SECRET_ACCESS_KEY ?? "",
    forcePathStyle: settings.S3_FORCE_PATH_STYLE ?? false,
    publicEndpoint: settings.S3_PUBLIC_ENDPOINT,
  });
}
