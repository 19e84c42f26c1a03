import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOCK_SKEW_SECONDS, issueAppToken, verifyAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { ConfigError } from "../lib/config/configError";
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
    expect(res.json).toEqual({ error: { code, message: expect.any(String) }, traceId: "auth-1" });
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

describe("parseTokenKeys", () => {
  it("refuses to start staging or prod without MINIASK_TOKEN_KEYS", () => {
    expect(() => parseTokenKeys(undefined, "prod")).toThrow(ConfigError);
    expect(() => parseTokenKeys("", "staging")).toThrow("MINIASK_TOKEN_KEYS: required in staging");
  });

  it("refuses short secrets, duplicate kids and the built-in dev key", () => {
    expect(() => parseTokenKeys("a:short", "prod")).toThrow('MINIASK_TOKEN_KEYS[0] (kid "a"): secret must be at least 32 bytes');
    expect(() => parseTokenKeys("a:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,a:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "prod")).toThrow('kid "a" appears twice');
    expect(() => parseTokenKeys("dev-builtin:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "prod")).toThrow("the built-in dev key cannot be configured");
  });

  it("falls back to the built-in key in dev only", () => {
    expect(parseTokenKeys(undefined, "dev")).toMatchObject({ builtInDevKey: true, signing: { kid: "dev-builtin" } });
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
    expect(err.code).toBe(2);
    expect(err.stdout).toBe("");
    expect(err.stderr).toContain(`works in dev only (MINIASK_ENV=${env})`);
  });
});
