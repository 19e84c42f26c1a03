// What the store keeps for one refinement: the job (stored under the environment's redaction
// policy), then its result, or the fact that the output checks withheld it (remembered, so a
// withheld refinement is neither recomputed nor paid for again on the next /refine call).
import * as z from "zod/mini";
import { AppError } from "../appError";

const jobSchema = z.object({
  traceId: z.string(),
  userId: z.string(),
  intent: z.string(),
  profile: z.string(),
  input: z.unknown(),
  context: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  /** The cache entry of the answer this job refines (its key: a hash), when the answer was cached. */
  cacheKey: z.optional(z.string()),
});

const usageSchema = z.object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() });
const refinedSchema = z.object({ answer: z.unknown(), model: z.string(), profile: z.string(), usage: usageSchema });
const withheldSchema = z.object({ status: z.number(), code: z.string(), message: z.string(), fields: z.optional(z.record(z.string(), z.string())) });

export const entrySchema = z.object({ job: jobSchema, result: z.optional(refinedSchema), withheld: z.optional(withheldSchema) });

export type RefineJob = z.infer<typeof jobSchema>;
export type Refined = z.infer<typeof refinedSchema>;
export type RefineEntry = z.infer<typeof entrySchema>;
export type Withheld = z.infer<typeof withheldSchema>;

/** How long a job and its result stay: the client asks for it right after the fast answer. */
export const REFINE_TTL_SECONDS = 15 * 60;

/** An answer the output checks blocked (ours or WeChat's): 502 blocked_output. */
export function withheldOf(err: unknown): Withheld | undefined {
  if (!(err instanceof AppError) || err.code !== "blocked_output") return undefined;
  return { status: err.status, code: err.code, message: err.message, ...(err.fields ? { fields: { ...err.fields } } : {}) };
}

/** The same refusal, from what was remembered. */
export function withheldError(withheld: Withheld): AppError {
  return new AppError(withheld.status, withheld.code, withheld.message, {}, undefined, withheld.fields);
}

/** The entry's outcome, when it has one: the refined answer, or a thrown refusal. */
export function settledOf(entry: RefineEntry | undefined): Refined | undefined {
  if (entry?.withheld) throw withheldError(entry.withheld);
  return entry?.result;
}
