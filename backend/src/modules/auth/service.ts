import { randomBytes, randomInt } from "node:crypto";
import { type DeleteAccountResult, ErrorCode, type LoginResult } from "@skyriff/contracts";
import type { AppContext } from "../../context.js";
import { afterCommit, type Tx } from "../../db/client.js";
import { enqueue } from "../../jobs/index.js";
import {
  accountsOf,
  ensureAccounts,
  type IdempotencyHandle,
  lockedBalancesOf,
  type PostingInput,
  pendingShardsOf,
  platform,
  post,
  withIdempotency,
} from "../../ledger/index.js";
import { AppError } from "../../lib/errors.js";
import { newId } from "../../lib/ids.js";
import { formatCoins } from "../../lib/money.js";
import { seal, unseal } from "../../lib/seal.js";
import { WechatOAuthError } from "../../providers/wechat-oauth/types.js";
import { unfinishedTaskCount } from "../generation/service.js";
import { activeOrdersOf } from "../orders/service.js";
import { bindInTx } from "../promoter/service.js";
import { touchInTx } from "../task-center/service.js";
import * as users from "../users/service.js";
import * as repo from "./repository.js";
import {
  assertMaySend,
  CODE_TTL_SECONDS,
  checkCode,
  generateCode,
  hashCode,
  normalizePhone,
  RESEND_AFTER_SECONDS,
} from "./sms-codes.js";
import {
  ACCESS_TTL_SECONDS,
  type AccessClaims,
  hashRefreshToken,
  newRefreshToken,
  REFRESH_TTL_SECONDS,
} from "./tokens.js";

export const SMS_SEAL_PURPOSE = "sms-code";
const ROTATED_PAIR_SEAL_PURPOSE = "rotated-token-pair";
/** Two tabs refreshing with the same token within this window both get the one new pair. */
export const REFRESH_GRACE_MS = 10_000;
const OAUTH_STATE_TTL_MS = 10 * 60_000;

export async function sendSmsCode(ctx: AppContext, rawPhone: string, ip: string) {
  const phone = normalizePhone(rawPhone);
  const now = ctx.clock.now();
  const code = generateCode();
  await ctx.db.transaction(async (tx) => {
    await assertMaySend(tx, phone, ip, now);
    await repo.retireLiveCodes(tx, phone, now);
    const smsId = newId();
    await repo.insertCode(tx, {
      id: smsId,
      phone,
      ip,
      codeHash: hashCode(ctx.config.appSecret, phone, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_SECONDS * 1000),
    });
    await enqueue(tx, "sms.deliver", {
      smsId,
      phone,
      sealed: seal(ctx.config.appSecret, SMS_SEAL_PURPOSE, code),
    });
  });
  ctx.jobs.kick();
  return { expire_in: CODE_TTL_SECONDS, resend_after: RESEND_AFTER_SECONDS };
}

/** Runs a code check in its own transaction and throws its error only after the wrong try is counted. */
async function withVerifiedCode<T>(
  ctx: AppContext,
  phone: string,
  code: string,
  then: (tx: Tx) => Promise<T>,
) {
  const now = ctx.clock.now();
  const outcome = await ctx.db.transaction(async (tx) => {
    const check = await checkCode(tx, ctx.config.appSecret, phone, code, now);
    if (!check.ok) return { error: check.error };
    return { value: await then(tx) };
  });
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

export async function verifySmsLogin(
  ctx: AppContext,
  rawPhone: string,
  code: string,
  referralCode?: string,
): Promise<LoginResult> {
  const phone = normalizePhone(rawPhone);
  return withVerifiedCode(ctx, phone, code, async (tx) => {
    const existing = await users.findUserByPhone(tx, phone);
    const user = existing ?? (await createUser(ctx, tx, { phone }));
    if (!existing && referralCode) await bindAtSignUp(ctx, tx, user, referralCode);
    return startSession(ctx, tx, user, existing === null);
  });
}

/** A referral code given at first login binds like `/referrals/bind`; a bad code never blocks the login. */
async function bindAtSignUp(ctx: AppContext, tx: Tx, user: users.UserRow, code: string): Promise<void> {
  const outcome = await bindInTx(ctx, tx, user, code, "login", ctx.clock.now());
  if (!outcome.ok)
    ctx.log.info({ userId: user.id, code: outcome.error.code }, "referral code at sign-up refused");
}

async function createUser(ctx: AppContext, tx: Tx, identity: Partial<users.UserRow>): Promise<users.UserRow> {
  const now = ctx.clock.now();
  const user = await users.insertUser(tx, {
    id: newId(),
    nickname: identity.nickname ?? `用户${randomInt(0, 10_000).toString().padStart(4, "0")}`,
    phone: identity.phone ?? null,
    avatarUrl: identity.avatarUrl ?? null,
    wechatUnionid: identity.wechatUnionid ?? null,
    wechatOpenid: identity.wechatOpenid ?? null,
    createdAt: now,
    updatedAt: now,
  });
  await ensureAccounts(tx, Object.values(accountsOf(user.id)));
  return user;
}

async function startSession(
  ctx: AppContext,
  tx: Tx,
  user: users.UserRow,
  isNew: boolean,
): Promise<LoginResult> {
  if (user.status === "banned") throw new AppError(ErrorCode.USER_BANNED);
  if (user.status === "deleted") throw new AppError(ErrorCode.USER_NOT_FOUND);
  const now = ctx.clock.now();
  const sessionId = newId();
  const refreshExpiresAt = new Date(now.getTime() + REFRESH_TTL_SECONDS * 1000);
  await repo.insertSession(tx, {
    id: sessionId,
    userId: user.id,
    createdAt: now,
    expiresAt: refreshExpiresAt,
  });
  const refresh = await issueRefresh(tx, sessionId, now);
  // The login is the user's touch of the day: today's tasks exist and login_daily is done.
  await touchInTx(tx, user.id, now);
  return {
    ...tokenPair(ctx, user.id, sessionId, refresh),
    user: await users.presentUser(ctx, user),
    is_new_user: isNew,
  };
}

async function issueRefresh(tx: Tx, sessionId: string, now: Date): Promise<string> {
  const { token, hash } = newRefreshToken();
  await repo.insertRefreshToken(tx, {
    id: newId(),
    sessionId,
    tokenHash: hash,
    createdAt: now,
    expiresAt: new Date(now.getTime() + REFRESH_TTL_SECONDS * 1000),
  });
  return token;
}

function tokenPair(ctx: AppContext, userId: string, sessionId: string, refreshToken: string) {
  return {
    access_token: ctx.tokens.issueAccess({ userId, sessionId }),
    refresh_token: refreshToken,
    expires_in: ACCESS_TTL_SECONDS,
    refresh_expires_in: REFRESH_TTL_SECONDS,
    token_type: "Bearer" as const,
  };
}

type TokenPair = ReturnType<typeof tokenPair>;

/**
 * Rotates the pair. A refresh token presented again within REFRESH_GRACE_MS of its rotation (a second
 * tab, a retried request, a concurrent one) gets the same new pair; presented later, it means the token
 * leaked, and the whole family (the session) is revoked.
 */
export async function refreshSession(ctx: AppContext, refreshToken: string): Promise<TokenPair> {
  const now = ctx.clock.now();
  const outcome = await ctx.db.transaction(async (tx) => {
    const hash = hashRefreshToken(refreshToken);
    const found = await repo.findRefreshToken(tx, hash);
    if (!found) return { error: new AppError(ErrorCode.NOT_LOGGED_IN) };
    const { token, session } = found;
    if (session.revokedAt) return { error: new AppError(ErrorCode.NOT_LOGGED_IN) };
    if (token.expiresAt <= now) return { error: new AppError(ErrorCode.TOKEN_EXPIRED) };
    const user = await users.findUser(tx, session.userId);
    if (!user || user.status === "deleted") return { error: new AppError(ErrorCode.NOT_LOGGED_IN) };
    if (user.status === "banned") return { error: new AppError(ErrorCode.USER_BANNED) };
    if (await repo.useRefreshToken(tx, token.id, now)) {
      const pair = tokenPair(ctx, user.id, session.id, await issueRefresh(tx, session.id, now));
      const sealed = seal(ctx.config.appSecret, ROTATED_PAIR_SEAL_PURPOSE, JSON.stringify(pair));
      await repo.recordSuccessor(tx, token.id, sealed);
      await repo.extendSession(tx, session.id, new Date(now.getTime() + REFRESH_TTL_SECONDS * 1000));
      return { value: pair };
    }
    // Rotated already: by a request that committed (a concurrent one waited for it above) or earlier.
    const rotated = await repo.findRefreshToken(tx, hash);
    const usedAt = rotated?.token.usedAt;
    const successor = rotated?.token.successorSealed;
    if (usedAt && successor && now.getTime() - usedAt.getTime() <= REFRESH_GRACE_MS) {
      return {
        value: JSON.parse(unseal(ctx.config.appSecret, ROTATED_PAIR_SEAL_PURPOSE, successor)) as TokenPair,
      };
    }
    await repo.revokeSession(tx, session.id, "refresh_token_reuse", now);
    return { error: reuseError(), revokedSessionId: session.id };
  });
  if ("revokedSessionId" in outcome && outcome.revokedSessionId)
    ctx.sessions.forget(outcome.revokedSessionId);
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

const reuseError = () =>
  new AppError(
    ErrorCode.NOT_LOGGED_IN,
    { reason: "refresh_token_reused" },
    {
      zh: "登录凭证已被使用，为保护账号安全已退出所有相关登录，请重新登录",
      en: "Refresh token was reused; the session has been revoked. Please log in again",
    },
  );

/** Ends the session of the access token; a refresh token of the same user, if given, ends its session too. */
export async function logout(ctx: AppContext, sessionId: string, refreshToken: string | undefined) {
  const now = ctx.clock.now();
  const revoked = [sessionId];
  await ctx.db.transaction(async (tx) => {
    await repo.revokeSession(tx, sessionId, "logout", now);
    if (!refreshToken) return;
    const found = await repo.findRefreshToken(tx, hashRefreshToken(refreshToken));
    if (found && found.session.userId === (await repo.sessionOwner(tx, sessionId))) {
      await repo.revokeSession(tx, found.session.id, "logout", now);
      revoked.push(found.session.id);
    }
  });
  for (const id of revoked) ctx.sessions.forget(id);
  return { logged_out: true };
}

/**
 * The live session behind an access token, or the error to answer: 1001 for a bad token or an ended
 * session or a closed (deleted) account, 1002 for an expired token, 1004 for a banned user. Session checks
 * are memoized per process for two seconds (a revocation in this process is seen at once).
 */
export async function authenticate(ctx: AppContext, accessToken: string): Promise<AccessClaims> {
  const claims = ctx.tokens.readAccess(accessToken);
  const state = await sessionStateOf(ctx, claims);
  if (!state || state.userStatus === "deleted") throw new AppError(ErrorCode.NOT_LOGGED_IN);
  // A ban also revokes the sessions; the user is told why (1004), not merely that it is logged out.
  if (state.userStatus === "banned") throw new AppError(ErrorCode.USER_BANNED);
  if (state.revoked) throw new AppError(ErrorCode.NOT_LOGGED_IN);
  return claims;
}

/** False once the session has been revoked (logout, refresh-token reuse) or its user banned. */
export async function sessionIsLive(ctx: AppContext, claims: AccessClaims): Promise<boolean> {
  const state = await sessionStateOf(ctx, claims);
  return Boolean(state && !state.revoked && state.userStatus === "active");
}

async function sessionStateOf(ctx: AppContext, claims: AccessClaims) {
  let state = ctx.sessions.get(claims.sessionId);
  if (state === undefined) {
    state = await repo.sessionState(ctx.db, claims.sessionId, claims.userId);
    ctx.sessions.set(claims.sessionId, state);
  }
  return state;
}

/** What the console SMS provider sent to a phone (the dev-only outbox). */
export async function devSmsOutbox(ctx: AppContext, rawPhone: string) {
  return repo.listDevSms(ctx.db, normalizePhone(rawPhone));
}

export async function wechatInit(
  ctx: AppContext,
  platform: "app" | "h5" | "web",
  redirectUri: string | undefined,
) {
  const wechat = requireWechat(ctx);
  const now = ctx.clock.now();
  const state = randomBytes(16).toString("hex");
  await repo.insertOauthState(ctx.db, {
    state,
    provider: "wechat",
    platform,
    redirectUri: redirectUri ?? null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + OAUTH_STATE_TTL_MS),
  });
  const authorizeUrl = redirectUri ? wechat.authorizeUrl({ platform, redirectUri, state }) : null;
  return { app_id: wechat.appId, state, authorize_url: authorizeUrl };
}

export async function wechatCallback(
  ctx: AppContext,
  code: string,
  state: string,
  referralCode?: string,
): Promise<LoginResult> {
  const wechat = requireWechat(ctx);
  const consumed = await repo.consumeOauthState(ctx.db, state, ctx.clock.now());
  if (!consumed) {
    throw new AppError(
      ErrorCode.INVALID_PHONE_OR_CODE,
      { field: "state" },
      {
        zh: "微信授权已过期，请重新登录",
        en: "WeChat authorization state is invalid or expired",
      },
    );
  }
  const profile = await fetchWechatProfile(wechat, code);
  return ctx.db.transaction(async (tx) => {
    const existing = await users.findUserByWechat(tx, profile.unionid, profile.openid);
    const user =
      existing ??
      (await createUser(ctx, tx, {
        nickname: [...profile.nickname].slice(0, 20).join("") || undefined,
        avatarUrl: profile.headimgurl,
        wechatUnionid: profile.unionid,
        wechatOpenid: profile.openid,
      }));
    if (!existing && referralCode) await bindAtSignUp(ctx, tx, user, referralCode);
    return startSession(ctx, tx, user, existing === null);
  });
}

async function fetchWechatProfile(wechat: NonNullable<AppContext["wechat"]>, code: string) {
  try {
    const token = await wechat.exchangeCode(code);
    const info = await wechat.userInfo(token.accessToken, token.openid);
    return { ...info, unionid: info.unionid ?? token.unionid };
  } catch (err) {
    if (err instanceof WechatOAuthError) {
      throw new AppError(
        ErrorCode.INVALID_PHONE_OR_CODE,
        { wechat_errcode: err.errcode },
        {
          zh: "微信授权失败，请重新登录",
          en: `WeChat authorization failed (${err.errcode})`,
        },
      );
    }
    throw new AppError(ErrorCode.VENDOR_UNAVAILABLE, null, {
      zh: "微信服务暂不可用，请稍后再试",
      en: "WeChat is unavailable",
    });
  }
}

function requireWechat(ctx: AppContext) {
  if (!ctx.wechat) {
    throw new AppError(ErrorCode.VENDOR_UNAVAILABLE, null, {
      zh: "暂未开放微信登录",
      en: "WeChat login is not configured",
    });
  }
  return ctx.wechat;
}

/** Binds a verified phone to the current (WeChat-only) user. */
export async function bindPhone(ctx: AppContext, userId: string, rawPhone: string, code: string) {
  const phone = normalizePhone(rawPhone);
  const user = await users.findUser(ctx.db, userId);
  if (!user) throw new AppError(ErrorCode.USER_NOT_FOUND);
  if (user.phone) throw alreadyBound();
  const taken = await users.findUserByPhone(ctx.db, phone);
  if (taken) {
    throw new AppError(ErrorCode.STATE_CONFLICT, null, {
      zh: "该手机号已绑定其他账号",
      en: "Phone is bound to another account",
    });
  }
  return withVerifiedCode(ctx, phone, code, async (tx) => {
    const updated = await users.setUserFields(tx, userId, { phone }, ctx.clock.now());
    if (!updated) throw new AppError(ErrorCode.USER_NOT_FOUND);
    return users.presentUser(ctx, updated);
  });
}

const alreadyBound = () =>
  new AppError(ErrorCode.STATE_CONFLICT, null, { zh: "已绑定手机号", en: "A phone is already bound" });

/**
 * 注销账号, in one transaction: the remaining credits and coins (available and pending) are forfeited to
 * the platform through the ledger (`account_forfeit`, every earlier row kept), the user row is anonymised
 * (nickname 已注销用户, no avatar, bio, phone or WeChat ids, so the phone can sign up again as a new
 * account) with status `deleted`, and every session is revoked. Refused (409/2007) while a generation
 * task is unfinished, or a commission order of the user's (as publisher or awarded creator) is still
 * open: its refund or payout would otherwise land in a closed account.
 */
export async function deleteAccount(
  ctx: AppContext,
  userId: string,
  idempotency?: IdempotencyHandle<DeleteAccountResult>,
): Promise<DeleteAccountResult> {
  const unfinished = await unfinishedTaskCount(ctx, userId);
  if (unfinished > 0) {
    throw new AppError(
      ErrorCode.STATE_CONFLICT,
      { unfinished_tasks: unfinished },
      {
        zh: `你还有 ${unfinished} 个生成中的任务，请等待完成后再注销`,
        en: `You have ${unfinished} unfinished generation task(s); wait for them to finish before deleting the account`,
      },
    );
  }
  const openOrders = await activeOrdersOf(ctx, userId);
  if (openOrders > 0) {
    throw new AppError(
      ErrorCode.STATE_CONFLICT,
      { open_orders: openOrders },
      {
        zh: `你还有 ${openOrders} 个进行中的商单，请完成或取消后再注销`,
        en: `You have ${openOrders} open commission order(s); finish or cancel them before deleting the account`,
      },
    );
  }
  return withIdempotency(ctx.db, idempotency, async (tx) => {
    const now = ctx.clock.now();
    const user = await users.lockUser(tx, userId);
    if (!user || user.status === "deleted") throw new AppError(ErrorCode.USER_NOT_FOUND);
    const acc = accountsOf(userId);
    // Pending coins live on every pending shard (ledger/accounts.ts): all of them are locked and emptied.
    const pendingShards = pendingShardsOf(userId);
    const balances = await lockedBalancesOf(tx, [
      acc.credits.id,
      acc.coinsAvailable.id,
      ...pendingShards.map((a) => a.id),
    ]);
    const credits = balances.get(acc.credits.id) ?? 0n;
    const available = balances.get(acc.coinsAvailable.id) ?? 0n;
    const pendingByShard = pendingShards
      .map((account) => ({ account, amount: balances.get(account.id) ?? 0n }))
      .filter((s) => s.amount > 0n);
    const pending = pendingByShard.reduce((sum, s) => sum + s.amount, 0n);
    const postings: PostingInput[] = [];
    const entryType = "account_forfeit";
    if (credits > 0n) {
      postings.push(
        { account: acc.credits, amount: -credits, entryType },
        { account: platform.creditsForfeited, amount: credits, entryType },
      );
    }
    if (available > 0n) postings.push({ account: acc.coinsAvailable, amount: -available, entryType });
    for (const shard of pendingByShard)
      postings.push({ account: shard.account, amount: -shard.amount, entryType });
    if (available + pending > 0n) {
      postings.push({ account: platform.coinsForfeited, amount: available + pending, entryType });
    }
    if (postings.length > 0) {
      await post(tx, {
        businessKey: `user:${userId}:forfeit`,
        type: "account_forfeit",
        refType: "user",
        refId: userId,
        description: "注销账号，余额作废",
        at: now,
        postings,
      });
    }
    await users.anonymiseUser(tx, userId, users.DELETED_NICKNAME, now);
    const revoked = await repo.revokeUserSessions(tx, userId, "account_deleted", now);
    afterCommit(tx, () => {
      for (const id of revoked) ctx.sessions.forget(id);
      if (user.avatarStorageKey) void ctx.storage.delete(user.avatarStorageKey).catch(() => undefined);
    });
    return {
      deleted: true as const,
      forfeited: {
        credits: Number(credits),
        coins_available: formatCoins(available),
        coins_pending: formatCoins(pending),
      },
    };
  });
}
