import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { reconcile } from "../../src/ledger/index.js";
import { runDeadlines } from "../../src/modules/orders/service.js";
import { call, startTestApp, type TestApp } from "../helpers/app.js";
import { grantAvailableCoins } from "../helpers/coins.js";
import { newUser, publishNew, type TestUser } from "../helpers/community.js";
import { ledgerCheck } from "../helpers/ledger.js";

// Real PostgreSQL only: order transitions that really race.
const DAY = 86_400_000;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ start: new Date("2026-12-01T02:00:00Z") });
});
afterAll(async () => t?.close());

let seq = 0;
const key = () => `order-race-${++seq}-${Date.now()}`;

const act = (u: TestUser, id: string, action: string, body: object = {}) =>
  call(t, "POST", `/api/v1/orders/${id}/${action}`, {
    token: u.token,
    body,
    headers: { "idempotency-key": key() },
  });
const wallet = async (u: TestUser) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token: u.token })).body.data.coins;
const statusOf = async (u: TestUser, id: string) =>
  (await call(t, "GET", `/api/v1/orders/${id}`, { token: u.token })).body.data.status as string;

async function settlements(id: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    t.ctx.db,
    sql`select count(*)::int as n from ledger_transactions where ref_type = 'order' and ref_id = ${id}
        and business_key = ${`order:${id}:settle`}`,
  );
  return row?.n ?? 0;
}

async function dbStatus(id: string): Promise<string | undefined> {
  const [row] = await queryRows<{ status: string }>(
    t.ctx.db,
    sql`select status from orders where id = ${id}`,
  );
  return row?.status;
}

async function pendingOf(userId: string): Promise<string> {
  const [row] = await queryRows<{ s: string }>(
    t.ctx.db,
    sql`select coalesce(sum(balance), 0)::text as s from accounts where owner_user_id = ${userId}
        and id like ${`user:${userId}:coins:pending%`}`,
  );
  return row?.s ?? "0";
}

async function escrow(id: string): Promise<string> {
  const [row] = await queryRows<{ b: string }>(
    t.ctx.db,
    sql`select balance::text as b from accounts where id = ${`escrow:order:${id}`}`,
  );
  return row?.b ?? "0";
}

/** A 50-coin order of a fresh publisher, applied to by a fresh creator; awarded and delivered on request. */
async function order(stage: "published" | "awarded" | "delivered") {
  const pub = await newUser(t);
  const creator = await newUser(t);
  await grantAvailableCoins(t, pub.id, 50);
  const created = await call(t, "POST", "/api/v1/orders/create", {
    token: pub.token,
    headers: { "idempotency-key": key() },
    body: {
      title: "城市夜景宣传片",
      brief: "15 秒竖屏，霓虹与车流，结尾出现品牌名。",
      category: "brand",
      deadline_at: new Date(t.clock.now().getTime() + 3 * DAY).toISOString(),
      budget_coins: "50",
    },
  });
  const id = created.body.data.order.order_id as string;
  expect((await act(creator, id, "apply", { proposal_text: "可以做，两天交付" })).status).toBe(200);
  if (stage !== "published")
    expect((await act(pub, id, "award", { creator_user_id: creator.id })).status).toBe(200);
  if (stage === "delivered") {
    const work = await publishNew(t, creator);
    expect((await act(creator, id, "deliver", { work_id: work.work_id })).status).toBe(200);
  }
  return { pub, creator, id };
}

describe("commission orders under concurrency (real PostgreSQL)", () => {
  it("10 concurrent accepts of one delivered order pay once", async () => {
    expect(t.ctx.database.kind).toBe("postgres");
    const { pub, creator, id } = await order("delivered");
    const answers = await Promise.all(Array.from({ length: 10 }, () => act(pub, id, "accept")));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect(a.body.code).toBe(2007);
    expect(await settlements(id)).toBe(1);
    expect((await wallet(creator)).pending).toBe("47.500");
    expect(await escrow(id)).toBe("0");
  });

  it("accept racing cancel_decide and a dispute ends in exactly one outcome", async () => {
    for (let round = 0; round < 4; round++) {
      // A delivered order: accepts, a dispute and the deadlines job against cancel decisions (which can never apply).
      const d = await order("delivered");
      const answers = await Promise.all([
        act(d.pub, d.id, "accept"),
        act(d.creator, d.id, "cancel_decide", { decision: "approve" }),
        act(d.pub, d.id, "dispute", { reason: "和需求不符，要求修改" }),
        act(d.pub, d.id, "accept"),
        act(d.creator, d.id, "cancel_decide", { decision: "reject" }),
      ]);
      const ok = answers.filter((a) => a.status === 200).map((a) => a.body.data.status);
      expect(ok).toHaveLength(1);
      expect(["completed", "disputed"]).toContain(ok[0]);
      expect(await settlements(d.id)).toBe(ok[0] === "completed" ? 1 : 0);
      expect((await wallet(d.creator)).pending).toBe(ok[0] === "completed" ? "47.500" : "0.000");

      // An order whose cancel was requested: the creator's approve and reject race the publisher's accept.
      const c = await order("awarded");
      expect((await act(c.pub, c.id, "cancel_request")).body.data.status).toBe("cancel_requested");
      const raced = await Promise.all([
        act(c.creator, c.id, "cancel_decide", { decision: "approve" }),
        act(c.pub, c.id, "accept"),
        act(c.creator, c.id, "cancel_decide", { decision: "reject" }),
        act(c.creator, c.id, "cancel_decide", { decision: "approve" }),
      ]);
      const won = raced.filter((a) => a.status === 200).map((a) => a.body.data.status);
      expect(won).toHaveLength(1);
      const final = await statusOf(c.pub, c.id);
      expect(final).toBe(won[0]);
      expect((await wallet(c.pub)).available).toBe(final === "cancelled" ? "50.000" : "0.000");
      expect(await escrow(c.id)).toBe(final === "cancelled" ? "0" : "50000");
    }
  });

  it("the deadlines job's automatic acceptance racing the publisher's accepts pays once", async () => {
    const orders = await Promise.all(Array.from({ length: 3 }, () => order("delivered")));
    // Accepting is not time-limited, so the accepts (kept within the access token's life) race the job
    // running at the 7th day after delivery.
    const day8 = new Date(t.clock.now().getTime() + 7 * DAY + 60_000);
    const late = { ...t.ctx, clock: { now: () => day8 } };
    await Promise.all([
      runDeadlines(late),
      runDeadlines(late),
      ...orders.flatMap((o) => [act(o.pub, o.id, "accept"), act(o.pub, o.id, "accept")]),
    ]);
    for (const o of orders) {
      expect(await dbStatus(o.id)).toBe("completed");
      expect(await settlements(o.id)).toBe(1);
      expect(await pendingOf(o.creator.id)).toBe("47500");
    }
  });

  it("award racing a cancel ends in one outcome", async () => {
    for (let round = 0; round < 6; round++) {
      const { pub, creator, id } = await order("published");
      const [awarded, cancelled] = await Promise.all([
        act(pub, id, "award", { creator_user_id: creator.id }),
        act(pub, id, "cancel_request"),
      ]);
      const final = await statusOf(pub, id);
      if (final === "cancelled") {
        // The cancel came first: refunded once, the award refused.
        expect([awarded.status, awarded.body.code]).toEqual([409, 2007]);
        expect((await wallet(pub)).available).toBe("50.000");
        expect(await escrow(id)).toBe("0");
      } else {
        // The award came first: the cancel became a request waiting for the creator, nothing refunded.
        expect(awarded.status).toBe(200);
        expect(cancelled.body.data.status).toBe("cancel_requested");
        expect(final).toBe("cancel_requested");
        expect((await wallet(pub)).available).toBe("0.000");
        expect(await escrow(id)).toBe("50000");
      }
    }
  });

  it("leaves the ledger clean and every finished order's escrow at zero", async () => {
    const report = await reconcile(t.ctx.db);
    expect(report.escrowMismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(await ledgerCheck(t.databaseUrl as string)).toContain("ledger OK");
  });
});
