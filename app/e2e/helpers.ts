import { deflateSync } from "node:zlib";
import { type APIRequestContext, expect, type Locator, type Page } from "@playwright/test";

export const ACCESS_TOKEN_KEY = "skyriff.access_token";
export const REFRESH_TOKEN_KEY = "skyriff.refresh_token";

type Envelope<T> = { code: number; message: string; data: T };

const usedPhones = new Set<string>();

/** A mainland mobile number (138xxxxxxxx) no other test in this process uses. */
export function randomPhone(): string {
  for (;;) {
    const phone = `138${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
    if (!usedPhones.has(phone)) {
      usedPhones.add(phone);
      return phone;
    }
  }
}

/** The newest code the console SMS provider sent to `phone` (dev-only outbox endpoint). */
export async function fetchSmsCode(request: APIRequestContext, phone: string): Promise<string> {
  let code = "";
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/dev/sms/outbox?phone=${encodeURIComponent(phone)}`);
        expect(res.status(), await res.text()).toBe(200);
        const body = (await res.json()) as Envelope<{ items: { phone: string; code: string }[] }>;
        expect(body.code).toBe(0);
        code = body.data.items[0]?.code ?? "";
        return code;
      },
      { message: `an SMS code for ${phone} in the dev outbox`, timeout: 10_000 },
    )
    .toMatch(/^\d{6}$/);
  return code;
}

export type Session = {
  phone: string;
  user_id: string;
  access_token: string;
  refresh_token: string;
};

/** Logs a fresh phone in through the API (send + verify), for tests about something else. */
/**
 * A client address of its own for each API login: SPEC §2 allows 20 codes an hour per IP, and the whole
 * suite logs in more often than that. The server trusts X-Forwarded-For here (TRUST_PROXY in the
 * Playwright config), as behind nginx; logins through the page still come from 127.0.0.1.
 */
function clientIp(): string {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return `10.${byte()}.${byte()}.${byte()}`;
}

export async function loginViaApi(request: APIRequestContext, phone = randomPhone()): Promise<Session> {
  const sent = await request.post("/api/v1/auth/sms/send", {
    data: { phone },
    headers: { "x-forwarded-for": clientIp() },
  });
  expect(sent.status(), await sent.text()).toBe(200);
  const code = await fetchSmsCode(request, phone);
  const res = await request.post("/api/v1/auth/sms/verify", { data: { phone, code } });
  expect(res.status(), await res.text()).toBe(200);
  const body = (await res.json()) as Envelope<{
    access_token: string;
    refresh_token: string;
    user: { user_id: string };
  }>;
  return {
    phone,
    user_id: body.data.user.user_id,
    access_token: body.data.access_token,
    refresh_token: body.data.refresh_token,
  };
}

/** Puts a session into the app's token store, as a completed login would. */
export async function useSession(page: Page, session: Session): Promise<void> {
  await page.goto("/login");
  await page.evaluate(
    ([a, r, keys]) => {
      localStorage.setItem(keys[0], a);
      localStorage.setItem(keys[1], r);
    },
    [session.access_token, session.refresh_token, [ACCESS_TOKEN_KEY, REFRESH_TOKEN_KEY]] as const,
  );
}

export async function storedTokens(page: Page) {
  return page.evaluate(
    (keys) => ({ access: localStorage.getItem(keys[0]), refresh: localStorage.getItem(keys[1]) }),
    [ACCESS_TOKEN_KEY, REFRESH_TOKEN_KEY] as const,
  );
}

export async function tabTitles(page: Page): Promise<string[]> {
  return page.locator(".adm-tab-bar-item-title").allTextContents();
}

const authHeaders = (session: Session) => ({ authorization: `Bearer ${session.access_token}` });

/** A dev-only `bonus` grant through the ledger (POST /dev/grant, with an Idempotency-Key). */
export async function grantCredits(request: APIRequestContext, session: Session, credits: number) {
  const res = await request.post("/api/v1/dev/grant", {
    headers: { ...authHeaders(session), "idempotency-key": `e2e-grant-${session.user_id}-${Date.now()}` },
    data: { user_id: session.user_id, credits },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as Envelope<{ balance_after: number }>).data.balance_after;
}

/** GET an API path as `session`, expecting 200, and return `data`. */
export async function apiGet<T>(request: APIRequestContext, session: Session, path: string): Promise<T> {
  const res = await request.get(`/api/v1${path}`, { headers: authHeaders(session) });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as Envelope<T>).data;
}

export async function creditsBalance(request: APIRequestContext, session: Session): Promise<number> {
  return (await apiGet<{ credits: { balance: number } }>(request, session, "/me/wallets")).credits.balance;
}

type ApiTask = { task_id: string; status: string; video_id: string | null; refunded: boolean };

/** Creates a generation task through the API (for tests about what comes after). */
export async function createTaskViaApi(
  request: APIRequestContext,
  session: Session,
  body: {
    prompt: string;
    duration_sec: number;
    ratio?: string;
    model?: string;
    project_id?: string | null;
    reference_image_asset_id?: string | null;
  },
): Promise<{ task_id: string; balance_after: number }> {
  const res = await request.post("/api/v1/tasks/create", {
    headers: { ...authHeaders(session), "idempotency-key": `e2e-task-${Date.now()}-${Math.random()}` },
    data: { ratio: "9:16", model: "skyriff-sim", ...body },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as Envelope<{ task_id: string; balance_after: number }>).data;
}

/** Polls GET /tasks/{id} until it ends; returns the final task. */
export async function waitForTask(
  request: APIRequestContext,
  session: Session,
  taskId: string,
  timeout = 90_000,
): Promise<ApiTask> {
  let task: ApiTask | null = null;
  await expect
    .poll(
      async () => {
        task = await apiGet<ApiTask>(request, session, `/tasks/${taskId}`);
        return task.status;
      },
      { message: `task ${taskId} to finish`, timeout, intervals: [500, 1000] },
    )
    .toMatch(/^(SUCCESS|FAILURE)$/);
  return task!;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid RGB PNG (a diagonal gradient), built in memory. */
export function makePng(width = 64, height = 64): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x * 255) / width;
      raw[row + 2 + x * 3] = (y * 255) / height;
      raw[row + 3 + x * 3] = 160;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Uploads a generated PNG as a reference image through the API; returns its asset id. */
export async function uploadImageViaApi(
  request: APIRequestContext,
  session: Session,
  png = makePng(64, 96),
): Promise<string> {
  const res = await request.post("/api/v1/media/upload", {
    headers: authHeaders(session),
    multipart: { file: { name: "reference.png", mimeType: "image/png", buffer: png } },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as Envelope<{ asset_id: string }>).data.asset_id;
}

/** Creates a project through the API; returns its id. */
export async function createProjectViaApi(
  request: APIRequestContext,
  session: Session,
  name: string,
): Promise<string> {
  const res = await request.post("/api/v1/projects", { headers: authHeaders(session), data: { name } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as Envelope<{ project_id: string }>).data.project_id;
}

/**
 * A real one-finger vertical swipe on `target` (CDP touch events, so the page sees touch pointers):
 * "up" drags from the lower part of the element to the upper part.
 */
export async function swipe(page: Page, target: Locator, direction: "up" | "down") {
  const box = await target.boundingBox();
  if (!box) throw new Error("swipe target is not visible");
  const x = Math.round(box.x + box.width / 2);
  const low = Math.round(box.y + box.height * 0.75);
  const high = Math.round(box.y + box.height * 0.25);
  const [from, to] = direction === "up" ? [low, high] : [high, low];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x, y: from }] });
  const steps = 8;
  for (let i = 1; i <= steps; i++) {
    const y = Math.round(from + ((to - from) * i) / steps);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y }] });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

/**
 * Makes a published work for `session` through the API: credits, a 10 s generation on the simulated
 * vendor, then /works/publish (for tests about what a work is used for, e.g. delivering a 商单).
 */
export async function publishWorkViaApi(
  request: APIRequestContext,
  session: Session,
  title: string,
  prompt = "清晨的海边灯塔，薄雾缓缓散开，海鸥掠过，温暖逆光，电影感航拍",
): Promise<string> {
  await grantCredits(request, session, 100);
  const task = await createTaskViaApi(request, session, { prompt, duration_sec: 10 });
  const done = await waitForTask(request, session, task.task_id);
  expect(done.status).toBe("SUCCESS");
  const res = await request.post("/api/v1/works/publish", {
    headers: { ...authHeaders(session), "idempotency-key": `e2e-publish-${Date.now()}-${Math.random()}` },
    data: { video_id: done.video_id, title, description: "e2e" },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as Envelope<{ work_id: string }>).data.work_id;
}
