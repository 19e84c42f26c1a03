import { webcrypto } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { CLOCK_SKEW_SECONDS, MAX_TOKEN_TTL_SECONDS, issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { createTokenVerifier } from "../lib/auth/tokenVerifier";

const keys = parseTokenKeys("k1:verifier-test-secret-of-32-bytes-xxxxxx", "staging");
const T = 1_900_000_000;
const expired = { status: 401, code: "token_expired", message: "the token has expired; log in again", headers: { "www-authenticate": 'Bearer error="invalid_token"' } };

describe("createTokenVerifier", () => {
  it("verifies once, then answers the same token from memory", async () => {
    let now = Math.floor(Date.now() / 1000);
    const verify = createTokenVerifier(keys, "staging", () => now);
    const { token } = await issueAppToken(keys, "staging", "u_1", 60, now);
    expect(await verify(token)).toBe("u_1");
    expect(await verify(token)).toBe("u_1");
    // Remembered, but not past its expiry (plus the clock skew).
    now += 60 + 31;
    await expect(verify(token)).rejects.toMatchObject({ status: 401, code: "token_expired" });
  });

  it("never remembers a token that failed, and tells tokens apart by their exact string", async () => {
    const verify = createTokenVerifier(keys, "staging");
    const { token } = await issueAppToken(keys, "staging", "u_2", 60);
    const tampered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    await expect(verify(tampered)).rejects.toMatchObject({ code: "bad_signature" });
    await expect(verify(tampered)).rejects.toMatchObject({ code: "bad_signature" });
    expect(await verify(token)).toBe("u_2");
    const prod = await issueAppToken(keys, "prod", "u_2", 60);
    await expect(verify(prod.token)).rejects.toMatchObject({ code: "wrong_audience" });
  });

  it("checks a new token against its own clock, not the machine's", async () => {
    const verify = createTokenVerifier(keys, "staging", () => T);
    // Valid at T, decades after the machine's clock: refused as issued in the future only if
    // the verifier looked at the machine's clock.
    expect(await verify((await issueAppToken(keys, "staging", "u_3", 60, T)).token)).toBe("u_3");
    // Expired at T (by the skew exactly), valid by the machine's clock.
    const stale = await issueAppToken(keys, "staging", "u_3", 60, T - 60 - CLOCK_SKEW_SECONDS);
    await expect(verify(stale.token)).rejects.toMatchObject(expired);
  });

  it("uses the machine's clock by default, for new and remembered tokens", async () => {
    const verify = createTokenVerifier(keys, "staging");
    const real = Math.floor(Date.now() / 1000);
    const fresh = await issueAppToken(keys, "staging", "u_4", 60, real);
    expect(await verify(fresh.token)).toBe("u_4");
    expect(await verify(fresh.token)).toBe("u_4");
    const future = await issueAppToken(keys, "staging", "u_4", 60, real + 3600);
    await expect(verify(future.token)).rejects.toMatchObject({ code: "token_not_yet_valid" });
  });

  it("forgets a remembered token exactly at its expiry plus the skew", async () => {
    let now = T;
    const verify = createTokenVerifier(keys, "staging", () => now);
    const { token, expiresAt } = await issueAppToken(keys, "staging", "u_5", 60, T);
    expect(await verify(token)).toBe("u_5");
    now = expiresAt + CLOCK_SKEW_SECONDS - 1;
    expect(await verify(token)).toBe("u_5");
    now = expiresAt + CLOCK_SKEW_SECONDS;
    await expect(verify(token)).rejects.toMatchObject(expired);
    // Forgotten: with the clock back, it is verified afresh (and is valid again).
    now = T;
    expect(await verify(token)).toBe("u_5");
  });

  it("refuses a token that lives longer than the environment's TTL it was given, plus the skew", async () => {
    const verify = createTokenVerifier(keys, "staging", () => T, 900);
    expect(await verify((await issueAppToken(keys, "staging", "u_6", 900 + CLOCK_SKEW_SECONDS, T)).token)).toBe("u_6");
    await expect(verify((await issueAppToken(keys, "staging", "u_6", 900 + CLOCK_SKEW_SECONDS + 1, T)).token)).rejects.toMatchObject({ status: 401, code: "invalid_claims" });
    // Without a TTL, the longest any environment may set.
    const lenient = createTokenVerifier(keys, "staging", () => T);
    expect(await lenient((await issueAppToken(keys, "staging", "u_6", MAX_TOKEN_TTL_SECONDS, T)).token)).toBe("u_6");
    await expect(lenient((await issueAppToken(keys, "staging", "u_6", MAX_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS + 1, T)).token)).rejects.toMatchObject({ code: "invalid_claims" });
  });

  it("remembers at most 10,000 tokens, forgetting the oldest first", async () => {
    let now = T;
    const verify = createTokenVerifier(keys, "staging", () => now);
    const cryptoKey = await webcrypto.subtle.importKey("raw", keys.signing.secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const tokens = await Promise.all(
      Array.from({ length: 10_001 }, (_, i) => new SignJWT({}).setProtectedHeader({ alg: "HS256", kid: "k1" }).setSubject(`u_${i}`).setAudience("staging").setIssuedAt(T).setExpirationTime(T + 600).sign(cryptoKey)),
    );
    for (const token of tokens) await verify(token);
    // Moved back an hour, every token was issued "in the future": only a remembered one passes.
    now = T - 3600;
    await expect(verify(tokens[0]!)).rejects.toMatchObject({ code: "token_not_yet_valid" });
    expect(await verify(tokens[1]!)).toBe("u_1");
    expect(await verify(tokens[10_000]!)).toBe("u_10000");
  }, 60_000);
});
