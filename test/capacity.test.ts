// `npm run capacity`: the recommendation rule on its own, and a tiny real run (the built extract
// bundle and the floor under the CPU quota, a paced upstream, N = 1 and 3, short answers) whose
// rows, table and recommendation are checked against each other.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildFunctions } from "../scripts/build";
import { printCapacity, runCapacity, type CapacityReport } from "../scripts/capacity/capacity";
import { FLOOR, verdictInput } from "../scripts/capacity/capacityTable";
import { cpuShareFor } from "../scripts/capacity/cpuShare";
import { pieces } from "../scripts/capacity/modelUpstream";
import { throttle } from "../scripts/capacity/throttle";
import { failures, recommendConcurrency, type StepVerdictInput } from "../scripts/capacity/recommendation";

const step = (n: number, over: Partial<StepVerdictInput> = {}): StepVerdictInput => ({ n, addedFirstP99Ms: 20, addedGapP99Ms: 10, rssMb: 60, errors: 0, ...over });

describe("the MaxConcurrency rule", () => {
  it("takes the largest N within every limit", () => {
    expect(recommendConcurrency([step(1), step(10), step(25), step(50)], 256)).toEqual({ maxConcurrency: 50, passedUpTo: 50 });
  });

  it("stops at the first N over a limit, even when a larger one passes by luck", () => {
    const r = recommendConcurrency([step(50), step(1), step(25, { addedFirstP99Ms: 101 }), step(10)], 256);
    expect(r).toEqual({ maxConcurrency: 10, passedUpTo: 10, stoppedAt: { n: 25, why: ["first event p99 +101 ms > 100"] } });
  });

  it("holds each limit at its edge: 100 ms, 50 ms, 70% of memory, no error", () => {
    expect(failures(step(5, { addedFirstP99Ms: 100, addedGapP99Ms: 50, rssMb: 179.2 }), 256)).toEqual([]);
    expect(failures(step(5, { addedGapP99Ms: 50.1 }), 256)).toEqual(["gap p99 +50 ms > 50"]);
    expect(failures(step(5, { rssMb: 180 }), 256)).toEqual(["RSS 180 MB > 179"]);
    expect(failures(step(5, { errors: 1 }), 256)).toEqual(["1 error(s)"]);
    expect(failures(step(5, { addedFirstP99Ms: Number.NaN }), 256)).toEqual(["first event p99 +NaN ms > 100"]);
  });

  it("recommends 1 (SCF's least) when even N = 1 fails", () => {
    expect(recommendConcurrency([step(1, { errors: 2 }), step(10)], 256)).toEqual({ maxConcurrency: 1, stoppedAt: { n: 1, why: ["2 error(s)"] } });
  });

  it("gives CPU in proportion to memory, one core per 1,536 MB unless told", () => {
    expect(cpuShareFor(256)).toBeCloseTo(1 / 6, 5);
    expect(cpuShareFor(128)).toBeCloseTo(1 / 12, 5);
    expect(cpuShareFor(512, 1)).toBe(0.5);
  });

  it("cuts the stand-in's reply into the asked number of pieces, whole code points", () => {
    expect(pieces("abcdefghij", 3)).toEqual(["abc", "def", "ghij"]);
    expect(pieces("我们好", 5)).toEqual(["我", "们", "好"]);
    expect(pieces("abcdefghij", 3).join("")).toBe("abcdefghij");
  });
});

describe("a tiny real capacity run", () => {
  let report: CapacityReport;
  beforeAll(async () => {
    const dist = mkdtempSync(join(tmpdir(), "capacity-dist-"));
    await buildFunctions(dist);
    report = await runCapacity({ functions: ["extract"], ns: [1, 3], pace: { tokensPerSecond: 100, tokens: 8, firstTokenMs: 30 }, rounds: 1, coresPerGb: 1024 / 1536, dist });
  }, 180_000);

  it("measures the function and the floor at every N, every request answered and streamed", () => {
    expect(report.rows.map((r) => [r.subject, r.n])).toEqual([
      ["extract", 1],
      ["extract", 3],
      [FLOOR, 1],
      [FLOOR, 3],
    ]);
    for (const row of report.rows) {
      expect(row.errors).toBe(0);
      expect(row.whole.requests).toBe(row.n);
      expect(row.stream.requests).toBe(row.n);
      // Eight tokens an answer; a relay may put two of one tick in one write.
      expect(row.stream.events).toBeGreaterThanOrEqual(row.n);
      expect(row.stream.events).toBeLessThanOrEqual(8 * row.n);
      expect(row.stream.cpuUsPerEvent).toBeGreaterThan(0);
      expect(row.rssMb).toBeGreaterThan(10);
      expect(row.memoryMb).toBe(256);
      // Nothing arrives before the upstream sent it.
      expect(row.whole.addedFirstP50Ms).toBeGreaterThan(-5);
      expect(row.stream.addedFirstP50Ms).toBeGreaterThan(-5);
    }
  });

  it("recommends by the rule from its own rows, and prints every row, the quota and the recommendation", () => {
    const mine = report.rows.filter((r) => r.subject === "extract");
    expect(report.recommendations).toHaveLength(1);
    const floor = report.rows.filter((r) => r.subject === FLOOR).map(verdictInput);
    expect(report.recommendations[0]).toMatchObject({ fn: "extract", memoryMb: 256, ...recommendConcurrency(mine.map(verdictInput), 256, undefined, floor) });
    expect(report.recommendations[0]!.worstEventCpuVsFloor).toBeGreaterThan(0);
    const printed = printCapacity(report);
    expect(printed).toContain("256 MB -> 16.7% of a core");
    expect(printed).toMatch(/held by cgroup-v[12]|NOT THROTTLED: .+/);
    expect(printed.split("\n").filter((l) => /^(extract|floor \(SSE relay\)) +[13] /.test(l))).toHaveLength(4);
    expect(printed).toMatch(new RegExp(`^extract +256 MB +${report.recommendations[0]!.maxConcurrency} `, "m"));
  });
});

describe("holding a subject to its share", () => {
  it("runs unthrottled where no quota can be made, says why, and reads CPU from /proc", () => {
    const held = throttle(0, "capacity-test", [process.pid]);
    expect(held.controller).toMatch(/^UNTHROTTLED \(share must be above 0/);
    const before = held.cpuUs();
    let spin = 0;
    for (let i = 0; i < 3e7; i++) spin += i;
    expect(spin).toBeGreaterThan(0);
    expect(held.cpuUs()).toBeGreaterThan(before);
    held.release();
  });
});

describe("the MaxConcurrency rule beside the floor", () => {
  it("does not judge an N where the floor is over a latency limit too, and still stops at the function's own", () => {
    const floor = [step(1), step(10, { addedGapP99Ms: 80 }), step(25), step(50)];
    const r = recommendConcurrency([step(1), step(10, { addedGapP99Ms: 70 }), step(25), step(50, { addedFirstP99Ms: 150 })], 256, undefined, floor);
    expect(r).toEqual({ maxConcurrency: 25, passedUpTo: 25, unjudged: [10], stoppedAt: { n: 50, why: ["first event p99 +150 ms > 100"] } });
  });

  it("always judges memory and errors: the floor's latency excuses neither", () => {
    const floor = [step(1), step(10, { addedFirstP99Ms: 300 })];
    expect(recommendConcurrency([step(1), step(10, { addedFirstP99Ms: 200, errors: 1 })], 256, undefined, floor).stoppedAt?.n).toBe(10);
    expect(recommendConcurrency([step(1), step(10, { addedFirstP99Ms: 200, rssMb: 200 })], 256, undefined, floor).stoppedAt?.n).toBe(10);
    // A floor over only on memory leaves the function's latency judged.
    expect(recommendConcurrency([step(1), step(10, { addedFirstP99Ms: 200 })], 256, undefined, [step(10, { rssMb: 250 })]).stoppedAt?.n).toBe(10);
  });
});
