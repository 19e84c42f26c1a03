// A refinement lands in the cache entry of the request it refines (the job carries that entry's
// key, a hash: no text), so repeats of the question get the refined answer, not the draft the
// fast answer left there. And a job made for a cache hit of that draft finds the refinement
// there once another request's has landed: no second strong call for the same question.
import { type CachedAnswer, cachedAnswerSchema, cachedAnswerValue } from "../cache/cachedAnswer";
import { ZERO_USAGE } from "../chat/usage";
import type { Config, ResolvedProfile } from "../config/config";
import type { Logger } from "../observability/logger";
import type { Store } from "../store/store";
import { parseStoredJson } from "../validation/parseStored";
import type { RefineJob, Refined } from "./refineEntry";

export function createRefinedCache(deps: { store: Pick<Store, "get" | "set">; config: Config; logger: Logger }) {
  const failed = (job: RefineJob, step: string) => () => deps.logger.warn("store unavailable", { traceId: job.traceId, step });
  return {
    /** The refined answer already in the job's cache entry (nothing for a draft: it is still to refine). */
    async read(job: RefineJob, target: ResolvedProfile): Promise<Refined | undefined> {
      if (!job.cacheKey) return undefined;
      const raw = await deps.store.get(job.cacheKey).catch(failed(job, "refine_cache_read"));
      const cached: CachedAnswer | undefined = parseStoredJson(cachedAnswerSchema, raw ?? undefined);
      // Nothing was spent on it for this job: another request paid for it.
      return cached && !cached.draft ? { answer: cached.answer, model: cached.model, profile: target.name, usage: ZERO_USAGE } : undefined;
    },
    /** Replaces the draft with the refined answer, for the profile's cache time from now. A failure costs a warning only. */
    async write(job: RefineJob, refined: Refined): Promise<void> {
      const ttlSeconds = deps.config.profiles[job.profile]?.cache?.ttl_seconds;
      if (!job.cacheKey || !ttlSeconds) return;
      await deps.store.set(job.cacheKey, cachedAnswerValue({ answer: refined.answer, model: refined.model }), ttlSeconds).catch(failed(job, "refine_cache_write"));
    },
  };
}
