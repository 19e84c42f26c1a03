// The redactor over every reported form and a generated corpus (seeded: a failure names the
// seed and the spelling): nothing of a seeded value survives, in any spelling.
import { describe, expect, it } from "vitest";
import { createRedactor } from "../lib/observability/redact";
import { REPORTED_FORMS, type SeededValue, corpusTexts, findLeak, generateCorpus } from "./support/pii";

const redact = createRedactor([{ name: "order_no", pattern: "\\bSO\\d{12}\\b" }]);
const SEED = 20261124;
const corpus = generateCorpus(SEED, 200);

function leaksOf(values: readonly SeededValue[], written: string): string[] {
  return values.flatMap((v) => {
    const where = findLeak(written, v);
    return where ? [`${v.kind} ${JSON.stringify(v.spelling)} (${where})`] : [];
  });
}

describe("redaction corpus", () => {
  it.each(REPORTED_FORMS.map((v) => [v.kind, v.spelling, v] as const))("%s %j is hidden", (_kind, spelling, value) => {
    const out = redact(`before ${spelling} after`);
    expect(leaksOf([value], out)).toEqual([]);
    expect(out.startsWith("before [") && out.endsWith("] after")).toBe(true);
  });

  it(`hides each of ${corpus.length} generated values alone (seed ${SEED})`, () => {
    const leaks = corpus.flatMap((v) => leaksOf([v], redact(`x ${v.spelling} y`)));
    expect(leaks).toEqual([]);
  });

  it("hides them all in running text, side by side", () => {
    const texts = corpusTexts([...REPORTED_FORMS, ...corpus], 3000);
    for (const text of texts) {
      const values = [...REPORTED_FORMS, ...corpus].filter((v) => text.includes(v.spelling));
      expect(leaksOf(values, redact(text))).toEqual([]);
    }
  });

  it("the generator really writes the data in the spellings it claims", () => {
    // Every value shows in its own spelling by the leak check: otherwise the tests above prove nothing.
    expect(leaksOf(corpus, corpus.map((v) => v.spelling).join("\n")).length).toBe(corpus.length);
    expect(new Set(corpus.map((v) => v.kind)).size).toBe(5);
    expect(corpus.some((v) => /[\uff10-\uff19]/.test(v.spelling))).toBe(true);
    expect(corpus.some((v) => /[\u200b\u00ad\u2060]/.test(v.spelling))).toBe(true);
  });
});
