// What the cache keeps for one request: the answer, the model that wrote it, and, for a profile
// that refines, whether it is still the fast draft. Whoever lands last writes it: the record step
// (a whole answer's draft, a stream's refined answer), then /refine once the refinement lands
// (issue 26: one cached answer per request, the refined one once there is one).
import * as z from "zod/mini";

export const cachedAnswerSchema = z.object({ answer: z.unknown(), model: z.string(), draft: z.optional(z.boolean()) });

export type CachedAnswer = z.infer<typeof cachedAnswerSchema>;

/** The stored form; `draft` only when the answer still waits for its refinement. */
export function cachedAnswerValue(cached: CachedAnswer): string {
  return JSON.stringify({ answer: cached.answer, model: cached.model, ...(cached.draft ? { draft: true } : {}) });
}
