// Verifying the same app token again and again is the common case: a client keeps its token
// for its whole lifetime. jose's HMAC verification goes through WebCrypto (async, and it
// imports the raw key on every call when given bytes), a measurable part of each request.
// So: each key is imported once, and a token that verified is remembered, by its exact
// string, until it expires. The keys of a process never change while it runs, so a remembered
// token is exactly as valid as it was; its expiry is still checked on every use.
import { webcrypto } from "node:crypto";
import { AppError } from "../appError";
import type { EnvironmentName } from "../config/schema";
import { CLOCK_SKEW_SECONDS, MAX_TOKEN_TTL_SECONDS, type VerifiedClaims, verifyAppToken } from "./appToken";
import type { TokenKeys } from "./tokenKeys";

const MAX_REMEMBERED = 10_000;

/**
 * `nowSeconds` is the one clock for both the first verification and later expiry checks.
 * `maxTtlSeconds` is the environment's token lifetime (`ResolvedEnvironment.tokenTtlSeconds`):
 * a token that claims to live longer is refused. Without it, the longest any environment allows.
 */
export function createTokenVerifier(
  keys: TokenKeys,
  env: EnvironmentName,
  nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  maxTtlSeconds: number = MAX_TOKEN_TTL_SECONDS,
) {
  const imported: TokenKeys = {
    ...keys,
    // Stryker disable next-line BooleanLiteral: extractable or not, the imported key never leaves this closure.
    byKid: new Map([...keys.byKid].map(([kid, key]) => [kid, { ...key, cryptoKey: webcrypto.subtle.importKey("raw", key.secret, { name: "HMAC", hash: "SHA-256" }, false, ["verify", "sign"]) }])),
  };
  const remembered = new Map<string, VerifiedClaims>();
  async function claims(token: string): Promise<VerifiedClaims> {
    const hit = remembered.get(token);
    if (hit) {
      if (hit.exp + CLOCK_SKEW_SECONDS <= nowSeconds()) {
        remembered.delete(token);
        throw new AppError(401, "token_expired", "the token has expired; log in again", { "www-authenticate": `Bearer error="invalid_token"` });
      }
      return hit;
    }
    const verified = await verifyAppToken(imported, env, token, new Date(nowSeconds() * 1000), maxTtlSeconds);
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
    remembered.set(token, verified);
    return verified;
  }
  /** The token's subject (the userId); `verify.claims` gives the sealed openid too. */
  const verify = async (token: string): Promise<string> => (await claims(token)).sub;
  return Object.assign(verify, { claims });
}
