import { ErrorCode } from "@skyriff/contracts";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { call, login, startTestApp, type TestApp } from "../helpers/app.js";
import { makePng } from "../helpers/images.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function userWith(credits: number) {
  const user = await login(t);
  await call(t, "POST", "/api/v1/dev/grant", { body: { user_id: user.user.user_id, credits } });
  return user;
}
const balance = async (token: string) =>
  (await call(t, "GET", "/api/v1/me/wallets", { token })).body.data.credits.balance as number;
const taskCount = async (token: string) =>
  (await call(t, "GET", "/api/v1/tasks", { token })).body.data.items.length as number;

/** A JSON body sent verbatim, so `\u0000` and lone `\ud800` escapes reach the server as written. */
const rawJson = (method: "POST" | "PATCH", url: string, token: string, json: string) =>
  t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    payload: json,
  });

const TASK = '"duration_sec":10,"ratio":"9:16","model":"skyriff-sim"';

function expect422(res: { statusCode: number; json(): unknown }, field: string) {
  expect(res.statusCode).toBe(422);
  const body = res.json() as { code: number; message: string; data: { fields: Record<string, string> } };
  expect(body.code).toBe(ErrorCode.VALIDATION);
  expect(body.message).toBe("请求参数校验失败");
  expect(Object.keys(body.data.fields)).toContain(field);
  return body.data.fields[field];
}

describe("text that is never valid is 422/4220 naming the field, never 500", () => {
  it("NUL bytes and lone surrogates in a prompt: no task, no hold", async () => {
    const user = await userWith(30);
    for (const prompt of ["海边\\u0000日落", "\\ud800", "日落\\udfff", "a\\u0000"]) {
      const res = await rawJson(
        "POST",
        "/api/v1/tasks/create",
        user.access_token,
        `{"prompt":"${prompt}",${TASK}}`,
      );
      expect422(res, "prompt");
    }
    expect(await taskCount(user.access_token)).toBe(0);
    expect(await balance(user.access_token)).toBe(30);
    // A proper surrogate pair (an emoji) is fine.
    const ok = await rawJson(
      "POST",
      "/api/v1/tasks/create",
      user.access_token,
      `{"prompt":"\\ud83c\\udf05 日出",${TASK}}`,
    );
    expect(ok.statusCode).toBe(200);
    expect(await taskCount(user.access_token)).toBe(1);
  });

  it("in ANY string of the body, nested or not, and in keys", async () => {
    const user = await login(t);
    const bio = await rawJson("PATCH", "/api/v1/me/profile", user.access_token, '{"bio":"hi\\u0000there"}');
    expect422(bio, "bio");
    const lone = await rawJson("PATCH", "/api/v1/me/profile", user.access_token, '{"bio":"\\udc00"}');
    expect(expect422(lone, "bio")).toMatch(/surrogate/);
    const key = await rawJson("POST", "/api/v1/projects", user.access_token, '{"name":"ok","x\\u0000y":1}');
    expect422(key, "x\uFFFDy");
    const nested = await rawJson(
      "POST",
      "/api/v1/tasks/create",
      user.access_token,
      `{"prompt":"ok",${TASK},"extra":{"list":["fine","bad\\u0000"]}}`,
    );
    expect422(nested, "extra.list.1");
    const me = await call(t, "GET", "/api/v1/me", { token: user.access_token });
    expect(me.body.data.bio).toBe("");
    expect((await call(t, "GET", "/api/v1/projects", { token: user.access_token })).body.data.items).toEqual(
      [],
    );
  });

  it("in path parameters and query strings", async () => {
    const user = await login(t);
    const param = await t.app.inject({
      method: "GET",
      url: "/api/v1/tasks/abc%00def",
      headers: { authorization: `Bearer ${user.access_token}` },
    });
    expect422(param, "id");
    const del = await t.app.inject({
      method: "DELETE",
      url: "/api/v1/projects/%00",
      headers: { authorization: `Bearer ${user.access_token}` },
    });
    expect422(del, "id");
    const query = await t.app.inject({
      method: "GET",
      url: "/api/v1/assets/videos?project_id=p%00",
      headers: { authorization: `Bearer ${user.access_token}` },
    });
    expect422(query, "project_id");
  });

  it("prompts with no visible character: whitespace, zero-width, Hangul filler, controls", async () => {
    const user = await userWith(30);
    for (const prompt of [
      "   ",
      "\u200b\u200b",
      "\u3164",
      "\u115f\u1160",
      "\u2060\ufeff",
      "\u00ad",
      "\u2800",
      "\t\n",
      "\u0007",
      "\u0301",
    ]) {
      const res = await call(t, "POST", "/api/v1/tasks/create", {
        token: user.access_token,
        body: { prompt, duration_sec: 10, ratio: "9:16", model: "skyriff-sim" },
      });
      expect(res.status, JSON.stringify(prompt)).toBe(422);
      expect(res.body.data.fields.prompt).toBe("must contain a visible character");
    }
    expect(await taskCount(user.access_token)).toBe(0);
    expect(await balance(user.access_token)).toBe(30);
  });

  it("keeps the prompt's length rule: 1000 characters counted in code points", async () => {
    const user = await userWith(30);
    const tooLong = await call(t, "POST", "/api/v1/tasks/create", {
      token: user.access_token,
      body: { prompt: "😀".repeat(1001), duration_sec: 10, ratio: "9:16", model: "skyriff-sim" },
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.data.fields.prompt).toMatch(/1000/);
    const max = await call(t, "POST", "/api/v1/tasks/create", {
      token: user.access_token,
      body: { prompt: "😀".repeat(1000), duration_sec: 10, ratio: "9:16", model: "skyriff-sim" },
    });
    expect(max.status).toBe(200);
  });

  it("nicknames with no visible character or a line break: the nickname stays", async () => {
    const user = await login(t);
    const before = (await call(t, "GET", "/api/v1/me", { token: user.access_token })).body.data.nickname;
    for (const nickname of ["\u3164", "\u200b", " \u3000 ", "ab\ncd", "\u202e"]) {
      const res = await call(t, "PATCH", "/api/v1/me/profile", {
        token: user.access_token,
        body: { nickname },
      });
      expect(res.status, JSON.stringify(nickname)).toBe(422);
      expect(res.body.code).toBe(ErrorCode.VALIDATION);
      expect(res.body.data.fields).toHaveProperty("nickname");
    }
    expect((await call(t, "GET", "/api/v1/me", { token: user.access_token })).body.data.nickname).toBe(
      before,
    );
    const ok = await call(t, "PATCH", "/api/v1/me/profile", {
      token: user.access_token,
      body: { nickname: "  小明\u200d  " },
    });
    expect(ok.status).toBe(200);
  });

  it("project names with no visible character, on create and rename", async () => {
    const user = await login(t);
    for (const name of ["\u3164\u200b", "  ", "\ufe0f"]) {
      const res = await call(t, "POST", "/api/v1/projects", { token: user.access_token, body: { name } });
      expect(res.status, JSON.stringify(name)).toBe(422);
      expect(res.body.data.fields.name).toBe("must contain a visible character");
    }
    expect((await call(t, "GET", "/api/v1/projects", { token: user.access_token })).body.data.items).toEqual(
      [],
    );
    const created = await call(t, "POST", "/api/v1/projects", {
      token: user.access_token,
      body: { name: "旅行" },
    });
    expect(created.status).toBe(200);
    const renamed = await call(t, "PATCH", `/api/v1/projects/${created.body.data.project_id}`, {
      token: user.access_token,
      body: { name: "\u3164" },
    });
    expect(renamed.status).toBe(422);
    expect(renamed.body.data.fields).toHaveProperty("name");
    const list = await call(t, "GET", "/api/v1/projects", { token: user.access_token });
    expect(list.body.data.items.map((p: { name: string }) => p.name)).toEqual(["旅行"]);
  });
});

describe("multipart uploads", () => {
  const images = async (userId: string) =>
    (
      await queryRows<{ n: number }>(
        t.ctx.db,
        sql`select count(*)::int as n from media_assets where owner_user_id = ${userId}`,
      )
    )[0]?.n;
  const upload = (token: string, contentType: string, payload: Buffer | string, lang?: string) =>
    t.app.inject({
      method: "POST",
      url: "/api/v1/media/upload",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": contentType,
        ...(lang ? { "accept-language": lang } : {}),
      },
      payload,
    });
  const part = (b: string, name: string, body: Buffer | string, filename?: string) =>
    Buffer.concat([
      Buffer.from(
        `--${b}\r\ncontent-disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ""}\r\n${
          filename ? "content-type: image/png\r\n" : ""
        }\r\n`,
      ),
      Buffer.from(body),
      Buffer.from("\r\n"),
    ]);
  const png = makePng(16, 16);

  it("malformed multipart (truncated body, no boundary, no closing boundary) → 400 in the envelope", async () => {
    const user = await login(t);
    const b = "skyriffBoundary";
    const truncated = part(b, "file", png, "a.png").subarray(0, 80);
    const cases: [string, Buffer | string][] = [
      [`multipart/form-data; boundary=${b}`, truncated],
      ["multipart/form-data", Buffer.concat([part(b, "file", png, "a.png"), Buffer.from(`--${b}--\r\n`)])],
      // A whole part, but the closing boundary never comes.
      [`multipart/form-data; boundary=${b}`, part(b, "file", png, "a.png")],
    ];
    for (const [type, payload] of cases) {
      const res = await upload(user.access_token, type, payload, "en");
      expect(res.statusCode, type).toBe(400);
      expect(res.json()).toEqual({
        code: ErrorCode.VALIDATION,
        message: "Malformed multipart/form-data body",
        data: { fields: { file: "Malformed multipart/form-data body" } },
      });
    }
    expect(await images(user.user.user_id)).toBe(0);
  });

  it("too many files, fields or parts → 413 in the envelope, nothing stored", async () => {
    const user = await login(t);
    const b = "skyriffBoundary";
    const end = Buffer.from(`--${b}--\r\n`);
    const twoFiles = Buffer.concat([part(b, "file", png, "a.png"), part(b, "file2", png, "b.png"), end]);
    const manyFields = Buffer.concat([
      part(b, "file", png, "a.png"),
      ...Array.from({ length: 8 }, (_, i) => part(b, `f${i}`, "v")),
      end,
    ]);
    for (const payload of [twoFiles, manyFields]) {
      const res = await upload(user.access_token, `multipart/form-data; boundary=${b}`, payload);
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({
        code: ErrorCode.VALIDATION,
        message: "上传的文件或字段过多",
        data: { fields: { file: "Too many files or fields in the upload" } },
      });
    }
    expect(await images(user.user.user_id)).toBe(0);
    // One file with a couple of fields is still fine.
    const ok = await upload(
      user.access_token,
      `multipart/form-data; boundary=${b}`,
      Buffer.concat([part(b, "note", "hi"), part(b, "file", png, "a.png"), end]),
    );
    expect(ok.statusCode).toBe(200);
    expect(await images(user.user.user_id)).toBe(1);
  });
});
