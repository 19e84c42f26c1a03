// The planner's arithmetic (Little's law, concurrency per slot, lead times, cost) on hand-made
// numbers, and the known-answer case: a steady 20 in flight with a 9:00 spike to 200 every day.
// Cold-start figures here are inputs (the real bundles' figures are measured in burstReal.test.ts).
import { describe, expect, it } from "vitest";
import { concurrencyPerSlot, dailyProfile, dayStarts, daysSeen, littlesLaw } from "../scripts/burst/concurrency";
import { DEFAULT_PRICES, idleCost, monthly } from "../scripts/burst/cost";
import { DEFAULT_MODEL, type InstanceModel } from "../scripts/burst/instanceModel";
import { leadMinutes, type PlanInputs, planProvisioned, weekField } from "../scripts/burst/planSchedule";
import { DAY, DEFAULT_LATENCY, beijingTime, meanLatencyMs, steadySpikeTrace } from "../scripts/burst/shapes";
import { simulate } from "../scripts/burst/simulate";
import { summarize } from "../scripts/burst/summarize";

const model: InstanceModel = { ...DEFAULT_MODEL, coldStartMs: [250, 300, 350] };

describe("concurrency arithmetic", () => {
  it("Little's law: 600 arrivals in 5 minutes at 2.5 s each keep 5 in flight", () => {
    expect(littlesLaw(600, 300_000, 2500)).toBe(5);
    expect(littlesLaw(0, 300_000, 2500)).toBe(0);
  });

  it("finds each slot's peak, counting requests carried in from the slot before", () => {
    const T = Date.parse("2026-11-23T00:00:00Z");
    const slots = concurrencyPerSlot([
      { at: T, ms: 400_000 }, // spans into the second slot
      { at: T + 1000, ms: 1000 },
      { at: T + 1500, ms: 1000 }, // three at once at T+1.5 s
      { at: T + 2000, ms: 500 }, // starts as the second ends: still three, not four
    ]);
    expect(slots.map((s) => s.peakConcurrency)).toEqual([3, 1]);
    expect(slots.map((s) => s.arrivals)).toEqual([4, 0]);
    expect(slots[0]!.littleConcurrency).toBeCloseTo(littlesLaw(4, 300_000, (400_000 + 1000 + 1000 + 500) / 4), 10);
  });

  it("a generated steady load holds its concurrency by Little's law", () => {
    const trace = steadySpikeTrace({ date: "2026-11-23", days: 1, fromHour: 8, toHour: 8.5, steadyConcurrency: 20, spikeConcurrency: 20, spikeHour: 9, spikeMinutes: 1 }, DEFAULT_LATENCY, 3);
    const slots = concurrencyPerSlot(trace.map((r) => ({ at: r.at, ms: r.serviceMs })));
    for (const s of slots.slice(1, -2)) {
      expect(s.littleConcurrency).toBeGreaterThan(14);
      expect(s.littleConcurrency).toBeLessThan(26);
    }
    expect(meanLatencyMs(DEFAULT_LATENCY)).toBeCloseTo(3000 * Math.exp(0.125), 6);
  });
});

describe("schedule arithmetic", () => {
  it("launches a ramp early enough at 100 a minute, plus the margin", () => {
    expect(leadMinutes(200, 100, 5)).toBe(7);
    expect(leadMinutes(30, 100, 5)).toBe(6);
  });

  it("names weekdays only when a whole week was seen", () => {
    expect(weekField(new Set([1, 2, 3, 4, 5]), 7)).toBe("MON-FRI");
    expect(weekField(new Set([1, 2]), 2)).toBe("*");
    expect(weekField(new Set([0, 6]), 7)).toBe("SUN,SAT");
  });

  it("prices idle GB-seconds and scales a replay to a 30-day month", () => {
    expect(idleCost(1_000_000, { idlePerGbSecond: 0.00001, currency: "USD" })).toBeCloseTo(10, 10);
    expect(monthly(10, 2)).toBe(150);
    expect(DEFAULT_PRICES.idlePerGbSecond).toBeGreaterThan(0);
  });
});

function planInputs(seed: number): PlanInputs {
  const spec = { date: "2026-11-23", days: 2, fromHour: 8, toHour: 10, steadyConcurrency: 20, spikeConcurrency: 200, spikeHour: 9, spikeMinutes: 10 };
  const requests = steadySpikeTrace(spec, DEFAULT_LATENCY, seed);
  const intervals = requests.map((r) => ({ at: r.at, ms: r.serviceMs }));
  const slots = concurrencyPerSlot(intervals);
  const startMs = beijingTime(spec.date, 0);
  return {
    requests,
    profile: dailyProfile(slots),
    days: daysSeen(intervals),
    startMs,
    endMs: startMs + spec.days * DAY,
    model,
    target: { maxColdPct: 1, scope: "slot", minWindowRequests: 100 },
    prices: DEFAULT_PRICES,
    seed,
    marginMinutes: 5,
    warmAt: dayStarts(intervals, slots, 1),
  };
}

describe("plan on a steady 20 in flight with a daily 9:00 spike to 200", () => {
  const inputs = planInputs(11);
  const plan = planProvisioned(inputs);

  it("sees the spike in the 9:00 slots of both days", () => {
    expect(inputs.days).toBe(2);
    const nine = inputs.profile[(9 * 60) / 5]!;
    expect(nine.peak).toBeGreaterThanOrEqual(200);
    expect(inputs.profile[(8 * 60 + 30) / 5]!.peak).toBeLessThan(60);
    expect(plan.windows).toHaveLength(1);
    expect(plan.windows[0]!.fromSlot).toBe((9 * 60) / 5);
  });

  it("needs provisioned concurrency: with none the 9:00 slot misses the target", () => {
    const none = plan.candidates.find((c) => c.name === "none")!;
    expect(none.meetsTarget).toBe(false);
    expect(new Date(none.summary.worstWindowStart!).toISOString().slice(11, 16)).toBe("01:00"); // 09:00 Beijing
  });

  it("recommends a ramp to about 200 that is in place before 9:00 and ends after the spike", () => {
    expect(plan.chosen.meetsTarget).toBe(true);
    const p = plan.chosen.provisioned;
    expect(p?.mode).toBe("scheduled");
    if (p?.mode !== "scheduled") return;
    const [up, down] = p.actions;
    expect(up!.count).toBeGreaterThanOrEqual(150);
    expect(up!.count).toBeLessThanOrEqual(300);
    const [, upMinute, upHour, , , week] = up!.cron.split(" ").map(String);
    expect(Number(upHour) * 60 + Number(upMinute)).toBeLessThanOrEqual(9 * 60 - leadMinutes(up!.count - p.count, 100, 5));
    expect(week).toBe("*"); // two days seen: no weekday pattern to trust
    const [, downMinute, downHour] = down!.cron.split(" ").map(Number);
    expect(downHour! * 60 + downMinute!).toBeGreaterThanOrEqual(9 * 60 + 10);
    expect(down!.count).toBe(p.count);
  });

  it("is the cheapest candidate that meets the target, and cheaper than provisioning the peak all day", () => {
    const meeting = plan.candidates.filter((c) => c.meetsTarget);
    expect(Math.min(...meeting.map((c) => c.monthlyIdleCost))).toBe(plan.chosen.monthlyIdleCost);
    const peakAllDay = plan.candidates.find((c) => c.name.startsWith("static peak"))!;
    expect(plan.chosen.monthlyIdleCost).toBeLessThan(peakAllDay.monthlyIdleCost / 10);
    expect(plan.chosen.coldStartsSavedPerMonth).toBeGreaterThan(0);
  });

  it("meets the target on days it has not seen (another seed)", () => {
    const fresh = planInputs(29);
    const result = simulate(fresh.requests, { name: "chosen", ...(plan.chosen.provisioned ? { provisioned: plan.chosen.provisioned } : {}) }, model, { seed: 5, startMs: fresh.startMs, endMs: fresh.endMs, warmAt: fresh.warmAt });
    const summary = summarize(result, "slot", 100);
    expect(summary.worstWindowColdPct).toBeLessThanOrEqual(1);
    expect(summary.coldHits).toBeLessThan(summarize(simulate(fresh.requests, { name: "none" }, model, { seed: 5, startMs: fresh.startMs, endMs: fresh.endMs, warmAt: fresh.warmAt }), "slot", 100).coldHits);
  });
});
