// Fast first, then refine. The fast answer goes out at once with `refine: {id}`; the refined
// one is computed in the background of the instance that answered (web functions and the local
// server keep running after a response), and kept in the store. POST /v1/mini/refine returns
// it; an instance that did not start the job (or lost it) computes it on demand.
import * as z from "zod/mini";
import { AppError } from "../appError";
import type { Config, ResolvedEnvironment, ResolvedProfile } from "../config/loadConfig";
import type { AskContext, Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { Usage } from "../models/callModelChain";
import { generateAnswer } from "../models/generateAnswer";
import type { ModelTargets } from "../models/modelTargets";
import type { Logger } from "../observability/logger";
import type { Store } from "../store/store";

const REFINE_TTL_SECONDS = 15 * 60;

const jobSchema = z.object({
  traceId: z.string(),
  userId: z.string(),
  intent: z.string(),
  profile: z.string(),
  input: z.unknown(),
  context: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
});

const refinedSchema = z.object({ answer: z.unknown(), model: z.string(), profile: z.string(), usage: z.object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() }) });
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
  env: ResolvedEnvironment;
  models: ModelTargets;
  store: Store;
  prefix: string;
  intents: Partial<Record<IntentName, Intent>>;
  logger: Logger;
  guardOutputFor: (profile: string) => (text: string) => void;
  charge: (traceId: string, userId: string, tokens: number) => Promise<void>;
}) {
  const inFlight = new Map<string, Promise<Refined>>();
  const keyOf = (id: string) => `${deps.prefix}refine:v1:${id}`;

  async function compute(job: RefineJob): Promise<Refined> {
    const intent = deps.intents[job.intent as IntentName];
    const base = deps.config.profiles[job.profile];
    const target = base ? refineTargetOf(deps.config, base) : undefined;
    if (!intent || !target) throw new AppError(404, "refine_not_found", "no refinement for this traceId here");
    const call = intent.prepare(job.input, job.context as AskContext | undefined);
    const produced = await generateAnswer({
      chain: deps.models[target.model] ?? [],
      profile: target,
      call,
      chainOptions: { budgetMs: target.budget_ms ?? deps.env.modelBudgetMs },
      guardOutput: deps.guardOutputFor(target.name),
    });
    await deps.charge(job.traceId, job.userId, produced.usage.totalTokens);
    const refined = { answer: produced.answer, model: produced.model, profile: target.name, usage: produced.usage };
    await deps.store.set(keyOf(job.traceId), JSON.stringify({ job, result: refined }), REFINE_TTL_SECONDS);
    return refined;
  }

  function run(job: RefineJob): Promise<Refined> {
    const existing = inFlight.get(job.traceId);
    if (existing) return existing;
    const promise = compute(job);
    inFlight.set(job.traceId, promise);
    const forget = () => inFlight.delete(job.traceId);
    promise.then(forget, (err: unknown) => {
      forget();
      deps.logger.warn("refine failed", { traceId: job.traceId, code: err instanceof AppError ? err.code : "internal_error" });
    });
    return promise;
  }

  return {
    /** Records the job and starts it here, in the background. False when the store refused. */
    async start(job: RefineJob): Promise<boolean> {
      try {
        await deps.store.set(keyOf(job.traceId), JSON.stringify({ job }), REFINE_TTL_SECONDS);
      } catch {
        return false;
      }
      void run(job).catch(() => undefined);
      return true;
    },

    /** The refined answer, only ever to the user the job belongs to. */
    async answer(id: string, userId: string): Promise<Refined> {
      const raw = await deps.store.get(keyOf(id));
      let parsed: z.infer<typeof entrySchema> | undefined;
      try {
        const result = raw === undefined ? undefined : z.safeParse(entrySchema, JSON.parse(raw));
        parsed = result?.success ? result.data : undefined;
      } catch {
        parsed = undefined;
      }
      // Someone else's job looks exactly like a missing one.
      if (!parsed || parsed.job.userId !== userId) throw new AppError(404, "refine_not_found", "no refinement for this traceId");
      if (parsed.result) return parsed.result;
      return run(parsed.job);
    },
  };
}

export type Refiner = ReturnType<typeof createRefiner>;
