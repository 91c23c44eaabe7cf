import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { recordOutcomes, runOutboxJob } from "../../src/jobs/execute.js";
import { enqueue, JobRegistry } from "../../src/jobs/index.js";
import type { OutboxStore } from "../../src/jobs/repository.js";
import { DEFAULT_LEASE_MS } from "../../src/jobs/types.js";
import { newId } from "../../src/lib/ids.js";
import { seal } from "../../src/lib/seal.js";
import { SMS_SEAL_PURPOSE } from "../../src/modules/auth/service.js";
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
});

describe("outbox claims that nobody finishes", () => {
  const LEASE_MS = 1500;
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ server: { jobLeaseMs: LEASE_MS } });
  });
  afterAll(async () => t?.close());

  const delivered = async (phone: string) =>
    (await call(t, "GET", `/api/v1/dev/sms/outbox?phone=${phone}`)).body.data.items as { code: string }[];

  it("a job claimed by a process that died runs on a live process once the claim's lease runs out", async () => {
    expect(DEFAULT_LEASE_MS).toBeLessThanOrEqual(60_000);
    const phone = uniquePhone();
    const payload = {
      smsId: newId(),
      phone,
      sealed: seal(t.ctx.config.appSecret, SMS_SEAL_PURPOSE, "246810"),
    };
    // Exactly what a process leaves behind when it claims a job and dies before finishing it.
    await t.ctx.db.execute(sql`
      insert into outbox (id, job_name, payload, run_at, dispatched_at, lease_until, attempts)
      values (${newId()}, 'sms.deliver', ${JSON.stringify(payload)}::jsonb, now(), now(),
        now() + ${`${LEASE_MS} milliseconds`}::interval, 1)`);
    await new Promise((r) => setTimeout(r, LEASE_MS / 3));
    expect(await delivered(phone)).toEqual([]);
    const deadline = Date.now() + LEASE_MS + 8_000;
    while ((await delivered(phone)).length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await delivered(phone)).map((m) => m.code)).toEqual(["246810"]);
  });

  it("a job whose outcome cannot be recorded is claimable again after its lease, then completes", async () => {
    const registry = new JobRegistry();
    let runs = 0;
    registry.register("ledger.reconcile", async () => {
      runs += 1;
      return { status: "done" };
    });
    const id = await enqueue(t.ctx.db, "ledger.reconcile", {}, { runAt: new Date(Date.now() + 3_600_000) });
    // Make it due and claim it in one statement, so the app's own runner cannot take it first.
    const [row] = await queryRows<{ id: string; job_name: string; payload: unknown; attempts: number }>(
      t.ctx.db,
      sql`update outbox set run_at = now() - interval '1 second', dispatched_at = now(),
        lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval, attempts = attempts + 1
      where id = ${id} returning id, job_name, payload, attempts`,
    );
    if (!row) throw new Error("no row");
    const brokenStore: OutboxStore = {
      complete: async () => {
        throw new Error("connection reset while marking the job done");
      },
      reschedule: async () => {
        throw new Error("connection reset while rescheduling");
      },
    };
    await recordOutcomes(t.ctx.db, [await runOutboxJob(registry, row, t.ctx.log)], t.ctx.log, brokenStore);
    expect(runs).toBe(1);
    const stuck = await queryRows<{ completed: boolean; claimed: boolean }>(
      t.ctx.db,
      sql`select completed_at is not null as completed, lease_until > now() as claimed from outbox where id = ${id}`,
    );
    expect(stuck).toEqual([{ completed: false, claimed: true }]);
    // Once the lease has run out the row is due again and the live runner finishes it.
    const deadline = Date.now() + LEASE_MS + 8_000;
    let done = false;
    while (!done && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      done =
        (
          await queryRows<{ done: boolean }>(
            t.ctx.db,
            sql`select completed_at is not null as done from outbox where id = ${id}`,
          )
        )[0]?.done ?? false;
    }
    expect(done).toBe(true);
  });
});
