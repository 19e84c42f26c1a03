// plan's traffic from CLS (staging, prod): one SQL analysis per day, arrivals per second and
// function aggregated in CLS, against the same lines read from a log file; and a log file that
// holds request and audit lines counts each request once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planQuery, readClsTraffic, requestsOfRow } from "../scripts/burst/auditSource";
import { parseTraceText, type TraceRequest } from "../scripts/burst/traceFile";
import { dayOfTraffic } from "./support/clsAuditTraffic";
import { type FakeCls, startFakeCls } from "./support/fakeCls";

const TOPIC = "topic-plan";
const DAYS = ["2026-11-23", "2026-11-24"];
const NOW = Date.parse("2026-11-25T10:00:00+08:00");

/** (second, function) -> [count, mean ms]: what a per-second aggregation keeps of the traffic. */
function perSecond(requests: readonly TraceRequest[]): Map<string, [number, number]> {
  const groups = new Map<string, number[]>();
  for (const r of requests) {
    const key = `${new Date(r.at).toISOString().slice(0, 19)} ${r.fn}`;
    groups.set(key, [...(groups.get(key) ?? []), r.ms ?? Number.NaN]);
  }
  return new Map([...groups].map(([k, ms]) => [k, [ms.length, Math.round((ms.reduce((s, v) => s + v, 0) / ms.length) * 1000) / 1000]]));
}

describe("plan --from cls", () => {
  let cls: FakeCls;
  let env: Record<string, string>;
  const traffic = DAYS.map((day, i) => dayOfTraffic(day, 800, { seed: 20 + i }));

  beforeAll(async () => {
    cls = await startFakeCls();
    for (const t of traffic) cls.addLines(TOPIC, t.cls);
    cls.addLines("topic-quiet", []);
    env = { MINIASK_CLS_ENDPOINT: cls.endpoint, MINIASK_CLS_TOPIC_ID: TOPIC, MINIASK_CLS_REGION: cls.region, TENCENTCLOUD_SECRET_ID: cls.secretId, TENCENTCLOUD_SECRET_KEY: cls.secretKey };
  });
  afterAll(async () => {
    await cls.close();
  });

  it("reads the last days with one SQL analysis each and keeps every arrival's second, function and mean latency", async () => {
    const before = cls.calls.length;
    const read = await readClsTraffic({ days: 2 }, env, NOW);
    const calls = cls.calls.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.params.From)).toEqual(DAYS.map((d) => planQuery(d).fromMs));
    expect(read.source).toContain(`CLS topic ${TOPIC}`);
    const fromFile = parseTraceText(traffic.map((t) => t.text).join("")).requests;
    expect(read.requests).toHaveLength(1600);
    expect(fromFile).toHaveLength(1600);
    expect(perSecond(read.requests)).toEqual(perSecond(fromFile));
    expect(read.requests.every((r, i, all) => i === 0 || all[i - 1]!.at <= r.at)).toBe(true);
  });

  it("days without traffic, or a quiet topic, give no requests (plan then says so)", async () => {
    expect((await readClsTraffic({ days: 3 }, env, Date.parse("2026-12-30T10:00:00+08:00"))).requests).toEqual([]);
    expect((await readClsTraffic({ days: 1, topic: "topic-quiet" }, env, NOW)).requests).toEqual([]);
  });

  it("a log file with request, audit and other lines counts each request once", () => {
    const request = { time: "2026-11-23T01:00:00.000Z", level: "info", msg: "request", traceId: "t1", intent: "support", status: 200, timings: { total: 900 } };
    const audit = { time: "2026-11-23T00:59:59.100Z", level: "info", msg: "audit", auditVersion: 1, traceId: "t1", intent: "support", outcome: "ok", status: 200, ms: 900 };
    const warn = { time: "2026-11-23T01:00:00.000Z", level: "warn", msg: "store unavailable", traceId: "t1" };
    const both = parseTraceText([request, audit, warn].map((l) => JSON.stringify(l)).join("\n"));
    expect(both.requests).toEqual([{ at: Date.parse(audit.time), fn: "support", ms: 900, status: 200 }]);
    expect(both.skipped).toEqual([]);
    // Logs of functions that print no audit line yet: the request lines count.
    expect(parseTraceText([request, warn].map((l) => JSON.stringify(l)).join("\n")).requests).toEqual([{ at: Date.parse(request.time), fn: "support", ms: 900, status: 200 }]);
  });
  it("spreads a row's requests evenly over its second with the group's mean latency; refuses a malformed or absurd row", () => {
    const at = Date.parse("2026-11-23T01:02:03.000Z");
    expect(requestsOfRow({ second_utc: "2026-11-23T01:02:03", intent: "support", n: 4, ms_sum: 1000, ms_n: 4 })).toEqual([125, 375, 625, 875].map((ms) => ({ at: at + ms, fn: "support", ms: 250 })));
    expect(requestsOfRow({ second_utc: "2026-11-23T01:02:03", intent: null, n: 1, ms_sum: null, ms_n: 0 })).toEqual([{ at: at + 500 }]);
    expect(requestsOfRow({ second_utc: "2026-11-23T01:02:03", intent: "x", n: 1, ms_sum: 1e308, ms_n: 1 })).toBeUndefined();
    expect(requestsOfRow({ second_utc: "01:02:03", intent: "x", n: 1, ms_sum: 1, ms_n: 1 })).toBeUndefined();
    expect(() => planQuery("2026-13-40")).toThrow(/YYYY-MM-DD/);
  });
});

describe("npm run plan -- --from cls", () => {
  let cls: FakeCls;
  beforeAll(async () => {
    cls = await startFakeCls();
    cls.addLines("topic-plan-cli", dayOfTraffic("2026-11-24", 800, { seed: 31 }).cls);
  });
  afterAll(async () => {
    await cls.close();
  });

  it("plans from the log service's audit lines, one SQL analysis per day", async () => {
    const { spawn } = await import("node:child_process");
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/burst/plan.ts", "--from", "cls", "--days", "30", "--cold-start-ms", "250,300"], {
        env: { ...process.env, MINIASK_CLS_ENDPOINT: cls.endpoint, MINIASK_CLS_TOPIC_ID: "topic-plan-cli", MINIASK_CLS_REGION: cls.region, TENCENTCLOUD_SECRET_ID: cls.secretId, TENCENTCLOUD_SECRET_KEY: cls.secretKey },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (out += c.toString()));
      child.on("exit", (code) => resolve({ code, out }));
    });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("topic-plan-cli");
    expect(cls.calls.filter((c) => c.action === "SearchLog").length).toBeGreaterThanOrEqual(30);
  }, 120_000);
});
