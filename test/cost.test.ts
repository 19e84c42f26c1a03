// Cost arithmetic in CNY: exact integer micro-yuan from models.yaml prices.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { modelsFileSchema } from "../lib/config/schema";
import { cnyToMicroYuan, formatCny, microYuanToCny } from "../lib/cost/money";
import { compilePrices, costOfAttempt, costOfRequest } from "../lib/cost/priceBook";

const repoPrices = z.parse(modelsFileSchema, parseYaml(readFileSync(new URL("../profiles/models.yaml", import.meta.url), "utf8"))).prices;
const book = compilePrices(repoPrices);

describe("costOfAttempt", () => {
  it("prices a call from the repository's models.yaml, to the micro-yuan", () => {
    // hunyuan-turbos-latest: 0.8 in, 2.0 out per million: 173 x 0.8 + 52 x 2.0 = 242.4 micro-yuan.
    expect(costOfAttempt(book, "hunyuan-turbos-latest", { promptTokens: 173, completionTokens: 52 })).toEqual({ priced: true, microYuan: 242 });
    // deepseek-chat: 2 in, 8 out: 1000 x 2 + 500 x 8 = 6000 micro-yuan = 0.006 CNY.
    expect(costOfAttempt(book, "deepseek-chat", { promptTokens: 1000, completionTokens: 500 })).toEqual({ priced: true, microYuan: 6000 });
    // hunyuan-t1-latest: 1 in, 4 out; 10 million tokens of output = 40 CNY.
    expect(costOfAttempt(book, "hunyuan-t1-latest", { promptTokens: 0, completionTokens: 10_000_000 })).toEqual({ priced: true, microYuan: 40_000_000 });
  });

  it("rounds each call half up to a whole micro-yuan", () => {
    // qwen-turbo: 0.3 per million in = 0.3 micro-yuan per token.
    expect([1, 2, 5, 15].map((t) => costOfAttempt(book, "qwen-turbo", { promptTokens: t, completionTokens: 0 }).microYuan)).toEqual([0, 1, 2, 5]);
    // 0.3 x 5 = 1.5 -> 2 (half up), where a float product 1.4999999 would have rounded down.
    expect(costOfAttempt(compilePrices({ m: { input_per_million: 0.15, output_per_million: 0 } }), "m", { promptTokens: 10, completionTokens: 0 }).microYuan).toBe(2);
  });

  it("keeps prices to 0.001 CNY per million tokens", () => {
    const fine = compilePrices({ m: { input_per_million: 0.0004, output_per_million: 0.0016 } });
    // 0.0004 -> 0, 0.0016 -> 0.002 per million: one million output tokens cost 0.002 CNY = 2000 micro-yuan.
    expect(costOfAttempt(fine, "m", { promptTokens: 1_000_000, completionTokens: 1_000_000 })).toEqual({ priced: true, microYuan: 2000 });
  });

  it("an unknown model has no cost and says so; so does usage that is not token counts", () => {
    expect(costOfAttempt(book, "gpt-unknown", { promptTokens: 10, completionTokens: 10 })).toEqual({ priced: false, microYuan: undefined, reason: "unknown_model", model: "gpt-unknown" });
    for (const usage of [{ promptTokens: -1, completionTokens: 0 }, { promptTokens: 1.5, completionTokens: 0 }, { promptTokens: 0, completionTokens: Number.NaN }]) {
      expect(costOfAttempt(book, "qwen-turbo", usage)).toMatchObject({ priced: false, reason: "invalid_usage" });
    }
  });

  it("a model priced at zero costs zero, and is priced", () => {
    expect(costOfAttempt(compilePrices({ free: { input_per_million: 0, output_per_million: 0 } }), "free", { promptTokens: 5000, completionTokens: 5000 })).toEqual({ priced: true, microYuan: 0 });
  });
});

describe("costOfRequest", () => {
  it("sums every call of a request: the answer, a repaired turn and the refine call", () => {
    const cost = costOfRequest(book, [
      { model: "hunyuan-turbos-latest", usage: { promptTokens: 173, completionTokens: 52 } }, // 242
      { model: "hunyuan-turbos-latest", usage: { promptTokens: 260, completionTokens: 40 } }, // 208 + 80 = 288
      { model: "deepseek-chat", usage: { promptTokens: 400, completionTokens: 120 } }, // 800 + 960 = 1760
    ]);
    expect(cost).toEqual({ microYuan: 242 + 288 + 1760, complete: true, unpricedModels: [] });
    expect(microYuanToCny(cost.microYuan)).toBe(0.00229);
  });

  it("failed attempts without usage cost nothing; a cache hit costs 0 whatever it names", () => {
    expect(costOfRequest(book, [{ model: "hunyuan-turbos-latest" }, { model: "qwen-turbo", usage: { promptTokens: 100, completionTokens: 100 } }])).toEqual({ microYuan: 90, complete: true, unpricedModels: [] });
    expect(costOfRequest(book, [{ model: "deepseek-chat", usage: { promptTokens: 1e6, completionTokens: 1e6 } }], { cached: true })).toEqual({ microYuan: 0, complete: true, unpricedModels: [] });
  });

  it("an unpriced call leaves a lower bound, flagged, with each unpriced model once", () => {
    const cost = costOfRequest(book, [
      { model: "mystery", usage: { promptTokens: 1, completionTokens: 1 } },
      { model: "deepseek-chat", usage: { promptTokens: 1000, completionTokens: 0 } },
      { model: "mystery", usage: { promptTokens: 1, completionTokens: 1 } },
    ]);
    expect(cost).toEqual({ microYuan: 2000, complete: false, unpricedModels: ["mystery"] });
  });

  it("integer sums do not drift where float sums do", () => {
    const tenth = compilePrices({ m: { input_per_million: 0.1, output_per_million: 0 } });
    const calls = Array.from({ length: 3 }, () => ({ model: "m", usage: { promptTokens: 1_000_000, completionTokens: 0 } }));
    expect(0.1 + 0.1 + 0.1).not.toBe(0.3);
    expect(microYuanToCny(costOfRequest(tenth, calls).microYuan)).toBe(0.3);
  });
});

describe("money", () => {
  it("converts and formats", () => {
    expect(cnyToMicroYuan(200)).toBe(200_000_000);
    expect(cnyToMicroYuan(0.000_000_4)).toBe(0);
    expect(cnyToMicroYuan(1.1)).toBe(1_100_000);
    expect([formatCny(242), formatCny(1_234_567), formatCny(123_456_789)]).toEqual(["¥0.000242", "¥1.2346", "¥123.46"]);
  });
});
