import { type APIRequestContext, expect, type Page } from "@playwright/test";

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
export async function loginViaApi(request: APIRequestContext, phone = randomPhone()): Promise<Session> {
  const sent = await request.post("/api/v1/auth/sms/send", { data: { phone } });
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
