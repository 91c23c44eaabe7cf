import { describe, expect, it } from "vitest";
import {
  canonicalQueryString,
  formatAcsDate,
  percentEncode,
  sha256Hex,
  signAcs3,
  signTc3,
  tc3Date,
} from "../../src/providers/sms/signing.js";

describe("percent encoding", () => {
  it("follows RFC 3986 (space %20, * %2A, ~ literal, UTF-8 bytes)", () => {
    expect(percentEncode("AZaz09-_.~")).toBe("AZaz09-_.~");
    expect(percentEncode(" a!*'()+/=&:")).toBe("%20a%21%2A%27%28%29%2B%2F%3D%26%3A");
    expect(percentEncode("天空")).toBe("%E5%A4%A9%E7%A9%BA");
    expect(percentEncode('{"code":"123456"}')).toBe("%7B%22code%22%3A%22123456%22%7D");
  });

  it("sorts parameters by name", () => {
    expect(canonicalQueryString({ b: "2", a: "x y", C: "" })).toBe("C=&a=x%20y&b=2");
  });
});

describe("ACS3-HMAC-SHA256 (Aliyun signature V3)", () => {
  // Published fixed-parameter example from the Aliyun "V3版本请求体&签名机制" page.
  const vector = {
    accessKeyId: "YourAccessKeyId",
    accessKeySecret: "YourAccessKeySecret",
    method: "POST",
    host: "ecs.cn-shanghai.aliyuncs.com",
    query: { RegionId: "cn-shanghai", ImageId: "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd" },
    action: "RunInstances",
    version: "2014-05-26",
    date: "2023-10-26T10:22:32Z",
    nonce: "3156853299f313e23d1673dc12e1703d",
  };

  it("matches the official vector", () => {
    const s = signAcs3(vector);
    expect(s.queryString).toBe(
      "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
    );
    expect(s.canonicalRequest).toBe(
      [
        "POST",
        "/",
        "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
        "host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\n" +
          "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +
          "x-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n" +
          "x-acs-version:2014-05-26\n",
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ].join("\n"),
    );
    expect(s.stringToSign).toBe(
      "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259",
    );
    expect(s.authorization).toBe(
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId," +
        "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," +
        "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
    );
    expect(s.headers).toMatchObject({
      host: "ecs.cn-shanghai.aliyuncs.com",
      "x-acs-action": "RunInstances",
      "x-acs-version": "2014-05-26",
      "x-acs-date": "2023-10-26T10:22:32Z",
      "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
      authorization: s.authorization,
    });
  });

  it("changes with the secret, the nonce and the parameters", () => {
    const base = signAcs3(vector).signature;
    expect(signAcs3({ ...vector, accessKeySecret: "other" }).signature).not.toBe(base);
    expect(signAcs3({ ...vector, nonce: "other" }).signature).not.toBe(base);
    expect(signAcs3({ ...vector, query: { ...vector.query, RegionId: "cn-beijing" } }).signature).not.toBe(
      base,
    );
  });

  it("hashes the body and signs extra headers in sorted order", () => {
    const s = signAcs3({
      ...vector,
      body: "a=1",
      extraHeaders: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(s.headers["x-acs-content-sha256"]).toBe(sha256Hex("a=1"));
    expect(s.authorization).toContain(
      "SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,",
    );
  });

  it("formats x-acs-date without milliseconds", () => {
    expect(formatAcsDate(new Date("2023-10-26T10:22:32.789Z"))).toBe("2023-10-26T10:22:32Z");
  });
});

describe("TC3-HMAC-SHA256 (Tencent Cloud signature v3)", () => {
  // Published example from the Tencent Cloud "签名方法 v3" page (CVM DescribeInstances).
  const vector = {
    secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
    secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    service: "cvm",
    host: "cvm.tencentcloudapi.com",
    timestamp: 1551113065,
    payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
  };

  it("matches the official vector", () => {
    const s = signTc3(vector);
    expect(s.canonicalRequest).toBe(
      "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n" +
        "content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
    );
    expect(s.stringToSign).toBe(
      "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n" +
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
    );
    expect(s.authorization).toBe(
      "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, " +
        "SignedHeaders=content-type;host, " +
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    );
  });

  it("uses the UTC date of the timestamp (00:44 in Beijing is still the previous day)", () => {
    expect(tc3Date(1551113065)).toBe("2019-02-25");
    expect(tc3Date(1551139200)).toBe("2019-02-26");
  });

  it("signs extra headers with lower-cased values", () => {
    const s = signTc3({ ...vector, extraSignedHeaders: { "X-TC-Action": "DescribeInstances" } });
    expect(s.signedHeaders).toBe("content-type;host;x-tc-action");
    expect(s.canonicalRequest).toContain("\nx-tc-action:describeinstances\n");
    expect(s.signature).not.toBe(signTc3(vector).signature);
  });
});
