import type { Ratio, TaskStatus } from "@skyriff/contracts";

/** One entry of the model catalog (config/models.ts). */
export interface ModelDef {
  id: string;
  name: string;
  vendor: VendorName;
  durations: number[];
  ratios: Ratio[];
  imageToVideo: boolean;
  creditsPerSecond: number;
  timeoutMinutes: number;
  enabled: boolean;
}

export type VendorName = "dyuapi" | "ark" | "dashscope" | "simulated";

export interface VendorCreateInput {
  /** Our task id (vendors that accept a client reference get it; also useful in logs). */
  taskId: string;
  model: ModelDef;
  prompt: string;
  durationSec: number;
  ratio: Ratio;
  /** A URL the vendor can fetch the reference image from (signed, expiring); null for text→video. */
  referenceImageUrl: string | null;
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
 * - `transient`: timeout, network error, 5xx, 429, malformed body — retry later, the task stays as it is.
 * - `rejected`: the vendor refused the request for good (content policy, invalid parameters, auth) —
 *   the task fails and is refunded.
 */
export class VendorError extends Error {
  constructor(
    readonly kind: "transient" | "rejected",
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "VendorError";
  }
}

/** A video-generation vendor. Implementations never throw anything but VendorError. */
export interface VideoVendor {
  readonly name: VendorName;
  /** Submits text→video (referenceImageUrl null) or image→video; returns the vendor's task id. */
  create(input: VendorCreateInput): Promise<{ vendorTaskId: string }>;
  /** The current state of a vendor task. */
  get(vendorTaskId: string): Promise<VendorTaskState>;
}

/** SPEC §3 status words, case-insensitive; anything unknown is treated as still running. */
export function mapVendorStatus(raw: string | null | undefined): { status: TaskStatus; known: boolean } {
  const word = (raw ?? "").trim().toLowerCase();
  if (["created", "not_start", "not_started"].includes(word)) return { status: "NOT_START", known: true };
  if (["queued", "pending", "submitted"].includes(word)) return { status: "QUEUED", known: true };
  if (["processing", "in_progress", "running"].includes(word)) return { status: "IN_PROGRESS", known: true };
  if (["completed", "success", "succeeded", "succeed"].includes(word))
    return { status: "SUCCESS", known: true };
  if (["failed", "error", "cancelled", "canceled", "expired"].includes(word))
    return { status: "FAILURE", known: true };
  return { status: "IN_PROGRESS", known: false };
}
