// Every authenticated /ask leaves an audit record, refused ones too (README: audit records):
// an unknown intent is refused after the token was verified, so it is audited like any 400.
// A request whose token failed writes none (it is counted per client IP instead).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRecordSchema } from "../lib/observability/auditRecord";
import { createRedisStore } from "../lib/store/redisStore";
import { storeKeys } from "../lib/store/storeKeys";
import { type Harness, startHarness } from "./support/harness";

const REDIS = "redis://127.0.0.1:6379";

describe("audit records of refused requests (staging, Redis)", () => {
  const redis = createRedisStore(REDIS);
  const prefix = `test:${randomUUID()}:`;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
  });
  afterAll(async () => {
    await h.close();
    await redis.close();
  });
  const auditsOf = async (traceId: string) => {
    const keys = await redis.keys(storeKeys.auditsOfTrace(prefix, traceId), 5);
    return Promise.all(keys.map(async (k) => auditRecordSchema.parse(JSON.parse((await redis.get(k))!))));
  };

  it("audits an authenticated unknown_intent 400, before the response", async () => {
    const res = await h.ask({ intent: "horoscope", userId: "u_audited", traceId: "t-unknown-intent", input: { text: "hi" } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: "unknown_intent" } });
    const [record, ...more] = await auditsOf("t-unknown-intent");
    expect(more).toEqual([]);
    expect(record).toMatchObject({ traceId: "t-unknown-intent", env: "staging", outcome: "unknown_intent", status: 400, user: expect.any(String) });
    // The user is a hash in the record, never the userId.
    expect(JSON.stringify(record)).not.toContain("u_audited");
  });

  it("audits an authenticated request whose userId is not the token's (403), under the token's user", async () => {
    const res = await h.ask({ intent: "summarize", userId: "u_victim", traceId: "t-mismatch", input: { text: "hi" } }, { token: await h.token("u_caller") });
    expect(res.status).toBe(403);
    const [record] = await auditsOf("t-mismatch");
    expect(record).toMatchObject({ outcome: "user_mismatch", status: 403 });
  });

  it("writes none for an unknown intent without a valid token", async () => {
    const res = await h.ask({ intent: "horoscope", userId: "u_audited", traceId: "t-unknown-anon", input: { text: "hi" } }, { token: "not.a.token" });
    expect(res.status).toBe(401);
    expect(await auditsOf("t-unknown-anon")).toEqual([]);
  });
});
