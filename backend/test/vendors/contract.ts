/**
 * The behaviour every vendor adapter must show against its fake: success, content rejection, late
 * failure, 429/5xx while polling, rate limit / arrears / 5xx at create, timeouts (a create whose answer is
 * lost is `unanswered`), "accepted and answer dropped", malformed JSON, unknown status words, expiring
 * result URLs, wrong key, refused connection, and the vendor's callbacks where it has them. Each
 * *.test.ts calls `vendorContract` and adds its wire-format checks.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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
    configuredVendors: new Set(["dyuapi", "ark", "dashscope", "kling", "minimax", "simulated"]),
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

/** A local receiver for vendor callbacks: collects the JSON bodies POSTed to it. */
export async function startCallbackReceiver(): Promise<{
  url: string;
  bodies: unknown[];
  close(): Promise<void>;
}> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/vendors/x/callback/token-1`,
    bodies,
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export interface ContractOptions {
  name: string;
  start(opts?: FakeVendorOptions): Promise<FakeVendor>;
  make(fake: FakeVendor, over?: { apiKey?: string; timeoutMs?: number }): VideoVendor;
  model: ModelDef;
  durationSec: number;
  ratio: Ratio;
  /** Default: the model's first resolution. */
  resolution?: string;
  /** True when the vendor reports progress on the wire (dyuapi). */
  reportsProgress: boolean;
  /** The fake answers #ratelimit, #arrears, #5xx and #drop at create (engine.createScenario / answerCreate). */
  createScenarios?: boolean;
  /** The Retry-After the fake's #ratelimit answer carries, as ms (default 3000; null: none). */
  rateLimitRetryAfterMs?: number | null;
  /** The vendor takes a callback URL and the adapter reads its callbacks (parseCallback). */
  callbacks?: boolean;
}

export function vendorContract(o: ContractOptions): { fake: () => FakeVendor } {
  let fake: FakeVendor;
  const input = (
    prompt: string,
    over: Partial<Pick<VendorCreateInput, "referenceImageUrl" | "callbackUrl">> = {},
  ): VendorCreateInput => ({
    taskId: "task-0001",
    model: o.model,
    prompt,
    durationSec: o.durationSec,
    ratio: o.ratio,
    resolution: o.resolution ?? o.model.resolutions[0] ?? "720p",
    referenceImageUrl: over.referenceImageUrl ?? null,
    callbackUrl: over.callbackUrl ?? null,
  });

  beforeAll(async () => {
    fake = await o.start({ pollsToSuccess: 4, callbackIntervalMs: 20 });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode("normal");
    fake.setPollFailures(0, 500);
    fake.setPollsToSuccess(4);
    fake.setResultTtlMs(86_400_000);
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

    transportCases({ make: (over) => o.make(fake, over), fake: () => fake, input });

    it("hands over the vendor's expiring result URL as it is (the media step must fetch it at once)", async () => {
      const v = o.make(fake);
      fake.setResultTtlMs(0);
      const { vendorTaskId } = await v.create(input("a short-lived link"));
      const last = (await pollUntilDone(v, vendorTaskId)).at(-1)!;
      expect(last.status).toBe("SUCCESS");
      if (last.videoUrl?.includes("/files/")) {
        expect(last.videoUrl).toMatch(/Expires=\d+/);
        expect((await fetch(last.videoUrl)).status).toBe(403);
      }
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

    it("turns a refused connection into VendorError transient (nothing was sent)", async () => {
      const closed = await o.start();
      await closed.close();
      const v = o.make(closed);
      const e = await vendorErrorOf(v.create(input("anything")));
      expect(e.kind).toBe("transient");
      expect(e.message).toMatch(/network error/);
    });

    if (o.createScenarios) {
      it("treats a rate limit at create as transient with the vendor's Retry-After; nothing is created", async () => {
        const before = fake.tasks.size;
        const e = await vendorErrorOf(o.make(fake).create(input("busy hour #ratelimit")));
        expect(e.kind).toBe("transient");
        expect(e.retryAfterMs).toBe(o.rateLimitRetryAfterMs === undefined ? 3000 : o.rateLimitRetryAfterMs);
        expect(e.message).toMatch(/429/);
        expect(fake.tasks.size).toBe(before);
      });

      it("treats arrears at create as rejected (definitive), whatever its HTTP status", async () => {
        const before = fake.tasks.size;
        const e = await vendorErrorOf(o.make(fake).create(input("account in debt #arrears")));
        expect(e.kind).toBe("rejected");
        expect(e.retryAfterMs).toBeNull();
        expect(fake.tasks.size).toBe(before);
      });

      it("treats a 5xx at create as transient", async () => {
        const e = await vendorErrorOf(o.make(fake).create(input("server trouble #5xx")));
        expect(e.kind).toBe("transient");
        expect(e.message).toMatch(/HTTP 5\d\d/);
      });

      it("reports a create the vendor accepted but whose answer was dropped as unanswered, sent once", async () => {
        const before = fake.tasks.size;
        const e = await vendorErrorOf(o.make(fake).create(input("accepted then lost #drop")));
        expect(e.kind).toBe("unanswered");
        // The vendor has the task (and will charge for it); the adapter did not send it again.
        expect(fake.tasks.size).toBe(before + 1);
        expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(1);
      });
    }

    if (o.callbacks) {
      it("sends callback_url and reads the vendor's callbacks to SUCCESS without polling", async () => {
        const receiver = await startCallbackReceiver();
        try {
          const v = o.make(fake);
          expect(v.parseCallback).toBeTypeOf("function");
          const { vendorTaskId } = await v.create(input("pushed, not polled", { callbackUrl: receiver.url }));
          const deadline = Date.now() + 5_000;
          let last: VendorTaskState | null = null;
          while (Date.now() < deadline && last?.status !== "SUCCESS") {
            await new Promise((r) => setTimeout(r, 20));
            const parsed = receiver.bodies.map((b) => v.parseCallback!(b));
            for (const p of parsed) expect(p?.vendorTaskId).toBe(vendorTaskId);
            last = parsed.at(-1)?.state ?? null;
          }
          expect(last).toMatchObject({ status: "SUCCESS", progress: 100 });
          expect(last?.videoUrl).toContain("/files/");
          const words = receiver.bodies.map((b) => v.parseCallback!(b)?.state.status);
          expect(words[0]).toBe("QUEUED");
          expect(fake.requests.filter((r) => r.method === "GET")).toHaveLength(0);
          expect(v.parseCallback!({ hello: "world" })).toBeNull();
        } finally {
          await receiver.close();
        }
      });
    }
  });

  return { fake: () => fake };
}

/**
 * What every adapter must do at the transport level, whatever its auth and error codes: a poll that
 * times out or answers malformed JSON is transient, a create whose answer never comes (or cannot be
 * read) is unanswered, an unknown status word keeps the task running. Declared inside a describe.
 */
export function transportCases(t: {
  make(over?: { timeoutMs?: number }): VideoVendor;
  fake(): Pick<FakeVendor, "setMode">;
  input(prompt: string): VendorCreateInput;
}): void {
  it("times out a poll as transient, and a create whose answer never comes as unanswered", async () => {
    const v = t.make({ timeoutMs: 150 });
    const { vendorTaskId } = await v.create(t.input("a lighthouse"));
    t.fake().setMode("hang");
    const started = Date.now();
    const e = await vendorErrorOf(v.get(vendorTaskId));
    expect(e.kind).toBe("transient");
    expect(e.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(2000);
    t.fake().setMode("normal");
    const created = await vendorErrorOf(v.create(t.input("never answered #hang")));
    // The vendor may have taken it: never `transient`, which would resubmit it blindly.
    expect(created.kind).toBe("unanswered");
    expect(created.message).toMatch(/timed out/);
  });

  it("treats malformed JSON as transient for a poll and unanswered for a create", async () => {
    const v = t.make();
    const { vendorTaskId } = await v.create(t.input("a desert road"));
    t.fake().setMode("malformed");
    const e = await vendorErrorOf(v.get(vendorTaskId));
    expect(e.kind).toBe("transient");
    expect(e.message).toMatch(/malformed JSON/);
    const created = await vendorErrorOf(v.create(t.input("a desert road")));
    expect(created.kind).toBe("unanswered");
  });

  it("keeps a task with an unknown status word IN_PROGRESS (known: false)", async () => {
    const v = t.make();
    const { vendorTaskId } = await v.create(t.input("a paper boat #unknown"));
    const states = await pollUntilDone(v, vendorTaskId);
    const odd = states.filter((s) => !mapVendorStatus(s.rawStatus).known);
    expect(odd.length).toBeGreaterThan(0);
    for (const s of odd) {
      expect(s.status).toBe("IN_PROGRESS");
      expect(s.rawStatus.toLowerCase()).toBe("warming_up");
    }
    expect(states.at(-1)!.status).toBe("SUCCESS");
  });
}
