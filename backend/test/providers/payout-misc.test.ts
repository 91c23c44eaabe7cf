import { describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/env.js";
import {
  BankCsvPayoutProvider,
  bankBatchCsv,
  createPayoutChannels,
  csvCell,
  type PayoutChannel,
  type PayoutProvider,
  type PayoutRequest,
  payoutChannelFor,
  SandboxPayoutProvider,
  yuanOfFen,
} from "../../src/providers/payout/index.js";

const request = (over: Partial<PayoutRequest> = {}): PayoutRequest => ({
  outBizNo: "0123456789abcdef0123456789abcdef",
  amountFen: 10_000n,
  method: "bank_card",
  payee: { name: "王五", account: "6222020200112233445", bankName: "工商银行" },
  remark: "提现",
  ...over,
});

/** Parses our CSV back (RFC 4180: quoted cells with doubled quotes, CRLF rows); the BOM must be cut off. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      const close = quotedEnd(text, i);
      cell += text.slice(i + 1, close).replaceAll('""', '"');
      i = close + 1;
    } else if (text[i] === ",") {
      row.push(cell);
      cell = "";
      i += 1;
    } else if (text.startsWith("\r\n", i)) {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += 2;
    } else {
      cell += text[i];
      i += 1;
    }
  }
  return rows;
}

/** The index of the quote closing the quoted cell opened at `open`. */
function quotedEnd(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
  return i;
}

describe("bankBatchCsv", () => {
  const at = new Date("2026-03-01T16:30:05Z");

  it("BOM, the Chinese header, one CRLF row per withdrawal, yuan amounts and Beijing time", () => {
    const csv = bankBatchCsv([
      {
        withdrawalId: "w-1",
        createdAt: at,
        amountFen: 10_000n,
        name: "王五",
        account: "6222020200112233445",
        bankName: "工商银行",
      },
      {
        withdrawalId: "w-2",
        createdAt: at,
        amountFen: 5n,
        name: "赵六",
        account: "6217000010001234567",
        bankName: null,
      },
    ]);
    expect(csv.startsWith("\uFEFF序号,提现单号,户名,卡号,开户行,金额(元),申请时间\r\n")).toBe(true);
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(parseCsv(csv.slice(1))).toEqual([
      ["序号", "提现单号", "户名", "卡号", "开户行", "金额(元)", "申请时间"],
      ["1", "w-1", "王五", "6222020200112233445", "工商银行", "100.00", "2026-03-02 00:30:05"],
      ["2", "w-2", "赵六", "6217000010001234567", "", "0.05", "2026-03-02 00:30:05"],
    ]);
  });

  it("an empty batch is the header alone", () => {
    expect(bankBatchCsv([])).toBe("\uFEFF序号,提现单号,户名,卡号,开户行,金额(元),申请时间\r\n");
  });

  it("quotes, commas and line breaks are escaped (RFC 4180)", () => {
    const csv = bankBatchCsv([
      {
        withdrawalId: "w-3",
        createdAt: at,
        amountFen: 1n,
        name: 'A "B", C',
        account: "1,2",
        bankName: "招商\r\n银行",
      },
    ]);
    expect(csv).toContain('"A ""B"", C","1,2","招商\r\n银行"');
    expect(parseCsv(csv.slice(1))[1]?.slice(2, 5)).toEqual(['A "B", C', "1,2", "招商\r\n银行"]);
  });

  it.each(['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd"])(
    "a cell starting like a formula (%j) gets a leading '",
    (evil) => {
      const row = parseCsv(
        bankBatchCsv([
          { withdrawalId: "w-4", createdAt: at, amountFen: 1n, name: evil, account: evil, bankName: evil },
        ]).slice(1),
      )[1];
      expect(row?.slice(2, 5)).toEqual([`'${evil}`, `'${evil}`, `'${evil}`]);
    },
  );

  it("csvCell leaves plain text alone and guards before quoting", () => {
    expect(csvCell("张三")).toBe("张三");
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell('=1,"2"')).toBe(`"'=1,""2"""`);
  });

  it("yuan from fen with integer arithmetic, even beyond 2^53", () => {
    expect(yuanOfFen(0n)).toBe("0.00");
    expect(yuanOfFen(7n)).toBe("0.07");
    expect(yuanOfFen(12_345n)).toBe("123.45");
    expect(yuanOfFen(900_719_925_474_099_312n)).toBe("9007199254740993.12");
    expect(() => yuanOfFen(-1n)).toThrow();
  });
});

describe("BankCsvPayoutProvider", () => {
  it("transfer and query are manual: finance pays the CSV batch", async () => {
    const p = new BankCsvPayoutProvider();
    expect(p.channel).toBe("bank_csv");
    expect(await p.transfer(request())).toEqual({ state: "manual" });
    expect(await p.query(request())).toEqual({ state: "manual" });
  });
});

describe("SandboxPayoutProvider", () => {
  const p = new SandboxPayoutProvider();

  it("succeeds with SBX + out biz no, the same answer every time (transfer and query)", async () => {
    const req = request({ method: "alipay", payee: { name: "王五", account: "13800138000" } });
    const expected = { state: "success", gatewayRef: `SBX${req.outBizNo}`, rawState: "SUCCESS" };
    expect(await p.transfer(req)).toEqual(expected);
    expect(await p.transfer(req)).toEqual(expected);
    expect(await p.query(req)).toEqual(expected);
  });

  it.each(["FAIL", "user-fail@example.com", "13800FaIl"])(
    "an account containing %s fails definitively",
    async (account) => {
      const req = request({ payee: { name: "王五", account } });
      const expected = {
        state: "failed",
        code: "PAYEE_ACCOUNT_INVALID",
        reason: "收款账户无效(沙箱)",
        rawState: "FAIL",
      };
      expect(await p.transfer(req)).toEqual(expected);
      expect(await p.query(req)).toEqual(expected);
    },
  );
});

describe("payoutChannelFor", () => {
  const dummy = new SandboxPayoutProvider();
  const channels = (...names: PayoutChannel[]) =>
    new Map<PayoutChannel, PayoutProvider>(names.map((n) => [n, dummy]));

  it("prefers the method's own gateway", () => {
    const all = channels("alipay", "wechat", "bank_csv", "sandbox");
    expect(payoutChannelFor("alipay", all)).toBe("alipay");
    expect(payoutChannelFor("wechat", all)).toBe("wechat");
    expect(payoutChannelFor("bank_card", all)).toBe("bank_csv");
  });

  it("falls back to the sandbox, else null", () => {
    expect(payoutChannelFor("alipay", channels("wechat", "sandbox"))).toBe("sandbox");
    expect(payoutChannelFor("wechat", channels("sandbox"))).toBe("sandbox");
    expect(payoutChannelFor("bank_card", channels("alipay", "sandbox"))).toBe("sandbox");
    expect(payoutChannelFor("alipay", channels("wechat", "bank_csv"))).toBeNull();
    expect(payoutChannelFor("bank_card", channels())).toBeNull();
  });
});

describe("createPayoutChannels", () => {
  const config = { isProduction: false, PAY_HTTP_TIMEOUT_MS: 1000 } as unknown as AppConfig;

  it("builds one provider per listed channel", () => {
    const providers = createPayoutChannels(config, ["bank_csv", "sandbox", "sandbox"]);
    expect([...providers.keys()]).toEqual(["bank_csv", "sandbox"]);
    expect(providers.get("bank_csv")).toBeInstanceOf(BankCsvPayoutProvider);
    expect(providers.get("sandbox")).toBeInstanceOf(SandboxPayoutProvider);
  });

  it("names the missing settings of a gateway channel", () => {
    expect(() => createPayoutChannels(config, ["alipay"])).toThrow(/ALIPAY_APP_ID/);
    expect(() => createPayoutChannels(config, ["wechat"])).toThrow(/WECHATPAY_MCH_ID/);
  });

  it("refuses the sandbox in production", () => {
    const production = { ...config, isProduction: true } as AppConfig;
    expect(() => createPayoutChannels(production, ["sandbox"])).toThrow(/production/);
    expect(createPayoutChannels(production, ["bank_csv"]).size).toBe(1);
  });
});
