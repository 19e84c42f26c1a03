// The output rules as an answer streams: each delta decoded and folded once, matched with a
// folded tail before it, so a term or a prompt sentence cut across deltas (or across an escape,
// or between a letter and its combining mark) is still found, and the verdict at each delta is
// the whole text's verdict so far.
import { describe, expect, it } from "vitest";
import { createOutputGuard } from "../lib/safety/guards";
import { foldForFilter } from "../lib/text/fold";
import { createStreamingOutputGuard, outputRules, streamingGuardOf } from "../lib/safety/outputRules";

const safety = { max_input_chars: 12000, blocked_input_terms: [], block_prompt_injection: true, blocked_output_terms: ["身份证号码大全", "secret plan", "café noir"], block_prompt_leak: true };
const PROMPT = "You are a concise assistant for a mobile screen.\nReturn bullet points only, each under 20 words.";
const guard = createOutputGuard(safety, PROMPT);

/** The index of the delta at which the guard first throws, or -1. */
function firstThrow(push: (delta: string) => void, deltas: string[]): number {
  for (const [i, delta] of deltas.entries()) {
    try {
      push(delta);
    } catch (err) {
      expect(err).toMatchObject({ status: 502, code: "blocked_output" });
      return i;
    }
  }
  return -1;
}

/** Where the whole-text guard first throws on the text so far. */
function wholeFirstThrow(deltas: string[]): number {
  let text = "";
  return firstThrow((d) => guard((text += d)), deltas);
}

const split = (text: string, cuts: number[]) => [0, ...cuts, text.length].slice(1).map((end, i, ends) => text.slice(i === 0 ? 0 : (ends[i - 1] as number), end));

describe("the streaming output guard", () => {
  const texts = [
    "Fine words, then 身份证号码大全 and more.",
    "A SECRET\u200b plan here",
    String.raw`{"note": "\u8eab\u4efd\u8bc1\u53f7\u7801\u5927\u5168"}`,
    "Order a cafe\u0301 noir now",
    "Repeat: you are a concise assistant for a mobile screen. Done.",
    "Nothing to see here, a perfectly ordinary answer. 茶和咖啡。",
    "身分證號碼大全",
  ];

  it("throws at the same delta as the whole-text guard, however the text is cut", () => {
    for (const text of texts) {
      for (let a = 1; a < text.length; a += 3) {
        for (let b = a + 1; b < text.length; b += 5) {
          const deltas = split(text, [a, b]);
          const streaming = guard.streaming!();
          expect(firstThrow((d) => streaming.push(d), deltas), `${text} cut at ${a},${b}`).toBe(wholeFirstThrow(deltas));
        }
      }
    }
  });

  it("finds a term one character per delta, escapes cut in pieces", () => {
    const raw = String.raw`ok \u8eab\u4efd\u8bc1\u53f7\u7801\u5927\u5168 end`;
    const streaming = guard.streaming!();
    const at = firstThrow((d) => streaming.push(d), [...raw]);
    // The last unit of the last escape completes the term.
    expect(at).toBe(raw.indexOf(String.raw`\u5168`) + 5);
  });

  it("keeps only a tail as long as the longest rule: a long answer before the term changes nothing", () => {
    const streaming = guard.streaming!();
    const deltas = [..."x".repeat(5000).match(/.{1,7}/g)!, "secret ", "plan"];
    expect(firstThrow((d) => streaming.push(d), deltas)).toBe(deltas.length - 1);
  });

  it("a bare guard function streams as a window over the newest 4,096 characters", () => {
    const seen: string[] = [];
    const bare = (text: string) => {
      seen.push(text);
      if (text.includes("secret plan")) throw new Error("blocked");
    };
    const streaming = streamingGuardOf(bare);
    streaming.push("a".repeat(5000));
    streaming.push("secret ");
    expect(seen.map((t) => t.length)).toEqual([4096, 4096]);
    expect(seen[1]?.endsWith("aaasecret ")).toBe(true);
    expect(() => streaming.push("plan")).toThrow("blocked");
    // A guard's own streaming form: one per stream, sharing nothing with another.
    const one = streamingGuardOf(guard);
    const two = streamingGuardOf(guard);
    one.push("secret ");
    expect(() => two.push("plan")).not.toThrow();
    expect(() => one.push("plan")).toThrow(expect.objectContaining({ code: "blocked_output" }));
  });

  it("without rules, never throws", () => {
    const streaming = createStreamingOutputGuard(outputRules([], []));
    expect(firstThrow((d) => streaming.push(d), ["secret ", "plan"])).toBe(-1);
  });
});

describe("the whole-text output guard reads escapes decoded", () => {
  it("withholds an escaped term and an escaped prompt sentence; plain text is unchanged", () => {
    expect(() => guard(String.raw`{"a": "\u8eab\u4efd\u8bc1\u53f7\u7801\u5927\u5168"}`)).toThrow(expect.objectContaining({ code: "blocked_output" }));
    expect(() => guard(String.raw`secret\u0020plan`)).toThrow(expect.objectContaining({ code: "blocked_output" }));
    expect(() => guard(String.raw`{"a": "a path C:\\new\\plan"}`)).not.toThrow();
    expect(() => guard("- a normal bullet")).not.toThrow();
  });
});

describe("outputRules and the streaming guard on their own rules", () => {
  const withheld = { status: 502, code: "blocked_output", message: "the answer was withheld by the output filter" };
  const throwsWithheld = (work: () => void) => {
    let caught: unknown;
    try {
      work();
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject(withheld);
  };

  it("withholds folded text holding any one prompt sentence, and says nothing of what matched", () => {
    const rules = outputRules([], ["firstsentenceofthebrief", "secondsentenceofthebrief"]);
    throwsWithheld(() => rules.check("herethesecondsentenceofthebriefagain"));
    throwsWithheld(() => rules.check("firstsentenceofthebrief"));
    expect(() => rules.check("nothingofthebriefhere")).not.toThrow();
    throwsWithheld(() => outputRules(["plan"], []).check("secretplan"));
  });

  it("knows its longest rule, a term or a prompt sentence", () => {
    expect(outputRules(["abc"], ["abcdefgh"]).longest).toBe(8);
    expect(outputRules(["abcdef"], ["ab"]).longest).toBe(6);
    expect(outputRules([], []).longest).toBe(0);
  });

  it("finds a two-character term", () => {
    const streaming = createStreamingOutputGuard(outputRules(["ab"], []));
    streaming.push("xa");
    throwsWithheld(() => streaming.push("b"));
  });

  it("starts with nothing before the first delta, and an empty delta changes nothing", () => {
    const streaming = createStreamingOutputGuard(outputRules(["here"], []));
    expect(() => streaming.push("")).not.toThrow();
    expect(() => streaming.push("hello")).not.toThrow();
    expect(() => streaming.push("")).not.toThrow();
    throwsWithheld(() => streaming.push(" there"));
  });

  it("reads each character once: text already matched is not read again with the next delta", () => {
    const streaming = createStreamingOutputGuard(outputRules(["aab"], []));
    streaming.push("ab");
    expect(() => streaming.push("x")).not.toThrow();
    expect(() => streaming.push("aa")).not.toThrow();
    throwsWithheld(() => streaming.push("b"));
  });

  it("folds a mark that arrives in the next delta with the character and marks before it", () => {
    // NFKC reorders e + U+0301 + U+0323 to e + U+0323 + U+0301, which composes to ẹ (the acute then
    // folds away); e + U+0301 alone composes to é.
    const rules = outputRules(["cafẹ"], []);
    throwsWithheld(() => rules.check(foldForFilter("cafe\u0301\u0323")));
    const streaming = createStreamingOutputGuard(rules);
    expect(() => streaming.push("cafe\u0301")).not.toThrow();
    throwsWithheld(() => streaming.push("\u0323"));
  });

  it("uses a guard's own streaming form rather than calling the guard on a window", () => {
    const calls: string[] = [];
    const pushed: string[] = [];
    const guard = Object.assign((text: string) => void calls.push(text), { streaming: () => ({ push: (delta: string) => void pushed.push(delta) }) });
    const streaming = streamingGuardOf(guard);
    streaming.push("ab");
    expect(pushed).toEqual(["ab"]);
    expect(calls).toEqual([]);
    const seen: string[] = [];
    const bare = streamingGuardOf((text: string) => void seen.push(text));
    bare.push("ab");
    bare.push("c");
    expect(seen).toEqual(["ab", "abc"]);
  });
});
