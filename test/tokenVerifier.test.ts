import { describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { createTokenVerifier } from "../lib/auth/tokenVerifier";

const keys = parseTokenKeys("k1:verifier-test-secret-of-32-bytes-xxxxxx", "staging");

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
});
