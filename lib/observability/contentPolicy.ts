// How much of what users wrote (and models answered) may be written down, per environment:
// dev everything, staging redacted, prod nothing but its length and a hash.
import { canonicalJson, sha256Hex } from "../config/canonicalJson";
import { redactDeep } from "./redact";

export type ContentMode = "full" | "redacted" | "none";

export function contentWriter(mode: ContentMode, redact: (text: string) => string): (value: unknown) => unknown {
  if (mode === "full") return (value) => value;
  if (mode === "redacted") return (value) => redactDeep(value, redact);
  return (value) => {
    const text = typeof value === "string" ? value : canonicalJson(value ?? null);
    return { chars: text.length, sha256: sha256Hex(text).slice(0, 16) };
  };
}
