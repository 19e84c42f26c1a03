// How much of what users wrote (and models answered) may be written down, per environment:
// dev everything, staging redacted, prod nothing but its length and a keyed digest.
import { canonicalJson } from "../config/canonicalJson";
import { type ContentDigest, processContentDigest } from "../identity/contentDigest";
import { redactDeep } from "./redact";

export type ContentMode = "full" | "redacted" | "none";

/**
 * The `sha256` field keeps its name (readers and the audit line's version 1 know it) but holds
 * HMAC-SHA256 under `digest`'s key (lib/identity/contentDigest): an unkeyed hash of a short text
 * is reversed by brute force.
 */
export function contentWriter(mode: ContentMode, redact: (text: string) => string, digest: ContentDigest = processContentDigest()): (value: unknown) => unknown {
  if (mode === "full") return (value) => value;
  if (mode === "redacted") return (value) => redactDeep(value, redact);
  return (value) => {
    const text = typeof value === "string" ? value : canonicalJson(value ?? null);
    return { chars: text.length, sha256: digest(text) };
  };
}
