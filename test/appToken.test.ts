import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CompactSign, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOCK_SKEW_SECONDS, MAX_TOKEN_TTL_SECONDS, isCanonicalCompactJws, issueAppToken, verifyAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { ARTICLE_TEXT, type Harness, REPO_ROOT, TEST_TOKEN_KEYS, startHarness } from "./support/harness";

const run = promisify(execFile);
const body = { intent: "summarize", userId: "u_123", traceId: "auth-1", input: { text: ARTICLE_TEXT, maxBullets: 2 } };
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

describe("every call is authenticated (staging)", () => {
  let h: Harness;
  const keys = parseTokenKeys(TEST_TOKEN_KEYS, "staging");
  beforeAll(async () => {
    h = await startHarness({ env: "staging" });
  });
  afterAll(() => h.close());

  const expectRefusal = async (token: string | null, status: number, code: string, headers: Record<string, string> = {}) => {
    const before = h.upstream.requests.length;
    const res = await h.ask(body, { token, headers });
    expect(res.status).toBe(status);
    // A 401 is decided from the header before the body is read, so its traceId is the server's.
    expect(res.json).toEqual({ error: { code, message: expect.any(String) }, traceId: status === 401 ? res.headers.get("x-trace-id") : "auth-1" });
    expect(h.upstream.requests.length).toBe(before);
  };

  it("accepts a valid token whose subject is the body's userId", async () => {
    expect((await h.ask(body, { token: await h.token("u_123") })).status).toBe(200);
  });

  it("401 missing_token without an Authorization header", () => expectRefusal(null, 401, "missing_token"));
  it("401 malformed_token for a header that is not Bearer", async () => {
    const res = await fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: "Basic dXNlcjpwYXNz" }, body: JSON.stringify(body) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("malformed_token");
  });
  it("401 malformed_token for a token that is not a JWT", () => expectRefusal("not-a-jwt", 401, "malformed_token"));

  it("401 token_expired past expiry plus the clock skew", async () => {
    const issued = await issueAppToken(keys, "staging", "u_123", 60, now() - 60 - CLOCK_SKEW_SECONDS - 5);
    await expectRefusal(issued.token, 401, "token_expired");
  });

  it("accepts a token expired by less than the clock skew", async () => {
    const issued = await issueAppToken(keys, "staging", "u_123", 60, now() - 60 - 10);
    expect((await h.ask(body, { token: issued.token })).status).toBe(200);
  });

  it("401 bad_signature for a token signed with another secret under a known kid", async () => {
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256", kid: "k2026" }).setSubject("u_123").setAudience("staging").setIssuedAt().setExpirationTime("5m")
      .sign(new TextEncoder().encode("an-attacker-secret-of-32-bytes-or-more!!"));
    await expectRefusal(forged, 401, "bad_signature");
  });

  it("401 alg_not_allowed for alg: none", async () => {
    const unsigned = `${b64url({ alg: "none", typ: "JWT", kid: "k2026" })}.${b64url({ sub: "u_123", aud: "staging", iat: now(), exp: now() + 300 })}.`;
    await expectRefusal(unsigned, 401, "alg_not_allowed");
  });

  it("401 alg_not_allowed for an HS512 token, even with the right secret", async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS512", kid: "k2026" }).setSubject("u_123").setAudience("staging").setIssuedAt().setExpirationTime("5m")
      .sign(keys.signing.secret);
    await expectRefusal(token, 401, "alg_not_allowed");
  });

  it("401 wrong_audience for a token of another environment", async () => {
    const prodToken = (await issueAppToken(keys, "prod", "u_123", 300)).token;
    await expectRefusal(prodToken, 401, "wrong_audience");
  });

  it("401 unknown_key for a dev token (built-in dev key)", async () => {
    const devToken = (await issueAppToken(parseTokenKeys(undefined, "dev"), "dev", "u_123", 300)).token;
    await expectRefusal(devToken, 401, "unknown_key");
  });

  // Tokens signed with the environment's real key whose claims we would never issue.
  const signed = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "k2026" }).sign(keys.signing.secret);
  const YEAR = 365 * 24 * 3600;

  it("401 token_not_yet_valid for a token issued a year in the future", async () => {
    await expectRefusal(await signed({ sub: "u_123", aud: "staging", iat: now() + YEAR, exp: now() + YEAR + 600 }), 401, "token_not_yet_valid");
  });

  it("401 invalid_claims for a token that expires in 100 years", async () => {
    await expectRefusal(await signed({ sub: "u_123", aud: "staging", iat: now(), exp: now() + 100 * YEAR }), 401, "invalid_claims");
  });

  it.each(["sub", "iat", "exp"])("401 invalid_claims for a signed token without %s", async (claim) => {
    const claims: Record<string, unknown> = { sub: "u_123", aud: "staging", iat: now(), exp: now() + 600 };
    delete claims[claim];
    await expectRefusal(await signed(claims), 401, "invalid_claims");
  });

  it("403 user_mismatch when the body's userId is not the token's subject", async () => {
    await expectRefusal(await h.token("u_999"), 403, "user_mismatch");
  });

  it("verifies tokens of the old key after a rotation, and signs with the new one", async () => {
    const oldOnly = parseTokenKeys("k2025:older-test-secret-at-least-32-bytes-bbbbb", "staging");
    const oldToken = (await issueAppToken(oldOnly, "staging", "u_123", 300)).token;
    expect((await h.ask(body, { token: oldToken })).status).toBe(200);
    const fresh = await h.token("u_123");
    expect(JSON.parse(Buffer.from(fresh.split(".")[0]!, "base64url").toString())).toMatchObject({ alg: "HS256", kid: "k2026" });
    // Once the old key is dropped, its tokens stop working.
    const newOnly = parseTokenKeys("k2026:test-secret-of-at-least-32-bytes-aaaaaaaa", "staging");
    await expect(verifyAppToken(newOnly, "staging", oldToken)).rejects.toMatchObject({ status: 401, code: "unknown_key" });
  });

  it("carries sub, aud, iat, exp and jti", async () => {
    const token = await h.token("u_123", 900);
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toEqual({ sub: "u_123", aud: "staging", iat: expect.any(Number), exp: (claims.iat as number) + 900, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });
});

describe("verifyAppToken: the claims of a token signed with a real key", () => {
  const keys = parseTokenKeys(TEST_TOKEN_KEYS, "staging");
  const NOW = 1_900_000_000;
  const at = new Date(NOW * 1000);
  const TTL = 3600;
  const signed = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "k2026" }).sign(keys.signing.secret);
  const claims = (overrides: Record<string, unknown>) => ({ sub: "u_1", aud: "staging", iat: NOW, exp: NOW + 600, ...overrides });
  const verify = async (c: Record<string, unknown>, maxTtl?: number) => verifyAppToken(keys, "staging", await signed(c), at, maxTtl);
  const refusal = (code: string, message: string) => ({ status: 401, code, message, headers: { "www-authenticate": 'Bearer error="invalid_token"' } });

  it("accepts one issued within the clock skew ahead, refuses one issued a second beyond it", async () => {
    expect(await verify(claims({ iat: NOW + CLOCK_SKEW_SECONDS }))).toEqual({ sub: "u_1", exp: NOW + 600 });
    await expect(verify(claims({ iat: NOW + CLOCK_SKEW_SECONDS + 1 }))).rejects.toMatchObject(refusal("token_not_yet_valid", "the token was issued in the future"));
  });

  it("refuses one issued a year ahead, even with a lifetime the environment allows", async () => {
    const YEAR = 365 * 24 * 3600;
    await expect(verify(claims({ iat: NOW + YEAR, exp: NOW + YEAR + 600 }), TTL)).rejects.toMatchObject({ code: "token_not_yet_valid" });
    await expect(verify(claims({ iat: NOW + 100 * YEAR, exp: NOW + 100 * YEAR + 60 }))).rejects.toMatchObject({ code: "token_not_yet_valid" });
  });

  it("refuses a lifetime (exp - iat) longer than the environment's token TTL plus the skew", async () => {
    expect(await verify(claims({ exp: NOW + TTL + CLOCK_SKEW_SECONDS }), TTL)).toEqual({ sub: "u_1", exp: NOW + TTL + CLOCK_SKEW_SECONDS });
    await expect(verify(claims({ exp: NOW + TTL + CLOCK_SKEW_SECONDS + 1 }), TTL)).rejects.toMatchObject(
      refusal("invalid_claims", "the token lives longer than this environment's token lifetime"),
    );
    // Issued an hour ago for two hours: not expired, but not a token this environment made.
    await expect(verify(claims({ iat: NOW - 3600, exp: NOW + 3600 }), TTL)).rejects.toMatchObject({ code: "invalid_claims" });
  });

  it("without an environment TTL, allows the longest any environment may set (7 days), no more", async () => {
    expect(MAX_TOKEN_TTL_SECONDS).toBe(7 * 24 * 3600);
    expect(await verify(claims({ exp: NOW + MAX_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS }))).toMatchObject({ sub: "u_1" });
    await expect(verify(claims({ exp: NOW + MAX_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS + 1 }))).rejects.toMatchObject({ code: "invalid_claims" });
    await expect(verify(claims({ exp: NOW + 100 * 365 * 24 * 3600 }))).rejects.toMatchObject({ code: "invalid_claims" });
  });

  it.each([
    ["no sub", { sub: undefined }],
    ["an empty sub", { sub: "" }],
    ["a numeric sub", { sub: 42 }],
    ["no iat", { iat: undefined }],
    ["no exp", { exp: undefined }],
  ])("refuses a token with %s as invalid_claims", async (_, overrides) => {
    await expect(verify(claims(overrides))).rejects.toMatchObject(refusal("invalid_claims", "the token needs a subject (sub), an issue time (iat) and an expiry (exp)"));
  });

  it.each([
    ["iat", { iat: "yesterday" }],
    ["exp", { exp: "tomorrow" }],
    ["sub", { sub: ["u_1"] }],
    ["nbf", { nbf: "soon" }],
  ])("refuses a token whose %s has the wrong type as invalid_claims", async (claim, overrides) => {
    await expect(verify(claims(overrides))).rejects.toMatchObject({ status: 401, code: "invalid_claims" });
    if (claim !== "sub") await expect(verify(claims(overrides))).rejects.toMatchObject({ message: `the token's "${claim}" claim is not valid` });
  });

  it("refuses a token not valid before a time beyond the skew (nbf) as token_not_yet_valid, and accepts one within it", async () => {
    await expect(verify(claims({ nbf: NOW + CLOCK_SKEW_SECONDS + 1 }))).rejects.toMatchObject(refusal("token_not_yet_valid", "the token is not valid yet (nbf)"));
    expect(await verify(claims({ nbf: NOW + CLOCK_SKEW_SECONDS }))).toMatchObject({ sub: "u_1" });
  });

  it("expires exactly at exp plus the skew", async () => {
    expect(await verify(claims({ iat: NOW - 700, exp: NOW - CLOCK_SKEW_SECONDS + 1 }))).toMatchObject({ sub: "u_1" });
    await expect(verify(claims({ iat: NOW - 700, exp: NOW - CLOCK_SKEW_SECONDS }))).rejects.toMatchObject(refusal("token_expired", "the token has expired; log in again"));
  });

  it("names each other refusal with its own code and message", async () => {
    const other = parseTokenKeys("zz:another-secret-of-at-least-32-bytes-zzzzz", "staging");
    const unknownKid = await new SignJWT(claims({})).setProtectedHeader({ alg: "HS256", kid: "zz" }).sign(other.signing.secret);
    await expect(verifyAppToken(keys, "staging", unknownKid, at)).rejects.toMatchObject(refusal("unknown_key", "the token was signed with a key this environment does not know"));
    const noKid = await new SignJWT(claims({})).setProtectedHeader({ alg: "HS256" }).sign(keys.signing.secret);
    await expect(verifyAppToken(keys, "staging", noKid, at)).rejects.toMatchObject({ code: "unknown_key" });
    const forged = await new SignJWT(claims({})).setProtectedHeader({ alg: "HS256", kid: "k2026" }).sign(other.signing.secret);
    await expect(verifyAppToken(keys, "staging", forged, at)).rejects.toMatchObject(refusal("bad_signature", "the token's signature does not verify"));
    const hs384 = await new SignJWT(claims({})).setProtectedHeader({ alg: "HS384", kid: "k2026" }).sign(keys.signing.secret);
    await expect(verifyAppToken(keys, "staging", hs384, at)).rejects.toMatchObject(refusal("alg_not_allowed", "the token's algorithm is not accepted"));
    await expect(verify(claims({ aud: "prod" }))).rejects.toMatchObject(refusal("wrong_audience", "the token is not for staging"));
    await expect(verifyAppToken(keys, "staging", "a.b.c", at)).rejects.toMatchObject(refusal("malformed_token", "the token is not a valid app token"));
    // A signed payload that is JSON but not a claims object.
    const notClaims = await new CompactSign(new TextEncoder().encode("[1,2]")).setProtectedHeader({ alg: "HS256", kid: "k2026" }).sign(keys.signing.secret);
    await expect(verifyAppToken(keys, "staging", notClaims, at)).rejects.toMatchObject({ code: "malformed_token" });
  });

  it("accepts only the canonical spelling of a signature: no padding, no other last character for the same bytes", async () => {
    const token = await signed(claims({}));
    expect(await verifyAppToken(keys, "staging", token, at)).toMatchObject({ sub: "u_1" });
    const signature = token.split(".")[2]!;
    // A 32-byte HMAC is 43 characters whose last one carries 4 bits and 2 unused ones.
    const last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(signature.at(-1)!);
    const sameBytes = [1, 2, 3].map((low) => `${token.slice(0, -1)}${"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[(last & ~3) | low]}`);
    for (const variant of [`${token}=`, `${token}==`, ...sameBytes]) {
      expect(Buffer.from(variant.split(".")[2]!.replace(/=+$/, ""), "base64url").equals(Buffer.from(signature, "base64url"))).toBe(true);
      await expect(verifyAppToken(keys, "staging", variant, at)).rejects.toMatchObject(refusal("malformed_token", "the token is not a valid app token"));
    }
  });

  it("isCanonicalCompactJws: three unpadded base64url segments that re-encode to themselves", () => {
    expect(isCanonicalCompactJws("eyJh.eyJz.AAAA")).toBe(true);
    expect(isCanonicalCompactJws("eyJh.eyJz.AAAB")).toBe(true);
    expect(isCanonicalCompactJws("eyJh.eyJz.AAE")).toBe(true);
    expect(isCanonicalCompactJws("eyJh.eyJz.AAF")).toBe(false);
    expect(isCanonicalCompactJws("eyJh.eyJz.AA==")).toBe(false);
    expect(isCanonicalCompactJws("eyJh.eyJz")).toBe(false);
    expect(isCanonicalCompactJws("eyJh.eyJz.AAAA.AAAA")).toBe(false);
    // An empty segment is canonical (alg: none has no signature): jose refuses it by its algorithm.
    expect(isCanonicalCompactJws("eyJh.eyJz.")).toBe(true);
    expect(isCanonicalCompactJws("eyJh.eyJz.AA+A")).toBe(false);
    expect(isCanonicalCompactJws("eyJh.eyJz.AA/A")).toBe(false);
    expect(isCanonicalCompactJws("eyJh.ey z.AAAA")).toBe(false);
    expect(isCanonicalCompactJws("eyJh.eyJz.AAAA\n")).toBe(false);
    // The header and payload segments too.
    expect(isCanonicalCompactJws("eyJF.eyJz.AAAA")).toBe(true);
    expect(isCanonicalCompactJws("AAF.eyJz.AAAA")).toBe(false);
    expect(isCanonicalCompactJws("eyJh.AAF.AAAA")).toBe(false);
  });

  it("checks against the real clock when given none", async () => {
    const real = Math.floor(Date.now() / 1000);
    const fresh = await signed({ sub: "u_1", aud: "staging", iat: real, exp: real + 600 });
    expect(await verifyAppToken(keys, "staging", fresh)).toEqual({ sub: "u_1", exp: real + 600 });
    // Valid at the fixed NOW of these tests, expired by the real clock.
    await expect(verifyAppToken(keys, "staging", await signed(claims({ iat: real - 1000, exp: real - 100 })))).rejects.toMatchObject({ code: "token_expired" });
  });
});

describe("issueAppToken", () => {
  const keys = parseTokenKeys(TEST_TOKEN_KEYS, "staging");

  it("signs HS256 under the signing kid with sub, aud, iat, exp and a fresh jti", async () => {
    const issued = await issueAppToken(keys, "prod", "u_7", 900, 1_900_000_000);
    expect(issued).toEqual({ token: expect.any(String), userId: "u_7", expiresAt: 1_900_000_900 });
    const [header, payload] = issued.token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: "HS256", typ: "JWT", kid: "k2026" });
    expect(payload).toEqual({ sub: "u_7", aud: "prod", iat: 1_900_000_000, exp: 1_900_000_900, jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
    const again = await issueAppToken(keys, "prod", "u_7", 900, 1_900_000_000);
    expect(JSON.parse(Buffer.from(again.token.split(".")[1]!, "base64url").toString()).jti).not.toBe(payload!.jti);
  });

  it("issues at the real clock by default, and its tokens verify", async () => {
    const before = Math.floor(Date.now() / 1000);
    const issued = await issueAppToken(keys, "staging", "u_8", 600);
    const after = Math.floor(Date.now() / 1000);
    expect(issued.expiresAt).toBeGreaterThanOrEqual(before + 600);
    expect(issued.expiresAt).toBeLessThanOrEqual(after + 600);
    expect(await verifyAppToken(keys, "staging", issued.token, undefined, 600)).toEqual({ sub: "u_8", exp: issued.expiresAt });
  });
});

describe("npm run token", () => {
  const tsx = `${REPO_ROOT}node_modules/.bin/tsx`;

  it("prints a dev token on its last line, which the dev server accepts", async () => {
    const { stdout } = await run(tsx, ["scripts/token.ts", "u_123"], { cwd: REPO_ROOT, env: { ...process.env, MINIASK_ENV: "dev", MINIASK_TOKEN_KEYS: "" } });
    const token = stdout.trim().split("\n").at(-1)!;
    const h = await startHarness({ env: "dev" });
    try {
      expect((await h.ask(body, { token })).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it.each(["staging", "prod"])("has no path in %s: exits non-zero and prints no token", async (env) => {
    const err = (await run(tsx, ["scripts/token.ts", "u_123"], { cwd: REPO_ROOT, env: { ...process.env, MINIASK_ENV: env, MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS } }).catch((e: unknown) => e)) as {
      code: number;
      stdout: string;
      stderr: string;
    };
    // 2 in staging (a usage error: --env staging mints one), 1 in prod (never).
    expect(err.code).toBe(env === "prod" ? 1 : 2);
    expect(err.stdout).toBe("");
    expect(err.stderr).toContain(`works in dev only (MINIASK_ENV=${env})`);
  });
});
