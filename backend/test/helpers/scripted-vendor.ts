import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { simulatedClipArgs } from "../../src/media/args.js";
import { runFfmpeg } from "../../src/media/ffmpeg.js";
import {
  type VendorCreateInput,
  VendorError,
  type VendorName,
  type VendorTaskState,
  type VideoVendor,
} from "../../src/vendors/types.js";

/**
 * A vendor the pipeline tests steer by hand (issue 13 §4–6): it keeps the tasks it took, finishes them
 * when told, and can take a create and lose the answer (`drop`), refuse before taking it (`down`), or
 * lose the answer without taking it (`lost`). Optional features as a real adapter has them: lookup by
 * our reference, callbacks (with a MiniMax-style challenge).
 */
export interface ScriptedVendor extends VideoVendor {
  /** Every create received, answered or not. */
  readonly creates: VendorCreateInput[];
  /** The tasks it took (what it would bill): a double submission shows here. */
  readonly taken: Map<string, { taskId: string; status: VendorTaskState["status"] }>;
  gets: number;
  createMode: "answer" | "drop" | "lost" | "down";
  getMode: "answer" | "down";
  finish(vendorTaskId: string, outcome?: "SUCCESS" | "FAILURE"): void;
  /** The vendor task that took our task id. */
  vendorTaskOf(taskId: string): string | undefined;
  /** The body this vendor posts to a callback URL for its task. */
  callbackBody(vendorTaskId: string, status?: string): Record<string, unknown>;
}

export function createScriptedVendor(
  name: VendorName,
  opts: { videoUrl: string; lookup?: boolean; callbacks?: boolean },
): ScriptedVendor {
  const toState = (status: VendorTaskState["status"]): VendorTaskState => ({
    status,
    progress: status === "SUCCESS" ? 100 : status === "IN_PROGRESS" ? 40 : 0,
    videoUrl: status === "SUCCESS" ? opts.videoUrl : null,
    errorMessage: status === "FAILURE" ? "scripted failure" : null,
    rawStatus: status.toLowerCase(),
  });
  const vendor: ScriptedVendor = {
    name,
    creates: [],
    taken: new Map(),
    gets: 0,
    createMode: "answer",
    getMode: "answer",
    async create(input) {
      vendor.creates.push(input);
      if (vendor.createMode === "down") throw new VendorError("transient", "HTTP 503");
      if (vendor.createMode === "lost")
        throw new VendorError("unanswered", "timeout before the vendor took it");
      const id = `${name}-${randomBytes(6).toString("hex")}`;
      vendor.taken.set(id, { taskId: input.taskId, status: "QUEUED" });
      if (vendor.createMode === "drop") throw new VendorError("unanswered", "timeout after sending");
      return { vendorTaskId: id };
    },
    async get(vendorTaskId) {
      vendor.gets += 1;
      if (vendor.getMode === "down") throw new VendorError("transient", "HTTP 502");
      const task = vendor.taken.get(vendorTaskId);
      if (!task) throw new VendorError("rejected", "no such task");
      return toState(task.status);
    },
    finish(vendorTaskId, outcome = "SUCCESS") {
      const task = vendor.taken.get(vendorTaskId);
      if (!task) throw new Error(`no vendor task ${vendorTaskId}`);
      task.status = outcome;
    },
    vendorTaskOf(taskId) {
      return [...vendor.taken.entries()].find(([, t]) => t.taskId === taskId)?.[0];
    },
    callbackBody(vendorTaskId, status) {
      const task = vendor.taken.get(vendorTaskId);
      const word = status ?? task?.status ?? "QUEUED";
      return {
        task_id: vendorTaskId,
        status: word.toLowerCase(),
        video_url: word === "SUCCESS" ? opts.videoUrl : undefined,
      };
    },
  };
  if (opts.lookup) {
    vendor.findByReference = async (taskId) => {
      if (vendor.getMode === "down") throw new VendorError("transient", "HTTP 502");
      const id = vendor.vendorTaskOf(taskId);
      return id ? { vendorTaskId: id } : null;
    };
  }
  if (opts.callbacks) {
    vendor.parseCallback = (body) => {
      const b = body as { task_id?: unknown; status?: unknown; video_url?: unknown } | null;
      if (typeof b?.task_id !== "string" || typeof b.status !== "string") return null;
      const status = b.status.toUpperCase() as VendorTaskState["status"];
      const state = toState(status);
      return {
        vendorTaskId: b.task_id,
        state: { ...state, videoUrl: typeof b.video_url === "string" ? b.video_url : null },
      };
    };
    vendor.callbackChallenge = (body) => {
      const c = (body as { challenge?: unknown } | null)?.challenge;
      return typeof c === "string" ? c : null;
    };
  }
  return vendor;
}

/** A short real MP4 served over HTTP (only the simulator may hand out file:// URLs). */
export async function startClipServer(): Promise<{ url: string; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "skyriff-clip-"));
  const clip = path.join(dir, "clip.mp4");
  await runFfmpeg(
    simulatedClipArgs({
      output: clip,
      durationSec: 2,
      width: 180,
      height: 320,
      text: "clip",
      fontFile: null,
    }),
  );
  const bytes = readFileSync(clip);
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "video/mp4", "content-length": bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/clip.mp4`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
