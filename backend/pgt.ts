import { readFileSync } from "node:fs";

const { PGlite } = await import("@electric-sql/pglite");
let t = Date.now();
const p = new PGlite();
await p.waitReady;
console.log("bare pglite", Date.now() - t);
t = Date.now();
const sqlText = readFileSync("src/db/migrations/0000_foundation.sql", "utf8").replaceAll(
  "--> statement-breakpoint",
  "",
);
await p.exec(sqlText);
console.log("exec 0000", Date.now() - t);
t = Date.now();
const d = await p.dumpDataDir("none");
console.log("dump", Date.now() - t, d.size);
t = Date.now();
const q = new PGlite({ loadDataDir: d });
await q.waitReady;
console.log("load", Date.now() - t);
