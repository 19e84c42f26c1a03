// A request without a valid token costs the server almost nothing and writes almost nothing:
// its body is never parsed, it leaves no audit record, and its only store write is the per-IP
// counter that throttles it.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesWithLimits } from "./support/policyFiles";
import { type Harness, startHarness } from "./support/harness";

const REDIS = "redis://127.0.0.1:6379";

describe("traffic without a valid token (staging, Redis)", () => {
  const redis = new Redis(REDIS);
  const prefix = `test:${randomUUID()}:`;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", rawFiles: filesWithLimits("staging", { per_ip: { requests: 20, window_seconds: 60 } }), processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
  });
  afterAll(async () => {
    await h.close();
    redis.disconnect();
  });

  it("writes no audit record, even under a victim's traceId, and is throttled per IP", async () => {
    // The victim's own record first.
    expect((await h.ask({ intent: "summarize", userId: "u_victim", traceId: "victim-1", input: { text: "The victim's question. It matters." } })).status).toBe(200);
    const victimKeys = await redis.keys(`${prefix}audit:v1:victim-1:*`);
    expect(victimKeys).toHaveLength(1);
    const before = await redis.get(victimKeys[0]!);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${h.url}/v1/mini/ask`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer a.b.c", "x-trace-id": "victim-1" },
        body: JSON.stringify({ intent: "summarize", userId: "u_victim", traceId: "victim-1", input: { text: "forged text ".repeat(500) } }),
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // The victim's record is untouched, and nothing else was written but the IP counter.
    expect(await redis.get(victimKeys[0]!)).toBe(before);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.filter((k) => k.includes(":audit:"))).toEqual(victimKeys);
    expect(keys.filter((k) => k.includes(":rl:v1:ip:")).length).toBeLessThanOrEqual(2);
    // The log lines say what happened, without the forged text.
    const lines = h.logRecords().filter((r) => r.msg === "request" && r.status === 401);
    expect(lines).toHaveLength(20);
    expect(JSON.stringify(lines)).not.toContain("forged");
  });

  it("throttles logins per IP before WeChat is called", async () => {
    const other = await startHarness({ env: "staging", rawFiles: filesWithLimits("staging", { per_ip: { requests: 5, window_seconds: 60 } }), processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: `test:${randomUUID()}:`, WECHAT_API_BASE: "http://127.0.0.1:9" } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${other.url}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: `code-${i}` }) });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      // WeChat is unreachable here (503 after its retry); past 5 a minute, 429 without trying.
      expect(statuses.slice(0, 5).every((s) => s === 503)).toBe(true);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
    } finally {
      await other.close();
    }
  });
});
