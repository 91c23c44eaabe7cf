/**
 * Local fake of Tencent Cloud SMS `SendSms` (API 3.0, 2021-01-11). It verifies the TC3-HMAC-SHA256
 * signature with its own implementation (deliberately not importing src/providers/sms/signing.ts) and
 * records every correctly signed message. Like the real API it answers HTTP 200 for business errors.
 *
 * Modes: ok | limit (per-number LimitExceeded.PhoneNumberThirtySecondLimit) | limit-error (request-level
 * LimitExceeded.DeliveryFrequencyLimit) | 500 | malformed (truncated JSON) | slow (answers Ok late).
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type TencentFakeMode = "ok" | "limit" | "limit-error" | "500" | "malformed" | "slow";

export interface TencentFakeMessage {
  phoneNumber: string;
  sdkAppId: string;
  signName: string;
  templateId: string;
  templateParams: string[];
  /** `templateParams[0]`. */
  code: string | null;
  region: string;
  mode: TencentFakeMode;
  receivedAt: Date;
}

export interface TencentFakeOptions {
  secretId?: string;
  secretKey?: string;
  sdkAppId?: string;
  /** Delay of the `slow` mode, default 2000 ms. */
  slowMs?: number;
}

export interface TencentFake {
  url: string;
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  messages: TencentFakeMessage[];
  /** Requests refused before reaching the mode (bad signature, bad parameters, …), by error code. */
  rejections: string[];
  setMode(mode: TencentFakeMode): void;
  close(): Promise<void>;
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : (v ?? "");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sha256(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}

function hmac(key: string | Buffer, msg: string): Buffer {
  return createHmac("sha256", key).update(msg, "utf8").digest();
}

function reply(res: ServerResponse, response: Record<string, unknown>): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ Response: { ...response, RequestId: randomUUID() } }));
}

/** Parses `TC3-HMAC-SHA256 Credential=id/date/service/tc3_request, SignedHeaders=a;b, Signature=hex`. */
function parseAuthorization(
  value: string,
): { secretId: string; date: string; service: string; signedHeaders: string[]; signature: string } | null {
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      value,
    );
  if (!m) return null;
  const [, secretId = "", date = "", service = "", signed = "", signature = ""] = m;
  return { secretId, date, service, signedHeaders: signed.split(";"), signature };
}

export async function startTencentSmsFake(opts: TencentFakeOptions = {}): Promise<TencentFake> {
  const secretId = opts.secretId ?? "AKIDfakeSecretId0000000000000000";
  const secretKey = opts.secretKey ?? "fakeSecretKey00000000000000000000";
  const sdkAppId = opts.sdkAppId ?? "1400000000";
  const slowMs = opts.slowMs ?? 2000;
  const messages: TencentFakeMessage[] = [];
  const rejections: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let mode: TencentFakeMode = "ok";

  const error = (res: ServerResponse, code: string, message: string) => {
    rejections.push(code);
    reply(res, { Error: { Code: code, Message: message } });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const payload = await readBody(req);
    if (req.method !== "POST" || (req.url ?? "/") !== "/") {
      return error(res, "InvalidAction", "only POST / is served");
    }

    // --- TC3-HMAC-SHA256, verified from scratch ---
    const auth = parseAuthorization(header(req, "authorization"));
    if (!auth) return error(res, "AuthFailure.InvalidAuthorization", "Authorization header is malformed");
    if (auth.secretId !== secretId)
      return error(res, "AuthFailure.SecretIdNotFound", "The SecretId is not found");
    if (!auth.signedHeaders.includes("content-type") || !auth.signedHeaders.includes("host")) {
      return error(res, "AuthFailure.InvalidAuthorization", "content-type and host must be signed");
    }
    const timestamp = header(req, "x-tc-timestamp");
    if (!/^\d{9,10}$/.test(timestamp)) return error(res, "MissingParameter", "X-TC-Timestamp is required");
    const date = new Date(Number(timestamp) * 1000).toISOString().slice(0, 10);
    if (auth.date !== date || auth.service !== "sms") {
      return error(res, "AuthFailure.SignatureFailure", "credential scope does not match timestamp/service");
    }
    const signedNames = [...auth.signedHeaders].sort();
    const canonicalHeaders = signedNames.map((h) => `${h}:${header(req, h).trim().toLowerCase()}\n`).join("");
    const canonicalRequest = ["POST", "/", "", canonicalHeaders, signedNames.join(";"), sha256(payload)].join(
      "\n",
    );
    const stringToSign = [
      "TC3-HMAC-SHA256",
      timestamp,
      `${auth.date}/${auth.service}/tc3_request`,
      sha256(canonicalRequest),
    ].join("\n");
    const kDate = hmac(`TC3${secretKey}`, auth.date);
    const kService = hmac(kDate, auth.service);
    const kSigning = hmac(kService, "tc3_request");
    const expected = hmac(kSigning, stringToSign);
    const given = Buffer.from(auth.signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return error(
        res,
        "AuthFailure.SignatureFailure",
        "The provided credentials could not be validated. Please check your signature is correct.",
      );
    }
    if (header(req, "x-tc-action") !== "SendSms")
      return error(res, "InvalidAction", "action must be SendSms");
    if (header(req, "x-tc-version") !== "2021-01-11")
      return error(res, "NoSuchVersion", "version must be 2021-01-11");
    const region = header(req, "x-tc-region");
    if (region === "") return error(res, "MissingParameter", "X-TC-Region is required");

    // --- SendSms parameters ---
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(payload);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return error(res, "FailedOperation.FailResolvePacket", "body is not a JSON object");
    }
    const phones = body.PhoneNumberSet;
    const params = body.TemplateParamSet ?? [];
    if (
      !Array.isArray(phones) ||
      phones.length !== 1 ||
      typeof phones[0] !== "string" ||
      !Array.isArray(params) ||
      !params.every((p) => typeof p === "string") ||
      typeof body.TemplateId !== "string" ||
      typeof body.SignName !== "string"
    ) {
      return error(
        res,
        "InvalidParameter",
        "PhoneNumberSet, TemplateId, SignName, TemplateParamSet are required",
      );
    }
    if (body.SmsSdkAppId !== sdkAppId) {
      return error(res, "InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist");
    }
    const phoneNumber = phones[0];
    if (!/^\+861\d{10}$/.test(phoneNumber)) {
      return error(res, "InvalidParameterValue.IncorrectPhoneNumber", "incorrect phone number");
    }
    const templateParams = params as string[];
    const current = mode;
    messages.push({
      phoneNumber,
      sdkAppId,
      signName: body.SignName,
      templateId: body.TemplateId,
      templateParams,
      code: templateParams[0] ?? null,
      region,
      mode: current,
      receivedAt: new Date(),
    });

    const status = (code: string, message: string) => ({
      SendStatusSet: [
        {
          SerialNo: code === "Ok" ? `2028:${randomUUID().replace(/-/g, "").slice(0, 20)}` : "",
          PhoneNumber: phoneNumber,
          Fee: code === "Ok" ? 1 : 0,
          SessionContext: "",
          Code: code,
          Message: message,
          IsoCode: "CN",
        },
      ],
    });
    switch (current) {
      case "ok":
        return reply(res, status("Ok", "send success"));
      case "limit":
        return reply(
          res,
          status(
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "the number of sms messages sent in 30 seconds exceeds",
          ),
        );
      case "limit-error":
        return error(res, "LimitExceeded.DeliveryFrequencyLimit", "下发短信命中了频率限制策略");
      case "500":
        res.writeHead(500, { "content-type": "text/html" });
        res.end("<html><body>502 Bad Gateway</body></html>");
        return;
      case "malformed":
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"Response":{"SendStatusSet":[{"Code":"O');
        return;
      case "slow": {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) reply(res, status("Ok", "send success"));
        }, slowMs);
        timers.add(timer);
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    secretId,
    secretKey,
    sdkAppId,
    messages,
    rejections,
    setMode(next) {
      mode = next;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
