// MINIASK_TOKEN_KEYS as the start-up reads it: which keys sign and verify, and every way a
// value is refused (each problem named, all of them at once).
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { issueAppToken, verifyAppToken } from "../lib/auth/appToken";
import { DEV_KEY_ID, parseTokenKeys } from "../lib/auth/tokenKeys";
import { ConfigError } from "../lib/config/configError";

// The built-in dev secret is public on purpose (it is in the source); it must never verify
// anything but dev tokens under its own kid.
const PUBLIC_DEV_SECRET = "miniask-dev-only-signing-key-never-valid-outside-dev";
const SECRET_A = "a-token-secret-of-at-least-32-bytes-aaaaa";
const SECRET_B = "b-token-secret-of-at-least-32-bytes-bbbbb";
const encode = (s: string) => new TextEncoder().encode(s);

function problemsOf(value: string | undefined, env: "dev" | "staging" | "prod"): readonly string[] {
  try {
    parseTokenKeys(value, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error(`expected MINIASK_TOKEN_KEYS=${JSON.stringify(value)} to be refused in ${env}`);
}

describe("parseTokenKeys: keys that are accepted", () => {
  it("the first key signs, every key verifies, and none is the built-in one", () => {
    const keys = parseTokenKeys(`k2:${SECRET_B},k1:${SECRET_A}`, "prod");
    expect(keys.builtInDevKey).toBe(false);
    expect(keys.signing).toEqual({ kid: "k2", secret: encode(SECRET_B) });
    expect([...keys.byKid.keys()]).toEqual(["k2", "k1"]);
    expect(keys.byKid.get("k1")).toEqual({ kid: "k1", secret: encode(SECRET_A) });
  });

  it("trims spaces around kids and secrets, and keeps a secret's own colons", () => {
    const keys = parseTokenKeys(` k1 : ${SECRET_A} , k2:${SECRET_B}:with:colons `, "staging");
    expect(keys.byKid.get("k1")?.secret).toEqual(encode(SECRET_A));
    expect(keys.byKid.get("k2")?.secret).toEqual(encode(`${SECRET_B}:with:colons`));
  });

  it("accepts kids of letters, digits, _ . - up to 64 characters, and secrets of exactly 32 bytes", () => {
    const kid64 = "k".repeat(64);
    const keys = parseTokenKeys(`key_2026.v1-a:${"s".repeat(32)},${kid64}:${SECRET_A}`, "prod");
    expect([...keys.byKid.keys()]).toEqual(["key_2026.v1-a", kid64]);
  });

  it("counts a secret's length in bytes, not characters", () => {
    // 11 three-byte characters: 33 bytes, 11 characters.
    expect(parseTokenKeys(`k1:${"密".repeat(11)}`, "prod").signing.secret.byteLength).toBe(33);
    expect(problemsOf(`k1:${"密".repeat(10)}x`, "prod")).toEqual(['environment variable MINIASK_TOKEN_KEYS[0] (kid "k1"): secret must be at least 32 bytes']);
  });

  it("uses the built-in dev key in dev when the variable is unset, empty or blank", () => {
    for (const value of [undefined, "", "   "]) {
      const keys = parseTokenKeys(value, "dev");
      expect(keys.builtInDevKey).toBe(true);
      expect(keys.signing).toEqual({ kid: DEV_KEY_ID, secret: encode(PUBLIC_DEV_SECRET) });
      expect([...keys.byKid.keys()]).toEqual([DEV_KEY_ID]);
    }
  });

  it("uses configured keys in dev when there are some", () => {
    const keys = parseTokenKeys(`k1:${SECRET_A}`, "dev");
    expect(keys.builtInDevKey).toBe(false);
    expect(keys.byKid.has(DEV_KEY_ID)).toBe(false);
  });
});

describe("parseTokenKeys: values that are refused", () => {
  it.each(["staging", "prod"] as const)("%s will not start without MINIASK_TOKEN_KEYS, empty or blank", (env) => {
    const required = `environment variable MINIASK_TOKEN_KEYS: required in ${env} ("kid:secret,..." with secrets of at least 32 bytes)`;
    expect(problemsOf(undefined, env)).toEqual([required]);
    expect(problemsOf("", env)).toEqual([required]);
    expect(problemsOf(" \t", env)).toEqual([required]);
  });

  it("refuses the public dev secret under any other kid (it would verify tokens anyone can sign)", () => {
    expect(problemsOf(`k1:${SECRET_A},prod-2026:${PUBLIC_DEV_SECRET}`, "prod")).toEqual(["environment variable MINIASK_TOKEN_KEYS[1]: the built-in dev key cannot be configured"]);
    expect(problemsOf(`k1:  ${PUBLIC_DEV_SECRET}  `, "staging")).toEqual(["environment variable MINIASK_TOKEN_KEYS[0]: the built-in dev key cannot be configured"]);
    expect(problemsOf(`k1:${PUBLIC_DEV_SECRET}`, "dev")).toEqual(["environment variable MINIASK_TOKEN_KEYS[0]: the built-in dev key cannot be configured"]);
  });

  it("refuses the built-in kid with any secret", () => {
    expect(problemsOf(`${DEV_KEY_ID}:${SECRET_A}`, "prod")).toEqual(["environment variable MINIASK_TOKEN_KEYS[0]: the built-in dev key cannot be configured"]);
  });

  it("refuses entries that are not kid:secret, and kids of other characters or over 64", () => {
    const shape = (i: number) => `environment variable MINIASK_TOKEN_KEYS[${i}]: expected "kid:secret" with a kid of letters, digits and _ . -`;
    expect(problemsOf(SECRET_A, "prod")).toEqual([shape(0)]);
    expect(problemsOf(`:${SECRET_A}`, "prod")).toEqual([shape(0)]);
    expect(problemsOf(`k 1:${SECRET_A}`, "prod")).toEqual([shape(0)]);
    expect(problemsOf(`k/1:${SECRET_A}`, "prod")).toEqual([shape(0)]);
    expect(problemsOf(`/k1:${SECRET_A}`, "prod")).toEqual([shape(0)]);
    expect(problemsOf(`k1/:${SECRET_A}`, "prod")).toEqual([shape(0)]);
    expect(problemsOf(`${"k".repeat(65)}:${SECRET_A}`, "prod")).toEqual([shape(0)]);
    expect(problemsOf(`k1:${SECRET_A},`, "prod")).toEqual([shape(1)]);
  });

  it("refuses a secret one byte short of 32", () => {
    expect(problemsOf(`k1:${"s".repeat(31)}`, "prod")).toEqual(['environment variable MINIASK_TOKEN_KEYS[0] (kid "k1"): secret must be at least 32 bytes']);
  });

  it("refuses a kid that appears twice", () => {
    expect(problemsOf(`a:${SECRET_A},a:${SECRET_B}`, "prod")).toEqual(['environment variable MINIASK_TOKEN_KEYS[1]: kid "a" appears twice']);
  });

  it("names every problem at once, each with its position", () => {
    const err = (() => {
      try {
        parseTokenKeys(`a:short,b:${SECRET_A},${DEV_KEY_ID}:${SECRET_B},b:${SECRET_B}`, "prod");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'environment variable MINIASK_TOKEN_KEYS[0] (kid "a"): secret must be at least 32 bytes',
      "environment variable MINIASK_TOKEN_KEYS[2]: the built-in dev key cannot be configured",
      'environment variable MINIASK_TOKEN_KEYS[3]: kid "b" appears twice',
    ]);
  });
});

describe("the keys at work", () => {
  it("a dev token signed with the public secret verifies in dev, and nowhere once keys are configured", async () => {
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256", kid: DEV_KEY_ID }).setSubject("u_1").setAudience("dev").setIssuedAt().setExpirationTime("5m").sign(encode(PUBLIC_DEV_SECRET));
    expect(await verifyAppToken(parseTokenKeys(undefined, "dev"), "dev", forged)).toMatchObject({ sub: "u_1" });
    await expect(verifyAppToken(parseTokenKeys(`k1:${SECRET_A}`, "dev"), "dev", forged)).rejects.toMatchObject({ status: 401, code: "unknown_key" });
  });

  it("tokens signed with the first key verify with a set that has only that key", async () => {
    const { token } = await issueAppToken(parseTokenKeys(`k2:${SECRET_B},k1:${SECRET_A}`, "prod"), "prod", "u_1", 60);
    expect(await verifyAppToken(parseTokenKeys(`k2:${SECRET_B}`, "prod"), "prod", token)).toMatchObject({ sub: "u_1" });
    await expect(verifyAppToken(parseTokenKeys(`k1:${SECRET_A}`, "prod"), "prod", token)).rejects.toMatchObject({ code: "unknown_key" });
  });
});
