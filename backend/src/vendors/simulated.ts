/**
 * The embedded video vendor (SPEC §3 `simulated`): renders a real H.264/AAC MP4 of the requested duration
 * and ratio with ffmpeg, and moves through QUEUED → IN_PROGRESS (rising progress) → SUCCESS on a clock.
 *
 * What it renders (`simulatedClipArgs`): text→video is a moving scene chosen from a hash of the prompt
 * (same prompt, same scene; see media/scenes.ts); image→video animates the reference image (cover-fit
 * to the ratio, slow Ken Burns zoom and pan); both carry the prompt as a subtitle.
 *
 * It keeps no state: the vendor task id carries everything (creation time, duration, ratio, prompt,
 * fail flag, the reference image URL), so any process can answer `get()` for any id and all of them
 * agree. The finished clip is rendered once per id at `${workDir}/<hash>.mp4` (written under a temporary
 * name, then renamed, so concurrent pollers in several processes are safe) and returned as a `file://`
 * URL. The reference image is fetched (http/https only) when the clip is rendered, into a temporary
 * file removed afterwards. If it cannot be fetched or decoded (expired signature, server unreachable,
 * not an image), the clip falls back to the prompt's text→video scene and its subtitle says so
 * (`SIMULATED_IMAGE_FALLBACK_NOTE`): the simulator never fails a task over its reference image, so a
 * development setup whose `PUBLIC_BASE_URL` the worker cannot reach still finishes its tasks.
 *
 * Prompt tags: `#fail` → the task fails at about 60 % progress with "模拟生成失败（#fail）";
 * `#reject` → `create()` refuses the request (VendorError "rejected"), like a content-policy refusal.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Ratio } from "@skyriff/contracts";
import { dimensionsFor, simulatedClipArgs } from "../media/args.js";
import { findFont, MediaError, type MediaTools, runFfmpeg } from "../media/ffmpeg.js";
import { fetchToFile } from "../media/pipeline.js";
import { VendorError, type VendorTaskState, type VideoVendor } from "./types.js";

export const SIMULATED_FAIL_TAG = "#fail";
export const SIMULATED_REJECT_TAG = "#reject";
export const SIMULATED_FAIL_MESSAGE = "模拟生成失败（#fail）";
export const SIMULATED_REJECT_MESSAGE = "模拟内容审核未通过（#reject）";
/** Appended to the subtitle when the reference image could not be used (the clip is text→video). */
export const SIMULATED_IMAGE_FALLBACK_NOTE = "（参考图无法读取，已按文字生成）";

/** Share of the total time spent QUEUED. */
const QUEUED_SHARE = 0.15;
/** A `#fail` task fails this far into its IN_PROGRESS phase (≈ 60 % progress). */
const FAIL_SHARE = 0.6;
const ID_PREFIX = "sim1.";
const PROMPT_CHARS = 120;
/** Longest reference image URL kept in a task id (signed S3/OSS URLs are well under this). */
const MAX_IMAGE_URL = 4096;
const MAX_ID_LENGTH = 8192;
/** The reference image fetch: uploads are at most 10 MB. */
const IMAGE_FETCH = { timeoutMs: 20_000, maxBytes: 20 * 1024 * 1024, allowFileUrls: false } as const;
const RATIOS: readonly Ratio[] = ["9:16", "16:9", "1:1"];

export interface SimulatedVendorOptions {
  /** Where finished clips are cached. */
  workDir: string;
  /** SIMULATED_VENDOR_SECONDS: from create to SUCCESS (default 20). */
  totalSeconds?: number;
  /** Epoch ms (default Date.now). */
  now?: () => number;
  /** undefined → `findFont()`; null → no text in the clip. */
  fontFile?: string | null;
  /** Short side of the clip in pixels (default 720 → 720×1280 for 9:16). */
  baseSize?: number;
  renderTimeoutMs?: number;
  tools?: MediaTools;
}

/** What a simulated vendor task id encodes. */
export interface SimulatedTaskSpec {
  v: 1;
  /** Created at, epoch ms. */
  t: number;
  /** Duration, seconds. */
  d: number;
  r: Ratio;
  /** The prompt, truncated. */
  p: string;
  /** 1 → ends in FAILURE. */
  f: 0 | 1;
  /** 1 → image→video. */
  i: 0 | 1;
  /** The reference image URL (http/https) of an image→video task. */
  u?: string;
  /** Nonce, so equal requests in the same millisecond still get distinct ids. */
  n: string;
}

export function encodeSimulatedTaskId(spec: SimulatedTaskSpec): string {
  return ID_PREFIX + Buffer.from(JSON.stringify(spec), "utf8").toString("base64url");
}

/** The spec inside an id, or null when it is not a well-formed simulated task id. */
export function decodeSimulatedTaskId(id: string): SimulatedTaskSpec | null {
  if (typeof id !== "string" || !id.startsWith(ID_PREFIX) || id.length > MAX_ID_LENGTH) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(id.slice(ID_PREFIX.length), "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const s = raw as Record<string, unknown>;
  const ok =
    s.v === 1 &&
    Number.isSafeInteger(s.t) &&
    (s.t as number) >= 0 &&
    Number.isInteger(s.d) &&
    (s.d as number) >= 1 &&
    (s.d as number) <= 60 &&
    RATIOS.includes(s.r as Ratio) &&
    typeof s.p === "string" &&
    (s.f === 0 || s.f === 1) &&
    (s.i === 0 || s.i === 1) &&
    (s.u === undefined || (s.i === 1 && httpUrl(s.u))) &&
    typeof s.n === "string";
  return ok ? (s as unknown as SimulatedTaskSpec) : null;
}

/** An http(s) URL short enough to keep in a task id. */
function httpUrl(value: unknown): value is string {
  if (typeof value !== "string" || value.length > MAX_IMAGE_URL) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function hasTag(prompt: string, tag: string): boolean {
  return prompt.toLowerCase().includes(tag);
}

/** The state of a task `elapsedMs` after creation (pure; SUCCESS comes without its URL). */
export function simulatedStateAt(
  spec: Pick<SimulatedTaskSpec, "f">,
  elapsedMs: number,
  totalMs: number,
): { status: "QUEUED" | "IN_PROGRESS" | "SUCCESS" | "FAILURE"; progress: number } {
  const elapsed = Math.max(0, elapsedMs);
  const total = Math.max(0, Math.round(totalMs));
  const queuedMs = Math.round(total * QUEUED_SHARE);
  const runMs = total - queuedMs;
  const progressAt = (ms: number) =>
    runMs <= 0 ? 99 : Math.min(99, Math.max(1, 1 + Math.floor(((ms - queuedMs) * 99) / runMs)));
  const failAt = queuedMs + Math.round(runMs * FAIL_SHARE);
  if (spec.f === 1 && elapsed >= failAt) return { status: "FAILURE", progress: progressAt(failAt) };
  if (elapsed < queuedMs) return { status: "QUEUED", progress: 0 };
  if (elapsed < total) return { status: "IN_PROGRESS", progress: progressAt(elapsed) };
  return { status: "SUCCESS", progress: 100 };
}

export function createSimulatedVendor(opts: SimulatedVendorOptions): VideoVendor {
  const now = opts.now ?? Date.now;
  const totalMs = Math.max(0, Math.round((opts.totalSeconds ?? 20) * 1000));
  const rendering = new Map<string, Promise<string>>();

  async function render(id: string, spec: SimulatedTaskSpec): Promise<string> {
    const file = path.join(opts.workDir, `${createHash("sha256").update(id).digest("hex").slice(0, 32)}.mp4`);
    const existing = await stat(file).catch(() => null);
    if (existing?.isFile() && existing.size > 0) return file;
    await mkdir(opts.workDir, { recursive: true });
    const unique = `${process.pid}-${randomBytes(4).toString("hex")}`;
    const temp = `${file}.${unique}.tmp`;
    const imageFile = `${file}.${unique}.ref`;
    const { width, height } = dimensionsFor(spec.r, opts.baseSize ?? 720);
    const fontFile = opts.fontFile === undefined ? findFont() : opts.fontFile;
    const run = (image: string | null, text: string) =>
      runFfmpeg(
        simulatedClipArgs({
          output: temp,
          durationSec: spec.d,
          width,
          height,
          text,
          fontFile,
          seed: spec.p,
          image,
        }),
        { timeoutMs: opts.renderTimeoutMs ?? 120_000, tools: opts.tools },
      );
    try {
      // Fetched now, not at create(): any process can render any id, and the URL is in the id.
      const image = spec.u
        ? await fetchToFile(spec.u, imageFile, IMAGE_FETCH).then(
            () => imageFile,
            () => null,
          )
        : null;
      if (image) {
        // An undecodable image fails ffmpeg; the clip is then rendered as text→video like a failed fetch.
        await run(image, spec.p).catch((err: unknown) => {
          if (err instanceof MediaError && err.kind === "ffmpeg_failed")
            return run(null, fallbackText(spec.p));
          throw err;
        });
      } else {
        await run(null, spec.i === 1 ? fallbackText(spec.p) : spec.p);
      }
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    } finally {
      await rm(imageFile, { force: true });
    }
    return file;
  }

  function fallbackText(prompt: string): string {
    return `${prompt}${SIMULATED_IMAGE_FALLBACK_NOTE}`;
  }

  function renderOnce(id: string, spec: SimulatedTaskSpec): Promise<string> {
    let pending = rendering.get(id);
    if (!pending) {
      pending = render(id, spec).finally(() => rendering.delete(id));
      rendering.set(id, pending);
    }
    return pending;
  }

  return {
    name: "simulated",

    async create(input) {
      if (!RATIOS.includes(input.ratio))
        throw new VendorError("rejected", `unsupported ratio ${input.ratio}`);
      if (!Number.isInteger(input.durationSec) || input.durationSec < 1 || input.durationSec > 60) {
        throw new VendorError("rejected", `unsupported duration ${input.durationSec}`);
      }
      if (hasTag(input.prompt, SIMULATED_REJECT_TAG))
        throw new VendorError("rejected", SIMULATED_REJECT_MESSAGE);
      if (input.referenceImageUrl && !httpUrl(input.referenceImageUrl)) {
        throw new VendorError("rejected", "reference image URL must be http(s) and at most 4096 characters");
      }
      const spec: SimulatedTaskSpec = {
        v: 1,
        t: Math.floor(now()),
        d: input.durationSec,
        r: input.ratio,
        p: Array.from(input.prompt.trim()).slice(0, PROMPT_CHARS).join(""),
        f: hasTag(input.prompt, SIMULATED_FAIL_TAG) ? 1 : 0,
        i: input.referenceImageUrl ? 1 : 0,
        ...(input.referenceImageUrl ? { u: input.referenceImageUrl } : {}),
        n: randomBytes(6).toString("base64url"),
      };
      return { vendorTaskId: encodeSimulatedTaskId(spec) };
    },

    async get(vendorTaskId: string): Promise<VendorTaskState> {
      const spec = decodeSimulatedTaskId(vendorTaskId);
      if (!spec) throw new VendorError("rejected", "unknown simulated task id");
      const state = simulatedStateAt(spec, now() - spec.t, totalMs);
      if (state.status === "FAILURE") {
        return {
          status: "FAILURE",
          progress: state.progress,
          videoUrl: null,
          errorMessage: SIMULATED_FAIL_MESSAGE,
          rawStatus: "failed",
        };
      }
      if (state.status !== "SUCCESS") {
        return {
          status: state.status,
          progress: state.progress,
          videoUrl: null,
          errorMessage: null,
          rawStatus: state.status === "QUEUED" ? "queued" : "in_progress",
        };
      }
      let file: string;
      try {
        file = await renderOnce(vendorTaskId, spec);
      } catch (err) {
        throw new VendorError("transient", `simulated render failed: ${(err as Error).message}`, 5_000);
      }
      return {
        status: "SUCCESS",
        progress: 100,
        videoUrl: pathToFileURL(file).href,
        errorMessage: null,
        rawStatus: "completed",
      };
    },
  };
}
