import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { ErrorCode } from "@skyriff/contracts";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_ERRORS, routeKey } from "../../src/http/openapi-errors.js";
import { AppError } from "../../src/lib/errors.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";

interface Response {
  description: string;
  "x-error-codes"?: number[];
  content?: Record<
    string,
    { schema: { allOf?: [{ $ref: string }, { properties: { code: { enum: number[] } } }] } }
  >;
}
interface Operation {
  security?: unknown[];
  responses: Record<string, Response>;
  "x-rate-limited"?: boolean;
}
// biome-ignore lint/suspicious/noExplicitAny: the document is checked structurally below
type Doc = any;

let t: TestApp;
let doc: Doc;
const operations: [key: string, op: Operation][] = [];
beforeAll(async () => {
  t = await startTestApp();
  doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
  for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(item)) operations.push([routeKey(method, p), op]);
  }
});
afterAll(async () => t?.close());

const errorResponses = (op: Operation) =>
  Object.entries(op.responses).filter(([status]) => Number(status) >= 400) as [string, Response][];
const codesAt = (key: string, status: number) => {
  const op = operations.find(([k]) => k === key)?.[1];
  return op?.responses[String(status)]?.["x-error-codes"];
};

describe("/openapi.json documents every error", () => {
  it("every operation has an entry in ROUTE_ERRORS, and every entry names a real operation", () => {
    expect(operations.length).toBeGreaterThan(25);
    const documented = operations.map(([k]) => k);
    expect(
      documented.filter((k) => !(k in ROUTE_ERRORS)),
      "operations missing from ROUTE_ERRORS",
    ).toEqual([]);
    expect(
      Object.keys(ROUTE_ERRORS).filter((k) => !documented.includes(k)),
      "stale ROUTE_ERRORS keys",
    ).toEqual([]);
    // The WeChat sandbox stands in for WeChat: it is not part of this API's document.
    expect(documented.some((k) => k.includes("/sandbox/"))).toBe(false);
  });

  it("each error response names the ErrorEnvelope schema and the business codes it can return", () => {
    expect(doc.components.schemas.ErrorEnvelope).toMatchObject({
      type: "object",
      required: ["code", "message", "data"],
      properties: { code: { type: "integer" }, message: { type: "string" }, data: { nullable: true } },
    });
    for (const [key, op] of operations) {
      const errors = errorResponses(op);
      expect(errors.length, key).toBeGreaterThan(0);
      expect(op.responses["500"]?.["x-error-codes"], key).toEqual([ErrorCode.INTERNAL]);
      for (const [status, res] of errors) {
        const codes = res["x-error-codes"] ?? [];
        expect(codes.length, `${key} ${status}`).toBeGreaterThan(0);
        const schema = res.content?.["application/json"]?.schema;
        expect(schema?.allOf?.[0]).toEqual({ $ref: "#/components/schemas/ErrorEnvelope" });
        expect(schema?.allOf?.[1].properties.code.enum).toEqual(codes);
        for (const code of codes) expect(res.description, `${key} ${status}`).toContain(String(code));
      }
      if (op.security?.length) {
        expect(op.responses["401"]?.["x-error-codes"], key).toEqual([
          ErrorCode.NOT_LOGGED_IN,
          ErrorCode.TOKEN_EXPIRED,
        ]);
        expect(op.responses["403"]?.["x-error-codes"], key).toContain(ErrorCode.USER_BANNED);
      }
      // A route under @fastify/rate-limit must say which code its 429 carries.
      if (op["x-rate-limited"]) expect(op.responses["429"], key).toBeDefined();
    }
  });

  it("derives the common errors and lists the route-specific ones", () => {
    expect(codesAt("POST /api/v1/tasks/create", 402)).toEqual([ErrorCode.INSUFFICIENT_CREDITS]);
    expect(codesAt("POST /api/v1/tasks/create", 429)).toEqual([ErrorCode.GENERATION_LIMIT]);
    expect(codesAt("POST /api/v1/tasks/create", 404)).toEqual([ErrorCode.NOT_FOUND]);
    expect(codesAt("POST /api/v1/tasks/create", 409)).toEqual([ErrorCode.STATE_CONFLICT]);
    expect(codesAt("POST /api/v1/tasks/create", 422)).toEqual([ErrorCode.VALIDATION]);
    expect(codesAt("POST /api/v1/tasks/create", 413)).toEqual([ErrorCode.VALIDATION]);
    expect(codesAt("POST /api/v1/auth/sms/send", 429)).toEqual([ErrorCode.SMS_RATE_LIMITED]);
    expect(codesAt("POST /api/v1/auth/sms/send", 401)).toBeUndefined();
    expect(codesAt("GET /api/v1/config", 422)).toBeUndefined();
    expect(codesAt("POST /api/v1/media/upload", 400)).toEqual([ErrorCode.VALIDATION]);
    expect(codesAt("POST /api/v1/media/upload", 413)).toEqual([ErrorCode.VALIDATION]);
    expect(codesAt("GET /api/v1/tasks/:id", 404)).toEqual([ErrorCode.NOT_FOUND]);
    // Every code sits at its SPEC §10 status unless the map says otherwise.
    for (const specs of Object.values(ROUTE_ERRORS)) {
      for (const spec of specs)
        if (typeof spec === "number") expect(new AppError(spec).status).toBeGreaterThanOrEqual(400);
    }
  });

  it("what the server really answers is documented for that operation", async () => {
    const user = await login(t);
    const token = user.access_token;
    const task = { prompt: "日落", duration_sec: 10, ratio: "9:16", model: "skyriff-sim" };
    const cases: [key: string, res: Awaited<ReturnType<typeof call>>][] = [
      ["POST /api/v1/tasks/create", await call(t, "POST", "/api/v1/tasks/create", { token, body: task })],
      ["POST /api/v1/tasks/create", await call(t, "POST", "/api/v1/tasks/create", { body: task })],
      [
        "POST /api/v1/tasks/create",
        await call(t, "POST", "/api/v1/tasks/create", { token, body: { ...task, prompt: " " } }),
      ],
      ["GET /api/v1/tasks/:id", await call(t, "GET", "/api/v1/tasks/nope", { token })],
      [
        "POST /api/v1/auth/sms/send",
        await call(t, "POST", "/api/v1/auth/sms/send", { body: { phone: "123" } }),
      ],
      [
        "POST /api/v1/auth/refresh",
        await call(t, "POST", "/api/v1/auth/refresh", { body: { refresh_token: "x" } }),
      ],
      [
        "PATCH /api/v1/projects/:id",
        await call(t, "PATCH", "/api/v1/projects/nope", { token, body: { name: "n" } }),
      ],
      [
        "POST /api/v1/assets/videos/:id/download_no_watermark",
        await call(t, "POST", "/api/v1/assets/videos/nope/download_no_watermark", { token }),
      ],
    ];
    for (const [key, res] of cases) {
      expect(res.status, key).toBeGreaterThanOrEqual(400);
      expect(codesAt(key, res.status), `${key} → ${res.status}/${res.body.code}`).toContain(res.body.code);
    }
  });

  it("still validates as OpenAPI 3.0.3", async () => {
    expect(doc.openapi).toBe("3.0.3");
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it("openapi-typescript types the errors: POST /tasks/create's 402 is the error envelope with code 2001", async () => {
    const source = astToString(await openapiTS(structuredClone(doc)));
    expect(source).toContain("ErrorEnvelope");
    const dir = mkdtempSync(path.join(tmpdir(), "skyriff-openapi-"));
    try {
      writeFileSync(path.join(dir, "api.ts"), source);
      writeFileSync(
        path.join(dir, "check.ts"),
        `import type { components, paths } from "./api";
type Create = paths["/api/v1/tasks/create"]["post"]["responses"];
type Body402 = Create[402]["content"]["application/json"];
type Envelope = components["schemas"]["ErrorEnvelope"];
export const asEnvelope = (b: Body402): Envelope => b;
export const code: Body402["code"] = 2001;
export const message: Body402["message"] = "积分不足";
export const data: Body402["data"] = { current_balance: 1, required: 10 };
// @ts-expect-error 2008 belongs to the 429 response, not to the 402 one
export const wrong: Body402["code"] = 2008;
export const limited: Create[429]["content"]["application/json"]["code"] = 2008;
export const unauthorized: Create[401]["content"]["application/json"]["code"] = 1002;
`,
      );
      const program = ts.createProgram([path.join(dir, "check.ts")], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: [],
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
