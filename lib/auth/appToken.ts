// Short-lived app tokens: HS256 JWTs through jose. The audience is the environment, so a dev
// token is worthless in prod even if keys were shared by mistake.
import { randomUUID } from "node:crypto";
import { type JWTPayload, SignJWT, errors, jwtVerify } from "jose";
import { AppError } from "../appError";
import type { EnvironmentName } from "../config/schema";
import type { TokenKeys } from "./tokenKeys";

/** Leeway for clocks that disagree a little between the Mini Program's backend and SCF. */
export const CLOCK_SKEW_SECONDS = 30;

/** The longest token lifetime any environment may set: the ceiling of env-policy's `token_ttl_minutes` (7 days). */
export const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface IssuedToken {
  token: string;
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/**
 * `sealedOpenid`: the user's WeChat openid, encrypted (lib/contentSecurity/openidSeal.ts), as
 * claim `oid`: content security needs it on every request, and the token carries it so the
 * check needs no store trip. Never the openid itself.
 */
export async function issueAppToken(keys: TokenKeys, env: EnvironmentName, userId: string, ttlSeconds: number, nowSeconds = Math.floor(Date.now() / 1000), sealedOpenid?: string): Promise<IssuedToken> {
  const expiresAt = nowSeconds + ttlSeconds;
  const token = await new SignJWT(sealedOpenid ? { oid: sealedOpenid } : {})
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: keys.signing.kid })
    .setSubject(userId)
    .setAudience(env)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(keys.signing.secret);
  return { token, userId, expiresAt };
}

/** What a verified token says: its subject, expiry and, from a WeChat login, the sealed openid. */
export interface VerifiedClaims {
  sub: string;
  exp: number;
  oid?: string;
}

function refusal(code: string, message: string): AppError {
  return new AppError(401, code, message, { "www-authenticate": `Bearer error="invalid_token"` });
}

class UnknownKey extends Error {}

/**
 * base64url has more than one spelling of the same bytes: padding (`=`), and a last character
 * whose unused low bits are set (for a 32-byte HMAC, `A`..`D` all end in the same bits). jose
 * decodes them all alike, so one signature would verify as five strings: five cache entries,
 * five "different" tokens in a log. Only the spelling we issue is accepted: each segment must be
 * the unpadded base64url alphabet and re-encode to itself (RFC 7515 section 2: no padding).
 */
export function isCanonicalCompactJws(token: string): boolean {
  const segments = token.split(".");
  return segments.length === 3 && segments.every((s) => /^[A-Za-z0-9_-]*$/.test(s) && Buffer.from(s, "base64url").toString("base64url") === s);
}

/**
 * The claims jose leaves to us. It checks `exp` (and `nbf`) against the clock but `iat` only
 * when asked for a maximum age, so a token issued a year ahead, or one that lives a century,
 * would pass. Every token we issue has all three of sub, iat and exp, and lives at most the
 * environment's TTL; anything else was not made by us.
 */
function checkedClaims(payload: JWTPayload, nowSeconds: number, maxTtlSeconds: number): VerifiedClaims {
  const { sub, iat, exp, oid } = payload;
  if (typeof sub !== "string" || sub === "" || typeof iat !== "number" || typeof exp !== "number") {
    throw refusal("invalid_claims", "the token needs a subject (sub), an issue time (iat) and an expiry (exp)");
  }
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS) throw refusal("token_not_yet_valid", "the token was issued in the future");
  if (exp - iat > maxTtlSeconds + CLOCK_SKEW_SECONDS) throw refusal("invalid_claims", "the token lives longer than this environment's token lifetime");
  return { sub, exp, ...(typeof oid === "string" ? { oid } : {}) };
}

/**
 * The token's subject and expiry, or 401 with a code that says what was wrong. `maxTtlSeconds`
 * is the environment's token lifetime (`token_ttl_minutes`); a token whose exp - iat exceeds it
 * (plus the clock skew) is refused.
 */
export async function verifyAppToken(
  keys: TokenKeys,
  env: EnvironmentName,
  token: string,
  currentDate?: Date,
  maxTtlSeconds: number = MAX_TOKEN_TTL_SECONDS,
): Promise<VerifiedClaims> {
  const now = currentDate ?? new Date();
  if (!isCanonicalCompactJws(token)) throw refusal("malformed_token", "the token is not a valid app token");
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? keys.byKid.get(header.kid) : undefined;
        if (!key) throw new UnknownKey();
        return key.cryptoKey ?? key.secret;
      },
      { algorithms: ["HS256"], audience: env, clockTolerance: CLOCK_SKEW_SECONDS, currentDate: now },
    );
    return checkedClaims(payload, Math.floor(now.getTime() / 1000), maxTtlSeconds);
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof UnknownKey) throw refusal("unknown_key", "the token was signed with a key this environment does not know");
    if (err instanceof errors.JWTExpired) throw refusal("token_expired", "the token has expired; log in again");
    if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) throw refusal("alg_not_allowed", "the token's algorithm is not accepted");
    if (err instanceof errors.JWSSignatureVerificationFailed) throw refusal("bad_signature", "the token's signature does not verify");
    if (err instanceof errors.JWTClaimValidationFailed) throw claimRefusal(err.claim, err.reason, env);
    throw refusal("malformed_token", "the token is not a valid app token");
  }
}

/** jose's claim failures: a wrong audience, a token not valid yet, or a claim of the wrong type. */
function claimRefusal(claim: string, reason: string, env: EnvironmentName): AppError {
  if (claim === "aud") return refusal("wrong_audience", `the token is not for ${env}`);
  // Stryker disable next-line ConditionalExpression: with our options, jose's only time check left here is nbf (aud is above; no typ, iss or sub option).
  if (claim === "nbf" && reason === "check_failed") return refusal("token_not_yet_valid", "the token is not valid yet (nbf)");
  return refusal("invalid_claims", `the token's "${claim}" claim is not valid`);
}
