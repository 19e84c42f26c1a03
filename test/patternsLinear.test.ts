// Every rule that reads user or model text, fed a megabyte of each adversarial shape. The
// bound is a sanity check, not a benchmark: linear code takes well under a second here, the
// quadratic e-mail regex this replaces took 4 s on 64 KiB and 117 s on 256 KiB.
import { describe, expect, it } from "vitest";
import { createRedactor } from "../lib/observability/redact";
import { createInputGuard, createOutputGuard } from "../lib/safety/guards";
import { compileRedactPatterns } from "../lib/text/customPatterns";
import { emailSpans } from "../lib/text/emailSpans";
import { foldForFilter } from "../lib/text/fold";
import { looksLikeInjection } from "../lib/text/injectionPatterns";
import { normalizeForMatching } from "../lib/text/normalize";
import { numberSpans } from "../lib/text/numberSpans";

const MB = 1 << 20;
const SECONDS_PER_MB = 4;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

const ADVERSARIAL: Record<string, string> = {
  "one letter": fill("a"),
  digits: fill("1"),
  dots: fill("."),
  "at signs": fill("@"),
  "letter-dot": fill("a."),
  "digit-space": fill("1 "),
  "digit-dot": fill("1."),
  "86-space": fill("86 "),
  "letter-at": fill("a@"),
  "address-like": fill("a@a."),
  mixed: fill("1a.@- "),
  "full-width digits": fill("１"),
  "zero-width between digits": fill("1\u200b"),
  han: fill("李@例."),
  "ignore ignore": fill("ignore "),
  "忽略": fill("忽略之前"),
};

const safety = { max_input_chars: 10 * MB, blocked_input_terms: ["身份证号码大全"], block_prompt_injection: true, blocked_output_terms: ["代开发票"], block_prompt_leak: true };
const inputGuard = createInputGuard(safety);
const outputGuard = createOutputGuard(safety, "You are a helpful support engineer for a mobile app.");
const swallow = (run: () => void) => {
  try {
    run();
  } catch {
    // blocked or not: only the time counts here
  }
};

const RULES: Record<string, (text: string) => unknown> = {
  normalize: normalizeForMatching,
  "numbers (phone, ID, card)": (t) => numberSpans(normalizeForMatching(t).text),
  "e-mail": (t) => emailSpans(normalizeForMatching(t).text),
  "custom order_no": compileRedactPatterns([{ name: "order_no", pattern: "\\bSO\\d{12}\\b" }]),
  "whole redactor": createRedactor([{ name: "order_no", pattern: "\\bSO\\d{12}\\b" }]),
  "fold for filters": foldForFilter,
  "injection patterns": (t) => looksLikeInjection(foldForFilter(t)),
  "input guard": (t) => swallow(() => inputGuard({ text: t }, undefined)),
  "output guard": (t) => swallow(() => outputGuard(t)),
};

describe.each(Object.entries(RULES))("%s stays linear", (_name, rule) => {
  it.each(Object.keys(ADVERSARIAL))("on 1 MiB of %s", (shape) => {
    const text = ADVERSARIAL[shape] as string;
    const started = process.hrtime.bigint();
    rule(text);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(seconds, `${shape}: ${seconds.toFixed(2)} s`).toBeLessThan(SECONDS_PER_MB * (text.length / MB));
  });
});
