// What a model call costs, from models.yaml `prices` (CNY per million tokens, input and output).
//
// Rounding rule: a price per million tokens in CNY is a price per token in micro-yuan. Prices are
// kept as integer nano-yuan per token (the price rounded to 0.001 CNY per million tokens, far
// below any list price's precision), so tokens x price is an exact integer. Each call's cost is
// then rounded half up to a whole micro-yuan, once; a request's and a day's costs are integer
// sums of those, with no further rounding.
import type { Usage } from "../chat/types";

type PriceEntry = { input_per_million: number; output_per_million: number };

/** Integer nano-yuan per token, per model name; built once at start from Config.prices. */
export type PriceBook = ReadonlyMap<string, { inputNanoPerToken: number; outputNanoPerToken: number }>;

export function compilePrices(prices: Readonly<Record<string, PriceEntry>>): PriceBook {
  const book = new Map<string, { inputNanoPerToken: number; outputNanoPerToken: number }>();
  for (const [model, price] of Object.entries(prices)) {
    book.set(model, { inputNanoPerToken: Math.round(price.input_per_million * 1000), outputNanoPerToken: Math.round(price.output_per_million * 1000) });
  }
  return book;
}

/** A call's cost, or why it has none: the model has no price, or the usage is not token counts. */
export type CallCost = { priced: true; microYuan: number } | { priced: false; microYuan: undefined; reason: "unknown_model" | "invalid_usage"; model: string };

const isTokenCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** One model call (a chain attempt that answered, a refine call, a repaired or tool turn). */
export function costOfAttempt(book: PriceBook, model: string, usage: Pick<Usage, "promptTokens" | "completionTokens">): CallCost {
  const price = book.get(model);
  if (!price) return { priced: false, microYuan: undefined, reason: "unknown_model", model };
  if (!isTokenCount(usage.promptTokens) || !isTokenCount(usage.completionTokens)) return { priced: false, microYuan: undefined, reason: "invalid_usage", model };
  const nano = usage.promptTokens * price.inputNanoPerToken + usage.completionTokens * price.outputNanoPerToken;
  return { priced: true, microYuan: Math.floor((nano + 500) / 1000) };
}

export interface RequestCost {
  /** Sum of the priced calls, micro-yuan. */
  microYuan: number;
  /** False when some call could not be priced: microYuan is then a lower bound. */
  complete: boolean;
  /** Models without a price (or with unusable usage) among the calls, each once. */
  unpricedModels: string[];
}

/**
 * A whole request: every call that reported usage (a failed attempt without usage costs 0 here:
 * what a provider bills for a timed-out call is unknown to us). A cache hit made no call: 0.
 */
export function costOfRequest(book: PriceBook, calls: readonly { model: string; usage?: Pick<Usage, "promptTokens" | "completionTokens"> }[], options: { cached?: boolean } = {}): RequestCost {
  if (options.cached) return { microYuan: 0, complete: true, unpricedModels: [] };
  let microYuan = 0;
  const unpriced = new Set<string>();
  for (const call of calls) {
    if (!call.usage) continue;
    const cost = costOfAttempt(book, call.model, call.usage);
    if (cost.priced) microYuan += cost.microYuan;
    else unpriced.add(call.model);
  }
  return { microYuan, complete: unpriced.size === 0, unpricedModels: [...unpriced] };
}
