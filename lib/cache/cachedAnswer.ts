// What the cache keeps for one request: the answer, the model that wrote it, and, for a profile
// that refines, whether it is still the fast draft. Whoever lands last writes it: the record step
// (a whole answer's draft, a stream's refined answer), then /refine once the refinement lands
// (issue 26: one cached answer per request, the refined one once there is one).
import * as z from "zod/mini";

export const cachedAnswerSchema = z.object({
  answer: z.unknown(),
  model: z.string(),
  /** A refining profile's fast answer whose refinement has not landed: a hit offers to refine it. */
  draft: z.optional(z.boolean()),
  /** A fast answer whose refinement the output checks withheld: served as it is, offered no more. */
  refineWithheld: z.optional(z.boolean()),
});

export type CachedAnswer = z.infer<typeof cachedAnswerSchema>;

/** The stored form; the flags only when set. */
export function cachedAnswerValue(cached: CachedAnswer): string {
  return JSON.stringify({ answer: cached.answer, model: cached.model, ...(cached.draft ? { draft: true } : {}), ...(cached.refineWithheld ? { refineWithheld: true } : {}) });
}
