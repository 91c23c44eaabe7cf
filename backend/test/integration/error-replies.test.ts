import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { withModelOff } from "../helpers/catalog.js";

// Each error and each replayed answer is sent exactly once: the log must never report a second send.
const logLines: string[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: { LOG_LEVEL: "info" },
    server: { logger: true, logStream: { write: (line: string) => void logLines.push(line) } },
  });
});
afterAll(async () => t?.close());

const create = (token: string, body: Record<string, unknown>, key: string) =>
  call(t, "POST", "/api/v1/tasks/create", {
    token,
    body: { prompt: "一次就好 #reject", duration_sec: 10, ratio: "9:16", model: "skyriff-sim", ...body },
    headers: { "idempotency-key": key },
  });

describe("error replies", () => {
  it("replays, key conflicts, validation failures and business errors are each sent once", async () => {
    const user = await login(t);
    await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits: 10 } });
    const first = await create(user.access_token, {}, "once-only-0001");
    expect(first.status).toBe(200);
    // A plain retry (the claim finds the key answered) and a retry that fails validation first.
    expect((await create(user.access_token, {}, "once-only-0001")).body).toEqual(first.body);
    await withModelOff(t, "skyriff-sim", async () => {
      expect((await create(user.access_token, {}, "once-only-0001")).body).toEqual(first.body);
      expect((await create(user.access_token, {}, "once-only-0002")).status).toBe(422);
    });
    expect((await create(user.access_token, { prompt: "别的" }, "once-only-0001")).status).toBe(409);
    expect((await create(user.access_token, { duration_sec: 25 }, "once-only-0003")).status).toBe(402);
    expect((await call(t, "GET", "/api/v1/nope")).status).toBe(404);
    await t.ctx.jobs.idle();
    expect(logLines.filter((l) => /ALREADY_SENT|already sent/i.test(l))).toEqual([]);
  });
});
