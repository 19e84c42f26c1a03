// Budgets: Beijing-day date math, the before/after decisions, and exactly-once crossings when
// two instances charge the same real Redis counters at the same time.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { parse as parseYaml } from "yaml";
import * as z from "zod/mini";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beijingDay, beijingDayBounds, beijingDayKey, beijingHour, DAY_MS, msUntilBeijingMidnight, retryAfterUntilBeijingMidnight } from "../lib/time/beijingTime";
import { budgetCrossings, budgetRefusal, decideBudget, degradedRoute, thresholdCrossed, warnLine } from "../lib/cost/budget";
import { type BudgetSettings, budgetSettingsSchema, defaultBudgetSettings } from "../lib/cost/budgetSettings";
import { type BudgetGate, createBudgetGate } from "../lib/cost/budgetGate";
import { spendKeys, spendOfReply, SPEND_KEY_TTL_SECONDS } from "../lib/cost/budgetStorePlan";
import { createLogger } from "../lib/observability/logger";
import { createRedisStore } from "../lib/store/redisStore";
import type { Store } from "../lib/store/store";

const at = (iso: string) => Date.parse(iso);

describe("Beijing days", () => {
  it("turn at 16:00 UTC", () => {
    expect(beijingDay(at("2026-11-24T15:59:59.999Z"))).toBe("2026-11-24");
    expect(beijingDay(at("2026-11-24T16:00:00.000Z"))).toBe("2026-11-25");
    expect(beijingDayKey(at("2026-11-24T16:00:00.000Z"))).toBe("20261125");
    // UTC midnight is 08:00 in Beijing: still the same day there.
    expect(beijingDay(at("2026-11-24T00:00:00.000Z"))).toBe("2026-11-24");
    expect(beijingDay(at("2026-11-23T23:59:59.999Z"))).toBe("2026-11-24");
    expect(beijingDay(at("2026-12-31T16:00:00.000Z"))).toBe("2027-01-01");
    expect(beijingDay(at("2028-02-28T16:00:00.000Z"))).toBe("2028-02-29");
  });

  it("count down to Beijing midnight", () => {
    expect(msUntilBeijingMidnight(at("2026-11-24T15:59:59.999Z"))).toBe(1);
    expect(msUntilBeijingMidnight(at("2026-11-24T16:00:00.000Z"))).toBe(DAY_MS);
    expect(msUntilBeijingMidnight(at("2026-11-24T00:00:00.000Z"))).toBe(16 * 3600 * 1000);
    expect(msUntilBeijingMidnight(at("1969-12-31T16:00:00.000Z"))).toBe(DAY_MS);
    expect(retryAfterUntilBeijingMidnight(at("2026-11-24T15:59:59.999Z"))).toBe(1);
    expect(retryAfterUntilBeijingMidnight(at("2026-11-24T15:59:58.500Z"))).toBe(2);
    expect(retryAfterUntilBeijingMidnight(at("2026-11-24T16:00:00.000Z"))).toBe(86_400);
  });

  it("hours of the Beijing day", () => {
    expect(beijingHour(at("2026-11-24T15:30:00Z"))).toBe(23);
    expect(beijingHour(at("2026-11-24T16:00:00Z"))).toBe(0);
    expect(beijingHour(at("2026-11-24T01:00:00Z"))).toBe(9);
    expect(beijingHour(at("1969-12-31T16:00:00Z"))).toBe(0);
  });

  it("bounds of a day given as YYYY-MM-DD, and nothing for other text", () => {
    expect(beijingDayBounds("2026-11-24")).toEqual({ startMs: at("2026-11-23T16:00:00Z"), endMs: at("2026-11-24T16:00:00Z") });
    for (const bad of ["2026-02-30", "2026-1-5", "20261124", "", "2026-11-24T00:00", "2026-13-01"]) expect(beijingDayBounds(bad)).toBeUndefined();
  });

  it("agree with the time-zone database for Asia/Shanghai over ten years of instants", () => {
    const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" });
    const start = at("2020-01-01T00:00:00Z");
    for (let i = 0; i < 2000; i++) {
      const t = start + Math.floor(((i * 2654435761) % 4_294_967_296) / 4_294_967_296 * 10 * 365 * DAY_MS);
      const parts = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value]));
      expect(beijingDay(t)).toBe(`${parts.year}-${parts.month}-${parts.day}`);
      expect(beijingHour(t)).toBe(Number(parts.hour));
      const bounds = beijingDayBounds(beijingDay(t));
      expect(bounds && t >= bounds.startMs && t < bounds.endMs).toBe(true);
      expect(t + msUntilBeijingMidnight(t)).toBe(bounds?.endMs);
    }
  });
});

describe("budget settings", () => {
  it("default to no budget, warning at 80%, degrade strong to fast", () => {
    expect(z.parse(budgetSettingsSchema, {})).toEqual(defaultBudgetSettings());
    expect(defaultBudgetSettings()).toEqual({ warn_at_percent: 80, degrade_to: { strong: "fast" } });
  });

  it("read the README's example block, and refuse bad values with their path", () => {
    const block = parseYaml("app:\n  daily_cny: 300\n  policy: degrade\nper_user:\n  daily_cny: 1.5\nwarn_at_percent: 80\n");
    expect(z.parse(budgetSettingsSchema, block)).toEqual({ app: { daily_cny: 300, policy: "degrade" }, per_user: { daily_cny: 1.5, policy: "refuse" }, warn_at_percent: 80, degrade_to: { strong: "fast" } });
    const bad = z.safeParse(budgetSettingsSchema, { app: { daily_cny: -1, policy: "panic" }, warn_at_percent: 100 });
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["app.daily_cny", "app.policy", "warn_at_percent"]));
  });
});

describe("decideBudget (before the model)", () => {
  const settings: BudgetSettings = { app: { daily_cny: 100, policy: "degrade" }, per_user: { daily_cny: 1, policy: "refuse" }, warn_at_percent: 80, degrade_to: { strong: "fast" } };
  const now = at("2026-11-24T12:00:00Z"); // 20:00 in Beijing: 4 h to midnight

  it("allows under every budget", () => {
    expect(decideBudget(settings, { appMicroYuan: 99_999_999, userMicroYuan: 999_999 }, now)).toEqual({ action: "allow" });
    expect(decideBudget(defaultBudgetSettings(), { appMicroYuan: 1e15, userMicroYuan: 1e15 }, now)).toEqual({ action: "allow" });
  });

  it("applies the policy of a spent budget", () => {
    expect(decideBudget(settings, { appMicroYuan: 100_000_000, userMicroYuan: 0 }, now)).toEqual({ action: "degrade", scope: "app", spentMicroYuan: 100_000_000, budgetMicroYuan: 100_000_000 });
    expect(decideBudget(settings, { appMicroYuan: 0, userMicroYuan: 1_000_000 }, now)).toEqual({ action: "refuse", scope: "user", spentMicroYuan: 1_000_000, budgetMicroYuan: 1_000_000, retryAfterSeconds: 4 * 3600 });
    // Both spent: refuse beats degrade. No user known: only the app budget counts.
    expect(decideBudget(settings, { appMicroYuan: 200_000_000, userMicroYuan: 2_000_000 }, now).action).toBe("refuse");
    expect(decideBudget(settings, { appMicroYuan: 0 }, now)).toEqual({ action: "allow" });
  });

  it("degrade routes strong to fast and drops refine; refuse is a 429 until Beijing midnight", () => {
    expect(degradedRoute(settings, { alias: "strong", refine: "strong" })).toEqual({ alias: "fast", refine: undefined });
    expect(degradedRoute(settings, { alias: "fast" })).toEqual({ alias: "fast", refine: undefined });
    const refusal = budgetRefusal({ action: "refuse", scope: "user", spentMicroYuan: 1, budgetMicroYuan: 1, retryAfterSeconds: 14_400 });
    expect(refusal).toEqual({ status: 429, code: "budget_exceeded", message: "your daily budget for AI answers is spent; try again after midnight Beijing time", headers: { "retry-after": "14400" } });
  });
});

describe("crossings (after the charge)", () => {
  const settings: BudgetSettings = { app: { daily_cny: 200, policy: "refuse" }, warn_at_percent: 80, degrade_to: {} };

  it("the line is crossed by exactly the charge that reaches it", () => {
    expect(thresholdCrossed(99, 100, 100)).toBe(true);
    expect(thresholdCrossed(100, 150, 100)).toBe(false);
    expect(thresholdCrossed(50, 99, 100)).toBe(false);
    expect(warnLine(200_000_000, 80)).toBe(160_000_000);
    expect(warnLine(3, 33.3)).toBe(1);
  });

  it("reports warn once, and exhausted once, per scope", () => {
    expect(budgetCrossings(settings, 10, { appMicroYuan: 160_000_005 })).toEqual([{ kind: "warn", scope: "app", policy: "refuse", spentMicroYuan: 160_000_005, budgetMicroYuan: 200_000_000, lineMicroYuan: 160_000_000 }]);
    expect(budgetCrossings(settings, 10, { appMicroYuan: 160_000_015 })).toEqual([]);
    expect(budgetCrossings(settings, 50_000_000, { appMicroYuan: 201_000_000 }).map((c) => c.kind)).toEqual(["warn", "exhausted"]);
    const both: BudgetSettings = { ...settings, per_user: { daily_cny: 0.01, policy: "refuse" } };
    expect(budgetCrossings(both, 2000, { appMicroYuan: 5000, userMicroYuan: 9000 })).toEqual([{ kind: "warn", scope: "user", policy: "refuse", spentMicroYuan: 9000, budgetMicroYuan: 10_000, lineMicroYuan: 8000 }]);
  });
});

describe("on the real Redis: two instances charging one day", () => {
  const prefix = `test:${randomUUID()}:`;
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
    b = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  });
  const stores: Store[] = [];
  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length > 0) await a.del(...keys);
    a.disconnect();
    b.disconnect();
    for (const store of stores) await store.close();
  });

  it("sees the warning and the exhaustion exactly once between them, and the counter sums exactly", async () => {
    const settings: BudgetSettings = { app: { daily_cny: 0.05, policy: "refuse" }, per_user: { daily_cny: 0.02, policy: "refuse" }, warn_at_percent: 80, degrade_to: {} };
    const now = at("2026-11-24T15:59:00Z");
    const charges = Array.from({ length: 120 }, (_, i) => 100 + ((i * 7919) % 900)); // 100..999 micro-yuan each
    // Two instances: each its own store connection and budget gate, as the record step uses them.
    const lines: { msg: string; scope: string }[] = [];
    const logger = createLogger("info", (line) => lines.push(JSON.parse(line) as { msg: string; scope: string }));
    const instance = () => ({ store: createRedisStore("redis://127.0.0.1:6379"), gate: createBudgetGate({ settings, prefix, logger }) });
    const [one, two] = [instance(), instance()];
    stores.push(one.store, two.store);
    const charge = async (i: { store: Store; gate: BudgetGate }, microYuan: number, userId: string) => {
      const { totals } = await i.store.record({ increments: i.gate.charges(userId, microYuan, now) });
      i.gate.reportCrossings(microYuan, totals, true);
    };
    await Promise.all(charges.map((c, i) => charge(i % 2 === 0 ? one : two, c, i % 3 === 0 ? "u1" : "u2")));
    const total = charges.reduce((s, c) => s + c, 0);
    expect(spendOfReply(await a.get(spendKeys.app(prefix, now)))).toBe(total);
    const u1 = charges.filter((_, i) => i % 3 === 0).reduce((s, c) => s + c, 0);
    expect(spendOfReply(await a.get(spendKeys.user(prefix, "u1", now)))).toBe(u1);
    expect(total).toBeGreaterThan(50_000);
    expect(u1).toBeGreaterThan(20_000);
    const msgOf = { warn: "budget warning", exhausted: "budget exhausted" } as const;
    const count = (kind: keyof typeof msgOf, scope: string) => lines.filter((l) => l.msg === msgOf[kind] && l.scope === scope).length;
    expect([count("warn", "app"), count("exhausted", "app")]).toEqual([1, 1]);
    // Both users crossed their own lines, each once.
    expect([count("warn", "user"), count("exhausted", "user")]).toEqual([2, 2]);
    // Keys are per Beijing day (15:59 UTC is 23:59 on the 24th there) and expire.
    expect(spendKeys.app(prefix, now)).toBe(`${prefix}spend:v1:app:20261124`);
    const ttl = await a.ttl(spendKeys.app(prefix, now));
    expect(ttl).toBeGreaterThan(SPEND_KEY_TTL_SECONDS - 60);
    // The admission side reads them back as integers; missing counters are 0.
    expect(spendOfReply(null)).toBe(0);
    expect(decideBudget(settings, { appMicroYuan: total, userMicroYuan: u1 }, now)).toMatchObject({ action: "refuse", retryAfterSeconds: 60 });
  });

  it("charges nothing for a free request", () => {
    const gate = createBudgetGate({ settings: { app: { daily_cny: 1, policy: "refuse" }, warn_at_percent: 80, degrade_to: {} }, prefix, logger: createLogger("error", () => undefined) });
    expect(gate.charges("u1", 0, Date.now())).toEqual([]);
    expect(gate.charges(undefined, 5, at("2026-11-24T16:00:00Z"))).toEqual([{ key: `${prefix}spend:v1:app:20261125`, by: 5, ttlSeconds: SPEND_KEY_TTL_SECONDS }]);
  });
});
