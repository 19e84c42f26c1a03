// Safety rules of the environment: input rules before any provider sees the text (422
// blocked_input), output rules after the model answered (502 blocked_output). Neither
// message repeats the matched text. Terms, injection patterns and the system prompt are all
// compared in folded form (lib/text/fold.ts), so zero-width characters, soft hyphens, width,
// case, spacing, punctuation and traditional characters do not get past them.
import { AppError } from "../appError";
import type { Safety } from "../config/schema";
import type { AskContext } from "../intents/intent";
import { foldForFilter } from "../text/fold";
import { unifyForTerms } from "../text/variants";
import { looksLikeInjection } from "../text/injectionPatterns";
import { decodeJsonEscapes } from "../text/jsonEscapes";
import { type StreamingOutputGuard, createStreamingOutputGuard, outputRules } from "./outputRules";

function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

function foldedTerms(terms: readonly string[]): string[] {
  // A term that folds to nothing (all punctuation) would match every text.
  return terms.map((term) => unifyForTerms(foldForFilter(term))).filter((term) => term.length > 0);
}

/** The system prompt's sentences, folded: long enough that repeating one is a leak, not a coincidence. */
function promptSentences(systemPrompt: string): string[] {
  return systemPrompt
    .split(/[\n.!?。！？]+/u)
    .map(foldForFilter)
    .filter((sentence) => sentence.length >= 16);
}

export function createInputGuard(safety: Safety) {
  const terms = foldedTerms(safety.blocked_input_terms);
  return function guardInput(input: unknown, context: AskContext | undefined): void {
    // Context keys reach the prompt too ("- key: value"): they are checked like values.
    const texts = [...stringsOf(input), ...stringsOf(context ?? {}), ...Object.keys(context ?? {})];
    const length = texts.reduce((sum, t) => sum + t.length, 0);
    if (length > safety.max_input_chars) {
      throw new AppError(422, "blocked_input", `the input is longer than this service accepts (${safety.max_input_chars} characters)`);
    }
    const folded = texts.map(foldForFilter);
    const forTerms = folded.map(unifyForTerms);
    if (terms.some((term) => forTerms.some((text) => text.includes(term)))) {
      throw new AppError(422, "blocked_input", "the input contains content this service does not accept");
    }
    if (safety.block_prompt_injection && folded.some(looksLikeInjection)) {
      throw new AppError(422, "blocked_input", "the input tries to change the assistant's instructions");
    }
  };
}

/** The output rules: throws 502 blocked_output. `streaming()` checks an answer as it is written. */
export type OutputGuard = ((text: string) => void) & { streaming?(): StreamingOutputGuard };

export function createOutputGuard(safety: Safety, systemPrompt: string): OutputGuard {
  const rules = outputRules(foldedTerms(safety.blocked_output_terms), safety.block_prompt_leak ? promptSentences(systemPrompt) : []);
  // As written and with JSON string escapes decoded: an extract answer reaches its reader
  // decoded, a plain one as written (lib/text/jsonEscapes.ts).
  const guardOutput = (text: string): void => {
    rules.check(foldForFilter(text));
    const decoded = decodeJsonEscapes(text);
    // Stryker disable next-line ConditionalExpression: checking the same text twice gives the same verdict.
    if (decoded !== text) rules.check(foldForFilter(decoded));
  };
  return Object.assign(guardOutput, { streaming: () => createStreamingOutputGuard(rules) });
}

/** One output guard per profile, built once (each knows its own system prompt). */
export function createOutputGuards(profiles: Readonly<Record<string, { system_prompt: string }>>, safety: Safety): (profile: string) => OutputGuard {
  const guards = new Map(Object.entries(profiles).map(([name, p]) => [name, createOutputGuard(safety, p.system_prompt)]));
  return (profile) => guards.get(profile) ?? (() => undefined);
}
