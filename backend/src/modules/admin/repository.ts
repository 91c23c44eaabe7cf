import type { AdminRole } from "@skyriff/contracts";
import { sql } from "drizzle-orm";
import { type Executor, queryRows, type Tx } from "../../db/client.js";

export async function grantedRoles(
  ex: Executor,
  userId: string,
): Promise<{ roles: AdminRole[]; phone: string | null } | null> {
  const rows = await queryRows<{ role: AdminRole | null; phone: string | null }>(
    ex,
    sql`select r.role, u.phone from users u left join user_roles r on r.user_id = u.id where u.id = ${userId}`,
  );
  if (rows.length === 0) return null;
  return {
    roles: rows.map((r) => r.role).filter((r): r is AdminRole => r !== null),
    phone: rows[0]?.phone ?? null,
  };
}

export async function replaceRoles(tx: Tx, userId: string, roles: AdminRole[], grantedBy: string | null) {
  await tx.execute(sql`delete from user_roles where user_id = ${userId}`);
  for (const role of roles) {
    await tx.execute(
      sql`insert into user_roles (user_id, role, granted_by) values (${userId}, ${role}, ${grantedBy})`,
    );
  }
}
