import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { JobRegistry } from "../../src/jobs/index.js";
import type { SmsProvider } from "../../src/providers/sms/types.js";
import { call, startTestApp, type TestApp, uniquePhone } from "../helpers/app.js";

describe("job registry", () => {
  it("refuses a job without a handler and a job with two", () => {
    const registry = new JobRegistry();
    registry.register("sms.deliver", async () => ({ status: "done" }));
    expect(() => registry.assertComplete()).toThrow(/ledger.reconcile/);
    expect(() => registry.register("sms.deliver", async () => ({ status: "done" }))).toThrow(/already/);
  });
});

describe("outbox runner", () => {
  let t: TestApp;
  let calls = 0;
  // A provider that is down twice, then delivers: the job is retried with backoff, never lost.
  const flaky: SmsProvider = {
    name: "console",
    sendCode: async () => {
      calls += 1;
      return calls <= 2
        ? { ok: false, retryable: true, error: "503 from provider" }
        : { ok: true, providerMessageId: "m1" };
    },
  };
  beforeAll(async () => {
    t = await startTestApp({ server: { sms: flaky } });
  });
  afterAll(async () => t?.close());

  it(`runs on ${process.env.REDIS_URL ? "BullMQ (Redis)" : "the in-process runner"}`, () => {
    expect(t.ctx.jobs.kind).toBe(process.env.REDIS_URL ? "bullmq" : "in-process");
  });

  it("writes the job in the business transaction and retries a transient failure until it is delivered", async () => {
    const phone = uniquePhone();
    const sent = await call(t, "POST", "/api/v1/auth/sms/send", { body: { phone } });
    expect(sent.status).toBe(200);
    const deadline = Date.now() + 30_000;
    while (calls < 3 && Date.now() < deadline) {
      await t.ctx.jobs.idle();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(calls).toBe(3);
    const outbox = await queryRows<{ job_name: string; completed: boolean }>(
      t.ctx.db,
      sql`select job_name, completed_at is not null as completed from outbox where payload->>'phone' = ${phone}`,
    );
    expect(outbox).toEqual([{ job_name: "sms.deliver", completed: true }]);
    const payload = await queryRows<{ payload: string }>(t.ctx.db, sql`select payload::text from outbox`);
    expect(payload.every((p) => !/"code"/.test(p.payload))).toBe(true);
  });

  it("a rejected request writes no job", async () => {
    const before = await queryRows<{ n: number }>(t.ctx.db, sql`select count(*)::int as n from outbox`);
    await call(t, "POST", "/api/v1/auth/sms/send", { body: { phone: "12345" } });
    const after = await queryRows<{ n: number }>(t.ctx.db, sql`select count(*)::int as n from outbox`);
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});
