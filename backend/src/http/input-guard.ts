/**
 * Text that is never valid anywhere: a NUL (`\u0000`, which PostgreSQL cannot store in `text`) or a
 * lone UTF-16 surrogate (not Unicode; it would be stored as U+FFFD). A global preValidation hook walks
 * every string — values and keys — of the parsed body, query and path parameters and answers
 * 422/4220 naming each field (dotted path, as schema validation names them) before any route runs.
 *
 *   installInputGuard(app);   // on the root instance, before the routes
 */
import { ErrorCode, hasLoneSurrogate } from "@skyriff/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../lib/errors.js";

const MAX_REPORTED = 20;

function problemOf(s: string): string | null {
  if (s.includes("\u0000")) return "must not contain NUL characters";
  if (hasLoneSurrogate(s)) return "not valid Unicode text (lone surrogate)";
  return null;
}

/** Printable form of a key for the error report (the offending characters become U+FFFD). */
function printable(key: string): string {
  return key.replaceAll("\u0000", "\uFFFD").replace(/\p{Cs}/gu, "\uFFFD");
}

/** Every bad string under `root`, keyed by dotted path (`items.0.name`); iterative, so depth is no risk. */
export function invalidStrings(root: unknown, fields: Record<string, string> = {}): Record<string, string> {
  const stack: [unknown, string][] = [[root, ""]];
  let found = Object.keys(fields).length;
  while (stack.length > 0 && found < MAX_REPORTED) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value === "string") {
      const problem = problemOf(value);
      if (problem) {
        fields[path || "body"] = problem;
        found++;
      }
      continue;
    }
    if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) continue;
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (const [key, child] of entries) {
      const childPath = path ? `${path}.${printable(key)}` : printable(key);
      const keyProblem = problemOf(key);
      if (keyProblem && found < MAX_REPORTED) {
        fields[childPath] = `field name ${keyProblem.replace(/^must not contain/, "contains")}`;
        found++;
      }
      stack.push([child, childPath]);
    }
  }
  return fields;
}

export function assertCleanInput(req: FastifyRequest): void {
  const fields: Record<string, string> = {};
  invalidStrings(req.params, fields);
  invalidStrings(req.query, fields);
  invalidStrings(req.body, fields);
  if (Object.keys(fields).length > 0) throw new AppError(ErrorCode.VALIDATION, { fields });
}

export function installInputGuard(app: FastifyInstance): void {
  app.addHook("preValidation", async (req) => assertCleanInput(req));
}
