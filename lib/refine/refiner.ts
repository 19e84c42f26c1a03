// Fast first, then refine. The fast answer goes out at once with `refine: {id}`; the refined
// one is computed in the background of the instance that answered (web functions and the local
// server keep running after a response), and kept in the store. POST /v1/mini/refine returns
// it; an instance that did not start the job (or lost it) computes it on demand.
// Jobs are keyed by user and traceId: the traceId is the client's, so two users who send the
// same one still never share a job, a result or an in-flight call.
import * as z from "zod/mini";
import { AppError } from "../appError";
import { createSingleFlight } from "../async/singleFlight";
import type { Usage } from "../chat/types";
import type { Config, ResolvedProfile } from "../config/config";
import type { AskContext, Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { Answerer } from "../models/answerer";
import type { Logger } from "../observability/logger";
import type { Store } from "../store/store";
import { storeKeys } from "../store/storeKeys";
import { parseStoredJson } from "../validation/parseStored";
import { microYuanToCny } from "../cost/money";
import { answerText } from "../text/answerText";

const REFINE_TTL_SECONDS = 15 * 60;

const jobSchema = z.object({
  traceId: z.string(),
  userId: z.string(),
  intent: z.string(),
  profile: z.string(),
  input: z.unknown(),
  context: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
});

const usageSchema = z.object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() });
const refinedSchema = z.object({ answer: z.unknown(), model: z.string(), profile: z.string(), usage: usageSchema });
const entrySchema = z.object({ job: jobSchema, result: z.optional(refinedSchema) });

export type RefineJob = z.infer<typeof jobSchema>;
export interface Refined {
  answer: unknown;
  model: string;
  profile: string;
  usage: Usage;
}

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
}) {
  const singleFlight = createSingleFlight<Refined>();
  const keyOf = (userId: string, traceId: string) => storeKeys.refine(deps.prefix, `${userId}:${traceId}`);

  async function compute(job: RefineJob, openid: string | undefined): Promise<Refined> {
    const intent = deps.intents[job.intent as IntentName];
    const base = deps.config.profiles[job.profile];
    const target = base ? refineTargetOf(deps.config, base) : undefined;
    if (!intent || !target) throw new AppError(404, "refine_not_found", "no refinement for this traceId here");
    const call = intent.prepare(job.input, job.context as AskContext | undefined);
    const produced = await deps.answerer.answer(target, call, { trace: { traceId: job.traceId, userId: job.userId } });
    await deps.charge(job.traceId, job.userId, produced.usage.totalTokens, produced.cost.microYuan);
    // Its own line: the request's record went out with the fast answer, before this call was made.
    deps.logger.info("refined", { traceId: job.traceId, profile: target.name, model: produced.model, tokens: produced.usage.totalTokens, cost: microYuanToCny(produced.cost.microYuan), ...(produced.cost.complete ? {} : { costComplete: false }) });
    // Checked before it is kept: a withheld refinement is never stored or returned.
    await deps.checkOutput?.(answerText(produced.answer), openid);
    const refined = { answer: produced.answer, model: produced.model, profile: target.name, usage: produced.usage };
    await deps.store.set(keyOf(job.userId, job.traceId), JSON.stringify({ job, result: refined }), REFINE_TTL_SECONDS);
    return refined;
  }

  async function run(job: RefineJob, openid: string | undefined): Promise<Refined> {
    try {
      return (await singleFlight(keyOf(job.userId, job.traceId), () => compute(job, openid))).value;
    } catch (err) {
      deps.logger.warn("refine failed", { traceId: job.traceId, code: err instanceof AppError ? err.code : "internal_error" });
      throw err;
    }
  }

  return {
    /** Records the job and starts it here, in the background. False when the store refused. */
    async start(job: RefineJob, openid?: string): Promise<boolean> {
      try {
        await deps.store.set(keyOf(job.userId, job.traceId), JSON.stringify({ job }), REFINE_TTL_SECONDS);
      } catch {
        return false;
      }
      void run(job, openid).catch(() => undefined);
      return true;
    },

    /** The refined answer, only ever to the user the job belongs to. */
    async answer(traceId: string, userId: string, openid?: string): Promise<Refined> {
      const entry = parseStoredJson(entrySchema, await deps.store.get(keyOf(userId, traceId)));
      // Someone else's job looks exactly like a missing one.
      if (!entry || entry.job.userId !== userId) throw new AppError(404, "refine_not_found", "no refinement for this traceId");
      return entry.result ?? run(entry.job, openid);
    },
  };
}

export type Refiner = ReturnType<typeof createRefiner>;
