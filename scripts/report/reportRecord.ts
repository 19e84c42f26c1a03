// An audit record as the report reads it back: parsed with zod like any stored input. Lenient
// about what it does not use (and about fields added later: `cost`, `attempts`), strict about
// what it sums.
import * as z from "zod/mini";
import { parseStoredJson } from "../../lib/validation/parseStored";

// Bounds past which a value is not a measurement but damage (a provider's 1e308 tokens, a
// negative cost): such a record is refused, counted among the unreadable, never summed into
// Infinity or NaN. Generous: a day-long request, a billion tokens, a million CNY.
export const RECORD_BOUNDS = { ms: 86_400_000, tokens: 1_000_000_000, cny: 1_000_000 } as const;
const bounded = (max: number) => z.number().check(z.gte(0), z.lte(max));
const count = bounded(RECORD_BOUNDS.tokens);

export const reportRecordSchema = z.object({
  traceId: z.string(),
  time: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO time")),
  env: z.optional(z.string()),
  intent: z.optional(z.string()),
  profile: z.optional(z.string()),
  model: z.optional(z.string()),
  arm: z.optional(z.string()),
  outcome: z.string(),
  status: z.int().check(z.gte(100), z.lte(599)),
  usage: z.optional(z.object({ promptTokens: count, completionTokens: count, totalTokens: z.optional(count) })),
  ms: z.optional(bounded(RECORD_BOUNDS.ms)),
  cached: z.optional(z.boolean()),
  /** CNY, every call of the request included (written by the record step once cost is wired). */
  cost: z.optional(bounded(RECORD_BOUNDS.cny)),
  /** False when a call of the request had no price: `cost` is then a lower bound. */
  costComplete: z.optional(z.boolean()),
  /** Models of the request that had no price: `cost` is then a lower bound. */
  unpricedModels: z.optional(z.array(z.string())),
  /** The chain's attempts: the configured target of the one that answered prices the record when `model` (the provider's own name) has no price. */
  attempts: z.optional(z.array(z.object({ provider: z.optional(z.string()), model: z.optional(z.string()), outcome: z.optional(z.string()) }))),
});

export type ReportRecord = z.infer<typeof reportRecordSchema>;

/** A stored value, or undefined when it is not a readable record (the report counts those). */
export function parseReportRecord(raw: string): ReportRecord | undefined {
  return parseStoredJson(reportRecordSchema, raw);
}
