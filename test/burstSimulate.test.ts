// The SCF instance model, one documented behaviour per case, on hand-made traffic whose answer
// is known: per-instance limit, warm reuse, idle reclaim, provisioned and warm instances,
// launch and scale-out rates, quota, timeout, idle billing, crons. Pure and seeded.
import { describe, expect, it } from "vitest";
import { cronFirings } from "../scripts/burst/cron";
import { DEFAULT_MODEL, type InstanceModel, type ReplayRequest } from "../scripts/burst/instanceModel";
import { beijingTime } from "../scripts/burst/shapes";
import { simulate } from "../scripts/burst/simulate";
import { minuteRows, summarize } from "../scripts/burst/summarize";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const model: InstanceModel = { ...DEFAULT_MODEL, coldStartMs: [300] };
const at = (seconds: number, serviceMs = 1000): ReplayRequest => ({ at: T0 + seconds * 1000, serviceMs });
const none = { name: "none" };

describe("requests and instances", () => {
  it("gives each concurrent request its own instance at the default limit of one, each paying a cold start", () => {
    const r = simulate([at(0), at(0.1), at(0.2)], none, model, { seed: 1, startMs: T0 });
    expect(r.outcomes.map((o) => o.cold)).toEqual([true, true, true]);
    expect(r.outcomes.map((o) => o.latencyMs)).toEqual([1300, 1300, 1300]);
    expect(r.minutes[0]!.started).toBe(3);
  });

  it("shares one instance when a function allows several requests per instance", () => {
    const r = simulate([at(0), at(0.5), at(0.6)], none, { ...model, perInstanceConcurrency: 3 }, { seed: 1, startMs: T0 });
    expect(r.outcomes.map((o) => o.cold)).toEqual([true, false, false]);
  });

  it("reuses a warm instance, and starts cold again after the idle reclaim", () => {
    const r = simulate([at(0), at(10), at(10 + 5 * 60 + 30)], none, model, { seed: 1, startMs: T0 });
    expect(r.outcomes.map((o) => o.cold)).toEqual([true, false, true]);
  });

  it("starts provisioned and warm-pinged instances warm", () => {
    const requests = [at(1), at(1), at(1), at(1), at(1)];
    expect(summarize(simulate(requests, { name: "p", provisioned: { mode: "static", count: 3 } }, model, { seed: 1, startMs: T0 })).coldHits).toBe(2);
    expect(summarize(simulate(requests, { name: "w", warmup: { count: 5, cron: "0 */4 * * * * *" } }, model, { seed: 1, startMs: T0 })).coldHits).toBe(0);
  });

  it("launches a scheduled ramp at 100 instances a minute", () => {
    const eightForty = beijingTime("2026-11-23", 8, 40);
    const ramp = { name: "ramp", provisioned: { mode: "scheduled" as const, count: 0, actions: [{ name: "up", count: 150, cron: "0 40 8 * * MON-FRI *" }, { name: "down", count: 0, cron: "0 30 10 * * * *" }] } };
    const r = simulate([{ at: eightForty + 5 * 60_000, serviceMs: 10 }], ramp, model, { seed: 1, startMs: eightForty - 60_000 });
    // Ready counts are read every 10 s: none before 08:40, 100 in its first minute, all 150 after 90 s.
    expect(r.minutes.slice(0, 3).map((m) => m.provisioned)).toEqual([0, 100, 150]);
  });

  it("refuses past the scale-out rate with 429 and past the quota with 432", () => {
    const burst = Array.from({ length: 600 }, () => at(0, 5000));
    const rate = summarize(simulate(burst, none, { ...model, maxInstances: 10_000 }, { seed: 1, startMs: T0 }));
    expect(rate.throttled429).toBe(100);
    const quota = summarize(simulate([at(0), at(0), at(0)], none, { ...model, maxInstances: 2 }, { seed: 1, startMs: T0 }));
    expect(quota.overQuota432).toBe(1);
  });

  it("fails a request that would outlast the function's timeout", () => {
    const r = simulate([at(0, 59_900)], none, model, { seed: 1, startMs: T0 });
    expect(r.outcomes[0]).toMatchObject({ status: 504, latencyMs: 60_000 });
  });

  it("bills idle provisioned instances per 10 s as max(started - concurrency, 0)", () => {
    const r = simulate([at(5, 20_000)], { name: "p", provisioned: { mode: "static", count: 4 } }, model, { seed: 1, startMs: T0, endMs: T0 + 60_000 });
    // 6 buckets of 10 s x 4 instances, minus one busy instance in the 3 buckets it touches.
    expect(r.idleProvisionedInstanceSeconds).toBe(6 * 10 * 4 - 3 * 10);
    expect(r.idleProvisionedGbSeconds).toBe((r.idleProvisionedInstanceSeconds * 256) / 1024);
  });

  it("is deterministic for a seed", () => {
    const varied = { ...model, coldStartMs: [200, 300, 400, 500] };
    const requests = Array.from({ length: 50 }, (_, i) => at(i * 0.05));
    expect(simulate(requests, none, varied, { seed: 7 }).outcomes).toEqual(simulate(requests, none, varied, { seed: 7 }).outcomes);
  });
});

describe("minute rows", () => {
  it("counts each minute's requests and takes nearest-rank percentiles of its latencies", () => {
    const requests = Array.from({ length: 100 }, (_, i) => ({ at: T0 + i * 100, serviceMs: (i + 1) * 10 }));
    const r = simulate(requests, { name: "p", provisioned: { mode: "static", count: 100 } }, model, { seed: 1, startMs: T0 });
    const [row] = minuteRows(r);
    expect(row).toMatchObject({ requests: 100, coldHits: 0, p50: 500, p95: 950, p99: 990 });
  });
});

describe("7-field crons", () => {
  it("fires at 08:40 Beijing on weekdays only", () => {
    const week = cronFirings("0 40 8 * * MON-FRI *", Date.parse("2026-11-23T00:00:00Z"), Date.parse("2026-11-30T00:00:00Z"), 480);
    expect(week.map((t) => new Date(t).toISOString())).toEqual(["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"].map((d) => `${d}T00:40:00.000Z`));
  });

  it("reads steps and rejects a cron without 7 fields", () => {
    expect(cronFirings("0 */4 * * * * *", T0, T0 + 3_600_000, 480)).toHaveLength(15);
    expect(() => cronFirings("0 40 8 * * *", T0, T0 + 1, 480)).toThrow("expected 7 fields");
  });
});
