// A stream's record step (audit record, quota settled with the real usage) is in the store
// before the stream's last event leaves: a process frozen the moment its response ended has
// lost nothing. The store here takes its time over every record, so a record written after
// the last event would still be missing when the client reads it. The app is built as a web
// function is, and the store timeout is set above the store's delay, so
// the record step waits for the write rather than leaving it to land later.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../lib/store/redisStore";
import type { RecordRequest, RecordResult, Store } from "../lib/store/store";
import { storeKeys } from "../lib/store/storeKeys";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";

describe("a stream records before its last event", () => {
  const redis = createRedisStore("redis://127.0.0.1:6379");
  const prefix = `test:${randomUUID()}:`;
  const slow: Store = {
    ...redis,
    async record(request: RecordRequest): Promise<RecordResult> {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return redis.record(request);
    },
  };
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", store: slow, processEnv: { MINIASK_STORE_PREFIX: prefix, MINIASK_STORE_TIMEOUT_MS: "2000" } });
  });
  afterAll(async () => {
    await h.close();
    await redis.close();
  });

  /** Reads the stream until its last event has arrived whole, then looks in the store at once. */
  async function atLastEvent(body: Record<string, unknown>, traceId: string) {
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(String(body.userId))}` },
      body: JSON.stringify({ ...body, traceId, stream: true }),
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended without a last event: ${text.slice(-200)}`);
      text += decoder.decode(value, { stream: true });
      const last = /event: (done|error)\ndata: (.*)\n\n$/.exec(text);
      if (!last) continue;
      const audits = await redis.keys(storeKeys.auditsOfTrace(prefix, traceId), 5);
      const quota = await redis.get(storeKeys.quota(prefix, String(body.userId), Date.now()));
      await reader.cancel();
      return { event: last[1], data: JSON.parse(last[2] as string) as Record<string, any>, audits, quota };
    }
  }

  it("done: the audit record and the settled quota are in the store when the client reads it", async () => {
    const seen = await atLastEvent({ intent: "summarize", userId: "u_rec", input: { text: ARTICLE_TEXT, maxBullets: 2 }, profile: "summarize_v1" }, "t-rec-done");
    expect(seen.event).toBe("done");
    expect(seen.audits).toHaveLength(1);
    expect(Number(seen.quota)).toBe(seen.data.usage.totalTokens);
    expect(JSON.parse((await redis.get(seen.audits[0] as string)) as string)).toMatchObject({ traceId: "t-rec-done", status: 200 });
  });

  it("error: a stream cut mid-way is recorded before its error event", async () => {
    h.upstream.enqueue({ cutStreamAfterChunks: 3 });
    const seen = await atLastEvent({ intent: "summarize", userId: "u_rec_cut", input: { text: ARTICLE_TEXT, maxBullets: 2 }, profile: "summarize_v1" }, "t-rec-cut");
    expect(seen.event).toBe("error");
    expect(seen.data.error.code).toBe("stream_interrupted");
    expect(seen.audits).toHaveLength(1);
    expect(JSON.parse((await redis.get(seen.audits[0] as string)) as string)).toMatchObject({ traceId: "t-rec-cut", status: 502 });
  });
});
