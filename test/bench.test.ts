// The benchmark's own parts: its percentile math, and a short real run whose JSON must have
// the documented shape and figures that hang together. (Speed itself is never asserted.)
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { compareToFloor } from "../scripts/bench/floorRatios";
import { addedOver } from "../scripts/bench/oneConnection";
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

describe("compareToFloor", () => {
  const row = (name: string, kind: "direct" | "floor" | "subject", delayMs: number, rps: number, p50: number) => ({ name, kind, delayMs, rps, p50, p90: p50, p99: p50 });
  it("sets each row against the direct and floor rows of its own upstream delay, and rows of no delay of their own against 0 ms", () => {
    const compared = compareToFloor([row("direct", "direct", 0, 2000, 0.5), row("floor", "floor", 0, 1600, 0.75), row("ask", "subject", 0, 400, 2.5), row("direct 50", "direct", 50, 200, 51), row("floor 50", "floor", 50, 190, 52), row("ask 50", "subject", 50, 180, 55), row("hit", "subject", 0, 800, 1)]);
    expect(compared.map((r) => [r.name, r.vsDirect, r.vsFloor, r.p50OverFloorMs])).toEqual([
      ["direct", 1, 1.25, -0.25],
      ["floor", 0.8, 1, 0],
      ["ask", 0.2, 0.25, 1.75],
      ["direct 50", 1, 1.053, -1],
      ["floor 50", 0.95, 1, 0],
      ["ask 50", 0.9, 0.947, 3],
      ["hit", 0.4, 0.5, 0.25],
    ]);
  });
});

describe("addedOver", () => {
  it("is each row's p50 and p99 above the reference row's, in ms", () => {
    const r = (name: string, p50Us: number, p99Us: number) => ({ name, requests: 1, sockets: 1, statuses: {}, p50Us, p90Us: p50Us, p99Us, meanUs: p50Us });
    expect(addedOver([r("direct", 250, 900), r("floor", 480.5, 1400), r("ask", 1500, 9000)], "direct")).toEqual({ floor: { p50Ms: 0.231, p99Ms: 0.5 }, ask: { p50Ms: 1.25, p99Ms: 8.1 } });
  });
});

const row = z.object({ name: z.string(), rps: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), vsDirect: z.number(), vsFloor: z.number(), p50OverFloorMs: z.number(), cpuUsPerRequest: z.number(), cpuVsFloor: z.number() });
const oneConnectionRow = z.object({ name: z.string(), requests: z.number(), sockets: z.number(), statuses: z.record(z.string(), z.number()), p50Us: z.number(), p90Us: z.number(), p99Us: z.number(), meanUs: z.number(), cpuUsPerRequest: z.optional(z.number()) });
const clientRow = z.object({ client: z.string(), p50Ms: z.number(), p99Ms: z.number(), cpuUsPerCall: z.number(), parallelRps: z.number(), parallelCpuUsPerCall: z.number(), streamFirstChunkP50Ms: z.number(), streamCpuUsPerCall: z.number() });
const coldClientRow = z.object({ client: z.string(), bundleKB: z.number(), spawnToAnswerMs: z.number(), loadMs: z.number(), firstCallMs: z.number(), loadPlusFirstCallMs: z.number() });
const reportSchema = z.object({
  rows: z.array(row),
  overhead: z.object({ p50: z.number(), p99: z.number() }),
  throughputRatio: z.number(),
  floor: z.object({ name: z.string(), rps: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), vsDirect: z.number(), overDirect: z.object({ p50: z.number(), p99: z.number() }) }),
  throughputVsFloor: z.number(),
  overFloor: z.object({ p50: z.number(), p99: z.number() }),
  statuses: z.record(z.string(), z.record(z.string(), z.number())),
  streamFirstByte: z.object({ overhead: z.object({ p50: z.number(), p99: z.number() }) }),
  oneConnection: z.object({ requests: z.number(), rows: z.array(oneConnectionRow), addedOverDirect: z.record(z.string(), z.object({ p50Ms: z.number(), p99Ms: z.number() })) }),
  clients: z.object({ warm: z.array(clientRow), cold: z.array(coldClientRow) }),
});

describe("npm run bench", () => {
  it("prints and writes the documented report, with figures that hang together", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "bench-")), "bench.json");
    const { stdout } = await run(
      `${REPO_ROOT}node_modules/.bin/tsx`,
      ["scripts/bench/bench.ts", "--only", "overhead,oneconnection,clients", "--duration", "1", "--warmup", "0", "--connections", "2", "--one-connection-requests", "100", "--client-calls", "50", "--cold-runs", "1", "--json", file],
      { cwd: REPO_ROOT, timeout: 230_000, maxBuffer: 10 * 1024 * 1024 },
    );
    const report = z.parse(reportSchema, JSON.parse(readFileSync(file, "utf8")));
    const names = [
      "upstream direct (0 ms)",
      "floor: minimal Node forwarder (0 ms)",
      "/v1/mini/ask, memory (0 ms)",
      "/v1/mini/ask, memory, limits on (0 ms)",
      "/v1/mini/ask, redis, limits on (0 ms)",
      "upstream direct (50 ms)",
      "floor: minimal Node forwarder (50 ms)",
      "/v1/mini/ask, memory (50 ms)",
      "cache hit (memory)",
      "429 refusal (memory)",
    ];
    expect(report.rows.map((r) => r.name)).toEqual(names);
    for (const r of report.rows) {
      expect(r.rps).toBeGreaterThan(0);
      expect(r.p50).toBeLessThanOrEqual(r.p90);
      expect(r.p90).toBeLessThanOrEqual(r.p99);
    }
    const byName = (name: string) => report.rows.find((r) => r.name === name)!;
    const [direct, floor, through] = report.rows;
    expect(report.overhead.p50).toBeCloseTo(through!.p50 - direct!.p50, 2);
    expect(report.throughputRatio).toBeCloseTo(through!.rps / direct!.rps, 2);
    // The floor row and every ratio to it: the 50 ms rows against the 50 ms floor.
    expect(report.floor).toMatchObject({ name: floor!.name, rps: floor!.rps, p50: floor!.p50 });
    expect(report.throughputVsFloor).toBeCloseTo(through!.rps / floor!.rps, 2);
    expect(report.overFloor.p50).toBeCloseTo(through!.p50 - floor!.p50, 2);
    expect(through!.vsFloor).toBeCloseTo(through!.rps / floor!.rps, 2);
    expect(byName("cache hit (memory)").vsFloor).toBeCloseTo(byName("cache hit (memory)").rps / floor!.rps, 2);
    const floor50 = byName("floor: minimal Node forwarder (50 ms)");
    expect(byName("/v1/mini/ask, memory (50 ms)").vsFloor).toBeCloseTo(byName("/v1/mini/ask, memory (50 ms)").rps / floor50.rps, 2);
    expect(floor50.vsDirect).toBeCloseTo(floor50.rps / byName("upstream direct (50 ms)").rps, 2);
    // CPU per request of each row's own process (the upstream's, for direct rows), and as a multiple of the floor's.
    for (const r of report.rows) expect(r.cpuUsPerRequest).toBeGreaterThan(0);
    expect(floor!.cpuVsFloor).toBe(1);
    expect(through!.cpuVsFloor).toBeCloseTo(through!.cpuUsPerRequest / floor!.cpuUsPerRequest, 1);
    // Each row measured what it says: answers, cache hits, refusals.
    expect(Object.keys(report.statuses["floor: minimal Node forwarder (0 ms)"]!)).toEqual(["200"]);
    expect(Object.keys(report.statuses["/v1/mini/ask, redis, limits on (0 ms)"]!)).toEqual(["200"]);
    expect(Object.keys(report.statuses["cache hit (memory)"]!)).toEqual(["200"]);
    expect(report.statuses["429 refusal (memory)"]!["429"]).toBeGreaterThan(0);
    // The 50 ms rows really waited for the upstream's delay.
    expect(byName("upstream direct (50 ms)").p50).toBeGreaterThanOrEqual(50);
    expect(floor50.p50).toBeGreaterThanOrEqual(50);

    // One connection: every subject answered every request 200 on one socket.
    const one = report.oneConnection;
    expect(one.rows.map((r) => r.name)).toEqual(["upstream direct", "floor: minimal Node forwarder", "miniask /v1/mini/ask (extract, limits off)"]);
    for (const r of one.rows) {
      expect(r).toMatchObject({ requests: 100, sockets: 1, statuses: { "200": 100 } });
      expect(r.p50Us).toBeLessThanOrEqual(r.p90Us);
      expect(r.p90Us).toBeLessThanOrEqual(r.p99Us);
    }
    expect(one.rows[0]!.cpuUsPerRequest).toBeUndefined(); // the upstream serves every subject: no figure of its own
    for (const r of one.rows.slice(1)) expect(r.cpuUsPerRequest).toBeGreaterThan(0);
    const miniask = one.rows[2]!;
    expect(one.addedOverDirect[miniask.name]!.p50Ms).toBeCloseTo((miniask.p50Us - one.rows[0]!.p50Us) / 1000, 2);

    // Clients: the SDK and lib/openaiWire, warm and cold, each with a reply that parsed.
    expect(report.clients.warm.map((r) => r.client)).toEqual(["openai SDK", "openai SDK + per-call AbortSignal", "lib/openaiWire"]);
    expect(report.clients.cold.map((r) => r.client)).toEqual(["openai SDK", "lib/openaiWire"]);
    for (const r of report.clients.warm) expect(Math.min(r.p50Ms, r.cpuUsPerCall, r.parallelRps, r.streamFirstChunkP50Ms)).toBeGreaterThan(0);
    for (const r of report.clients.cold) expect(Math.min(r.bundleKB, r.loadMs, r.firstCallMs)).toBeGreaterThan(0);

    // The printed report carries the same: the floor row with its ratio, the one-connection table.
    expect(stdout).toMatch(/^floor: minimal Node forwarder \(0 ms\)\s+\d+\s+[\d.]+\s+1\s/m);
    expect(stdout).toContain("x floor");
    expect(stdout).toContain("CPU µs/req");
    expect(stdout).toMatch(/^One connection \(100 sequential requests/m);
    expect(stdout).toMatch(/^miniask \/v1\/mini\/ask \(extract, limits off\)\s+100\s+1\s/m);
    expect(stdout).toMatch(/^lib\/openaiWire\s+[\d.]+/m);
  }, 240_000);
});
