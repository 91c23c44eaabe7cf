import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { enqueue } from "../../src/jobs/index.js";
import { startModelCatalog } from "../../src/modules/catalog/models.js";
import { createServer } from "../../src/server.js";
import { type Api, call, login, startTestApp, type TestApp } from "../helpers/app.js";

// The catalog at runtime (issue point 7) and the jobs overview (point 8). Runs on PGlite, and on real
// PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set (then also: a second app on the database).
let t: TestApp;
let admin: string;
let adminId: string;
let finance: string;
let plain: string;

beforeAll(async () => {
  t = await startTestApp();
  const roles = async (userRoles: string[]) => {
    const u = await login(t);
    await call(t, "POST", "/api/v1/dev/roles", { body: { user_id: u.user.user_id, roles: userRoles } });
    return u;
  };
  const a = await roles(["admin"]);
  admin = a.access_token;
  adminId = a.user.user_id;
  finance = (await roles(["finance"])).access_token;
  plain = (await login(t)).access_token;
});
afterAll(async () => t?.close());

type Method = "GET" | "POST" | "PATCH";
const as = (token: string, method: Method, url: string, body?: unknown) =>
  call(t, method, `/api/v1${url}`, { token, body });

async function userWith(credits: number): Promise<{ token: string; id: string }> {
  const u = await login(t);
  await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: u.user.user_id, credits } });
  return { token: u.access_token, id: u.user.user_id };
}

const createTask = (token: string, body: Record<string, unknown> = {}) =>
  as(token, "POST", "/tasks/create", {
    prompt: "运行时目录",
    duration_sec: 10,
    ratio: "9:16",
    model: "skyriff-sim",
    ...body,
  });

interface OfferedModel {
  id: string;
  vendor: string;
  durations: number[];
  credits_per_second: number;
}
const offered = async (app: TestApp = t): Promise<OfferedModel[]> =>
  (await call(app, "GET", "/api/v1/config")).body.data.models;
const offeredIds = async (app: TestApp = t) => (await offered(app)).map((m) => m.id);
const credits = async (token: string) =>
  (await as(token, "GET", "/me/wallets")).body.data.credits.balance as number;

interface AuditRow {
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  request_id: string | null;
}
const auditOf = (action: string, targetId: string) =>
  queryRows<AuditRow>(
    t.ctx.db,
    sql`select actor_id, action, target_type, target_id, before, after, request_id from audit_log
        where action = ${action} and target_id = ${targetId} order by created_at, id`,
  );

const patchModel = (body: unknown, id = "skyriff-sim") => as(admin, "PATCH", `/admin/models/${id}`, body);

function expectRefused(res: Api, code: number, status: number): void {
  expect(res.status).toBe(status);
  expect(res.body.code).toBe(code);
}

describe("admin routes are for admins", () => {
  const catalogRoutes: [Method, string, unknown?][] = [
    ["GET", "/admin/products"],
    ["PATCH", "/admin/products/credits_120", { active: true }],
    ["GET", "/admin/models"],
    ["PATCH", "/admin/models/skyriff-sim", { switched_on: false }],
    ["PATCH", "/admin/vendors/simulated", { switched_on: false }],
  ];

  it("a user without a role gets 403/2002 everywhere; finance only sees the jobs overview; nobody signed in 401", async () => {
    for (const [method, url, body] of catalogRoutes) {
      expectRefused(await as(plain, method, url, body), 2002, 403);
      expectRefused(await as(finance, method, url, body), 2002, 403);
      expectRefused(await call(t, method, `/api/v1${url}`, { body }), 1001, 401);
    }
    // The role is checked before the body: a bad body from a non-admin is still 403.
    expectRefused(await as(plain, "PATCH", "/admin/vendors/simulated", {}), 2002, 403);
    expectRefused(
      await as(plain, "PATCH", "/admin/models/skyriff-sim", { credits_per_second: -1 }),
      2002,
      403,
    );
    expectRefused(await as(plain, "GET", "/admin/jobs"), 2002, 403);
    expect((await as(finance, "GET", "/admin/jobs")).status).toBe(200);
    // Nothing changed and nothing was audited.
    expect(await offeredIds()).toContain("skyriff-sim");
    expect(await auditOf("model.update", "skyriff-sim")).toEqual([]);
  });
});

describe("the model catalog at runtime", () => {
  it("switching skyriff-sim off takes it out of /config and tasks/create at once; on again restores it", async () => {
    const u = await userWith(40);
    expect(await offeredIds()).toContain("skyriff-sim");
    expect((await createTask(u.token)).status).toBe(200);
    const unknownModel = await createTask(u.token, { model: "no-such-model" });
    expect(unknownModel.status).toBe(422);

    const off = await patchModel({ switched_on: false });
    expect(off.status).toBe(200);
    expect(off.body.data).toMatchObject({ id: "skyriff-sim", enabled: false, switched_on: false });
    expect(await offeredIds()).not.toContain("skyriff-sim");
    const refused = await createTask(u.token);
    // Exactly the answer an unknown or disabled model gets, and nothing is held.
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual(unknownModel.body);
    expect(await credits(u.token)).toBe(30);

    const on = await patchModel({ switched_on: true });
    expect(on.body.data).toMatchObject({ enabled: true, switched_on: true, vendor_configured: true });
    expect(await offeredIds()).toContain("skyriff-sim");
    expect((await createTask(u.token)).status).toBe(200);
    expect(await credits(u.token)).toBe(20);

    const rows = await auditOf("model.update", "skyriff-sim");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      actor_id: adminId,
      target_type: "model",
      before: { switched_on: true, enabled: true },
      after: { switched_on: false, enabled: false },
    });
    expect(rows[0]?.request_id).toBeTruthy();
    expect(rows[1]).toMatchObject({ before: { switched_on: false }, after: { switched_on: true } });
  });

  it("a vendor switch takes all of its models out and back", async () => {
    const u = await userWith(10);
    const off = await as(admin, "PATCH", "/admin/vendors/simulated", { switched_on: false });
    expect(off.status).toBe(200);
    const items = off.body.data.items as { id: string; vendor: string; enabled: boolean }[];
    expect(items.map((m) => m.id)).toEqual(expect.arrayContaining(["sora2", "skyriff-sim"]));
    for (const m of items.filter((x) => x.vendor === "simulated")) expect(m.enabled).toBe(false);
    expect((await offered()).filter((m) => m.vendor === "simulated")).toEqual([]);
    expectRefused(await createTask(u.token), 4220, 422);
    // A model switched on while its vendor is off stays out.
    expect((await patchModel({ switched_on: true })).body.data).toMatchObject({ enabled: false });

    const on = await as(admin, "PATCH", "/admin/vendors/simulated", { switched_on: true });
    expect(on.status).toBe(200);
    expect(await offeredIds()).toContain("skyriff-sim");
    expect((await createTask(u.token)).status).toBe(200);

    expect(await auditOf("vendor.update", "simulated")).toMatchObject([
      {
        actor_id: adminId,
        target_type: "vendor",
        before: { switched_on: true },
        after: { switched_on: false },
      },
      { before: { switched_on: false }, after: { switched_on: true } },
    ]);
    expectRefused(await as(admin, "PATCH", "/admin/vendors/nobody", { switched_on: false }), 4004, 404);
    expectRefused(await as(admin, "PATCH", "/admin/vendors/simulated", { switched_on: "no" }), 4220, 422);
  });

  it("a credits-per-second change prices the next task (the ledger holds the new cost)", async () => {
    const u = await userWith(100);
    const changed = await patchModel({ credits_per_second: 3 });
    expect(changed.body.data.credits_per_second).toBe(3);
    try {
      expect((await offered()).find((m) => m.id === "skyriff-sim")?.credits_per_second).toBe(3);
      const task = await createTask(u.token);
      expect(task.body.data).toMatchObject({ cost_credits: 30, balance_after: 70 });
      const ledger = await as(u.token, "GET", "/wallet/ledgers?type=credits");
      expect(ledger.body.data.items[0]).toMatchObject({ type: "gen_hold", amount: -30, balance_after: 70 });
    } finally {
      await patchModel({ credits_per_second: 1 });
    }
    expect((await createTask(u.token)).body.data.cost_credits).toBe(10);
    const rows = await auditOf("model.update", "skyriff-sim");
    expect(rows.at(-2)).toMatchObject({
      before: { credits_per_second: 1 },
      after: { credits_per_second: 3 },
    });
  });

  it("durations, ratios and the timeout are narrowed at runtime; values the vendor cannot do are 422", async () => {
    const u = await userWith(100);
    const narrowed = await patchModel({ durations: [10], ratios: ["9:16", "1:1"], timeout_minutes: 7 });
    expect(narrowed.body.data).toMatchObject({
      durations: [10],
      ratios: ["9:16", "1:1"],
      timeout_minutes: 7,
    });
    try {
      expect((await offered()).find((m) => m.id === "skyriff-sim")?.durations).toEqual([10]);
      const long = await createTask(u.token, { duration_sec: 15 });
      expect(long.status).toBe(422);
      expect(long.body.data.fields).toHaveProperty("duration_sec");
      expect((await createTask(u.token, { ratio: "16:9" })).body.data.fields).toHaveProperty("ratio");
      const task = await createTask(u.token);
      const [row] = await queryRows<{ minutes: number }>(
        t.ctx.db,
        sql`select extract(epoch from timeout_at - created_at)::int / 60 as minutes from tasks
            where id = ${task.body.data.task_id}`,
      );
      expect(row?.minutes).toBe(7);
    } finally {
      await patchModel({ durations: [10, 15, 25], ratios: ["9:16", "16:9", "1:1"], timeout_minutes: 30 });
    }
    const sora = await patchModel({ durations: [10, 25] }, "sora2");
    expect(sora.status).toBe(422);
    expect(sora.body.data.fields).toHaveProperty("durations");
    expect((await patchModel({ ratios: ["1:1"] }, "sora2")).body.data.fields).toHaveProperty("ratios");
    expectRefused(await patchModel({ credits_per_second: 0 }), 4220, 422);
    expectRefused(await patchModel({}), 4220, 422);
    expectRefused(await patchModel({ switched_on: false }, "no-such-model"), 4004, 404);
    expect((await offeredIds()).includes("skyriff-sim")).toBe(true);
  });

  it("another catalog on the database hears the change by NOTIFY, long before its timer", async () => {
    const hour = 3_600_000;
    const settings = { configuredVendors: new Set(["simulated"] as const), disabled: new Set<string>() };
    const listening = await startModelCatalog(t.ctx.database, settings, t.ctx.log, {
      liveRefreshMs: hour,
      fallbackRefreshMs: hour,
    });
    try {
      expect(listening.model("skyriff-sim")?.enabled).toBe(true);
      await patchModel({ switched_on: false });
      await until(async () => listening.model("skyriff-sim")?.enabled === false, 2_000);
      await patchModel({ switched_on: true });
      await until(async () => listening.model("skyriff-sim")?.enabled === true, 2_000);
    } finally {
      await patchModel({ switched_on: true });
      await listening.close();
    }
  });

  it("GET /admin/models lists every model with what decides whether it is offered", async () => {
    const res = await as(admin, "GET", "/admin/models");
    expect(res.status).toBe(200);
    const byId = new Map((res.body.data.items as { id: string }[]).map((m) => [m.id, m]));
    expect(byId.get("skyriff-sim")).toMatchObject({ enabled: true, vendor_configured: true });
    expect(byId.get("sora2")).toMatchObject({ enabled: false, switched_on: true, vendor_configured: false });
  });
});

describe("two app instances on one PostgreSQL database", () => {
  it.runIf(Boolean(process.env.DATABASE_URL))(
    "the other instance sees a switch within seconds, without a restart",
    async () => {
      const other = await secondInstance(t);
      try {
        expect(await offeredIds(other)).toContain("skyriff-sim");
        expect((await patchModel({ switched_on: false })).status).toBe(200);
        await until(async () => !(await offeredIds(other)).includes("skyriff-sim"));
        const u = await userWith(10);
        const refused = await call(other, "POST", "/api/v1/tasks/create", {
          token: u.token,
          body: { prompt: "另一个实例", duration_sec: 10, ratio: "9:16", model: "skyriff-sim" },
        });
        expect(refused.status).toBe(422);
        expect((await patchModel({ switched_on: true })).status).toBe(200);
        await until(async () => (await offeredIds(other)).includes("skyriff-sim"));
        await patchModel({ credits_per_second: 2 });
        await until(
          async () => (await offered(other)).find((m) => m.id === "skyriff-sim")?.credits_per_second === 2,
        );
      } finally {
        await patchModel({ switched_on: true, credits_per_second: 1 });
        await other.close();
      }
    },
  );
});

/** Another API process on the same database (no job roles), as a second replica would be. */
async function secondInstance(first: TestApp): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "skyriff-second-"));
  const { app, ctx } = await createServer(
    { ...first.ctx.config, dataDir },
    { logger: false, roles: { dispatch: false, work: false, schedule: false } },
  );
  await app.ready();
  return {
    app,
    ctx,
    clock: first.clock,
    databaseUrl: first.databaseUrl,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it holds, failing after `ms`. */
async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("products at runtime", () => {
  it("a price edit shows in /products and the next payment at once; an open payment keeps its snapshot", async () => {
    const u = await login(t);
    const buy = (productId: string) =>
      as(u.access_token, "POST", "/payments/create", { product_id: productId, pay_channel: "sandbox" });
    const list = await as(admin, "GET", "/admin/products");
    expect(
      list.body.data.items.find((p: { product_id: string }) => p.product_id === "credits_120"),
    ).toMatchObject({ price_cny: "6.00", credits_amount: 120, active: true, sort: 10 });
    const open = await buy("credits_120");
    expect(open.body.data.amount_cny).toBe("6.00");

    const edited = await as(admin, "PATCH", "/admin/products/credits_120", {
      price_cny: "7.00",
      credits_amount: 150,
    });
    expect(edited.status).toBe(200);
    expect(edited.body.data).toMatchObject({
      product_id: "credits_120",
      price_cny: "7.00",
      credits_amount: 150,
    });
    try {
      const onSale = await call(t, "GET", "/api/v1/products?type=credits_pack");
      expect(onSale.body.data.items[0]).toMatchObject({
        product_id: "credits_120",
        price_cny: "7.00",
        credits_amount: 150,
      });
      expect((await buy("credits_120")).body.data.amount_cny).toBe("7.00");
      const kept = await as(u.access_token, "GET", `/payments/${open.body.data.payment_id}`);
      expect(kept.body.data).toMatchObject({ amount_cny: "6.00", credits_amount: 120 });

      expect((await as(admin, "PATCH", "/admin/products/credits_120", { active: false })).status).toBe(200);
      const ids = (await call(t, "GET", "/api/v1/products")).body.data.items.map(
        (p: { product_id: string }) => p.product_id,
      );
      expect(ids).not.toContain("credits_120");
      expect((await buy("credits_120")).status).toBe(404);
    } finally {
      await as(admin, "PATCH", "/admin/products/credits_120", {
        price_cny: "6.00",
        credits_amount: 120,
        active: true,
      });
    }
    const rows = await auditOf("product.update", "credits_120");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      actor_id: adminId,
      target_type: "product",
      before: { price_cny: "6.00", credits_amount: 120 },
      after: { price_cny: "7.00", credits_amount: 150 },
    });
  });

  it("the monthly card's price in /config follows its product", async () => {
    expect((await as(admin, "PATCH", "/admin/products/monthly_card", { price_cny: "39.00" })).status).toBe(
      200,
    );
    try {
      expect((await call(t, "GET", "/api/v1/config")).body.data.monthly_card.price_cny).toBe("39.00");
    } finally {
      await as(admin, "PATCH", "/admin/products/monthly_card", { price_cny: "29.00" });
    }
    expect((await call(t, "GET", "/api/v1/config")).body.data.monthly_card.price_cny).toBe("29.00");
  });

  it("refuses bad values with 422 and an unknown product with 404, changing nothing", async () => {
    const bad: [string, unknown, string][] = [
      ["credits_120", { price_cny: "0.00" }, "price_cny"],
      ["credits_120", { price_cny: "10000.01" }, "price_cny"],
      ["credits_120", { price_cny: "6" }, "price_cny"],
      ["credits_120", { coins_amount: "5" }, "coins_amount"],
      ["coins_100", { credits_amount: 5 }, "credits_amount"],
      ["monthly_card", { credits_amount: 5 }, "credits_amount"],
      ["credits_120", { credits_amount: 0 }, "credits_amount"],
      ["credits_120", { name: "" }, "name"],
    ];
    for (const [id, body, field] of bad) {
      const res = await as(admin, "PATCH", `/admin/products/${id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.data.fields).toHaveProperty(field);
    }
    expectRefused(await as(admin, "PATCH", "/admin/products/credits_120", {}), 4220, 422);
    expectRefused(await as(admin, "PATCH", "/admin/products/nope", { active: false }), 4004, 404);
    const coins = await as(admin, "PATCH", "/admin/products/coins_100", { coins_amount: "100.5" });
    expect(coins.body.data.coins_amount).toBe("100.500");
    await as(admin, "PATCH", "/admin/products/coins_100", { coins_amount: "100" });
    const list = await as(admin, "GET", "/admin/products");
    expect(
      list.body.data.items.find((p: { product_id: string }) => p.product_id === "credits_120"),
    ).toMatchObject({ price_cny: "6.00", credits_amount: 120, coins_amount: "0.000" });
  });
});

describe("jobs overview", () => {
  it("counts jobs by state and lists failures and retries", async () => {
    const future = new Date(Date.now() + 3_600_000);
    await enqueue(t.ctx.db, "generation.poll_sweep", {}, { runAt: future });
    // A payload the handler cannot parse: it throws, so the job is retried with backoff.
    const broken = await enqueue(t.ctx.db, "generation.submit", {} as never);
    t.ctx.jobs.kick();
    const overview = async () => (await as(finance, "GET", "/admin/jobs")).body.data;
    await until(async () =>
      (await overview()).recent_failures.some((f: { job_id: string }) => f.job_id === broken),
    );
    const data = await overview();
    const failure = data.recent_failures.find((f: { job_id: string }) => f.job_id === broken);
    expect(failure).toMatchObject({ name: "generation.submit" });
    expect(failure.attempts).toBeGreaterThanOrEqual(1);
    expect(failure.error).not.toBe("");
    expect(data.board_url).toBeNull();
    if (process.env.REDIS_URL) {
      expect(data.backend).toBe("bullmq");
      expect(data.queues.map((q: { name: string }) => q.name)).toEqual(["jobs", "outbox"]);
      expect(data.queues[1].delayed).toBeGreaterThanOrEqual(1);
    } else {
      expect(data.backend).toBe("outbox");
      const sweep = data.queues.find((q: { name: string }) => q.name === "generation.poll_sweep");
      expect(sweep.delayed).toBeGreaterThanOrEqual(1);
      const submit = data.queues.find((q: { name: string }) => q.name === "generation.submit");
      expect(submit.delayed + submit.waiting + submit.active).toBeGreaterThanOrEqual(1);
      expect(submit.completed).toBeGreaterThanOrEqual(1);
    }
  });

  it.runIf(!process.env.REDIS_URL)("without Redis there is no board", async () => {
    expect((await as(admin, "GET", "/admin/jobs")).body.data.board_url).toBeNull();
    expect((await as(admin, "GET", "/admin/queues")).status).toBe(404);
  });

  it.runIf(Boolean(process.env.REDIS_URL))(
    "with Redis, bull-board opens for an admin only: bearer header, or the link's ticket traded for a cookie",
    async () => {
      const link = (await as(admin, "GET", "/admin/jobs")).body.data.board_url as string;
      expect(link).toMatch(/^\/api\/v1\/admin\/queues\/\?uid=.+&sid=.+&exp=\d+&sig=.+$/);
      const board = "/api/v1/admin/queues";
      const get = (url: string, headers: Record<string, string> = {}) =>
        t.app.inject({ method: "GET", url, headers });

      expect((await get(`${board}/`)).statusCode).toBe(401);
      expect((await get(`${board}/`, { authorization: `Bearer ${plain}` })).statusCode).toBe(403);
      expect((await get(`${board}/`, { authorization: `Bearer ${finance}` })).statusCode).toBe(403);
      const page = await get(`${board}/`, { authorization: `Bearer ${admin}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("SkyRiff 队列");

      expect((await get(link.replace(/sig=[^&]+/, "sig=forged"))).statusCode).toBe(401);
      const opened = await get(link);
      expect(opened.statusCode).toBe(303);
      expect(opened.headers.location).toBe(`${board}/`);
      const cookie = String(opened.headers["set-cookie"]);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toContain(`Path=${board}`);
      const pass = cookie.split(";")[0] as string;
      expect((await get(`${board}/`, { cookie: pass })).statusCode).toBe(200);
      const queues = await get(`${board}/api/queues`, { cookie: pass });
      expect(queues.statusCode).toBe(200);
      expect(queues.json().queues.map((q: { name: string }) => q.name)).toEqual(["jobs"]);
      // A forged cookie, or the ticket's signature used as a cookie, opens nothing.
      expect((await get(`${board}/`, { cookie: `${pass}x` })).statusCode).toBe(401);
      // The ticket expires after two minutes.
      t.clock.advance(3 * 60_000);
      expect((await get(link)).statusCode).toBe(401);
    },
  );
});
