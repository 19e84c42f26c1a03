// Money budgets held at admission like the token quota: the admission step, the budget gate and
// the record step's counters on the real Redis (and the memory store), ten requests at once.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { bundledConfig } from "../lib/config/bundledConfig";
import { type ResolvedEnvironment, environmentOf } from "../lib/config/loadConfig";
import { createBudgetGate } from "../lib/cost/budgetGate";
import type { BudgetSettings } from "../lib/cost/budgetSettings";
import { SPEND_KEY_TTL_SECONDS, spendKeys, spendOfReply } from "../lib/cost/budgetStorePlan";
import { createAdmit } from "../lib/limits/admit";
import { createMemoryStore } from "../lib/store/memoryStore";
import { createRedisStore } from "../lib/store/redisStore";
import type { Store } from "../lib/store/store";
import { recordingLogger } from "./support/recording";

const T0 = Date.UTC(2027, 0, 15, 2, 0, 30);
const devEnv = environmentOf(bundledConfig(), "dev");
const env: ResolvedEnvironment = { ...devEnv, limits: { ...devEnv.limits, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 }, daily_tokens: 10_000_000, store_timeout_ms: 2000 } };
// 100 CNY a million tokens in, 200 out: 200 micro-yuan a token at the dearest.
const prices = { dear: { input_per_million: 100, output_per_million: 200 }, cheap: { input_per_million: 1, output_per_million: 2 } };

/** One request's walk through the money side: admit with a hold, decide, then settle at `cost`. */
async function walk(store: Store, settings: BudgetSettings, prefix: string, userId: string, reserveTokens: number, cost: (most: number) => number) {
  const { logger } = recordingLogger();
  const gate = createBudgetGate({ settings, prefix, logger, prices });
  const admit = createAdmit({ store, env, prefix, logger, now: () => T0 });
  const most = gate.mostCost(reserveTokens, ["cheap", "dear"]);
  const hold = gate.hold(userId, most, T0);
  const admission = await admit({ traceId: randomUUID(), userId, intent: "summarize", reserveTokens, peek: { keys: gate.peekKeys(userId, T0) }, ...(hold ? { hold } : {}) });
  const decision = gate.decide(admission.peeked?.values ?? [], admission.atMs);
  const spent = decision.action === "allow" ? cost(most) : 0;
  await store.record({ increments: gate.charges(userId, spent, admission.atMs, admission.held ?? 0) });
  return { decision: decision.action, spent, held: admission.held ?? 0 };
}

const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe.each([
  ["redis", () => createRedisStore("redis://127.0.0.1:6379")],
  ["memory", () => createMemoryStore(() => T0)],
] as const)("budget holds on the %s store", (_kind, make) => {
  it("one user's 10 parallel requests, each paying a third of its most (as real replies do), stay within the user's budget", async () => {
    const store = make();
    stores.push(store);
    const prefix = `test:hold:${randomUUID()}:`;
    // 0.01 CNY = 10,000 micro-yuan; each request may cost 15 tokens x 200 micro-yuan = 3,000.
    const settings: BudgetSettings = { per_user: { daily_cny: 0.01, policy: "refuse" }, warn_at_percent: 80, degrade_to: {} };
    const results = await Promise.all(Array.from({ length: 10 }, () => walk(store, settings, prefix, "u1", 15, (most) => most / 3)));
    expect(results.every((r) => r.held === 3000)).toBe(true);
    // Each sees the holds of those admitted before it: 0, 3,000, 6,000 and 9,000 are under the budget.
    expect(results.filter((r) => r.decision === "allow")).toHaveLength(4);
    expect(results.filter((r) => r.decision === "refuse")).toHaveLength(6);
    const spent = spendOfReply(await store.get(spendKeys.user(prefix, "u1", T0)));
    expect(spent).toBe(4000);
    expect(spent).toBeLessThanOrEqual(10_000);
    // Every hold was given back at settlement.
    expect(Number(await store.get(spendKeys.userHeld(prefix, "u1", T0)))).toBe(0);
    expect(Number(await store.get(spendKeys.appHeld(prefix, T0)))).toBe(0);
  });

  it("ten users' parallel requests, each paying its most, pass the app's budget by one request's most at most; then it refuses", async () => {
    const store = make();
    stores.push(store);
    const prefix = `test:hold:${randomUUID()}:`;
    const settings: BudgetSettings = { app: { daily_cny: 0.01, policy: "refuse" }, warn_at_percent: 80, degrade_to: {} };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => walk(store, settings, prefix, `u${i}`, 15, (most) => most)));
    expect(results.filter((r) => r.decision === "allow")).toHaveLength(4);
    // 12,000: the budget plus less than one request's most (3,000); without holds, all ten: 30,000.
    expect(spendOfReply(await store.get(spendKeys.app(prefix, T0)))).toBe(12_000);
    expect((await walk(store, settings, prefix, "late", 15, () => 100)).decision).toBe("refuse");
    expect(spendOfReply(await store.get(spendKeys.app(prefix, T0)))).toBe(12_000);
  });
});

describe("the budget gate's holds, alone", () => {
  const { logger } = recordingLogger();
  const settings: BudgetSettings = { app: { daily_cny: 1, policy: "degrade" }, per_user: { daily_cny: 0.5, policy: "refuse" }, warn_at_percent: 80, degrade_to: {} };
  const gate = createBudgetGate({ settings, prefix: "p:", logger, prices });

  it("reads the spend and the holds of the app and the user, in that order", () => {
    expect(gate.peekKeys("u1", T0)).toEqual(["p:spend:v1:app:20270115", "p:spend:v1:user:u1:20270115", "p:spend:v1:held:app:20270115", "p:spend:v1:held:user:u1:20270115"]);
  });

  it("the most a request may cost: every reserved token at the dearest price of its chain, rounded up", () => {
    expect(gate.mostCost(1, ["dear"])).toBe(200);
    expect(gate.mostCost(1, ["cheap"])).toBe(2);
    expect(gate.mostCost(3, ["cheap", "dear", "unpriced"])).toBe(600);
    expect(gate.mostCost(1, ["unpriced"])).toBe(0);
    expect(gate.mostCost(0, ["dear"])).toBe(0);
    expect(gate.mostCost(-5, ["dear"])).toBe(0);
    expect(createBudgetGate({ settings, prefix: "p:", logger, prices: { odd: { input_per_million: 0.0015, output_per_million: 0 } } }).mostCost(1, ["odd"])).toBe(1);
    expect(createBudgetGate({ settings, prefix: "p:", logger }).mostCost(1000, ["dear"])).toBe(0);
  });

  it("holds on the app's and the user's held counters for two days, nothing for nothing", () => {
    expect(gate.hold("u1", 42, T0)).toEqual({ keys: ["p:spend:v1:held:app:20270115", "p:spend:v1:held:user:u1:20270115"], amount: 42, ttlSeconds: SPEND_KEY_TTL_SECONDS });
    expect(gate.hold("u1", 0, T0)).toBeUndefined();
    const off = createBudgetGate({ settings: { warn_at_percent: 80, degrade_to: {} }, prefix: "p:", logger, prices });
    expect(off.hold("u1", 42, T0)).toBeUndefined();
    expect(off.peekKeys("u1", T0)).toEqual([]);
    expect(off.charges("u1", 5, T0, 42)).toEqual([]);
    expect(off.decide(["999999999"], T0)).toEqual({ action: "allow" });
  });

  it("settles: the real cost on the spend counters, then the hold given back", () => {
    const ttl = SPEND_KEY_TTL_SECONDS;
    expect(gate.charges("u1", 7, T0, 42)).toEqual([
      { key: "p:spend:v1:app:20270115", by: 7, ttlSeconds: ttl },
      { key: "p:spend:v1:user:u1:20270115", by: 7, ttlSeconds: ttl },
      { key: "p:spend:v1:held:app:20270115", by: -42, ttlSeconds: ttl },
      { key: "p:spend:v1:held:user:u1:20270115", by: -42, ttlSeconds: ttl },
    ]);
    expect(gate.charges(undefined, 0, T0, 42)).toEqual([{ key: "p:spend:v1:held:app:20270115", by: -42, ttlSeconds: ttl }]);
    expect(gate.charges("u1", 7, T0)).toHaveLength(2);
  });

  it("decides on the spend plus what requests in flight hold", () => {
    // User budget 500,000 micro-yuan; app budget 1,000,000 (degrade).
    expect(gate.decide(["0", "300000", "0", "199999"], T0)).toEqual({ action: "allow" });
    expect(gate.decide(["0", "300000", "0", "200000"], T0)).toMatchObject({ action: "refuse", scope: "user", spentMicroYuan: 500_000 });
    expect(gate.decide(["0", "500000", "0", "0"], T0)).toMatchObject({ action: "refuse", scope: "user" });
    expect(gate.decide(["600000", "0", "400000", "0"], T0)).toMatchObject({ action: "degrade", scope: "app", spentMicroYuan: 1_000_000 });
    expect(gate.decide(["600000", "0", "399999", "0"], T0)).toEqual({ action: "allow" });
    // A hold released below zero (a late settlement) is read as nothing, never as credit.
    expect(gate.decide(["0", "500000", "0", "-100000"], T0)).toMatchObject({ action: "refuse" });
  });

  it("reports crossings only for a charge, each with its scope's policy; a user's only with a user", () => {
    const log = recordingLogger();
    const g = createBudgetGate({ settings, prefix: "p:", logger: log.logger, prices });
    g.reportCrossings(0, [2_000_000, 2_000_000], true);
    g.reportCrossings(0, [], true);
    expect(log.lines).toEqual([]);
    g.reportCrossings(10, [800_005, 5], true);
    g.reportCrossings(10, [1_000_005, 5], true);
    // No user: the second total (a hold's release) is not the user's spend.
    g.reportCrossings(10, [5, 500_005], false);
    g.reportCrossings(10, [5, 400_005], true);
    expect(log.lines).toEqual([
      { level: "warn", msg: "budget warning", fields: { scope: "app", spentCny: 0.800005, budgetCny: 1, policy: "degrade", percent: 80 } },
      { level: "error", msg: "budget exhausted", fields: { scope: "app", spentCny: 1.000005, budgetCny: 1, policy: "degrade" } },
      { level: "warn", msg: "budget warning", fields: { scope: "user", spentCny: 0.400005, budgetCny: 0.5, policy: "refuse", percent: 80 } },
    ]);
  });
});
