// What is held on the budget counters for a refining answer and for a /refine call, on the real
// Redis: the refine target's models count (before, /ask held only the fast model's most, and
// /refine held nothing).
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createAdmitAsk } from "../lib/ask/admitAsk";
import type { Plan } from "../lib/ask/prepareAsk";
import { reserveTokensOf } from "../lib/limits/reserveTokens";
import { bundledConfig } from "../lib/config/bundledConfig";
import { type ResolvedEnvironment, environmentOf } from "../lib/config/loadConfig";
import { createBudgetGate } from "../lib/cost/budgetGate";
import type { BudgetSettings } from "../lib/cost/budgetSettings";
import { spendKeys, spendOfReply } from "../lib/cost/budgetStorePlan";
import { INTENTS } from "../lib/intents/registry";
import { createAdmit } from "../lib/limits/admit";
import { createRecordRequest } from "../lib/record/recordRequest";
import { createRefineAdmission } from "../lib/refine/refineBudget";
import { createRedisStore } from "../lib/store/redisStore";
import { storeKeys } from "../lib/store/storeKeys";
import { recordingLogger } from "./support/recording";

const config = bundledConfig();
const devEnv = environmentOf(config, "dev");
const env: ResolvedEnvironment = { ...devEnv, limits: { ...devEnv.limits, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 }, daily_tokens: 10_000_000, store_timeout_ms: 2000 } };
const settings: BudgetSettings = { per_user: { daily_cny: 1, policy: "refuse" }, warn_at_percent: 80, degrade_to: {} };
const store = createRedisStore("redis://127.0.0.1:6379");
afterAll(() => store.close());
const { logger } = recordingLogger();

describe("the hold of a refining /ask", () => {
  // 1 and 200 micro-yuan a token at the dearest: fast and strong.
  const prices = { cheap: { input_per_million: 1, output_per_million: 1 }, dear: { input_per_million: 100, output_per_million: 200 } };
  const chains: Record<string, string[]> = { fast: ["cheap"], strong: ["dear"] };
  const admitAskOn = (prefix: string, refineAliasOf?: (p: Plan["profile"]) => string | undefined) =>
    createAdmitAsk({
      admit: createAdmit({ store, env, prefix, logger }),
      budget: createBudgetGate({ settings, prefix, logger, prices }),
      budgetSettings: settings,
      now: Date.now,
      chainModels: (alias) => chains[alias] ?? [],
      ...(refineAliasOf ? { refineAliasOf } : {}),
    });
  const plan = (profile: { model: string; refine?: string }) => ({ traceId: randomUUID(), userId: "u1", intent: { name: "summarize" }, profile, reserveTokens: 15, cache: "off" }) as unknown as Plan;

  it("holds the fast call's most and the refine target's most (an alias)", async () => {
    const prefix = `test:budgetRefineHold:${randomUUID()}:`;
    const { admission } = await admitAskOn(prefix)(plan({ model: "fast", refine: "strong" }));
    expect(admission.held).toBe(15 * 1 + 15 * 200);
    expect(spendOfReply(await store.get(spendKeys.userHeld(prefix, "u1", Date.now())))).toBe(3015);
    expect((await admitAskOn(prefix)(plan({ model: "fast" }))).admission.held).toBe(15);
  });

  it("a refine: naming a profile is held at that profile's alias", async () => {
    const prefix = `test:budgetRefineHold:${randomUUID()}:`;
    const { admission } = await admitAskOn(prefix, (p) => (p.refine === "summarize_strong" ? "strong" : p.refine))(plan({ model: "fast", refine: "summarize_strong" }));
    expect(admission.held).toBe(3015);
  });
});

describe("the hold of a /refine call", () => {
  it("holds the strong call's most for the job's prompt until release(), nothing for a settled job", async () => {
    const prefix = `test:budgetRefineHold:${randomUUID()}:`;
    const budget = createBudgetGate({ settings, prefix, logger, prices: config.prices });
    const chainModels = (alias: string) => (config.aliases[alias]?.[env.name] ?? []).map((e) => e.model);
    const admitRefine = createRefineAdmission({
      config, intents: INTENTS, store, prefix, budget, chainModels, toolRounds: config.tools.max_rounds,
      admit: createAdmit({ store, env, prefix, logger }),
      record: createRecordRequest({ store, env, prefix, logger }),
    });
    const job = { traceId: "t-hold", userId: "u1", intent: "summarize", profile: "summarize_v2", input: { text: "A long article about mini programs. ".repeat(20), maxBullets: 3 } };
    await store.set(storeKeys.refine(prefix, "u1:t-hold"), JSON.stringify({ job }), 60);
    const target = config.profiles.summarize_v2!;
    const most = budget.mostCost(reserveTokensOf({ ...target, model: "strong" }, INTENTS.summarize!.prepare(job.input, undefined), config.tools.max_rounds), chainModels("strong"));
    expect(most).toBeGreaterThan(0);
    const held = () => store.get(spendKeys.userHeld(prefix, "u1", Date.now())).then(spendOfReply);
    const permit = await admitRefine("u1", "t-hold");
    expect(await held()).toBe(most);
    await permit.release();
    expect(await held()).toBe(0);
    // Settled: served from the store, no model call, nothing held.
    await store.set(storeKeys.refine(prefix, "u1:t-hold"), JSON.stringify({ job, result: { answer: "x", model: "m", profile: "summarize_v2", usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } } }), 60);
    await (await admitRefine("u1", "t-hold")).release();
    expect(await held()).toBe(0);
    // Someone else's job: nothing held either.
    await store.set(storeKeys.refine(prefix, "u2:t-hold"), JSON.stringify({ job }), 60);
    await admitRefine("u2", "t-hold");
    expect(await store.get(spendKeys.userHeld(prefix, "u2", Date.now())).then(spendOfReply)).toBe(0);
  });
});
