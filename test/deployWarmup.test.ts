// Why the deploy sends the warm-up timer instances x concurrency pings (lib/deploy/warmupPings.ts),
// checked on the project's own SCF instance model (scripts/burst/simulate.ts: a request goes to
// an instance with a free slot, one instance takes up to perInstanceConcurrency, idle ones are
// reclaimed after 5 minutes). The routing rule is that model's reading of doc 583/47183, not
// something SCF promises in detail: the sizing is right under it and over-warms, never
// under-warms, if SCF spreads requests wider.
import { describe, expect, it } from "vitest";
import { warmupPings } from "../lib/deploy/warmupPings";
import { DEFAULT_MODEL, type InstanceModel, type ReplayRequest } from "../scripts/burst/instanceModel";
import { simulate } from "../scripts/burst/simulate";

const T0 = Date.parse("2026-11-23T00:00:00Z");
const model: InstanceModel = { ...DEFAULT_MODEL, coldStartMs: [300], perInstanceConcurrency: 10 };
const EVERY_4_MINUTES = "0 */4 * * * * *";
// 20 minutes in, long after any instance the pings do not touch is reclaimed, a burst as large
// as three full instances, just after the timer's 20:00 firing.
const burst: ReplayRequest[] = Array.from({ length: 30 }, () => ({ at: T0 + 20 * 60_000 + 1_000, serviceMs: 1000 }));

const coldHits = (pings: number) => simulate(burst, { name: `${pings} pings`, warmup: { count: pings, cron: EVERY_4_MINUTES } }, model, { seed: 1, startMs: T0 }).outcomes.filter((o) => o.cold).length;

describe("warm-up pings under multiple concurrency", () => {
  it("one ping per instance keeps one instance of ten slots warm; instances x concurrency keep all of them", () => {
    const fn = { warmupCount: 3, concurrency: { max: model.perInstanceConcurrency } };
    expect(warmupPings(fn)).toBe(30);
    // The old count (3 pings): all three fit in one instance, the burst starts two cold.
    expect(coldHits(fn.warmupCount)).toBe(20);
    expect(coldHits(warmupPings(fn))).toBe(0);
  });

  it("is one ping per instance at SCF's default of one request per instance", () => {
    expect(warmupPings({ warmupCount: 3 })).toBe(3);
    expect(warmupPings({ warmupCount: 0, concurrency: { max: 10 } })).toBe(0);
  });
});
