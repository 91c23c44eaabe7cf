import type { Db } from "../../src/db/client.js";
import {
  AlreadyAnsweredError,
  accountsOf,
  platform,
  post,
  requestHash,
  withIdempotency,
} from "../../src/ledger/index.js";
import { newId } from "../../src/lib/ids.js";

export interface SpendOutcome {
  replayed: boolean;
  body: { balance_after: number };
}

/**
 * A spend the way features do it: Idempotency-Key claimed in the spend's transaction, a conditional debit.
 * The ledger business key is fresh on every call, so only the key store stands between a retry and a
 * second debit (the property these tests are about).
 */
export async function spendWithKey(
  db: Db,
  userId: string,
  credits: number,
  key: string,
): Promise<SpendOutcome> {
  const scope = { userId, key, route: "test.spend", requestHash: requestHash("test.spend", { credits }) };
  try {
    const body = await withIdempotency(
      db,
      { scope, respond: (b: SpendOutcome["body"]) => ({ statusCode: 200, body: b }) },
      async (tx) => {
        const r = await post(tx, {
          businessKey: `test_spend:${newId()}`,
          type: "download_spend",
          postings: [
            { account: accountsOf(userId).credits, amount: BigInt(-credits), entryType: "download_spend" },
            { account: platform.creditsSpent(userId), amount: BigInt(credits), entryType: "download_spend" },
          ],
        });
        return { balance_after: Number(r.entries[0]?.balanceAfter) };
      },
    );
    return { replayed: false, body };
  } catch (err) {
    if (err instanceof AlreadyAnsweredError) {
      return { replayed: true, body: err.answer.body as SpendOutcome["body"] };
    }
    throw err;
  }
}

/** Runs `npm run ledger:check` against the app's own PostgreSQL database and returns its output. */
export async function ledgerCheck(databaseUrl: string): Promise<string> {
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const path = await import("node:path");
  const backendDir = path.resolve(import.meta.dirname, "../..");
  const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "ledger:check"], {
    cwd: backendDir,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" },
  });
  return stdout;
}
