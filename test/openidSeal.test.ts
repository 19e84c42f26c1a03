import { createHash, hkdfSync } from "node:crypto";
import { CompactEncrypt, compactDecrypt } from "jose";
import { describe, expect, it } from "vitest";
import { openOpenid, sealOpenid } from "../lib/contentSecurity/openidSeal";

const KEY = new TextEncoder().encode("token-signing-secret-of-at-least-32-bytes!");
const OTHER_KEY = new TextEncoder().encode("another-signing-secret-of-at-least-32-bytes");
const OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

describe("openid seal", () => {
  it("round-trips, with string or byte key material", async () => {
    const sealed = await sealOpenid(OPENID, KEY);
    expect(await openOpenid(sealed, KEY)).toBe(OPENID);
    expect(await openOpenid(await sealOpenid(OPENID, "token-signing-secret-of-at-least-32-bytes!"), KEY)).toBe(OPENID);
  });

  it("is a compact JWE (dir, A256GCM) that never contains the openid, in any encoding", async () => {
    const sealed = await sealOpenid(OPENID, KEY);
    const segments = sealed.split(".");
    expect(segments).toHaveLength(5);
    expect(segments[1]).toBe(""); // dir: no encrypted key
    expect(JSON.parse(Buffer.from(segments[0] as string, "base64url").toString())).toEqual({ alg: "dir", enc: "A256GCM", cty: "openid" });
    expect(sealed).not.toContain(OPENID);
    expect(sealed).not.toContain(Buffer.from(OPENID).toString("base64url"));
    for (const segment of segments) expect(Buffer.from(segment, "base64url").toString("latin1")).not.toContain(OPENID);
  });

  it("seals the same openid differently each time (fresh IV), so tokens cannot be linked by it", async () => {
    expect(await sealOpenid(OPENID, KEY)).not.toBe(await sealOpenid(OPENID, KEY));
  });

  it("opens nothing under another key", async () => {
    expect(await openOpenid(await sealOpenid(OPENID, KEY), OTHER_KEY)).toBeUndefined();
  });

  it("opens nothing that was tampered with, in any segment", async () => {
    const sealed = await sealOpenid(OPENID, KEY);
    const segments = sealed.split(".");
    for (const i of [0, 2, 3, 4]) {
      const changed = [...segments];
      const bytes = Buffer.from(changed[i] as string, "base64url");
      bytes[0] = (bytes[0] as number) ^ 1;
      changed[i] = bytes.toString("base64url");
      expect(await openOpenid(changed.join("."), KEY)).toBeUndefined();
    }
  });

  it("opens nothing that is not a seal: garbage, a JWS, or a JWE made straight with the raw secret", async () => {
    for (const junk of ["", "abc", "a.b.c.d.e", "eyJhbGciOiJIUzI1NiJ9.e30.sig"]) expect(await openOpenid(junk, KEY)).toBeUndefined();
    // The seal key is derived (HKDF), not the secret itself: a JWE under the raw bytes fails.
    for (const naiveKey of [KEY.slice(0, 32), new Uint8Array(createHash("sha256").update(KEY).digest())]) {
      const naive = await new CompactEncrypt(new TextEncoder().encode(OPENID)).setProtectedHeader({ alg: "dir", enc: "A256GCM", cty: "openid" }).encrypt(naiveKey);
      expect(await openOpenid(naive, KEY)).toBeUndefined();
    }
  });

  it("refuses key material shorter than 32 bytes and an empty openid", async () => {
    await expect(sealOpenid(OPENID, "short")).rejects.toThrow(RangeError);
    await expect(sealOpenid("", KEY)).rejects.toThrow(RangeError);
  });

  describe("exactly what it seals, and what it opens", () => {
    // The key, derived here from the documented salt and label: a change to either is a new key.
    const derived = new Uint8Array(hkdfSync("sha256", KEY, "miniask openid seal", "miniask/openid-seal/v1 A256GCM", 32));
    const jwe = (payload: Uint8Array, header: Record<string, string>, key: Uint8Array = derived) => new CompactEncrypt(payload).setProtectedHeader(header as never).encrypt(key);

    it("seals under HKDF-SHA256(secret, 'miniask openid seal', 'miniask/openid-seal/v1 A256GCM')", async () => {
      const { plaintext, protectedHeader } = await compactDecrypt(await sealOpenid(OPENID, KEY), derived);
      expect(new TextDecoder().decode(plaintext)).toBe(OPENID);
      expect(protectedHeader).toEqual({ alg: "dir", enc: "A256GCM", cty: "openid" });
      expect(await openOpenid(await jwe(new TextEncoder().encode(OPENID), { alg: "dir", enc: "A256GCM", cty: "openid" }), KEY)).toBe(OPENID);
    });

    it("opens only dir + A256GCM with cty openid, valid UTF-8 and not empty", async () => {
      const text = new TextEncoder().encode(OPENID);
      expect(await openOpenid(await jwe(text, { alg: "A256KW", enc: "A256GCM", cty: "openid" }), KEY)).toBeUndefined();
      expect(await openOpenid(await jwe(text, { alg: "dir", enc: "A256GCM", cty: "other" }), KEY)).toBeUndefined();
      expect(await openOpenid(await jwe(text, { alg: "dir", enc: "A256GCM" }), KEY)).toBeUndefined();
      expect(await openOpenid(await jwe(new Uint8Array([0x6f, 0xff, 0xfe]), { alg: "dir", enc: "A256GCM", cty: "openid" }), KEY)).toBeUndefined();
      expect(await openOpenid(await jwe(new Uint8Array(0), { alg: "dir", enc: "A256GCM", cty: "openid" }), KEY)).toBeUndefined();
    });

    it("takes 32 bytes of key material, not 31, and says why it refuses", async () => {
      expect(await openOpenid(await sealOpenid(OPENID, "k".repeat(32)), "k".repeat(32))).toBe(OPENID);
      await expect(sealOpenid(OPENID, "k".repeat(31))).rejects.toThrow(new RangeError("openid seal key material must be at least 32 bytes"));
      await expect(sealOpenid("", KEY)).rejects.toThrow(new RangeError("empty openid"));
    });
  });
});
