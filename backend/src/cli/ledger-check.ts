import path from "node:path";
import { loadConfig } from "../config/env.js";
import { openDatabase } from "../db/client.js";
import { formatReport, reconcile } from "../ledger/index.js";

/** `npm run ledger:check`: exits 0 when every account equals its postings and every asset sums to zero. */
const config = loadConfig();
const database = await openDatabase({
  databaseUrl: config.DATABASE_URL,
  pgliteDir: path.join(config.dataDir, "pglite"),
});
try {
  const report = await reconcile(database.db);
  console.log(formatReport(report));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await database.close();
}
