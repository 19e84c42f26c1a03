// The output rules on folded text (blocked terms, the system prompt's sentences), and the same
// rules run on an answer as it streams: each delta is decoded and folded once, and matched
// together with the folded tail before it that is one shorter than the longest rule, so no
// match can straddle two deltas unseen, and nothing before that tail is read again (checking
// the whole text at every delta was quadratic in the deltas).
import { AppError } from "../appError";
import { foldForFilter } from "../text/fold";
import { createEscapeDecoder } from "../text/jsonEscapes";
import { unifyForTerms } from "../text/variants";

export interface OutputRules {
  /** Throws 502 blocked_output when folded text holds a blocked term or a prompt sentence. */
  check(folded: string): void;
  /** The longest folded text one rule matches. */
  readonly longest: number;
}

const withheld = () => new AppError(502, "blocked_output", "the answer was withheld by the output filter");

export function outputRules(terms: readonly string[], promptLines: readonly string[]): OutputRules {
  return {
    check(folded) {
      const forTerms = unifyForTerms(folded);
      if (terms.some((term) => forTerms.includes(term))) throw withheld();
      if (promptLines.some((line) => folded.includes(line))) throw withheld();
    },
    longest: Math.max(0, ...terms.map((t) => t.length), ...promptLines.map((l) => l.length)),
  };
}

export interface StreamingOutputGuard {
  /** The next piece of the model's text: throws 502 blocked_output if the text so far breaks a rule. */
  push(delta: string): void;
}

// A character and the marks after it fold together (NFKC composes "e" + U+0301): the last one
// is folded again with the next delta rather than committed to the tail.
const LAST_CHARACTER = /\P{M}\p{M}*$/u;

export function createStreamingOutputGuard(rules: OutputRules): StreamingOutputGuard {
  const decoder = createEscapeDecoder();
  // "身分" -> "身份" in unifyForTerms reads two characters: the tail keeps one more.
  const keep = rules.longest + 1;
  /** Folded text already committed, its last `keep` units. */
  let tail = "";
  /** Decoded text not yet committed: the last character and its marks. */
  let open = "";
  return {
    push(delta) {
      // Stryker disable next-line ConditionalExpression: a fast path; with no rule the check finds nothing.
      if (keep === 1) return;
      const text = open + decoder.push(delta).text;
      const lastAt = LAST_CHARACTER.exec(text)?.index ?? text.length;
      const committed = tail + foldForFilter(text.slice(0, lastAt));
      open = text.slice(lastAt);
      rules.check(committed + foldForFilter(open));
      // Stryker disable next-line all: trimming the tail bounds the work only; a longer tail is more of the same text, the same verdicts.
      tail = committed.length > keep ? committed.slice(-keep) : committed;
    },
  };
}

/**
 * For a guard that cannot stream (a bare function): the newest text and a tail before it, not
 * the whole answer at every delta; the whole answer is checked once before `done`.
 */
const GUARD_WINDOW_CHARS = 4096;

/** The guard's own streaming form, or the window check for a bare function. */
export function streamingGuardOf(guard: ((text: string) => void) & { streaming?(): StreamingOutputGuard }): StreamingOutputGuard {
  const streaming = guard.streaming?.();
  if (streaming) return streaming;
  let text = "";
  return {
    push(delta) {
      text = (text + delta).slice(-GUARD_WINDOW_CHARS);
      guard(text);
    },
  };
}
