// Token keys that follow their SSM secret (lib/secrets/refreshingTokenVerifier.ts): a refusal a
// newer key would explain re-reads MINIASK_TOKEN_KEYS once and verifies again; login signs with,
// and sealed openids open with, whatever the keys are now.
import { describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { refreshingTokenVerifier } from "../lib/secrets/refreshingTokenVerifier";

const OLD = "k1:old-token-secret-of-at-least-32-bytes-AAAAAAAA";
const NEW = "k2:new-token-secret-of-at-least-32-bytes-BBBBBBBB";

function setup(rotateTo: string | undefined) {
  const variables: Record<string, string | undefined> = { MINIASK_TOKEN_KEYS: OLD };
  const refreshed: string[] = [];
  const refresh = async (variable: string) => {
    refreshed.push(variable);
    if (rotateTo === undefined) return false;
    variables[variable] = rotateTo;
    return true;
  };
  const built = refreshingTokenVerifier({ initial: parseTokenKeys(OLD, "staging"), env: "staging", maxTtlSeconds: 3600, variables, refresh });
  return { ...built, refreshed };
}
const mint = async (keys: string, nowSeconds?: number) => (await issueAppToken(parseTokenKeys(keys, "staging"), "staging", "u_1", 600, nowSeconds)).token;
const codeOf = (work: Promise<unknown>) => work.then(() => "verified", (err: { code?: string }) => err.code);

describe("refreshingTokenVerifier", () => {
  it("verifies a token of a key put first in the secret after one re-read, and signs with it from then on", async () => {
    const { verifyToken, tokenKeys, refreshed } = setup(`${NEW},${OLD}`);
    expect(await verifyToken(await mint(OLD))).toBe("u_1");
    expect(refreshed).toEqual([]);
    expect(tokenKeys.signing.kid).toBe("k1");
    expect(await verifyToken(await mint(NEW))).toBe("u_1");
    expect(refreshed).toEqual(["MINIASK_TOKEN_KEYS"]);
    expect(tokenKeys.signing.kid).toBe("k2");
    expect([...tokenKeys.byKid.keys()]).toEqual(["k2", "k1"]);
    expect(tokenKeys.builtInDevKey).toBe(false);
    expect(await verifyToken(await mint(OLD))).toBe("u_1"); // the old key still verifies
    // authenticate reads the claims (the sealed openid rides there), through the same re-read.
    expect(await verifyToken.claims(await mint(NEW))).toMatchObject({ sub: "u_1", exp: expect.any(Number) });
  });

  it("re-reads on a signature no key verifies too, and keeps refusing when nothing changed", async () => {
    const { verifyToken, refreshed } = setup(undefined);
    const forged = await mint("k1:someone-elses-secret-of-at-least-32-bytes-CC");
    expect(await codeOf(verifyToken(forged))).toBe("bad_signature");
    expect(await codeOf(verifyToken(await mint(NEW)))).toBe("unknown_key");
    expect(refreshed).toEqual(["MINIASK_TOKEN_KEYS", "MINIASK_TOKEN_KEYS"]);
  });

  it("does not re-read for refusals a new key would not explain", async () => {
    const { verifyToken, refreshed } = setup(`${NEW},${OLD}`);
    const expired = await mint(OLD, Math.floor(Date.now() / 1000) - 3600);
    expect(await codeOf(verifyToken(expired))).toBe("token_expired");
    expect(await codeOf(verifyToken("not.a.token"))).toBe("malformed_token");
    expect(refreshed).toEqual([]);
  });

  it("keeps the keys that work when the secret was rotated into a malformed value", async () => {
    const { verifyToken, tokenKeys, refreshed } = setup("k2:too-short");
    expect(await codeOf(verifyToken(await mint(NEW)))).toBe("unknown_key");
    expect(refreshed).toEqual(["MINIASK_TOKEN_KEYS"]);
    expect(tokenKeys.signing.kid).toBe("k1");
    expect(await verifyToken(await mint(OLD))).toBe("u_1");
  });
});
