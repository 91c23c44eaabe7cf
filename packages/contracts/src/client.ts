import type { z } from "zod";
import type {
  bindPhoneBody,
  loginResult,
  profilePatchBody,
  smsSendResult,
  userPublic,
  wechatInitResult,
} from "./auth.js";
import type { product, productType, publicConfig } from "./catalog.js";
import type { ErrorEnvelope, Page } from "./common.js";
import type {
  CreatorRanking,
  FeedTab,
  favoriteResult,
  followResult,
  likeResult,
  Profile,
  PromptUnlockResult,
  PromptView,
  PublishBody,
  RemixBody,
  RemixResult,
  shareResult,
  TipResult,
  UserListItem,
  Work,
} from "./community.js";
import type {
  downloadResult,
  MediaUploadResult,
  Project,
  Task,
  TaskCreateBody,
  taskCreateResult,
  tasksQuery,
  VideoAsset,
} from "./generation.js";
import type { DeleteAccountResult, meHome } from "./me.js";
import type {
  Order,
  OrderCreateBody,
  OrderCreateResult,
  OrderListQuery,
  OrderSettleBody,
  OrderStatusFilter,
} from "./orders.js";
import type {
  ChannelOnlyBody,
  ClaimDailyResult,
  CommissionItem,
  DevJobRunResult,
  DevPaymentCompleteResult,
  InviteItem,
  Payment,
  PaymentCreateBody,
  PaymentCreateResult,
  PromoterMe,
  ReferralBindResult,
  SubscriptionMe,
} from "./payments.js";
import type {
  AdminWithdrawal,
  adminRole,
  Earnings,
  Notification,
  TaskClaimResult,
  TaskKey,
  TasksToday,
  UnreadCount,
  Withdrawal,
  WithdrawalCreateBody,
  WithdrawalCreateResult,
  WithdrawalRules,
  WithdrawalStatus,
} from "./rewards.js";
import type { DevGrantResult, ledgerEntry, wallets } from "./wallet.js";

/** An error answered by the API in the spec's envelope (or a network failure, code 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly data: Record<string, unknown> | null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface TokenStore {
  getAccessToken(): string | null;
  getRefreshToken(): string | null;
  save(tokens: { access_token: string; refresh_token: string }): void;
  clear(): void;
}

export interface ClientOptions {
  baseUrl: string;
  tokens: TokenStore;
  language?: () => string;
  fetch?: typeof fetch;
  /** Called when the session cannot be refreshed any more (the user must log in again). */
  onSessionEnded?: () => void;
}

type RequestOptions = { body?: unknown; form?: FormData; idempotencyKey?: string; auth?: boolean };

/** Typed client for the SkyRiff API: unwraps the envelope and refreshes the session once on 401. */
export class SkyriffClient {
  private refreshing: Promise<boolean> | null = null;

  constructor(private readonly options: ClientOptions) {}

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { "accept-language": this.options.language?.() ?? "zh-CN" };
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
    const token = this.options.tokens.getAccessToken();
    if (opts.auth !== false && token) headers.authorization = `Bearer ${token}`;
    const doFetch = this.options.fetch ?? fetch;
    return doFetch(`${this.options.baseUrl}${path}`, {
      method,
      headers,
      body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    let res = await this.send(method, path, opts);
    if (res.status === 401 && opts.auth !== false && this.options.tokens.getRefreshToken()) {
      if (await this.refreshOnce()) res = await this.send(method, path, opts);
    }
    const json = (await res.json().catch(() => null)) as {
      code: number;
      message: string;
      data: unknown;
    } | null;
    if (!json) throw new ApiError(res.status, 0, res.statusText || "network error", null);
    if (!res.ok || json.code !== 0) {
      const err = json as ErrorEnvelope;
      throw new ApiError(res.status, err.code, err.message, err.data ?? null);
    }
    return json.data as T;
  }

  /** Concurrent 401s share one refresh; a failed refresh ends the session. */
  private refreshOnce(): Promise<boolean> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<boolean> {
    const refreshToken = this.options.tokens.getRefreshToken();
    if (!refreshToken) return false;
    const res = await this.send("POST", "/auth/refresh", {
      body: { refresh_token: refreshToken },
      auth: false,
    }).catch(() => null);
    if (!res) return false;
    const json = (await res.json().catch(() => null)) as { code: number; data: LoginTokens } | null;
    if (res.ok && json?.code === 0) {
      this.options.tokens.save(json.data);
      return true;
    }
    // Only a refused refresh ends the session; a 5xx or a network error keeps the tokens for a retry.
    if (res.status !== 401 && res.status !== 403) return false;
    this.options.tokens.clear();
    this.options.onSessionEnded?.();
    return false;
  }

  // --- auth ---
  sendSms(phone: string) {
    return this.request<z.infer<typeof smsSendResult>>("POST", "/auth/sms/send", {
      body: { phone },
      auth: false,
    });
  }
  verifySms(phone: string, code: string, referralCode?: string) {
    return this.request<LoginResult>("POST", "/auth/sms/verify", {
      body: { phone, code, ...(referralCode ? { referral_code: referralCode } : {}) },
      auth: false,
    });
  }
  wechatInit(platform: "app" | "h5" | "web", redirectUri?: string) {
    return this.request<z.infer<typeof wechatInitResult>>("POST", "/auth/wechat/init", {
      body: { platform, ...(redirectUri ? { redirect_uri: redirectUri } : {}) },
      auth: false,
    });
  }
  wechatCallback(code: string, state: string, referralCode?: string) {
    return this.request<LoginResult>("POST", "/auth/wechat/callback", {
      body: { code, state, ...(referralCode ? { referral_code: referralCode } : {}) },
      auth: false,
    });
  }
  async logout() {
    const refreshToken = this.options.tokens.getRefreshToken();
    try {
      await this.request<unknown>("POST", "/auth/logout", {
        body: refreshToken ? { refresh_token: refreshToken } : {},
      });
    } finally {
      this.options.tokens.clear();
    }
  }

  // --- me ---
  me() {
    return this.request<z.infer<typeof userPublic>>("GET", "/me");
  }
  meHome() {
    return this.request<z.infer<typeof meHome>>("GET", "/me/home");
  }
  updateProfile(body: z.infer<typeof profilePatchBody>) {
    return this.request<z.infer<typeof userPublic>>("PATCH", "/me/profile", { body });
  }
  bindPhone(body: z.infer<typeof bindPhoneBody>) {
    return this.request<z.infer<typeof userPublic>>("POST", "/me/bind_phone", { body });
  }
  /** 注销账号: forfeits the balances, anonymises the account and ends every session. */
  async deleteAccount(idempotencyKey: string) {
    const result = await this.request<DeleteAccountResult>("POST", "/me/delete_account", {
      body: {},
      idempotencyKey,
    });
    this.options.tokens.clear();
    return result;
  }
  /** Dev only (`features.dev_tools`): a `bonus` grant through the ledger. */
  devGrant(userId: string, credits: number, idempotencyKey: string) {
    return this.request<DevGrantResult>("POST", "/dev/grant", {
      body: { user_id: userId, credits },
      idempotencyKey,
    });
  }

  // --- wallet ---
  wallets() {
    return this.request<z.infer<typeof wallets>>("GET", "/me/wallets");
  }
  ledgers(type: "credits" | "coins", cursor?: string, limit = 20) {
    const q = new URLSearchParams({ type, limit: String(limit) });
    if (cursor) q.set("cursor", cursor);
    return this.request<Page<z.infer<typeof ledgerEntry>>>("GET", `/wallet/ledgers?${q}`);
  }

  // --- catalog ---
  products(type?: z.infer<typeof productType>) {
    return this.request<{ items: z.infer<typeof product>[] }>(
      "GET",
      `/products${type ? `?type=${type}` : ""}`,
      {
        auth: false,
      },
    );
  }
  config() {
    return this.request<z.infer<typeof publicConfig>>("GET", "/config", { auth: false });
  }

  // --- generation ---
  uploadImage(file: Blob, filename = "image") {
    const form = new FormData();
    form.append("file", file, filename);
    return this.request<MediaUploadResult>("POST", "/media/upload", { form });
  }
  createTask(body: TaskCreateBody, idempotencyKey: string) {
    return this.request<z.infer<typeof taskCreateResult>>("POST", "/tasks/create", { body, idempotencyKey });
  }
  task(taskId: string) {
    return this.request<Task>("GET", `/tasks/${encodeURIComponent(taskId)}`);
  }
  tasks(
    query: { status?: z.infer<typeof tasksQuery>["status"]; cursor?: string | null; limit?: number } = {},
  ) {
    return this.request<Page<Task>>("GET", `/tasks?${toQuery(query)}`);
  }
  /** Server-sent events of one task (`event: task`, data = Task). Auth via `access_token` query. */
  taskEventsUrl(taskId: string) {
    const token = this.options.tokens.getAccessToken() ?? "";
    return `${this.options.baseUrl}/tasks/${encodeURIComponent(taskId)}/events?access_token=${encodeURIComponent(token)}`;
  }

  // --- assets ---
  videos(query: { project_id?: string; cursor?: string | null; limit?: number } = {}) {
    return this.request<Page<VideoAsset>>("GET", `/assets/videos?${toQuery(query)}`);
  }
  video(videoId: string) {
    return this.request<VideoAsset>("GET", `/assets/videos/${encodeURIComponent(videoId)}`);
  }
  moveVideo(videoId: string, projectId: string | null) {
    return this.request<VideoAsset>("PATCH", `/assets/videos/${encodeURIComponent(videoId)}`, {
      body: { project_id: projectId },
    });
  }
  deleteVideo(videoId: string) {
    return this.request<{ deleted: boolean }>("DELETE", `/assets/videos/${encodeURIComponent(videoId)}`);
  }
  downloadNoWatermark(videoId: string, idempotencyKey: string) {
    return this.request<z.infer<typeof downloadResult>>(
      "POST",
      `/assets/videos/${encodeURIComponent(videoId)}/download_no_watermark`,
      { idempotencyKey },
    );
  }

  // --- projects ---
  projects() {
    return this.request<{ items: Project[] }>("GET", "/projects");
  }
  createProject(name: string) {
    return this.request<Project>("POST", "/projects", { body: { name } });
  }
  renameProject(projectId: string, name: string) {
    return this.request<Project>("PATCH", `/projects/${encodeURIComponent(projectId)}`, { body: { name } });
  }
  deleteProject(projectId: string) {
    return this.request<{ deleted: boolean }>("DELETE", `/projects/${encodeURIComponent(projectId)}`);
  }

  // --- works (community) ---
  publishWork(body: PublishBody, idempotencyKey?: string) {
    return this.request<Work>("POST", "/works/publish", {
      body,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  }
  unpublishWork(workId: string) {
    return this.request<unknown>("DELETE", `/works/${encodeURIComponent(workId)}`);
  }
  work(workId: string) {
    return this.request<Work>("GET", `/works/${encodeURIComponent(workId)}`);
  }
  feed(query: { tab?: FeedTab; cursor?: string | null; limit?: number } = {}) {
    return this.request<Page<Work>>("GET", `/feed?${toQuery(query)}`);
  }
  creatorTipRanking(limit = 10) {
    return this.request<{ items: CreatorRanking[] }>("GET", `/rankings/creators/tips?limit=${limit}`);
  }

  // --- social ---
  follow(userId: string) {
    return this.request<z.infer<typeof followResult>>("POST", `/users/${encodeURIComponent(userId)}/follow`);
  }
  unfollow(userId: string) {
    return this.request<z.infer<typeof followResult>>(
      "POST",
      `/users/${encodeURIComponent(userId)}/unfollow`,
    );
  }
  profile(userId: string) {
    return this.request<Profile>("GET", `/users/${encodeURIComponent(userId)}/profile`);
  }
  userWorks(userId: string, cursor?: string | null, limit?: number) {
    return this.request<Page<Work>>(
      "GET",
      `/users/${encodeURIComponent(userId)}/works?${toQuery({ cursor, limit })}`,
    );
  }
  followers(userId: string, cursor?: string | null) {
    return this.request<Page<UserListItem>>(
      "GET",
      `/users/${encodeURIComponent(userId)}/followers?${toQuery({ cursor })}`,
    );
  }
  following(userId: string, cursor?: string | null) {
    return this.request<Page<UserListItem>>(
      "GET",
      `/users/${encodeURIComponent(userId)}/following?${toQuery({ cursor })}`,
    );
  }
  like(workId: string) {
    return this.request<z.infer<typeof likeResult>>("POST", `/works/${encodeURIComponent(workId)}/like`);
  }
  unlike(workId: string) {
    return this.request<z.infer<typeof likeResult>>("POST", `/works/${encodeURIComponent(workId)}/unlike`);
  }
  favorite(workId: string) {
    return this.request<z.infer<typeof favoriteResult>>(
      "POST",
      `/works/${encodeURIComponent(workId)}/favorite`,
    );
  }
  unfavorite(workId: string) {
    return this.request<z.infer<typeof favoriteResult>>(
      "DELETE",
      `/works/${encodeURIComponent(workId)}/favorite`,
    );
  }
  favorites(cursor?: string | null, limit?: number) {
    return this.request<Page<Work>>("GET", `/me/favorites?${toQuery({ cursor, limit })}`);
  }
  shareWork(workId: string) {
    return this.request<z.infer<typeof shareResult>>("POST", `/works/${encodeURIComponent(workId)}/share`);
  }

  // --- creator income ---
  tipAndFavorite(workId: string, amountCredits: 10 | 20 | 50 | 100, idempotencyKey: string) {
    return this.request<TipResult>("POST", `/works/${encodeURIComponent(workId)}/tip_and_favorite`, {
      body: { amount_credits: amountCredits },
      idempotencyKey,
    });
  }
  workPrompt(workId: string) {
    return this.request<PromptView>("GET", `/works/${encodeURIComponent(workId)}/prompt`);
  }
  unlockPrompt(workId: string, idempotencyKey: string) {
    return this.request<PromptUnlockResult>("POST", `/works/${encodeURIComponent(workId)}/prompt/unlock`, {
      body: {},
      idempotencyKey,
    });
  }
  remix(workId: string, body: RemixBody, idempotencyKey: string) {
    return this.request<RemixResult>("POST", `/works/${encodeURIComponent(workId)}/remix`, {
      body,
      idempotencyKey,
    });
  }

  // --- payments (SPEC §5) ---
  createPayment(body: PaymentCreateBody, idempotencyKey: string) {
    return this.request<PaymentCreateResult>("POST", "/payments/create", { body, idempotencyKey });
  }
  payment(paymentId: string) {
    return this.request<Payment>("GET", `/payments/${encodeURIComponent(paymentId)}`);
  }
  payments(cursor?: string | null, limit?: number) {
    return this.request<Page<Payment>>("GET", `/payments/me?${toQuery({ cursor, limit })}`);
  }
  buySubscription(body: ChannelOnlyBody, idempotencyKey: string) {
    return this.request<PaymentCreateResult>("POST", "/subscriptions/buy", { body, idempotencyKey });
  }
  subscription() {
    return this.request<SubscriptionMe>("GET", "/subscriptions/me");
  }
  claimSubscriptionDaily(idempotencyKey: string) {
    return this.request<ClaimDailyResult>("POST", "/subscriptions/claim_daily", { body: {}, idempotencyKey });
  }
  activatePromoter(body: ChannelOnlyBody, idempotencyKey: string) {
    return this.request<PaymentCreateResult>("POST", "/promoter/activate", { body, idempotencyKey });
  }
  promoter() {
    return this.request<PromoterMe>("GET", "/promoter/me");
  }
  promoterInvites(cursor?: string | null, limit?: number) {
    return this.request<Page<InviteItem>>("GET", `/promoter/invites?${toQuery({ cursor, limit })}`);
  }
  promoterCommissions(cursor?: string | null, limit?: number) {
    return this.request<Page<CommissionItem>>("GET", `/promoter/commissions?${toQuery({ cursor, limit })}`);
  }
  bindReferral(code: string, idempotencyKey: string) {
    return this.request<ReferralBindResult>("POST", "/referrals/bind", { body: { code }, idempotencyKey });
  }
  // --- rewards and money out (SPEC §5, §7, §9) ---
  tasksToday() {
    return this.request<TasksToday>("GET", "/tasks_center/today");
  }
  claimTask(taskKey: TaskKey, idempotencyKey: string) {
    return this.request<TaskClaimResult>("POST", "/tasks_center/claim", {
      body: { task_key: taskKey },
      idempotencyKey,
    });
  }
  withdrawalRules() {
    return this.request<WithdrawalRules>("GET", "/withdrawals/rules");
  }
  createWithdrawal(body: WithdrawalCreateBody, idempotencyKey: string) {
    return this.request<WithdrawalCreateResult>("POST", "/withdrawals/create", { body, idempotencyKey });
  }
  withdrawals(cursor?: string | null, limit?: number) {
    return this.request<Page<Withdrawal>>("GET", `/withdrawals/me?${toQuery({ cursor, limit })}`);
  }
  earnings(days: 7 | 30 = 7) {
    return this.request<Earnings>("GET", `/creator/earnings?${toQuery({ days })}`);
  }
  notifications(cursor?: string | null, limit?: number) {
    return this.request<Page<Notification>>("GET", `/notifications?${toQuery({ cursor, limit })}`);
  }
  unreadNotifications() {
    return this.request<UnreadCount>("GET", "/notifications/unread_count");
  }
  markNotificationsRead(ids?: string[]) {
    return this.request<UnreadCount>("POST", "/notifications/read", { body: ids ? { ids } : {} });
  }
  adminWithdrawals(status?: WithdrawalStatus, cursor?: string | null, limit?: number) {
    return this.request<Page<AdminWithdrawal>>(
      "GET",
      `/admin/withdrawals?${toQuery({ status, cursor, limit })}`,
    );
  }
  approveWithdrawal(withdrawalId: string) {
    return this.request<AdminWithdrawal>(
      "POST",
      `/admin/withdrawals/${encodeURIComponent(withdrawalId)}/approve`,
      {
        body: {},
      },
    );
  }
  rejectWithdrawal(withdrawalId: string, reason: string) {
    return this.request<AdminWithdrawal>(
      "POST",
      `/admin/withdrawals/${encodeURIComponent(withdrawalId)}/reject`,
      {
        body: { reason },
      },
    );
  }
  markWithdrawalPaid(withdrawalId: string) {
    return this.request<AdminWithdrawal>(
      "POST",
      `/admin/withdrawals/${encodeURIComponent(withdrawalId)}/mark_paid`,
      { body: {} },
    );
  }
  // --- commission orders (SPEC §6) ---
  /** A coins pack for publishers (`coins_recharge`, available at once); the same answer as createPayment. */
  createCoinsPayment(body: PaymentCreateBody, idempotencyKey: string) {
    return this.request<PaymentCreateResult>("POST", "/coins/recharge/create_payment", {
      body,
      idempotencyKey,
    });
  }
  createOrder(body: OrderCreateBody, idempotencyKey: string) {
    return this.request<OrderCreateResult>("POST", "/orders/create", { body, idempotencyKey });
  }
  orders(query: OrderListQuery = {}) {
    return this.request<Page<Order>>("GET", `/orders/list?${toQuery(query)}`);
  }
  order(orderId: string) {
    return this.request<Order>("GET", `/orders/${encodeURIComponent(orderId)}`);
  }
  applyToOrder(orderId: string, proposalText: string) {
    return this.request<Order>("POST", `/orders/${encodeURIComponent(orderId)}/apply`, {
      body: { proposal_text: proposalText },
    });
  }
  awardOrder(orderId: string, creatorUserId: string) {
    return this.request<Order>("POST", `/orders/${encodeURIComponent(orderId)}/award`, {
      body: { creator_user_id: creatorUserId },
    });
  }
  deliverOrder(orderId: string, workId: string) {
    return this.request<Order>("POST", `/orders/${encodeURIComponent(orderId)}/deliver`, {
      body: { work_id: workId },
    });
  }
  acceptOrder(orderId: string, idempotencyKey: string) {
    return this.request<Order>("POST", `/orders/${encodeURIComponent(orderId)}/accept`, {
      body: {},
      idempotencyKey,
    });
  }
  requestOrderCancel(orderId: string, idempotencyKey: string, reason?: string) {
    return this.request<Order>("POST", `/orders/${encodeURIComponent(orderId)}/cancel_request`, {
      body: reason ? { reason } : {},
      idempotencyKey,
    });
  }
  decideOrderCancel(orderId: string, decision: "approve" | "reject", idempotencyKey: string) {
    return this.request<Order>("POST", `/orders/${encodeURIComponent(orderId)}/cancel_decide`, {
      body: { decision },
      idempotencyKey,
    });
  }
  disputeOrder(orderId: string, reason: string) {
    return this.request<Order>("POST", `/orders/${encodeURIComponent(orderId)}/dispute`, {
      body: { reason },
    });
  }
  adminOrders(status?: OrderStatusFilter, cursor?: string | null, limit?: number) {
    return this.request<Page<Order>>("GET", `/admin/orders?${toQuery({ status, cursor, limit })}`);
  }
  settleOrder(orderId: string, body: OrderSettleBody, idempotencyKey: string) {
    return this.request<Order>("POST", `/admin/orders/${encodeURIComponent(orderId)}/settle`, {
      body,
      idempotencyKey,
    });
  }
  devSetRoles(userId: string, roles: z.infer<typeof adminRole>[]) {
    return this.request<{ user_id: string; roles: string[] }>("POST", "/dev/roles", {
      body: { user_id: userId, roles },
    });
  }
  devCompletePayment(paymentId: string, result: "success" | "fail") {
    return this.request<DevPaymentCompleteResult>(
      "POST",
      `/dev/payments/${encodeURIComponent(paymentId)}/complete`,
      { body: { result } },
    );
  }
  devRunJob(job: string, at?: string) {
    return this.request<DevJobRunResult>("POST", `/dev/jobs/${encodeURIComponent(job)}/run`, {
      body: at ? { at } : {},
    });
  }
}

function toQuery(query: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  return q.toString();
}

type LoginTokens = { access_token: string; refresh_token: string };
type LoginResult = z.infer<typeof loginResult>;
