import type { Ratio, TaskStatus } from "@skyriff/contracts";

/** What a vendor accepts as an image→video reference (SPEC §3; see media/prepare-image.ts). */
export interface ImageLimits {
  /** Pixels per side, inclusive. */
  minSide: number;
  maxSide: number;
  /** width / height, inclusive. */
  minAspect: number;
  maxAspect: number;
  maxBytes: number;
  /** The vendor crops the image to the requested ratio (Seedance) or its output keeps the image's ratio (Wan). */
  output: "crops-to-ratio" | "follows-image";
}

/** One entry of the model catalog (config/models.ts). */
export interface ModelDef {
  id: string;
  name: string;
  vendor: VendorName;
  /** The vendor's own model id, sent in the create (for Ark also an endpoint id `ep-…`). */
  vendorModel: string;
  durations: number[];
  ratios: Ratio[];
  /** Output resolutions the model offers (`480p`, `720p`, `1080p`), the first the default. */
  resolutions: string[];
  imageToVideo: boolean;
  /** Set when imageToVideo: what the reference must satisfy. */
  image: ImageLimits | null;
  creditsPerSecond: number;
  /** What the vendor charges us per second of video, in milli-yuan (cost accounting). */
  vendorCostMilliPerSecond: number;
  /**
   * Models of one class are equivalent for failover (换用同类模型): a task may move to another enabled
   * model of its class at the same or a lower price.
   */
  failoverClass: string;
  timeoutMinutes: number;
  enabled: boolean;
}

export type VendorName = "dyuapi" | "ark" | "dashscope" | "kling" | "minimax" | "simulated";

export interface VendorCreateInput {
  /**
   * Our task id: sent as the vendor's client reference where it takes one (Kling `external_task_id`,
   * metadata), so a create whose answer was lost can be found again (`findByReference`).
   */
  taskId: string;
  model: ModelDef;
  prompt: string;
  durationSec: number;
  ratio: Ratio;
  /** One of model.resolutions. */
  resolution: string;
  /**
   * The prepared reference image (media/prepare-image.ts: within model.image's limits): a URL the vendor
   * can fetch (signed, expiring) or a `data:` URI; null for text→video.
   */
  referenceImageUrl: string | null;
  /** Where the vendor may report the task's end (`/api/v1/vendors/{vendor}/callback/{token}`); null: poll only. */
  callbackUrl: string | null;
}

export interface VendorTaskState {
  status: TaskStatus;
  /** 0–100 when the vendor reports it, otherwise null. */
  progress: number | null;
  /** Set with SUCCESS: where to fetch the finished video (http(s) or, for the simulator, file://). */
  videoUrl: string | null;
  /** Set with FAILURE: the vendor's reason, shown to the user. */
  errorMessage: string | null;
  /** The vendor's own status word, for logs. */
  rawStatus: string;
}

/**
 * Why a vendor call did not give an answer:
 * - `transient`: network error before the request was sent, 5xx, 429 rate limit, malformed body —
 *   retry later, the task stays as it is.
 * - `rejected`: the vendor refused the request for good (content policy, invalid parameters, auth,
 *   arrears or an exhausted resource pack) — the task fails and is refunded.
 * - `unanswered`: a create was sent but its answer was lost (timeout, connection reset after sending):
 *   the vendor may have accepted it. Never resubmit blindly: reconcile by reference first.
 */
export class VendorError extends Error {
  constructor(
    readonly kind: "transient" | "rejected" | "unanswered",
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "VendorError";
  }
}

/** A vendor's report of a task's state, pushed to our callback URL. */
export interface VendorCallback {
  vendorTaskId: string;
  state: VendorTaskState;
}

/** A video-generation vendor. Implementations never throw anything but VendorError. */
export interface VideoVendor {
  readonly name: VendorName;
  /** Submits text→video (referenceImageUrl null) or image→video; returns the vendor's task id. */
  create(input: VendorCreateInput): Promise<{ vendorTaskId: string }>;
  /** The current state of a vendor task. */
  get(vendorTaskId: string): Promise<VendorTaskState>;
  /**
   * The vendor task created with our task id as its client reference, or null when the vendor has
   * none. Absent when the vendor cannot be queried by reference (then a lost create is never resent).
   */
  findByReference?(taskId: string): Promise<{ vendorTaskId: string } | null>;
  /** Reads a callback body the vendor posted (null when it is not a task report). Absent: no callbacks. */
  parseCallback?(body: unknown): VendorCallback | null;
  /**
   * The challenge to echo (`{challenge}`) when the body is the vendor's check of a callback URL
   * (MiniMax), else null. Absent: the vendor sends no such check.
   */
  callbackChallenge?(body: unknown): string | null;
  /**
   * Fetches a finished video whose `videoUrl` needs the vendor's credentials (an OpenAI-style
   * `/v1/videos/{id}/content` stream). Resolves with the vendor's response as it is (the caller checks
   * the status and streams the body); rejects only when no response came. Absent: a plain GET will do.
   */
  download?(videoUrl: string, signal: AbortSignal): Promise<Response>;
}

/** SPEC §3 status words, case-insensitive; anything unknown is treated as still running. */
export function mapVendorStatus(raw: string | null | undefined): { status: TaskStatus; known: boolean } {
  const word = (raw ?? "").trim().toLowerCase();
  if (["created", "not_start", "not_started"].includes(word)) return { status: "NOT_START", known: true };
  // MiniMax reports Preparing before Queueing: both are still waiting for a slot.
  if (["queued", "queueing", "pending", "submitted", "waiting", "preparing"].includes(word))
    return { status: "QUEUED", known: true };
  if (["processing", "in_progress", "running"].includes(word)) return { status: "IN_PROGRESS", known: true };
  if (["completed", "success", "succeeded", "succeed"].includes(word))
    return { status: "SUCCESS", known: true };
  if (["failed", "fail", "error", "cancelled", "canceled", "expired"].includes(word))
    return { status: "FAILURE", known: true };
  return { status: "IN_PROGRESS", known: false };
}
