/**
 * Recorded answers shaped exactly like each vendor's documentation examples, fed through the adapters'
 * parsing (a stub server answers them verbatim). When a vendor changes its documented shape, this file
 * is where it shows first.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createArkVendor } from "../../src/vendors/ark-seedance.js";
import { createDashscopeVendor } from "../../src/vendors/dashscope-wan.js";
import { createDyuapiVendor } from "../../src/vendors/dyuapi-sora2.js";
import type { VendorCreateInput } from "../../src/vendors/types.js";
import { catalogModel, vendorErrorOf } from "./contract.js";

type Answer = { status: number; body: unknown };
let server: Server;
let base: string;
const answers = new Map<string, Answer>();
const answer = (route: string, body: unknown, status = 200) => answers.set(route, { status, body });

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const a = answers.get(`${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`);
    res.writeHead(a?.status ?? 404, { "content-type": "application/json" });
    res.end(JSON.stringify(a?.body ?? { error: "no recorded answer" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => answers.clear());

const input = (id: string, over: Partial<VendorCreateInput> = {}): VendorCreateInput => {
  const model = catalogModel(id);
  return {
    taskId: "task-1",
    model,
    prompt: "小猫对着镜头打哈欠",
    durationSec: model.durations[0] ?? 5,
    ratio: model.ratios[0] ?? "9:16",
    resolution: model.resolutions[0] ?? "720p",
    referenceImageUrl: null,
    callbackUrl: null,
    ...over,
  };
};

describe("Ark, as documented", () => {
  const TASKS = "/api/v3/contents/generations/tasks";
  const ark = () => createArkVendor({ baseUrl: base, apiKey: "ark-key-0000" });

  // https://www.volcengine.com/docs/82379/1520757 (创建视频生成任务 API, 响应参数: id)
  it("reads the create answer's id", async () => {
    answer(`POST ${TASKS}`, { id: "cgt-20250331175019-68d9t" });
    expect(await ark().create(input("seedance-2.0"))).toEqual({ vendorTaskId: "cgt-20250331175019-68d9t" });
  });

  // https://www.volcengine.com/docs/82379/1521309 (查询视频生成任务 API, response example)
  const succeeded = {
    id: "cgt-20250331175019-68d9t",
    model: "doubao-seedance-1-0-pro-250528",
    status: "succeeded",
    content: {
      video_url:
        "https://ark-content-generation-cn-beijing.tos-cn-beijing.volces.com/doubao-seedance-1-0-pro/xxx.mp4?X-Tos-Algorithm=TOS4-HMAC-SHA256&X-Tos-Expires=86400",
    },
    seed: 10,
    resolution: "720p",
    ratio: "16:9",
    duration: 5,
    framespersecond: 24,
    usage: { completion_tokens: 108900, total_tokens: 108900 },
    created_at: 1743414619,
    updated_at: 1743414673,
    service_tier: "default",
    execution_expires_after: 172800,
    error: null,
  };

  it("reads a succeeded task's content.video_url", async () => {
    answer(`GET ${TASKS}/cgt-20250331175019-68d9t`, succeeded);
    expect(await ark().get("cgt-20250331175019-68d9t")).toEqual({
      status: "SUCCESS",
      progress: 100,
      videoUrl: succeeded.content.video_url,
      errorMessage: null,
      rawStatus: "succeeded",
    });
  });

  it.each([
    ["queued", "QUEUED"],
    ["running", "IN_PROGRESS"],
    ["cancelled", "FAILURE"],
    ["expired", "FAILURE"],
  ])("maps status %s to %s", async (status, ours) => {
    answer(`GET ${TASKS}/cgt-1`, { ...succeeded, id: "cgt-1", status, content: undefined });
    expect((await ark().get("cgt-1")).status).toBe(ours);
  });

  // 1521309: failed tasks carry error.code / error.message (codes: https://www.volcengine.com/docs/82379/1299023)
  it("reads a failed task's error", async () => {
    answer(`GET ${TASKS}/cgt-2`, {
      ...succeeded,
      id: "cgt-2",
      status: "failed",
      content: undefined,
      error: {
        code: "OutputVideoSensitiveContentDetected",
        message:
          "The request failed because the output video may contain sensitive information. Request ID: 0217",
      },
    });
    const s = await ark().get("cgt-2");
    expect(s).toMatchObject({ status: "FAILURE", videoUrl: null });
    expect(s.errorMessage).toMatch(/生成的视频可能包含敏感信息.*Request ID: 0217/);
  });

  // 1520757 callback_url: "回调请求内容结构与查询任务API的返回体一致"
  it("reads a callback, which has the query answer's shape", () => {
    expect(ark().parseCallback!(succeeded)).toEqual({
      vendorTaskId: "cgt-20250331175019-68d9t",
      state: expect.objectContaining({ status: "SUCCESS", videoUrl: succeeded.content.video_url }),
    });
    expect(ark().parseCallback!({ ...succeeded, status: "running", content: undefined })?.state.status).toBe(
      "IN_PROGRESS",
    );
  });

  // https://www.volcengine.com/docs/82379/1299023 (错误码): HTTP status, type, code, message
  it.each([
    [400, "BadRequest", "InputTextSensitiveContentDetected", "rejected"],
    [403, "Forbidden", "AccountOverdueError", "rejected"],
    [404, "NotFound", "ModelNotOpen", "rejected"],
    [429, "TooManyRequests", "RateLimitExceeded.EndpointRPMExceeded", "transient"],
    [429, "TooManyRequests", "ModelAccountRpmRateLimitExceeded", "transient"],
    [429, "TooManyRequests", "ServerOverloaded", "transient"],
    [429, "TooManyRequests", "SetLimitExceeded", "rejected"],
    [500, "InternalServerError", "InternalServiceError", "transient"],
  ])("classifies HTTP %i %s %s as %s", async (status, type, code, kind) => {
    answer(
      `POST ${TASKS}`,
      { error: { code, message: `${code} happened. Request ID: 1`, param: "", type } },
      status,
    );
    expect((await vendorErrorOf(ark().create(input("seedance-2.0")))).kind).toBe(kind);
  });

  it("tells a used-up free trial (definitive) from a full queue (transient), both 429 QuotaExceeded", async () => {
    const quota = (message: string) =>
      answer(`POST ${TASKS}`, { error: { code: "QuotaExceeded", message, type: "TooManyRequests" } }, 429);
    quota("Your account [2100] has exhausted its free trial quota for the [doubao-seedance-2-0] model.");
    expect((await vendorErrorOf(ark().create(input("seedance-2.0")))).kind).toBe("rejected");
    quota("The request has exceeded the quota. Request ID: 1");
    expect((await vendorErrorOf(ark().create(input("seedance-2.0")))).kind).toBe("transient");
  });
});

describe("DashScope, as documented", () => {
  const CREATE = "/api/v1/services/aigc/video-generation/video-synthesis";
  const wan = () => createDashscopeVendor({ baseUrl: base, apiKey: "sk-0000" });

  // https://www.alibabacloud.com/help/en/model-studio/text-to-video-api-reference (create response)
  it("reads the create answer's output.task_id", async () => {
    answer(`POST ${CREATE}`, {
      output: { task_status: "PENDING", task_id: "0385dc79-5ff8-4d82-bcb6-xxxxxx" },
      request_id: "4909100c-7b5a-9f92-bfe5-xxxxxx",
    });
    expect(await wan().create(input("wan2.6"))).toEqual({ vendorTaskId: "0385dc79-5ff8-4d82-bcb6-xxxxxx" });
  });

  // same page, "查询任务结果" / query response
  it("reads a succeeded task's output.video_url", async () => {
    answer("GET /api/v1/tasks/0385dc79", {
      request_id: "caa62a12-8841-41a6-8af2-xxxxxx",
      output: {
        task_id: "0385dc79",
        task_status: "SUCCEEDED",
        submit_time: "2025-09-29 14:18:52.331",
        scheduled_time: "2025-09-29 14:18:59.290",
        end_time: "2025-09-29 14:23:39.407",
        orig_prompt: "一幅史诗级可爱的场景",
        video_url: "https://dashscope-result-sh.oss-cn-shanghai.aliyuncs.com/xxx.mp4?Expires=xxx",
      },
      usage: { duration: 10, input_video_duration: 0, output_video_duration: 10, video_count: 1, SR: 720 },
    });
    expect(await wan().get("0385dc79")).toEqual({
      status: "SUCCESS",
      progress: 100,
      videoUrl: "https://dashscope-result-sh.oss-cn-shanghai.aliyuncs.com/xxx.mp4?Expires=xxx",
      errorMessage: null,
      rawStatus: "SUCCEEDED",
    });
  });

  it.each([
    ["PENDING", "QUEUED"],
    ["RUNNING", "IN_PROGRESS"],
    ["CANCELED", "FAILURE"],
    ["UNKNOWN", "FAILURE"],
  ])("maps task_status %s to %s", async (word, ours) => {
    answer("GET /api/v1/tasks/t1", { request_id: "r", output: { task_id: "t1", task_status: word } });
    expect((await wan().get("t1")).status).toBe(ours);
  });

  it("reads a failed task's output.code and output.message", async () => {
    answer("GET /api/v1/tasks/t2", {
      request_id: "daad9007-6acd-9fb3-a6bc-xxxxxx",
      output: {
        task_id: "t2",
        task_status: "FAILED",
        code: "InvalidParameter",
        message: "The size is not match the allowed size ['1280*720', '720*1280']",
      },
    });
    expect(await wan().get("t2")).toMatchObject({
      status: "FAILURE",
      errorMessage: "The size is not match the allowed size ['1280*720', '720*1280']",
    });
  });

  // https://help.aliyun.com/zh/dashscope/return-status-code-description (状态码参考)
  it.each([
    [400, "InvalidParameter", "rejected"],
    [400, "DataInspectionFailed", "rejected"],
    [400, "Arrearage", "rejected"],
    [401, "InvalidApiKey", "rejected"],
    [403, "AccessDenied.Unpurchased", "rejected"],
    [408, "RequestTimeOut", "transient"],
    [429, "Throttling.RateQuota", "transient"],
    [429, "Throttling.AllocationQuota", "transient"],
    [500, "InternalError", "transient"],
  ])("classifies HTTP %i %s as %s", async (status, code, kind) => {
    answer(`POST ${CREATE}`, { request_id: "r", code, message: `${code} message` }, status);
    const e = await vendorErrorOf(wan().create(input("wan2.7")));
    expect(e.kind).toBe(kind);
    expect(e.message).toContain(code);
  });
});

describe("OpenAI-style reseller (dyuapi), as documented", () => {
  const reseller = () => createDyuapiVendor({ baseUrl: base, apiKey: "sk-0000" });
  const soraModel = { ...catalogModel("sora2"), vendorModel: "sora-2-pro", durations: [8] };

  // https://platform.openai.com/docs/api-reference/videos/create (the video object)
  it("reads the create answer's id", async () => {
    answer("POST /v1/videos", {
      id: "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5",
      object: "video",
      created_at: 1758941485,
      status: "queued",
      model: "sora-2-pro",
      progress: 0,
      seconds: "8",
      size: "1280x720",
    });
    const r = await reseller().create(input("sora2", { model: soraModel, durationSec: 8, ratio: "16:9" }));
    expect(r.vendorTaskId).toBe("video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5");
  });

  // https://platform.openai.com/docs/api-reference/videos/retrieve, guide: {"status":"in_progress","progress":33}
  it("reads progress while in progress and, once completed, hands over the /content stream", async () => {
    answer("GET /v1/videos/video_1", { id: "video_1", object: "video", status: "in_progress", progress: 33 });
    expect(await reseller().get("video_1")).toMatchObject({ status: "IN_PROGRESS", progress: 33 });
    answer("GET /v1/videos/video_1", {
      id: "video_1",
      object: "video",
      status: "completed",
      progress: 100,
      completed_at: 1758941585,
      expires_at: 1758945185,
      error: null,
    });
    expect(await reseller().get("video_1")).toMatchObject({
      status: "SUCCESS",
      videoUrl: `${base}/v1/videos/video_1/content`,
    });
  });

  it("reads a failed video's error.message", async () => {
    answer("GET /v1/videos/video_2", {
      id: "video_2",
      object: "video",
      status: "failed",
      progress: 0,
      error: { code: "moderation_blocked", message: "Your request was blocked by our moderation system." },
    });
    expect(await reseller().get("video_2")).toMatchObject({
      status: "FAILURE",
      errorMessage: "Your request was blocked by our moderation system.",
    });
  });

  // DyuAPI's own transcription (sora2-resellers-and-openai-video.md §1.6): status "success", top-level video_url
  it("reads DyuAPI's success object with video_url", async () => {
    answer("GET /v1/videos/video_c9", {
      id: "video_c9",
      size: "720x1280",
      model: "sora2-portrait-15s",
      object: "video.generation",
      status: "success",
      progress: 100,
      video_url: "https://cdn.example.com/videos/xxx.mp4",
      created_at: 1703260800,
      completed_at: 1703261100,
    });
    expect(await reseller().get("video_c9")).toMatchObject({
      status: "SUCCESS",
      videoUrl: "https://cdn.example.com/videos/xxx.mp4",
    });
  });

  // OpenAI error shape {error:{message,type,param,code}}; 429 insufficient_quota is out of money, not a rate limit
  it.each([
    [429, "insufficient_quota", "insufficient_quota", "rejected"],
    [429, "requests", "rate_limit_exceeded", "transient"],
    [400, "invalid_request_error", "content_policy_violation", "rejected"],
    [500, "server_error", null, "transient"],
  ])("classifies HTTP %i %s/%s as %s", async (status, type, code, kind) => {
    answer("POST /v1/videos", { error: { message: "m", type, param: null, code } }, status);
    expect((await vendorErrorOf(reseller().create(input("sora2")))).kind).toBe(kind);
  });
});
