// Token signing keys from MINIASK_TOKEN_KEYS = "kid1:secret1,kid2:secret2": the first signs,
// all verify, so a new key goes first and the old one stays until its tokens have expired.
import type { webcrypto } from "node:crypto";
import { ConfigError } from "../config/configError";
import type { EnvironmentName } from "../config/schema";

export interface TokenKey {
  kid: string;
  secret: Uint8Array;
  /** The key imported once for WebCrypto (verification), when the verifier made one. */
  cryptoKey?: Promise<webcrypto.CryptoKey>;
}

export interface TokenKeys {
  signing: TokenKey;
  byKid: ReadonlyMap<string, TokenKey>;
  /** True when the built-in dev key is in use (the start-up line says so). */
  builtInDevKey: boolean;
}

export const DEV_KEY_ID = "dev-builtin";
// Public on purpose: it only ever verifies tokens whose audience is "dev", and staging and
// prod refuse to start with it (or without keys of their own).
const DEV_SECRET = "miniask-dev-only-signing-key-never-valid-outside-dev";

const MIN_SECRET_BYTES = 32;

export function parseTokenKeys(value: string | undefined, env: EnvironmentName): TokenKeys {
  const encode = (s: string) => new TextEncoder().encode(s);
  if (value === undefined || value.trim() === "") {
    if (env !== "dev") throw new ConfigError([`environment variable MINIASK_TOKEN_KEYS: required in ${env} ("kid:secret,..." with secrets of at least ${MIN_SECRET_BYTES} bytes)`]);
    const key = { kid: DEV_KEY_ID, secret: encode(DEV_SECRET) };
    return { signing: key, byKid: new Map([[key.kid, key]]), builtInDevKey: true };
  }
  const problems: string[] = [];
  const keys: TokenKey[] = [];
  value.split(",").forEach((entry, i) => {
    const at = entry.indexOf(":");
    const kid = entry.slice(0, at).trim();
    const secret = entry.slice(at + 1).trim();
    if (at === -1 || !/^[\w.-]{1,64}$/.test(kid)) problems.push(`environment variable MINIASK_TOKEN_KEYS[${i}]: expected "kid:secret" with a kid of letters, digits and _ . -`);
    else if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) problems.push(`environment variable MINIASK_TOKEN_KEYS[${i}] (kid "${kid}"): secret must be at least ${MIN_SECRET_BYTES} bytes`);
    else if (secret === DEV_SECRET || kid === DEV_KEY_ID) problems.push(`environment variable MINIASK_TOKEN_KEYS[${i}]: the built-in dev key cannot be configured`);
    else if (keys.some((k) => k.kid === kid)) problems.push(`environment variable MINIASK_TOKEN_KEYS[${i}]: kid "${kid}" appears twice`);
    else keys.push({ kid, secret: encode(secret) });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  const [signing] = keys;
  // Stryker disable next-line all: unreachable (every entry of a non-blank value became a key or a problem); kept for the type.
  if (!signing) throw new ConfigError(["environment variable MINIASK_TOKEN_KEYS: no key"]);
  return { signing, byKid: new Map(keys.map((k) => [k.kid, k])), builtInDevKey: false };
}
