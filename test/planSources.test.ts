// Where plan's traffic comes from: audit records in a real Redis (SCAN, any key tail after
// audit:v1:), a CLS export, a CSV of timestamps; and `npm run plan -- --write` into a copy of
// the deploy files, read back through lib/deploy's loader.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { loadManifest } from "../lib/deploy/manifest";
import { readAuditRecords } from "../scripts/burst/auditSource";
import { parseTraceText } from "../scripts/burst/traceFile";
import { steadySpikeTrace, DEFAULT_LATENCY } from "../scripts/burst/shapes";
import { REPO_ROOT } from "./support/harness";

const run = promisify(execFile);

describe("trace files", () => {
  it("reads audit records and CLS lines (wrapped in SCF_Message, timings.total), and names bad lines", () => {
    const text = [
      JSON.stringify({ traceId: "t1", time: "2026-11-23T01:00:00.000Z", env: "prod", intent: "summarize", outcome: "answered", status: 200, ms: 2500 }),
      JSON.stringify({ SCF_Message: JSON.stringify({ time: "2026-11-23T01:00:01.000Z", intent: "support", status: 502, timings: { total: 900 } }), SCF_RequestId: "r" }),
      "not json",
      JSON.stringify({ intent: "summarize" }),
    ].join("\n");
    const parsed = parseTraceText(text);
    expect(parsed.requests).toEqual([
      { at: Date.parse("2026-11-23T01:00:00.000Z"), fn: "summarize", ms: 2500, status: 200 },
      { at: Date.parse("2026-11-23T01:00:01.000Z"), fn: "support", ms: 900, status: 502 },
    ]);
    expect(parsed.skipped).toEqual(["line 3: not JSON", "line 4: no time (ISO or epoch) in the record"]);
  });

  it("reads a CSV of timestamps, with or without a header, in ISO, epoch ms or epoch s", () => {
    expect(parseTraceText("time,intent,ms\n2026-11-23T01:00:00Z,extract,1200\n1795395601000,extract,\nnope,x,1").requests).toEqual([
      { at: Date.parse("2026-11-23T01:00:00Z"), fn: "extract", ms: 1200 },
      { at: 1795395601000, fn: "extract" },
    ]);
    expect(parseTraceText("1795395600\n1795395601.5\n").requests.map((r) => r.at)).toEqual([1795395600000, 1795395601500]);
  });
});

describe("audit records in the store", () => {
  const redis = new Redis("redis://127.0.0.1:6379");
  const prefix = `test:${randomUUID()}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("scans every audit:v1 key under the prefix, whatever follows, and nothing else", async () => {
    const record = (i: number) => JSON.stringify({ traceId: `t${i}`, time: new Date(Date.UTC(2026, 10, 23, 1, 0, i)).toISOString(), env: "prod", intent: "summarize", outcome: "answered", status: 200, ms: 1000 + i });
    for (let i = 0; i < 30; i++) await redis.set(`${prefix}audit:v1:${i % 2 ? `u_${i}:` : ""}t${i}`, record(i), "EX", 600);
    await redis.set(`${prefix}audit:v1:broken`, "{", "EX", 600);
    await redis.set(`${prefix}cache:v1:x`, record(99), "EX", 600);
    const read = await readAuditRecords("redis://127.0.0.1:6379", prefix, { count: 7 });
    expect(read.keys).toBe(31);
    expect(read.skipped).toBe(1);
    expect(read.requests.map((r) => r.ms).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 30 }, (_, i) => 1000 + i));
  });
});

describe("npm run plan -- --write", () => {
  it("writes the recommended schedule into the stages file the deploy reads", async () => {
    const root = mkdtempSync(join(tmpdir(), "plan-write-"));
    cpSync(join(REPO_ROOT, "serverless.yml"), join(root, "serverless.yml"));
    mkdirSync(join(root, "scripts/deploy"), { recursive: true });
    cpSync(join(REPO_ROOT, "scripts/deploy/stages.yml"), join(root, "scripts/deploy/stages.yml"));
    const trace = steadySpikeTrace({ date: "2026-11-23", days: 1, fromHour: 8.5, toHour: 9.5, steadyConcurrency: 5, spikeConcurrency: 80, spikeHour: 9, spikeMinutes: 5 }, DEFAULT_LATENCY, 4);
    const file = join(root, "trace.csv");
    writeFileSync(file, `time,intent,ms\n${trace.map((r) => `${new Date(r.at).toISOString()},extract,${Math.round(r.serviceMs)}`).join("\n")}\n`);
    const { stdout } = await run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/burst/plan.ts", "--trace", file, "--cold-start-ms", "300", "--write", "--root", root, "--stage", "staging", "--per-instance", "1"], { cwd: REPO_ROOT, timeout: 60_000 });
    // One request per instance: the peak needs a ramp (with more, fewer instances might need none).
    expect(stdout).toContain("Recommended: 1 request(s) per instance");
    expect(stdout).toContain("with scheduled");
    expect(stdout).toContain("stages.staging.provisioned.extract updated");
    const written = loadManifest("staging", {}, root).functions.find((f) => f.name === "extract")!.provisioned;
    expect(written?.mode).toBe("scheduled");
    if (written?.mode === "scheduled") expect(written.actions[0]!.cron).toMatch(/^0 \d+ 8 \* \* \* \*$/);
    // Everything else in the file is as it was.
    expect(readFileSync(join(root, "scripts/deploy/stages.yml"), "utf8")).toContain("{ name: morning-peak, count: 6,");
  });
});
