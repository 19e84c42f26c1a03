// Personal data out of everything we write. Built-in rules for what Mini Program users type
// most (mainland mobile numbers, e-mail, resident ID numbers, bank cards), validated where a
// checksum exists so order numbers and timestamps are left alone; plus patterns from policy.
// The rules read a normalised copy of the text (lib/text/normalize.ts: NFKC, no zero-width
// characters; separators inside digit runs join the groups of one number) and what they find
// is blanked out of the original text, every character that made it up: full-width digits,
// separators and zero-width characters included. Nothing here is a backtracking regex over
// the whole input: every rule runs in time linear in its length.
import { compileRedactPatterns, type RedactPattern, redactPatternProblems } from "../text/customPatterns";
import { ConfigError } from "../config/configError";
import { emailSpans } from "../text/emailSpans";
import { type NormalizedText, normalizeForMatching } from "../text/normalize";
import { numberSpans } from "../text/numberSpans";
import { type Span, mergeSpans } from "../text/spans";

export type { RedactPattern } from "../text/customPatterns";
export { isLuhnValid, isResidentId } from "../text/piiChecks";

/** The original text with each span (found in the normalised text) replaced by its label. */
function blankOut(original: string, normalized: NormalizedText, spans: readonly Span[]): string {
  const inOriginal = mergeSpans(
    mergeSpans(spans).map((span) => {
      const [start, end] = normalized.toOriginal(span.start, span.end);
      return { start, end, label: span.label };
    }),
  );
  let out = "";
  let copied = 0;
  for (const span of inOriginal) {
    out += `${original.slice(copied, span.start)}[${span.label}]`;
    copied = span.end;
  }
  return out + original.slice(copied);
}

/**
 * The redaction function of an environment. Throws ConfigError at start for a custom pattern
 * that could take more than linear time (see lib/text/patternSafety.ts).
 */
export function createRedactor(custom: readonly RedactPattern[] = []): (text: string) => string {
  const problems = redactPatternProblems(custom);
  if (problems.length > 0) throw new ConfigError(problems);
  const customSpans = compileRedactPatterns(custom);
  return (text) => {
    if (text.length === 0) return text;
    const normalized = normalizeForMatching(text);
    const spans = [...numberSpans(normalized.text), ...emailSpans(normalized.text), ...customSpans(normalized.text)];
    return spans.length === 0 ? text : blankOut(text, normalized, spans);
  };
}

/** Every string inside a value, redacted, keys included (a context map keyed by phone number); the shape stays. */
export function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)]));
  return value;
}
