// A web function answers first and records right after: the user does not wait for the quota
// charge, the cache write and the audit record, and none of them is lost.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../lib/store/redisStore";
import type { RecordRequest, RecordResult, Store } from "../lib/store/store";
import { storeKeys } from "../lib/store/storeKeys";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";

describe("answer first, then record (web function)", () => {
  const redis = createRedisStore("redis://127.0.0.1:6379");
  const prefix = `test:${randomUUID()}:`;
  /** Holds every record step until the test lets it go. */
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const held: Store = {
    ...redis,
    async record(request: RecordRequest): Promise<RecordResult> {
      await gate;
      return redis.record(request);
    },
  };
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", store: held, recordAfterResponse: true, processEnv: { MINIASK_STORE_PREFIX: prefix } });
  });
  afterAll(async () => {
    release();
    await h.close();
    await redis.close();
  });

  it("answers while its record step is still pending, then records everything once it runs", async () => {
    const res = await h.ask({ intent: "summarize", userId: "u_first", traceId: "t-first", input: { text: ARTICLE_TEXT, maxBullets: 2 } });
    // The answer is here though the store has not taken the record yet.
    expect(res.status).toBe(200);
    expect(h.logRecords().some((r) => r.msg === "request" && r.traceId === "t-first")).toBe(false);
    expect(await redis.keys(`${prefix}audit:v1:t-first:*`, 5)).toEqual([]);
    release();
    await h.built.app.drain();
    // One log line, one audit record, and the quota settled with the real usage.
    expect(h.logRecords().filter((r) => r.msg === "request" && r.traceId === "t-first")).toHaveLength(1);
    expect(await redis.keys(`${prefix}audit:v1:t-first:*`, 5)).toHaveLength(1);
    const used = Number(await redis.get(storeKeys.quota(prefix, "u_first", Date.now())));
    expect(used).toBe((res.json.usage as { totalTokens: number }).totalTokens);
  });

  it("records a failed request after its answer too", async () => {
    gate = new Promise<void>((r) => (release = r));
    const res = await h.ask({ intent: "summarize", userId: "u_first", traceId: "t-first-400", input: { text: "", maxBullets: 99 } });
    expect(res.status).toBe(400);
    release();
    await h.built.app.drain();
    expect(h.logRecords().find((r) => r.msg === "request" && r.traceId === "t-first-400")).toMatchObject({ status: 400, code: "invalid_input" });
  });
});
