/**
 * The sandbox channel, the embedded default: a local gateway that speaks WeChat Pay v3 (signed,
 * AES-GCM-encrypted notifications with its own key pair and APIv3 key) so the same verification code
 * that guards real money runs on every development purchase. Its book is the `sandbox_pay_trades` table
 * (what a gateway keeps on its side); its keys live in DATA_DIR so every process of one installation
 * shares them. Refused at boot in production.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { sandboxPayTrades } from "../../db/schema/index.js";
import {
  type GatewayTrade,
  type NotifyRequest,
  type NotifyVerdict,
  PayGatewayError,
  type PayParams,
  type PayProvider,
  type PrepayOrder,
} from "./types.js";
import {
  encryptResource,
  privateKeyOf,
  publicKeyOf,
  signedHeaders,
  tradeOfTransaction,
  verifyWechatNotify,
  type WechatTransaction,
  wechatAnswer,
} from "./wechat-v3.js";

export const SANDBOX_PAY_PREFIX = "/sandbox/pay";

export interface SandboxKeys {
  appId: string;
  mchId: string;
  apiV3Key: string;
  platformKeyId: string;
  platformPrivatePem: string;
  platformPublicPem: string;
}

/** The installation's sandbox identity, generated once into DATA_DIR (first writer wins a race). */
export function sandboxKeysIn(dataDir: string): SandboxKeys {
  const file = path.join(dataDir, "sandbox-pay-keys.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as SandboxKeys;
  } catch {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keys: SandboxKeys = {
      appId: "wxsandboxpay0001",
      mchId: "1900000001",
      apiV3Key: randomBytes(16).toString("hex"),
      platformKeyId: `PUB_KEY_ID_SANDBOX${randomBytes(8).toString("hex").toUpperCase()}`,
      platformPrivatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      platformPublicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
    try {
      writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: "wx" });
      return keys;
    } catch {
      return JSON.parse(readFileSync(file, "utf8")) as SandboxKeys;
    }
  }
}

type TradeRow = typeof sandboxPayTrades.$inferSelect;

/** The sandbox gateway's record as WeChat's `transaction` object. */
function transactionOf(row: TradeRow, keys: SandboxKeys): WechatTransaction {
  return {
    appid: keys.appId,
    mchid: keys.mchId,
    out_trade_no: row.outTradeNo,
    transaction_id: row.transactionId ?? undefined,
    trade_type: "MWEB",
    trade_state: row.tradeState,
    trade_state_desc: row.tradeState,
    success_time: row.successTime?.toISOString(),
    amount: { total: row.amountFen, payer_total: row.amountFen, currency: "CNY", payer_currency: "CNY" },
  };
}

/** Our side of the sandbox channel: the provider the payment core talks to. */
export class SandboxPayProvider implements PayProvider {
  readonly channel = "sandbox" as const;
  readonly appId: string;
  readonly appIds: readonly string[];
  readonly merchantId: string;
  private readonly platformKeys;

  constructor(
    private readonly db: Db,
    private readonly keys: SandboxKeys,
  ) {
    this.appId = keys.appId;
    this.appIds = [keys.appId];
    this.merchantId = keys.mchId;
    this.platformKeys = new Map([[keys.platformKeyId, publicKeyOf(keys.platformPublicPem)]]);
  }

  async prepay(order: PrepayOrder): Promise<PayParams> {
    await this.db
      .insert(sandboxPayTrades)
      .values({
        outTradeNo: order.outTradeNo,
        amountFen: order.amountFen,
        description: order.description,
        notifyUrl: order.notifyUrl,
        returnUrl: order.returnUrl,
        expireAt: order.expireAt,
      })
      .onConflictDoNothing();
    return { pay_url: `${SANDBOX_PAY_PREFIX}/cashier/${order.outTradeNo}` };
  }

  verifyNotify(req: NotifyRequest, now: Date): NotifyVerdict {
    return verifyWechatNotify(req, now, { platformKeys: this.platformKeys, apiV3Key: this.keys.apiV3Key });
  }

  async query(outTradeNo: string): Promise<GatewayTrade | null> {
    const row = await findTrade(this.db, outTradeNo);
    return row ? tradeOfTransaction(transactionOf(row, this.keys)) : null;
  }

  async close(outTradeNo: string): Promise<void> {
    const row = await findTrade(this.db, outTradeNo);
    if (!row) return;
    if (row.tradeState === "SUCCESS") throw new PayGatewayError("ORDER_PAID: the order was paid", false);
    await this.db
      .update(sandboxPayTrades)
      .set({ tradeState: "CLOSED" })
      .where(and(eq(sandboxPayTrades.outTradeNo, outTradeNo), eq(sandboxPayTrades.tradeState, "NOTPAY")));
  }

  answer(accepted: boolean) {
    return wechatAnswer(accepted);
  }
}

async function findTrade(db: Db, outTradeNo: string): Promise<TradeRow | null> {
  const [row] = await db.select().from(sandboxPayTrades).where(eq(sandboxPayTrades.outTradeNo, outTradeNo));
  return row ?? null;
}

/** Delivers a notification to our own callback and returns its answer (HTTP in-process, see the plugin). */
export type NotifyDelivery = (
  notifyUrl: string,
  headers: Record<string, string>,
  body: string,
) => Promise<{ status: number; body: string }>;

export interface CompletedTrade {
  trade: TradeRow;
  answer: { status: number; body: string } | null;
}

/** The gateway side: the payer's decision at the cashier, then the signed notification. */
export class SandboxGateway {
  private readonly signingKey;

  constructor(
    private readonly db: Db,
    private readonly keys: SandboxKeys,
    private readonly now: () => Date,
  ) {
    this.signingKey = privateKeyOf(keys.platformPrivatePem);
  }

  find(outTradeNo: string): Promise<TradeRow | null> {
    return findTrade(this.db, outTradeNo);
  }

  /**
   * 确认支付 → SUCCESS, 取消 → PAYERROR, each only from NOTPAY and before expiry; then the notification
   * (TRANSACTION.SUCCESS, or the sandbox's TRANSACTION.FAIL so a cancelled order ends at once) is signed
   * and delivered. Completing an already decided trade re-delivers its notification, as a gateway retry.
   */
  async complete(
    outTradeNo: string,
    result: "success" | "fail",
    deliver: NotifyDelivery,
  ): Promise<CompletedTrade | null> {
    const now = this.now();
    const state = result === "success" ? "SUCCESS" : "PAYERROR";
    const [decided] = await this.db
      .update(sandboxPayTrades)
      .set({
        tradeState: state,
        transactionId: result === "success" ? `4200${now.getTime()}${randomBytes(4).toString("hex")}` : null,
        successTime: result === "success" ? now : null,
      })
      .where(
        and(
          eq(sandboxPayTrades.outTradeNo, outTradeNo),
          eq(sandboxPayTrades.tradeState, "NOTPAY"),
          gt(sandboxPayTrades.expireAt, now),
        ),
      )
      .returning();
    const trade = decided ?? (await this.find(outTradeNo));
    if (!trade) return null;
    if (trade.tradeState !== "SUCCESS" && trade.tradeState !== "PAYERROR") return { trade, answer: null };
    return { trade, answer: await this.notify(trade, deliver) };
  }

  private notify(trade: TradeRow, deliver: NotifyDelivery) {
    const now = this.now();
    const paid = trade.tradeState === "SUCCESS";
    const body = JSON.stringify({
      id: `EV-${now.getTime()}${randomBytes(4).toString("hex")}`,
      create_time: now.toISOString(),
      resource_type: "encrypt-resource",
      event_type: paid ? "TRANSACTION.SUCCESS" : "TRANSACTION.FAIL",
      summary: paid ? "支付成功" : "支付失败",
      resource: encryptResource(
        JSON.stringify(transactionOf(trade, this.keys)),
        this.keys.apiV3Key,
        "transaction",
      ),
    });
    const headers = {
      "content-type": "application/json",
      ...signedHeaders(body, this.signingKey, this.keys.platformKeyId, now),
    };
    return deliver(trade.notifyUrl, headers, body);
  }
}
