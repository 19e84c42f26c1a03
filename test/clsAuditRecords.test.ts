// replay's lookup in CLS: a trace's audit lines found among a day of traffic, paged by Context,
// every user's record for a reused traceId, and nothing (not an error) for an unknown one.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clsAuditRecordsOfTrace, findAuditRecordsInCls } from "../scripts/support/clsAuditRecords";
import { clsSettingsOf, sdkSearchLog } from "../scripts/support/clsApi";
import { dayOfTraffic } from "./support/clsAuditTraffic";
import { type FakeCls, startFakeCls } from "./support/fakeCls";

const DAY = "2026-11-24";
const TOPIC = "topic-replay";

describe("replay's CLS lookup", () => {
  let cls: FakeCls;
  let env: Record<string, string>;
  const traffic = dayOfTraffic(DAY, 300, { seed: 11 });
  const reused = traffic.cls.filter((l) => l.log.msg === "audit" && l.log.traceId === "gen-42")[0]!;

  beforeAll(async () => {
    cls = await startFakeCls();
    cls.addLines(TOPIC, traffic.cls);
    // The same traceId sent by two other users, and a client's traceId with quotes in it.
    cls.addLines(TOPIC, [
      { timeMs: reused.timeMs + 1000, log: { ...reused.log, user: "aaaaaaaaaaaaaaaa" } },
      { timeMs: reused.timeMs + 2000, log: { ...reused.log, user: "bbbbbbbbbbbbbbbb" } },
      { timeMs: reused.timeMs + 3000, log: { ...reused.log, traceId: 'odd"id\\x', user: "cccccccccccccccc" } },
    ]);
    env = { MINIASK_CLS_ENDPOINT: cls.endpoint, MINIASK_CLS_TOPIC_ID: TOPIC, MINIASK_CLS_REGION: cls.region, TENCENTCLOUD_SECRET_ID: cls.secretId, TENCENTCLOUD_SECRET_KEY: cls.secretKey };
  });
  afterAll(async () => {
    await cls.close();
  });

  const range = () => ({ topicId: TOPIC, fromMs: Date.parse(`${DAY}T00:00:00+08:00`) - 86_400_000, toMs: Date.parse(`${DAY}T00:00:00+08:00`) + 2 * 86_400_000 });

  it("finds every user's record of a traceId, one page at a time through Context", async () => {
    const searchLog = await sdkSearchLog(clsSettingsOf(env));
    const before = cls.calls.length;
    const records = await findAuditRecordsInCls(searchLog, range(), "gen-42", 1);
    expect(records.map((r) => r.user)).toEqual([reused.log.user, "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]);
    expect(records[0]).toMatchObject({ traceId: "gen-42", time: reused.log.time, status: reused.log.status, outcome: reused.log.outcome });
    const calls = cls.calls.slice(before);
    expect(calls.length).toBe(3);
    expect(calls[0]!.params.Context).toBeUndefined();
    expect(calls.slice(1).every((c) => typeof c.params.Context === "string")).toBe(true);
  });

  it("a traceId with quotes and backslashes is searched as text", async () => {
    const records = await findAuditRecordsInCls(await sdkSearchLog(clsSettingsOf(env)), range(), 'odd"id\\x');
    expect(records.map((r) => r.user)).toEqual(["cccccccccccccccc"]);
  });

  it("an unknown traceId, or one outside the retention window, finds nothing", async () => {
    expect(await findAuditRecordsInCls(await sdkSearchLog(clsSettingsOf(env)), range(), "never-sent")).toEqual([]);
    const now = Date.parse(`${DAY}T00:00:00+08:00`) + 40 * 86_400_000;
    expect(await clsAuditRecordsOfTrace("gen-42", 30, env, now)).toEqual([]);
    expect(await clsAuditRecordsOfTrace("gen-42", 180, env, now)).toHaveLength(3);
  });
});

describe("npm run replay <traceId> past Redis's replay window", () => {
  let cls: FakeCls;
  const traffic = dayOfTraffic(DAY, 200, { seed: 12 });
  const audited = traffic.cls.find((l) => l.log.msg === "audit")!;
  beforeAll(async () => {
    cls = await startFakeCls();
    cls.addLines(TOPIC, [...traffic.cls, { timeMs: audited.timeMs + 1000, log: { ...audited.log, user: "dddddddddddddddd" } }]);
  });
  afterAll(async () => {
    await cls.close();
  });

  const replay = (traceId: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/replay.ts", traceId], {
        env: {
          ...process.env,
          MINIASK_ENV: "staging",
          MINIASK_STORE: "redis://127.0.0.1:6379",
          MINIASK_STORE_PREFIX: `test:${randomUUID()}:`,
          MINIASK_CLS_ENDPOINT: cls.endpoint,
          MINIASK_CLS_TOPIC_ID: TOPIC,
          MINIASK_CLS_REGION: cls.region,
          TENCENTCLOUD_SECRET_ID: cls.secretId,
          TENCENTCLOUD_SECRET_KEY: cls.secretKey,
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.on("exit", (code) => resolve({ code, stderr }));
    });

  it("finds the records in the log service when the store has none (staging), and says so for an unknown trace", async () => {
    // Two users' records of one traceId, found only in CLS: replay asks which.
    const found = await replay(String(audited.log.traceId));
    expect(found.code).not.toBe(0);
    expect(found.stderr).toContain(`2 users sent traceId ${String(audited.log.traceId)}: pick one with --user`);
    const missing = await replay("no-such-trace");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("no audit record for traceId no-such-trace");
    expect(cls.calls.length).toBeGreaterThanOrEqual(2);
  });
});
