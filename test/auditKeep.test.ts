// A re-sent traceId keeps every request's audit record, and the report's reader finds each.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../lib/store/redisStore";
import { storeKeys } from "../lib/store/storeKeys";
import { openAuditReader } from "../scripts/report/readAuditRecords";

const REDIS = "redis://127.0.0.1:6379";

describe("audit records of a re-sent traceId, read by the report", () => {
  const store = createRedisStore(REDIS);
  afterAll(() => store.close());

  it("finds the first and the later record, neither overwritten", async () => {
    const prefix = `test:${randomUUID()}:`;
    const key = storeKeys.audit(prefix, "trace-again", "abcdef0123456789");
    await store.record({ audit: { key, value: JSON.stringify({ n: 1, usage: { totalTokens: 5400 } }), ttlSeconds: 60 } });
    await store.record({ audit: { key, value: JSON.stringify({ n: 2, status: 400 }), ttlSeconds: 60 } });
    const reader = await openAuditReader(REDIS, {});
    try {
      const values = (await reader.readAll(prefix)).map((v) => JSON.parse(v) as { n: number }).sort((a, b) => a.n - b.n);
      expect(values).toEqual([{ n: 1, usage: { totalTokens: 5400 } }, { n: 2, status: 400 }]);
    } finally {
      await reader.close();
    }
  });
});
