// Issue 28: the audit trail lives in the log service; Redis keeps a record for the replay window only.
// Real Redis, the local app in prod (WeChat's checks off: not what this pins).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { AUDIT_LINE_MSG } from "../lib/observability/auditLogLine";
import { realConfigFiles, startHarness } from "./support/harness";

describe("the audit trail in prod", () => {
  const redis = new Redis("redis://127.0.0.1:6379");
  const prefix = `test:${randomUUID()}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("an answered request's Redis audit key expires within audit.replay_days; its full record is in the log output", async () => {
    const files = structuredClone(realConfigFiles()) as unknown as { envPolicy: { environments: { prod: Record<string, unknown> } } };
    delete files.envPolicy.environments.prod.content_security;
    const h = await startHarness({ env: "prod", rawFiles: files as never, processEnv: { MINIASK_STORE: "redis://127.0.0.1:6379", MINIASK_STORE_PREFIX: prefix } });
    try {
      const res = await h.ask({ intent: "summarize", userId: "u_trail", input: { text: "A short text to summarize for the audit trail." } });
      expect(res.status).toBe(200);
      const traceId = String(res.json.traceId);
      const [key] = await redis.keys(`${prefix}audit:v1:${traceId}:*`);
      const ttl = await redis.ttl(key!);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3 * 86_400);
      const stored = JSON.parse((await redis.get(key!))!) as Record<string, unknown>;
      const line = h.logRecords().find((r) => r.msg === AUDIT_LINE_MSG && r.traceId === traceId);
      const { msg: _msg, level: _level, auditVersion, ...logged } = line ?? {};
      expect(auditVersion).toBe(1);
      expect(logged).toEqual(stored);
    } finally {
      await h.close();
    }
  });
});
