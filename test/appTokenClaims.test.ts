// The sealed-openid claim (`oid`) of an app token, without a server: issued only when given,
// read back only as a string, and handed on by the verifier's `claims`.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { issueAppToken, verifyAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { createTokenVerifier } from "../lib/auth/tokenVerifier";

const keys = parseTokenKeys("k2026:claims-test-secret-of-at-least-32-bytes-xx", "staging");
const NOW = 1_800_000_000;
const at = new Date(NOW * 1000);

describe("the oid claim", () => {
  it("is issued when a sealed openid is given, and read back", async () => {
    const { token } = await issueAppToken(keys, "staging", "u_1", 600, NOW, "sealed-openid");
    expect(await verifyAppToken(keys, "staging", token, at)).toStrictEqual({ sub: "u_1", exp: NOW + 600, oid: "sealed-openid" });
  });

  it("is absent without one: the payload carries no oid at all", async () => {
    const { token } = await issueAppToken(keys, "staging", "u_1", 600, NOW);
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat", "jti", "sub"]);
    expect(await verifyAppToken(keys, "staging", token, at)).toStrictEqual({ sub: "u_1", exp: NOW + 600 });
  });

  it("is ignored unless it is a string", async () => {
    const signed = (oid: unknown) =>
      new SignJWT({ oid }).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "k2026" }).setSubject("u_1").setAudience("staging").setIssuedAt(NOW).setExpirationTime(NOW + 600).sign(keys.signing.secret);
    expect(await verifyAppToken(keys, "staging", await signed(42), at)).toStrictEqual({ sub: "u_1", exp: NOW + 600 });
    expect(await verifyAppToken(keys, "staging", await signed({ sealed: "x" }), at)).toStrictEqual({ sub: "u_1", exp: NOW + 600 });
    expect(await verifyAppToken(keys, "staging", await signed(""), at)).toStrictEqual({ sub: "u_1", exp: NOW + 600, oid: "" });
  });

  it("reaches the caller through the verifier's claims; verify itself gives the subject", async () => {
    const verify = createTokenVerifier(keys, "staging", () => NOW);
    const { token } = await issueAppToken(keys, "staging", "u_1", 600, NOW, "sealed-openid");
    expect(await verify(token)).toBe("u_1");
    expect(await verify.claims(token)).toStrictEqual({ sub: "u_1", exp: NOW + 600, oid: "sealed-openid" });
    // A second time, from what the verifier remembered.
    expect(await verify.claims(token)).toStrictEqual({ sub: "u_1", exp: NOW + 600, oid: "sealed-openid" });
  });
});
