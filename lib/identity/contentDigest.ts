// The digest prod logs in place of what a user wrote (and a model answered): a keyed
// HMAC-SHA256, so a digest of a short text (a mobile number: ~10^10 values) cannot be brute
// forced from the logs, and equal texts link only for whoever holds the key. Stable for one key,
// so support can match two lines of the same content within a deployment.
import { createHmac, randomBytes } from "node:crypto";

/** A text's digest as logged: 16 hex characters (64 bits) of HMAC-SHA256. */
export type ContentDigest = (text: string) => string;

/**
 * The content key is derived from the userId salt under a fixed label, not the salt itself:
 * userIdOf HMACs `${appId}:${openid}` with the raw salt, so with the same key a logged digest of
 * that very text would be the userId's own HMAC bytes. The label keeps the two uses apart, and
 * no second secret has to be provisioned in SSM. Changing the label changes every digest.
 */
export const CONTENT_DIGEST_LABEL = "miniask/content-digest/v1";

export function contentDigestKey(userIdSalt: string): Buffer {
  return createHmac("sha256", userIdSalt).update(CONTENT_DIGEST_LABEL).digest();
}

export function contentDigestOf(key: Buffer): ContentDigest {
  return (text) => createHmac("sha256", key).update(text).digest("hex").slice(0, 16);
}

let processDigest: ContentDigest | undefined;

/**
 * For writers not given the deployment's key: a random key of this process, never written
 * anywhere. Digests then match within one instance only, and never an unkeyed hash.
 */
export function processContentDigest(): ContentDigest {
  processDigest ??= contentDigestOf(randomBytes(32));
  return processDigest;
}
