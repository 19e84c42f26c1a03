// Fast first, then refine. The fast answer goes out at once with `refine: {id}` once it passed
// the output checks; the job is kept in the store (under the environment's redaction policy).
// POST /v1/mini/refine computes the refinement itself, once per job across every instance (a
// store lock), and keeps it: nothing runs after a response, so a web function frozen or
// reclaimed once it has answered loses no refinement (SCF promises nothing after a web
// function's response; CloudBase's SSE doc says the instance stops with the connection).
// Jobs are keyed by user and traceId: the traceId is the client's, so two users who send the
// same one still never share a job, a result or an in-flight call.
import { AppError } from "../appError";
import { createSingleFlight } from "../async/singleFlight";
import type { Config, ResolvedProfile } from "../config/config";
import type { AskContext, Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { Answerer } from "../models/answerer";
import type { Logger } from "../log/logger";
import type { Store } from "../store/store";
import { storeKeys } from "../store/storeKeys";
import { parseStoredJson } from "../validation/parseStored";
import { microYuanToCny } from "../cost/money";
import { answerText } from "../text/answerText";
import { REFINE_TTL_SECONDS, type RefineJob, type Refined, entrySchema, settledOf, withheldError, withheldOf } from "./refineEntry";
import { createRefinedCache } from "./refinedCache";
import { createStoreFlight } from "./storeFlight";

export type { RefineJob, Refined } from "./refineEntry";

/** What `refine:` names: another profile of the same intent, or the same profile on another alias. */
export function refineTargetOf(config: Config, profile: ResolvedProfile): ResolvedProfile | undefined {
  if (!profile.refine) return undefined;
  return config.profiles[profile.refine] ?? { ...profile, model: profile.refine, refine: undefined };
}

export function createRefiner(deps: {
  config: Config;
  answerer: Answerer;
  store: Store;
  prefix: string;
  intents: Partial<Record<IntentName, Intent>>;
  logger: Logger;
  charge: (traceId: string, userId: string, tokens: number, costMicroYuan: number) => Promise<void>;
  /** WeChat's content check of the refined answer (the openid comes with the call, never stored). */
  checkOutput?: (text: string, openid: string | undefined) => Promise<void>;
  /** The environment's redaction of what a job keeps (input and context); none where it keeps text as is. */
  redactJob?: (job: RefineJob) => RefineJob;
  /** How long one refinement may take (model budget and output check): its store lock lasts that long. */
  lockMsFor: (target: ResolvedProfile) => number;
  pollMs?: number;
}) {
  const singleFlight = createSingleFlight<Refined>();
  const storeFlight = createStoreFlight({ store: deps.store, ...(deps.pollMs ? { pollMs: deps.pollMs } : {}) });
  const keyOf = (userId: string, traceId: string) => storeKeys.refine(deps.prefix, `${userId}:${traceId}`);
  const readEntry = async (userId: string, traceId: string) => parseStoredJson(entrySchema, await deps.store.get(keyOf(userId, traceId)));
  const refinedCache = createRefinedCache({ store: deps.store, config: deps.config, logger: deps.logger });
  const keep = (job: RefineJob, outcome: object) => deps.store.set(keyOf(job.userId, job.traceId), JSON.stringify({ job, ...outcome }), REFINE_TTL_SECONDS);

  async function compute(job: RefineJob, target: ResolvedProfile, intent: Intent, openid: string | undefined): Promise<Refined> {
    const call = intent.prepare(job.input, job.context as AskContext | undefined);
    try {
      const produced = await deps.answerer.answer(target, call, { trace: { traceId: job.traceId, userId: job.userId } });
      await deps.charge(job.traceId, job.userId, produced.usage.totalTokens, produced.cost.microYuan);
      // Its own line: the request's record went out with the fast answer, before this call was made.
      deps.logger.info("refined", { traceId: job.traceId, profile: target.name, model: produced.model, tokens: produced.usage.totalTokens, cost: microYuanToCny(produced.cost.microYuan), ...(produced.cost.complete ? {} : { costComplete: false }) });
      // Checked before it is kept: a withheld refinement is never stored or returned.
      await deps.checkOutput?.(answerText(produced.answer), openid);
      const refined = { answer: produced.answer, model: produced.model, profile: target.name, usage: produced.usage };
      await keep(job, { result: refined });
      await refinedCache.write(job, refined);
      return refined;
    } catch (err) {
      // Remembered: the next /refine gets the same refusal without another (paid) model call.
      const withheld = withheldOf(err);
      if (!withheld) throw err;
      await keep(job, { withheld });
      await refinedCache.keepDraft(job);
      throw withheldError(withheld);
    }
  }

  /** The cache's refinement of the same question when one landed (kept as this job's), else a new one. */
  async function refinedOnce(job: RefineJob, target: ResolvedProfile, intent: Intent, openid: string | undefined): Promise<Refined> {
    const cached = await refinedCache.read(job, target);
    if (!cached) return compute(job, target, intent, openid);
    await keep(job, { result: cached });
    return cached;
  }

  async function run(job: RefineJob, openid: string | undefined): Promise<Refined> {
    const intent = deps.intents[job.intent as IntentName];
    const base = deps.config.profiles[job.profile];
    const target = base ? refineTargetOf(deps.config, base) : undefined;
    if (!intent || !target) throw new AppError(404, "refine_not_found", "no refinement for this traceId here");
    const key = keyOf(job.userId, job.traceId);
    try {
      const flight = () =>
        storeFlight({ lockKey: storeKeys.refineLock(deps.prefix, `${job.userId}:${job.traceId}`), lockMs: deps.lockMsFor(target), settled: async () => settledOf(await readEntry(job.userId, job.traceId)), compute: () => refinedOnce(job, target, intent, openid) });
      return (await singleFlight(key, flight)).value;
    } catch (err) {
      deps.logger.warn("refine failed", { traceId: job.traceId, code: err instanceof AppError ? err.code : "internal_error" });
      throw err;
    }
  }

  return {
    /** Keeps the job of an answer that passed its checks, for /refine. False when the store refused. */
    async keepJob(job: RefineJob): Promise<boolean> {
      try {
        await keep(deps.redactJob ? deps.redactJob(job) : job, {});
        return true;
      } catch {
        return false;
      }
    },

    /** The refined answer, only ever to the user the job belongs to: kept, or computed here once. */
    async answer(traceId: string, userId: string, openid?: string): Promise<Refined> {
      const entry = await readEntry(userId, traceId);
      // Someone else's job looks exactly like a missing one.
      if (!entry || entry.job.userId !== userId) throw new AppError(404, "refine_not_found", "no refinement for this traceId");
      return settledOf(entry) ?? run(entry.job, openid);
    },
  };
}

export type Refiner = ReturnType<typeof createRefiner>;
