import { createHash, randomBytes } from "node:crypto";
import { ErrorCode } from "@skyriff/contracts";
import { createSigner, createVerifier } from "fast-jwt";
import type { Clock } from "../../lib/clock.js";
import { AppError } from "../../lib/errors.js";

export const ACCESS_TTL_SECONDS = 7 * 24 * 3600;
export const REFRESH_TTL_SECONDS = 30 * 24 * 3600;

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** HS256 access tokens carrying the session id; expiry is checked against the injectable clock. */
export class TokenService {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verify: (token: string) => Record<string, unknown>;

  constructor(
    secret: string,
    private readonly clock: Clock,
  ) {
    this.sign = createSigner({ key: secret, algorithm: "HS256", iss: "skyriff" });
    this.verify = createVerifier({
      key: secret,
      algorithms: ["HS256"],
      allowedIss: "skyriff",
      ignoreExpiration: true,
      cache: 10_000,
    });
  }

  issueAccess(claims: AccessClaims): string {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    return this.sign({
      sub: claims.userId,
      sid: claims.sessionId,
      typ: "access",
      iat,
      exp: iat + ACCESS_TTL_SECONDS,
    });
  }

  readAccess(token: string): AccessClaims {
    let payload: Record<string, unknown>;
    try {
      payload = this.verify(token);
    } catch {
      throw new AppError(ErrorCode.NOT_LOGGED_IN);
    }
    const { sub, sid, typ, exp } = payload;
    if (typ !== "access" || typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number") {
      throw new AppError(ErrorCode.NOT_LOGGED_IN);
    }
    if (exp * 1000 <= this.clock.now().getTime()) throw new AppError(ErrorCode.TOKEN_EXPIRED);
    return { userId: sub, sessionId: sid };
  }
}

/** Refresh tokens are opaque random strings; only their SHA-256 is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = `rt_${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
