// The user's openid, carried inside the app token so the input check needs no store trip: a
// JWE (compact, alg "dir", enc A256GCM) under a key derived from the token secret. Only this
// backend can open it; a client sees an opaque string, and a changed byte fails GCM's tag.
// The key is HKDF-SHA256(secret, label) and not the signing secret itself: one secret, two
// independent keys for two jobs.
import { hkdfSync } from "node:crypto";
import { CompactEncrypt, compactDecrypt } from "jose";

const HKDF_SALT = "miniask openid seal";
const HKDF_INFO = "miniask/openid-seal/v1 A256GCM";
const keys = new WeakMap<Uint8Array, Uint8Array>();
const encoder = new TextEncoder();

export type SealKeyMaterial = Uint8Array | string;

function sealKey(material: SealKeyMaterial): Uint8Array {
  const bytes = typeof material === "string" ? encoder.encode(material) : material;
  if (bytes.byteLength < 32) throw new RangeError("openid seal key material must be at least 32 bytes");
  let key = keys.get(bytes);
  // Stryker disable next-line ConditionalExpression: deriving again gives the same key; the map only saves the work.
  if (!key) {
    key = new Uint8Array(hkdfSync("sha256", bytes, HKDF_SALT, HKDF_INFO, 32));
    // Strings make a new array each call; only arrays (the token keys) are worth remembering.
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: remembering or not changes no key, only the work.
    if (typeof material !== "string") keys.set(bytes, key);
  }
  return key;
}

export async function sealOpenid(openid: string, keyMaterial: SealKeyMaterial): Promise<string> {
  if (openid === "") throw new RangeError("empty openid");
  return new CompactEncrypt(encoder.encode(openid)).setProtectedHeader({ alg: "dir", enc: "A256GCM", cty: "openid" }).encrypt(sealKey(keyMaterial));
}

/** The openid, or undefined for anything this key did not seal (tampered, foreign, garbage). */
export async function openOpenid(sealed: string, keyMaterial: SealKeyMaterial): Promise<string | undefined> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(sealed, sealKey(keyMaterial), { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] });
    if (protectedHeader.cty !== "openid") return undefined;
    const openid = new TextDecoder("utf-8", { fatal: true }).decode(plaintext);
    return openid === "" ? undefined : openid;
    // Stryker disable next-line BlockStatement: an empty catch returns undefined as well.
  } catch {
    return undefined;
  }
}
