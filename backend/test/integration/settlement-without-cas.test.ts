import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Executor, queryRows } from "../../src/db/client.js";
import { tasks } from "../../src/db/schema/index.js";
import { BusinessKeyConflictError, reconcile } from "../../src/ledger/index.js";
import * as generation from "../../src/modules/generation/service.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";

// The compare-and-set that guards a task's final transition is switched off in this file: finishTask
// moves a task to its final state whatever state it is in. The ledger's one settlement key per task must
// still let only one of two racing outcomes through.
vi.mock("../../src/modules/generation/repository.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/modules/generation/repository.js")>();
  return {
    ...original,
    finishTask: async (
      ex: Executor,
      id: string,
      patch: { status: "SUCCESS" | "FAILURE"; errorMessage?: string; videoId?: string; refunded?: boolean },
      at: Date,
    ) => {
      const rows = await ex
        .update(tasks)
        .set({
          status: patch.status,
          errorMessage: patch.errorMessage ?? null,
          videoId: patch.videoId ?? null,
          refunded: patch.refunded ?? false,
          finishedAt: at,
          updatedAt: at,
        })
        .where(and(eq(tasks.id, id)))
        .returning();
      return rows[0] ?? null;
    },
  };
});

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const ROUNDS = 6;

describe("one settlement per task, enforced by the ledger", () => {
  it(`with the compare-and-set off, racing success and refund settle each task once (${ROUNDS} rounds)`, async () => {
    const user = await login(t);
    const userId = user.user.user_id;
    await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: userId, credits: 10 * ROUNDS } });
    let conflicts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const created = await call(t, "POST", "/api/v1/tasks/create", {
        token: user.access_token,
        body: { prompt: `竞争 ${round}`, duration_sec: 10, ratio: "9:16", model: "skyriff-sim" },
      });
      expect(created.status).toBe(200);
      const taskId = created.body.data.task_id as string;
      const [row] = await t.ctx.db.select().from(tasks).where(eq(tasks.id, taskId));
      if (!row) throw new Error("task vanished");
      // Alternate which outcome starts first; on PostgreSQL both run at once.
      const succeed = () =>
        t.ctx.db.transaction((tx) => generation.completeTask(tx, row, `video-${round}`, t.clock.now()));
      const refund = () => generation.failTask(t.ctx, taskId, "生成失败，积分已退回");
      const outcomes = await Promise.allSettled(round % 2 ? [refund(), succeed()] : [succeed(), refund()]);
      const rejected = outcomes.filter((o) => o.status === "rejected");
      expect(rejected).toHaveLength(1);
      expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(BusinessKeyConflictError);
      conflicts += 1;

      const settles = await queryRows<{ type: string; n: number }>(
        t.ctx.db,
        sql`select type, count(*)::int as n from ledger_transactions where ref_id = ${taskId} group by type order by type`,
      );
      const [final] = await t.ctx.db.select().from(tasks).where(eq(tasks.id, taskId));
      const settledAs = settles.find((s) => s.type !== "gen_hold");
      expect(settles.filter((s) => s.type !== "gen_hold")).toHaveLength(1);
      expect(settledAs?.n).toBe(1);
      // The task shows the outcome the ledger took: the loser's status change rolled back with its post.
      expect(final?.status).toBe(settledAs?.type === "gen_success" ? "SUCCESS" : "FAILURE");
    }
    expect(conflicts).toBe(ROUNDS);
    const refunds = await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from tasks where user_id = ${userId} and status = 'FAILURE'`,
    );
    const wallet = await call(t, "GET", "/api/v1/me/wallets", { token: user.access_token });
    expect(wallet.body.data.credits.balance).toBe(10 * (refunds[0]?.n ?? 0));
    const report = await reconcile(t.ctx.db);
    expect(report.ok).toBe(true);
  });
});
