import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { migratedPgliteTemplate, openDatabase } from "../../src/db/client.js";

/**
 * Migrates one database per run and lets every test file start from a copy: a PGlite dump on the
 * embedded default (saves ~10 s per file), a PostgreSQL template database when DATABASE_URL is set
 * (each file's `CREATE DATABASE … TEMPLATE` is a file copy instead of a migration run).
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const file = path.join(tmpdir(), `skyriff-pglite-template-${process.pid}.tar`);
    const dump = await migratedPgliteTemplate();
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    process.env.SKYRIFF_PGLITE_TEMPLATE = file;
    return undefined;
  }
  const name = `skyriff_tpl_${randomBytes(6).toString("hex")}`;
  await admin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const migrated = await openDatabase({ databaseUrl: url.toString(), pgliteDir: "memory://", poolMax: 1 });
  await migrated.close();
  process.env.SKYRIFF_PG_TEMPLATE = name;
  return async () => {
    await admin(adminUrl, `drop database if exists ${name} with (force)`);
  };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
