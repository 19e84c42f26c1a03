// Redaction patterns from the environment policy (`logging.redact_patterns`), compiled once.
// They run on the normalised text, case-insensitively ("so202611240001" is an order number
// too: hiding more is the safe side of a redaction rule), and a second time with the
// separators inside digit runs taken out, so "SO 2026-1124-0001" is caught as well.
// A pattern that could backtrack without bound is refused at start (see patternSafety.ts).
import { joinDigitRuns } from "./joinDigits";
import { unsafePatternReason } from "./patternSafety";
import type { Span } from "./spans";

export interface RedactPattern {
  name: string;
  pattern: string;
}

function matchSpans(re: RegExp, text: string, label: string, out: Span[], map?: Int32Array): void {
  for (const m of text.matchAll(re)) {
    if (m[0].length === 0) continue;
    const start = m.index;
    const end = start + m[0].length;
    out.push(map ? { start: map[start] ?? 0, end: (map[end - 1] ?? 0) + 1, label } : { start, end, label });
  }
}

/** Every pattern that could backtrack without bound, as data: the config's owner decides how to refuse it. */
export function redactPatternProblems(custom: readonly RedactPattern[]): string[] {
  return custom.flatMap((p) => {
    const reason = unsafePatternReason(p.pattern);
    return reason ? [`logging.redact_patterns "${p.name}" (${p.pattern}): ${reason}`] : [];
  });
}

/** One function that finds every match of every pattern in a normalised text (patterns checked first). */
export function compileRedactPatterns(custom: readonly RedactPattern[]): (text: string) => Span[] {
  const problems = redactPatternProblems(custom);
  if (problems.length > 0) throw new Error(problems.join("; "));
  // The g flag: every match is hidden, not only the first (matchAll also insists on it).
  const compiled = custom.map(({ name, pattern }) => ({ name, re: new RegExp(pattern, "gi") }));
  if (compiled.length === 0) return () => [];
  return (text) => {
    const out: Span[] = [];
    const joined = joinDigitRuns(text);
    for (const { name, re } of compiled) {
      matchSpans(re, text, name, out);
      if (joined) matchSpans(re, joined.text, name, out, joined.origin);
    }
    return out;
  };
}
