import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migratedPgliteTemplate } from "../../src/db/client.js";

/** Migrates one PGlite database and hands its dump to every test file (saves ~10 s per file). */
export default async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const file = path.join(tmpdir(), `skyriff-pglite-template-${process.pid}.tar`);
  const dump = await migratedPgliteTemplate();
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env.SKYRIFF_PGLITE_TEMPLATE = file;
}
