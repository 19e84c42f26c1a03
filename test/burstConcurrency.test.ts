// Many requests per instance in the burst model: the stages file's concurrency, an instance that
// slows when its requests need more CPU than its share, instance GB-s as instances x memory x
// busy time, and (issue 23, must show) the 9:00 shape with the recommended setting: at most 0.1%
// of requests meet a cold start and instance GB-s per 1,000 answers at least 5x lower than one
// request per instance.
import { describe, expect, it } from "vitest";
import { MEASURED } from "../scripts/capacity/measured";
import { concurrencyFromStages } from "../scripts/burst/concurrencySetting";
import { readFlags } from "../scripts/burst/flags";
import { cpuBoundLatency, DEFAULT_MODEL, type InstanceModel, type ReplayRequest } from "../scripts/burst/instanceModel";
import { chooseConcurrency, concurrencyCandidates, type ConcurrencyOption } from "../scripts/burst/planConcurrency";
import { planFunction } from "../scripts/burst/plan";
import { DEFAULT_LATENCY, NINE_AM, nineAmTrace } from "../scripts/burst/shapes";
import { simulate } from "../scripts/burst/simulate";
import { summarize } from "../scripts/burst/summarize";
import { manifestSetting } from "../scripts/burst/manifestSetting";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const model: InstanceModel = { ...DEFAULT_MODEL, coldStartMs: [300], cpuMsPerRequest: 10, cpuShare: 0.25 };
const at = (seconds: number, serviceMs = 1000): ReplayRequest => ({ at: T0 + seconds * 1000, serviceMs });
const none = { name: "none" };

describe("concurrency from the stages file", () => {
  const stages = `stages:\n  prod:\n    concurrency:\n      summarize: { mode: static, max: 30 }\n      support: { mode: dynamic, max: 12 }\n      extract: 7\n  dev: {}\n`;
  it("reads static, dynamic (its maximum) and a bare number, and takes SCF's 1 when unset", () => {
    expect(concurrencyFromStages(stages, "prod", "summarize").perInstance).toBe(30);
    expect(concurrencyFromStages(stages, "prod", "support")).toEqual({ perInstance: 12, source: "scripts/deploy/stages.yml stages.prod.concurrency.support: dynamic, at most 12" });
    expect(concurrencyFromStages(stages, "prod", "extract").perInstance).toBe(7);
    expect(concurrencyFromStages(stages, "prod", "recommend")).toEqual({ perInstance: 1, source: "scripts/deploy/stages.yml sets no stages.prod.concurrency.recommend: SCF's default, 1" });
    expect(concurrencyFromStages(stages, "dev", "summarize").perInstance).toBe(1);
    expect(concurrencyFromStages("initTimeout: 10\n", "prod", "summarize").perInstance).toBe(1);
  });

  it("refuses a value SCF would refuse, naming the file", () => {
    expect(() => concurrencyFromStages("stages:\n  prod:\n    concurrency:\n      summarize: { mode: static, max: 101 }\n", "prod", "summarize")).toThrow(/stages\.yml: stages\.prod\.concurrency\.summarize/);
  });
});

describe("an instance's CPU share", () => {
  it("leaves a request its model latency while the share suffices, and stretches it past that", () => {
    expect(cpuBoundLatency(1000, 25, model)).toBe(1000);
    expect(cpuBoundLatency(1000, 50, model)).toBe(2000);
  });

  it("slows every request of a crowded instance in the simulation", () => {
    // One request starts the instance; 40 arrive together once it is warm.
    const crowd = [at(0, 100), ...Array.from({ length: 40 }, () => at(1))];
    const r = simulate(crowd, none, { ...model, perInstanceConcurrency: 40 }, { seed: 1, startMs: T0 });
    const latencies = r.outcomes.slice(1).map((o) => o.latencyMs);
    expect(r.outcomes.slice(1).every((o) => !o.cold)).toBe(true);
    // 25 in flight need 250 ms of CPU a second at a quarter core: the 26th is the first it cannot carry.
    expect(latencies.slice(0, 25).every((ms) => ms === 1000)).toBe(true);
    expect(latencies[25]).toBe((26 * 10) / 0.25);
    expect(latencies[39]).toBe((40 * 10) / 0.25);
  });
});

describe("instance GB-s", () => {
  it("counts an instance's busy time once however many requests overlap, and each request alone at one per instance", () => {
    const requests = [at(0, 2000), at(1, 2000)];
    const shared = simulate(requests, none, { ...model, perInstanceConcurrency: 2 }, { seed: 1, startMs: T0 });
    const single = simulate(requests, none, model, { seed: 1, startMs: T0 });
    // Shared: busy from 0 (the first waits 0.3 s for its cold start) until the second ends at 3 s.
    // Single: each request on its own cold instance, 2.3 s each.
    expect(shared.activeInstanceGbSeconds).toBeCloseTo(3 * 0.25, 6);
    expect(single.activeInstanceGbSeconds).toBeCloseTo(4.6 * 0.25, 6);
    expect(summarize(shared).instanceGbSecondsPer1000).toBeCloseTo((1000 * 3 * 0.25) / 2, 6);
  });

  it("counts a request still running at the end of the replay until it finishes", () => {
    const r = simulate([at(50, 30_000)], none, model, { seed: 1, startMs: T0, endMs: T0 + 60_000 });
    expect(r.activeInstanceGbSeconds).toBeCloseTo(30.3 * 0.25, 6);
  });
});

describe("choosing concurrency with the schedule", () => {
  it("offers 1, the usual steps up to the capacity limit, and the configured value", () => {
    expect(concurrencyCandidates(10, 25)).toEqual([1, 2, 5, 10, 20, 25]);
    expect(concurrencyCandidates(40, 12)).toEqual([1, 2, 5, 10, 12, 40]);
  });

  it("takes the cheapest option in GB-s that meets the target, else the closest to it", () => {
    const option = (perInstance: number, totalGbSeconds: number, meetsTarget: boolean, worst = 0): ConcurrencyOption => ({ perInstance, totalGbSeconds, plan: { chosen: { meetsTarget, summary: { worstWindowColdPct: worst } } } as never });
    expect(chooseConcurrency([option(1, 900, true), option(10, 100, true), option(30, 50, false)]).perInstance).toBe(10);
    expect(chooseConcurrency([option(1, 900, false, 5), option(10, 100, false, 2)]).perInstance).toBe(10);
  });

  it("on the 9:00 shape, recommends a setting at which at most 0.1% of requests meet a cold start, at 1/5 or less of one request per instance's GB-s per 1,000 answers", async () => {
    const trace = nineAmTrace(NINE_AM, DEFAULT_LATENCY, 1).map((r) => ({ at: r.at, ms: r.serviceMs }));
    // The measured defaults: CPU per request and the MaxConcurrency the capacity run recommends.
    const r = await planFunction(readFlags(["--cold-start-ms", "250,350", "--target", "0.1", "--scope", "all"]), "summarize", trace);
    const one = r.options.find((o) => o.perInstance === 1)!.plan.chosen.summary;
    const chosen = r.plan.chosen.summary;
    expect(r.limit).toBe(MEASURED.maxConcurrency.summarize);
    expect(r.perInstance).toBeGreaterThan(1);
    expect(chosen.coldPct).toBeLessThanOrEqual(0.1);
    expect(chosen.instanceGbSecondsPer1000 * 5).toBeLessThanOrEqual(one.instanceGbSecondsPer1000);
  }, 120_000);
});

describe("the manifest's warm-up, as the burst model sees it", () => {
  it("is every ping the deploy sends: instances kept warm x requests per instance", () => {
    const setting = manifestSetting("scripts/deploy/stages.yml", "prod", "summarize");
    // prod keeps 2 summarize instances warm at 25 requests each: the timer sends 50 pings at once.
    expect(setting.warmup?.count).toBe(50);
    expect(setting.name).toContain("2 instance(s) kept warm (50 pings");
  });
});
