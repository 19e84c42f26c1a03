// A refinement lands in the cache entry of the request it refines (the job carries that entry's
// key, a hash: no text), so repeats of the question get the refined answer, not the draft the
// fast answer left there. And a job made for a cache hit of that draft finds the refinement
// there once another request's has landed: no second strong call for the same question.
import { type CachedAnswer, cachedAnswerSchema, cachedAnswerValue } from "../cache/cachedAnswer";
import { ZERO_USAGE } from "../chat/usage";
import type { Config, ResolvedProfile } from "../config/config";
import type { Logger } from "../log/logger";
import type { Store } from "../store/store";
import { parseStoredJson } from "../validation/parseStored";
import type { RefineJob, Refined } from "./refineEntry";

export function createRefinedCache(deps: { store: Pick<Store, "get" | "set">; config: Config; logger: Logger }) {
  const failed = (job: RefineJob, step: string) => () => deps.logger.warn("store unavailable", { traceId: job.traceId, step });
  const write = async (job: RefineJob, final: CachedAnswer): Promise<void> => {
    const ttlSeconds = deps.config.profiles[job.profile]?.cache?.ttl_seconds;
    if (!job.cacheKey || !ttlSeconds) return;
    await deps.store.set(job.cacheKey, cachedAnswerValue(final), ttlSeconds).catch(failed(job, "refine_cache_write"));
  };
  const readCached = async (cacheKey: string, job: RefineJob): Promise<CachedAnswer | undefined> =>
    parseStoredJson(cachedAnswerSchema, (await deps.store.get(cacheKey).catch(failed(job, "refine_cache_read"))) ?? undefined);
  return {
    /** The refined answer already in the job's cache entry (nothing for a draft: it is still to refine; nor for a withheld one). */
    async read(job: RefineJob, target: ResolvedProfile): Promise<Refined | undefined> {
      const cached = job.cacheKey ? await readCached(job.cacheKey, job) : undefined;
      // Nothing was spent on it for this job: another request paid for it.
      return cached && !cached.draft && !cached.refineWithheld ? { answer: cached.answer, model: cached.model, profile: target.name, usage: ZERO_USAGE } : undefined;
    },
    /** Replaces the draft with the refined answer, for the profile's cache time from now. A failure costs a warning only. */
    write: (job: RefineJob, refined: { answer: unknown; model: string }) => write(job, { answer: refined.answer, model: refined.model }),
    /**
     * The output checks withheld the refinement: the draft stays the cached answer, offered for
     * refining no more (each offer taken would pay for a refinement withheld again).
     */
    async keepDraft(job: RefineJob): Promise<void> {
      const cached = job.cacheKey ? await readCached(job.cacheKey, job) : undefined;
      if (cached?.draft) await write(job, { answer: cached.answer, model: cached.model, refineWithheld: true });
    },
  };
}
