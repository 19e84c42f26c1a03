// Short-lived app tokens: HS256 JWTs through jose. The audience is the environment, so a dev
// token is worthless in prod even if keys were shared by mistake.
import { randomUUID } from "node:crypto";
import { SignJWT, errors, jwtVerify } from "jose";
import { AppError } from "../appError";
import type { EnvironmentName } from "../config/schema";
import type { TokenKeys } from "./tokenKeys";

/** Leeway for clocks that disagree a little between the Mini Program's backend and SCF. */
export const CLOCK_SKEW_SECONDS = 30;

export interface IssuedToken {
  token: string;
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export async function issueAppToken(keys: TokenKeys, env: EnvironmentName, userId: string, ttlSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<IssuedToken> {
  const expiresAt = nowSeconds + ttlSeconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: keys.signing.kid })
    .setSubject(userId)
    .setAudience(env)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(keys.signing.secret);
  return { token, userId, expiresAt };
}

function refusal(code: string, message: string): AppError {
  return new AppError(401, code, message, { "www-authenticate": `Bearer error="invalid_token"` });
}

class UnknownKey extends Error {}

/** The token's subject and expiry, or 401 with a code that says what was wrong. */
export async function verifyAppToken(keys: TokenKeys, env: EnvironmentName, token: string, currentDate?: Date): Promise<{ sub: string; exp: number }> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? keys.byKid.get(header.kid) : undefined;
        if (!key) throw new UnknownKey();
        return key.cryptoKey ?? key.secret;
      },
      { algorithms: ["HS256"], audience: env, clockTolerance: CLOCK_SKEW_SECONDS, requiredClaims: ["sub", "exp", "iat"], ...(currentDate ? { currentDate } : {}) },
    );
    if (typeof payload.sub !== "string" || payload.sub === "" || typeof payload.exp !== "number") throw refusal("malformed_token", "the token has no subject");
    return { sub: payload.sub, exp: payload.exp };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof UnknownKey) throw refusal("unknown_key", "the token was signed with a key this environment does not know");
    if (err instanceof errors.JWTExpired) throw refusal("token_expired", "the token has expired; log in again");
    if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) throw refusal("alg_not_allowed", "the token's algorithm is not accepted");
    if (err instanceof errors.JWSSignatureVerificationFailed) throw refusal("bad_signature", "the token's signature does not verify");
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === "aud") throw refusal("wrong_audience", `the token is not for ${env}`);
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === "iat") throw refusal("token_not_yet_valid", "the token was issued in the future");
    throw refusal("malformed_token", "the token is not a valid app token");
  }
}
