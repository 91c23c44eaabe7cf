import { type APIRequestContext, expect } from "@playwright/test";

/** Setup through the API for steps the console suite does not test (as in app/e2e/helpers.ts). */

export type Envelope<T> = { code: number; message: string; data: T };

export type Session = { phone: string; user_id: string; access_token: string; refresh_token: string };

const usedPhones = new Set<string>();

/** A mainland mobile number (139xxxxxxxx) no other test in this process uses. */
export function randomPhone(): string {
  for (;;) {
    const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
    if (!usedPhones.has(phone)) {
      usedPhones.add(phone);
      return phone;
    }
  }
}

/** A client address of its own for each API login (SMS limits are per IP; TRUST_PROXY is on). */
function clientIp(): string {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return `10.${byte()}.${byte()}.${byte()}`;
}

/** The newest code the console SMS provider sent to `phone` (dev-only outbox). */
export async function fetchSmsCode(request: APIRequestContext, phone: string): Promise<string> {
  let code = "";
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/dev/sms/outbox?phone=${encodeURIComponent(phone)}`);
        expect(res.status(), await res.text()).toBe(200);
        const body = (await res.json()) as Envelope<{ items: { code: string }[] }>;
        code = body.data.items[0]?.code ?? "";
        return code;
      },
      { message: `an SMS code for ${phone} in the dev outbox`, timeout: 10_000 },
    )
    .toMatch(/^\d{6}$/);
  return code;
}

/**
 * Sends a login code. A phone gets one code a minute (1006 with `retry_after`): logging the same user in
 * again soon after (a ban and unban) waits it out, as the user would.
 */
async function sendCode(request: APIRequestContext, phone: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const sent = await request.post("/api/v1/auth/sms/send", {
      data: { phone },
      headers: { "x-forwarded-for": clientIp() },
    });
    if (sent.status() === 200) return;
    const body = (await sent.json().catch(() => null)) as Envelope<{ retry_after?: number }> | null;
    if (attempt > 0 || body?.code !== 1006) {
      expect(sent.status(), JSON.stringify(body)).toBe(200);
      return;
    }
    await new Promise((r) => setTimeout(r, ((body.data?.retry_after ?? 60) + 1) * 1000));
  }
}

export async function loginViaApi(request: APIRequestContext, phone = randomPhone()): Promise<Session> {
  await sendCode(request, phone);
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

export const auth = (s: Session | string) => ({
  authorization: `Bearer ${typeof s === "string" ? s : s.access_token}`,
});

/** POST as `s` (or with no token), expecting 200; returns `data`. */
export async function apiPost<T>(
  request: APIRequestContext,
  s: Session | string | null,
  path: string,
  data: unknown = {},
): Promise<T> {
  const res = await request.post(`/api/v1${path}`, {
    headers: { ...(s ? auth(s) : {}), "idempotency-key": `e2e-adm-${Date.now()}-${Math.random()}` },
    data,
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return ((await res.json()) as Envelope<T>).data;
}

/** GET as `s`, expecting 200; returns `data`. */
export async function apiGet<T>(request: APIRequestContext, s: Session | string, path: string): Promise<T> {
  const res = await request.get(`/api/v1${path}`, { headers: auth(s) });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return ((await res.json()) as Envelope<T>).data;
}

/** The dev-only role grant (no token on loopback): `roles` replace the user's back-office roles. */
export async function grantRoles(request: APIRequestContext, userId: string, roles: string[]) {
  await apiPost(request, null, "/dev/roles", { user_id: userId, roles });
}

/** A dev-only `bonus` credits grant through the ledger. */
export async function grantCredits(request: APIRequestContext, s: Session, credits: number) {
  return (await apiPost<{ balance_after: number }>(request, s, "/dev/grant", { user_id: s.user_id, credits }))
    .balance_after;
}

type ApiTask = { task_id: string; status: string; video_id: string | null };

/** Credits, a 10 s generation on the simulated vendor, then /works/publish; returns the work id. */
export async function publishWorkViaApi(
  request: APIRequestContext,
  s: Session,
  title: string,
): Promise<string> {
  await grantCredits(request, s, 100);
  const task = await apiPost<{ task_id: string }>(request, s, "/tasks/create", {
    prompt: "清晨的海边灯塔，薄雾缓缓散开，海鸥掠过，温暖逆光，电影感航拍",
    duration_sec: 10,
    ratio: "9:16",
    model: "skyriff-sim",
  });
  let done: ApiTask | null = null;
  await expect
    .poll(
      async () => {
        done = await apiGet<ApiTask>(request, s, `/tasks/${task.task_id}`);
        return done.status;
      },
      { message: `task ${task.task_id} to finish`, timeout: 90_000, intervals: [500, 1000] },
    )
    .toMatch(/^(SUCCESS|FAILURE)$/);
  const finished = done as ApiTask | null;
  expect(finished?.status).toBe("SUCCESS");
  const work = await apiPost<{ work_id: string }>(request, s, "/works/publish", {
    video_id: finished?.video_id,
    title,
    description: "e2e",
  });
  return work.work_id;
}

/** A coins pack bought through the sandbox gateway (coins available at once). */
export async function buyCoinsPack(request: APIRequestContext, s: Session, productId = "coins_100") {
  const pay = await apiPost<{ payment_id: string }>(request, s, "/coins/recharge/create_payment", {
    product_id: productId,
    pay_channel: "sandbox",
  });
  await apiPost(request, null, `/dev/payments/${pay.payment_id}/complete`, { result: "success" });
  await expect
    .poll(
      async () => (await apiGet<{ fulfilled: boolean }>(request, s, `/payments/${pay.payment_id}`)).fulfilled,
    )
    .toBe(true);
  return pay.payment_id;
}
