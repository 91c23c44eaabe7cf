/**
 * The behaviour every vendor adapter must show against its fake (success, content rejection, late failure,
 * 429/5xx while polling, timeout, malformed JSON, unknown status word, wrong key). Each *.test.ts calls
 * `vendorContract` and adds its wire-format checks.
 */
import type { Ratio } from "@skyriff/contracts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadModels } from "../../src/config/models.js";
import {
  type ModelDef,
  mapVendorStatus,
  type VendorCreateInput,
  VendorError,
  type VendorTaskState,
  type VideoVendor,
} from "../../src/vendors/types.js";
import type { FakeVendor, FakeVendorOptions } from "../fakes/vendors/engine.js";

export function catalogModel(id: string): ModelDef {
  const m = loadModels({
    configuredVendors: new Set(["dyuapi", "ark", "dashscope", "simulated"]),
    disabled: new Set(),
  }).find((x) => x.id === id);
  if (!m) throw new Error(`no catalog model ${id}`);
  return m;
}

export async function pollUntilDone(
  vendor: VideoVendor,
  id: string,
  maxPolls = 30,
): Promise<VendorTaskState[]> {
  const states: VendorTaskState[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const s = await vendor.get(id);
    states.push(s);
    if (s.status === "SUCCESS" || s.status === "FAILURE") return states;
  }
  throw new Error(`task ${id} not finished after ${maxPolls} polls`);
}

export async function vendorErrorOf(p: Promise<unknown>): Promise<VendorError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(VendorError);
    return err as VendorError;
  }
  throw new Error("expected a VendorError, got a result");
}

export interface ContractOptions {
  name: string;
  start(opts?: FakeVendorOptions): Promise<FakeVendor>;
  make(fake: FakeVendor, over?: { apiKey?: string; timeoutMs?: number }): VideoVendor;
  model: ModelDef;
  durationSec: number;
  ratio: Ratio;
  /** True when the vendor reports progress on the wire (dyuapi). */
  reportsProgress: boolean;
}

export function vendorContract(o: ContractOptions): { fake: () => FakeVendor } {
  let fake: FakeVendor;
  const input = (prompt: string, referenceImageUrl: string | null = null): VendorCreateInput => ({
    taskId: "task-0001",
    model: o.model,
    prompt,
    durationSec: o.durationSec,
    ratio: o.ratio,
    referenceImageUrl,
  });

  beforeAll(async () => {
    fake = await o.start({ pollsToSuccess: 4 });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode("normal");
    fake.setPollFailures(0, 500);
    fake.setPollsToSuccess(4);
    fake.requests.length = 0;
  });

  describe(`${o.name} adapter against its fake`, () => {
    it("creates a task and polls it to SUCCESS with a downloadable video URL", async () => {
      const v = o.make(fake);
      const { vendorTaskId } = await v.create(input("一只柯基在海边奔跑，电影感"));
      expect(vendorTaskId).toBeTruthy();
      const states = await pollUntilDone(v, vendorTaskId);
      const statuses = states.map((s) => s.status);
      expect(statuses[0]).toBe("QUEUED");
      expect(statuses).toContain("IN_PROGRESS");
      const last = states.at(-1)!;
      expect(last).toMatchObject({ status: "SUCCESS", progress: 100, errorMessage: null });
      expect(last.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+\.mp4/);
      for (const s of states) expect(mapVendorStatus(s.rawStatus).known).toBe(true);
      const running = states.filter((s) => s.status === "IN_PROGRESS").map((s) => s.progress);
      if (o.reportsProgress) {
        expect(running.every((p) => typeof p === "number" && p > 0 && p < 100)).toBe(true);
        expect([...running].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(running);
      } else {
        expect(running.every((p) => p === null)).toBe(true);
      }
      const file = await fetch(last.videoUrl!);
      expect(file.status).toBe(200);
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
    });

    it("sends the Bearer key on every call", async () => {
      const v = o.make(fake);
      const { vendorTaskId } = await v.create(input("a quiet lake at dawn"));
      await v.get(vendorTaskId);
      expect(fake.requests.length).toBeGreaterThanOrEqual(2);
      for (const r of fake.requests) expect(r.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    });

    it("turns a content rejection at create into VendorError rejected with the vendor's message", async () => {
      const e = await vendorErrorOf(o.make(fake).create(input("a famous person dancing #reject")));
      expect(e.kind).toBe("rejected");
      expect(e.message.length).toBeGreaterThan(10);
      expect(e.message).not.toContain(fake.apiKey);
    });

    it("reports a late failure at 90 % as FAILURE with the vendor's reason", async () => {
      const v = o.make(fake);
      const { vendorTaskId } = await v.create(input("a street scene #latefail"));
      const states = await pollUntilDone(v, vendorTaskId);
      const last = states.at(-1)!;
      expect(last.status).toBe("FAILURE");
      expect(last.videoUrl).toBeNull();
      expect(last.errorMessage).toMatch(/content|sensitive|inappropriate/i);
      if (o.reportsProgress) expect(last.progress).toBe(90);
    });

    it("treats 429 while polling as transient with retryAfterMs, then recovers", async () => {
      const v = o.make(fake);
      const { vendorTaskId } = await v.create(input("clouds over mountains"));
      fake.setPollFailures(2, 429, 7);
      for (let i = 0; i < 2; i++) {
        const e = await vendorErrorOf(v.get(vendorTaskId));
        expect(e.kind).toBe("transient");
        expect(e.retryAfterMs).toBe(7000);
        expect(e.message).not.toContain(fake.apiKey);
      }
      expect((await v.get(vendorTaskId)).status).toBe("QUEUED");
    });

    it("treats 5xx while polling as transient", async () => {
      const v = o.make(fake);
      const { vendorTaskId } = await v.create(input("rain on a window"));
      for (const status of [500, 502, 503]) {
        fake.setPollFailures(1, status);
        const e = await vendorErrorOf(v.get(vendorTaskId));
        expect(e.kind).toBe("transient");
        expect(e.retryAfterMs).toBeNull();
        expect(e.message).toContain(String(status));
      }
      const states = await pollUntilDone(v, vendorTaskId);
      expect(states.at(-1)!.status).toBe("SUCCESS");
    });

    it("times out a vendor that never answers as transient (poll and create)", async () => {
      const v = o.make(fake, { timeoutMs: 150 });
      const { vendorTaskId } = await v.create(input("a lighthouse"));
      fake.setMode("hang");
      const started = Date.now();
      const e = await vendorErrorOf(v.get(vendorTaskId));
      expect(e.kind).toBe("transient");
      expect(e.message).toMatch(/timed out/);
      expect(Date.now() - started).toBeLessThan(2000);
      fake.setMode("normal");
      const c = await vendorErrorOf(v.create(input("never answered #hang")));
      expect(c.kind).toBe("transient");
      expect(c.message).toMatch(/timed out/);
    });

    it("treats malformed JSON as transient", async () => {
      const v = o.make(fake);
      const { vendorTaskId } = await v.create(input("a desert road"));
      fake.setMode("malformed");
      const e = await vendorErrorOf(v.get(vendorTaskId));
      expect(e.kind).toBe("transient");
      expect(e.message).toMatch(/malformed JSON/);
      const c = await vendorErrorOf(v.create(input("a desert road")));
      expect(c.kind).toBe("transient");
    });

    it("keeps a task with an unknown status word IN_PROGRESS (known: false)", async () => {
      const v = o.make(fake);
      const { vendorTaskId } = await v.create(input("a paper boat #unknown"));
      const states = await pollUntilDone(v, vendorTaskId);
      const odd = states.filter((s) => !mapVendorStatus(s.rawStatus).known);
      expect(odd.length).toBeGreaterThan(0);
      for (const s of odd) {
        expect(s.status).toBe("IN_PROGRESS");
        expect(s.rawStatus.toLowerCase()).toBe("warming_up");
      }
      expect(states.at(-1)!.status).toBe("SUCCESS");
    });

    it("turns a wrong key into VendorError rejected without leaking the key", async () => {
      const wrongKey = "sk-wrong-key-that-must-not-leak-123456";
      const v = o.make(fake, { apiKey: wrongKey });
      const e = await vendorErrorOf(v.create(input("anything")));
      expect(e.kind).toBe("rejected");
      expect(e.message).toMatch(/401/);
      expect(e.message).not.toContain(wrongKey);
      const g = await vendorErrorOf(v.get("some-id"));
      expect(g.kind).toBe("rejected");
    });

    it("turns a refused connection into VendorError transient", async () => {
      const closed = await o.start();
      await closed.close();
      const v = o.make(closed);
      const e = await vendorErrorOf(v.create(input("anything")));
      expect(e.kind).toBe("transient");
      expect(e.message).toMatch(/network error/);
    });
  });

  return { fake: () => fake };
}
