// The benchmark's own parts: its percentile math, and a short real run whose JSON must have
// the documented shape and figures that hang together. (Speed itself is never asserted.)
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { percentile } from "../scripts/bench/stats";
import { REPO_ROOT } from "./support/harness";

const run = promisify(execFile);

describe("percentile", () => {
  it("is nearest-rank over unsorted samples", () => {
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 90)).toBe(9);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([0.123], 99)).toBe(0.123);
    expect(percentile([], 50)).toBeNaN();
  });
});

const row = z.object({ name: z.string(), rps: z.number(), p50: z.number(), p90: z.number(), p99: z.number() });
const reportSchema = z.object({
  rows: z.array(row),
  overhead: z.object({ p50: z.number(), p99: z.number() }),
  throughputRatio: z.number(),
  statuses: z.record(z.string(), z.record(z.string(), z.number())),
  streamFirstByte: z.object({ overhead: z.object({ p50: z.number(), p99: z.number() }) }),
});

describe("npm run bench", () => {
  it("writes the documented JSON, with figures that hang together", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "bench-")), "bench.json");
    await run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/bench/bench.ts", "--only", "overhead", "--duration", "1", "--warmup", "0", "--connections", "2", "--json", file], { cwd: REPO_ROOT, timeout: 170_000, maxBuffer: 10 * 1024 * 1024 });
    const report = z.parse(reportSchema, JSON.parse(readFileSync(file, "utf8")));
    expect(report.rows.map((r) => r.name)).toEqual([
      "upstream direct (0 ms)",
      "/v1/mini/ask, memory (0 ms)",
      "/v1/mini/ask, memory, limits on (0 ms)",
      "/v1/mini/ask, redis, limits on (0 ms)",
      "upstream direct (50 ms)",
      "/v1/mini/ask, memory (50 ms)",
      "cache hit (memory)",
      "429 refusal (memory)",
    ]);
    for (const r of report.rows) {
      expect(r.rps).toBeGreaterThan(0);
      expect(r.p50).toBeLessThanOrEqual(r.p90);
      expect(r.p90).toBeLessThanOrEqual(r.p99);
    }
    const [direct, through] = report.rows;
    expect(report.overhead.p50).toBeCloseTo(through!.p50 - direct!.p50, 2);
    expect(report.throughputRatio).toBeCloseTo(through!.rps / direct!.rps, 2);
    // Each row measured what it says: answers, cache hits, refusals.
    expect(Object.keys(report.statuses["/v1/mini/ask, redis, limits on (0 ms)"]!)).toEqual(["200"]);
    expect(Object.keys(report.statuses["cache hit (memory)"]!)).toEqual(["200"]);
    expect(report.statuses["429 refusal (memory)"]!["429"]).toBeGreaterThan(0);
    // The 50 ms rows really waited for the upstream's delay.
    expect(report.rows[4]!.p50).toBeGreaterThanOrEqual(50);
  }, 180_000);
});
