/**
 * Local fake of Aliyun dysmsapi `SendSms` (2017-05-25). It verifies the ACS3-HMAC-SHA256 signature with its
 * own implementation (deliberately not importing src/providers/sms/signing.ts), rejects reused nonces and
 * records every correctly signed message.
 *
 * Modes: ok | limit (isv.BUSINESS_LIMIT_CONTROL) | 500 | malformed (truncated JSON) | slow (answers OK late).
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type AliyunFakeMode = "ok" | "limit" | "500" | "malformed" | "slow";

export interface AliyunFakeMessage {
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, unknown>;
  /** `templateParam.code` when it is a string. */
  code: string | null;
  mode: AliyunFakeMode;
  receivedAt: Date;
}

export interface AliyunFakeOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  /** Delay of the `slow` mode, default 2000 ms. */
  slowMs?: number;
}

export interface AliyunFake {
  url: string;
  accessKeyId: string;
  accessKeySecret: string;
  messages: AliyunFakeMessage[];
  /** Requests refused before reaching the mode (bad signature, reused nonce, …), by error code. */
  rejections: string[];
  setMode(mode: AliyunFakeMode): void;
  close(): Promise<void>;
}

const REQUIRED_SIGNED = [
  "host",
  "x-acs-action",
  "x-acs-content-sha256",
  "x-acs-date",
  "x-acs-signature-nonce",
  "x-acs-version",
];

function rfc3986(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
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

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json;charset=utf-8" });
  res.end(JSON.stringify(body));
}

/** Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`. */
function parseAuthorization(
  value: string,
): { credential: string; signedHeaders: string[]; signature: string } | null {
  const prefix = "ACS3-HMAC-SHA256 ";
  if (!value.startsWith(prefix)) return null;
  const parts = new Map<string, string>();
  for (const part of value.slice(prefix.length).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = parts.get("Credential");
  const signed = parts.get("SignedHeaders");
  const signature = parts.get("Signature");
  if (!credential || !signed || !signature) return null;
  return { credential, signedHeaders: signed.split(";"), signature };
}

export async function startAliyunSmsFake(opts: AliyunFakeOptions = {}): Promise<AliyunFake> {
  const accessKeyId = opts.accessKeyId ?? "LTAI-fake-access-key-id";
  const accessKeySecret = opts.accessKeySecret ?? "fake-access-key-secret";
  const slowMs = opts.slowMs ?? 2000;
  const messages: AliyunFakeMessage[] = [];
  const rejections: string[] = [];
  const seenNonces = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let mode: AliyunFakeMode = "ok";

  const reject = (res: ServerResponse, status: number, code: string, message: string) => {
    rejections.push(code);
    json(res, status, {
      RequestId: randomUUID().toUpperCase(),
      HostId: "dysmsapi.aliyuncs.com",
      Code: code,
      Message: message,
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method !== "POST" || url.pathname !== "/")
      return reject(res, 404, "InvalidAction.NotFound", "not found");

    // --- signature V3, verified from scratch ---
    const auth = parseAuthorization(header(req, "authorization"));
    if (!auth)
      return reject(
        res,
        400,
        "IncompleteSignature",
        "The request signature does not conform to Aliyun standards.",
      );
    if (auth.credential !== accessKeyId) {
      return reject(res, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    }
    for (const h of REQUIRED_SIGNED) {
      if (!auth.signedHeaders.includes(h))
        return reject(res, 400, "IncompleteSignature", `${h} is not signed`);
    }
    if (header(req, "x-acs-action") !== "SendSms" || header(req, "x-acs-version") !== "2017-05-25") {
      return reject(res, 400, "InvalidAction.NotFound", "Specified api is not found");
    }
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(header(req, "x-acs-date"))) {
      return reject(
        res,
        400,
        "InvalidTimeStamp.Format",
        "Specified time stamp or date value is not well formatted.",
      );
    }
    const bodyHash = createHash("sha256").update(body, "utf8").digest("hex");
    if (header(req, "x-acs-content-sha256") !== bodyHash) {
      return reject(res, 400, "ContentSHA256NotMatched", "The x-acs-content-sha256 does not match the body.");
    }
    const params = new Map<string, string>();
    for (const [k, v] of url.searchParams) params.set(k, v);
    const canonicalQuery = [...params.keys()]
      .sort()
      .map((k) => `${rfc3986(k)}=${rfc3986(params.get(k) ?? "")}`)
      .join("&");
    const signedNames = [...auth.signedHeaders].sort();
    const canonicalHeaders = signedNames.map((h) => `${h}:${header(req, h).trim()}\n`).join("");
    const canonicalRequest = [
      "POST",
      "/",
      canonicalQuery,
      canonicalHeaders,
      signedNames.join(";"),
      bodyHash,
    ].join("\n");
    const stringToSign = `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonicalRequest, "utf8").digest("hex")}`;
    const expected = createHmac("sha256", accessKeySecret).update(stringToSign, "utf8").digest();
    const given = Buffer.from(auth.signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reject(
        res,
        400,
        "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation.",
      );
    }
    const nonce = header(req, "x-acs-signature-nonce");
    if (nonce === "" || seenNonces.has(nonce)) {
      return reject(res, 400, "SignatureNonceUsed", "Specified signature nonce was used already.");
    }
    seenNonces.add(nonce);

    // --- SendSms parameters ---
    const phoneNumbers = params.get("PhoneNumbers") ?? "";
    const signName = params.get("SignName") ?? "";
    const templateCode = params.get("TemplateCode") ?? "";
    if (!phoneNumbers || !signName || !templateCode) {
      return reject(res, 400, "MissingParameter", "PhoneNumbers, SignName and TemplateCode are required");
    }
    if (!/^(?:\+?86|0086)?1\d{10}$/.test(phoneNumbers)) {
      return json(res, 200, {
        RequestId: randomUUID(),
        Code: "isv.MOBILE_NUMBER_ILLEGAL",
        Message: "非法手机号",
      });
    }
    let templateParam: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(params.get("TemplateParam") ?? "");
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      templateParam = parsed as Record<string, unknown>;
    } catch {
      return json(res, 200, {
        RequestId: randomUUID(),
        Code: "isv.INVALID_JSON_PARAM",
        Message: "JSON参数不合法",
      });
    }
    const current = mode;
    messages.push({
      phoneNumbers,
      signName,
      templateCode,
      templateParam,
      code: typeof templateParam.code === "string" ? templateParam.code : null,
      mode: current,
      receivedAt: new Date(),
    });

    const okBody = () => ({
      Code: "OK",
      Message: "OK",
      BizId: `${Date.now()}^0`,
      RequestId: randomUUID().toUpperCase(),
    });
    switch (current) {
      case "ok":
        return json(res, 200, okBody());
      case "limit":
        return json(res, 200, {
          Code: "isv.BUSINESS_LIMIT_CONTROL",
          Message: "触发分钟级流控Permits:1",
          RequestId: randomUUID().toUpperCase(),
        });
      case "500":
        return json(res, 500, {
          Code: "InternalError",
          Message: "The request processing has failed due to some unknown error.",
          RequestId: randomUUID().toUpperCase(),
        });
      case "malformed":
        res.writeHead(200, { "content-type": "application/json;charset=utf-8" });
        res.end('{"Code":"OK","Message":"O');
        return;
      case "slow": {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) json(res, 200, okBody());
        }, slowMs);
        timers.add(timer);
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { Code: "FakeError", Message: String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accessKeyId,
    accessKeySecret,
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
