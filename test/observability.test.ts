// One log line and one audit record per request, whatever happens to it.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRecordSchema } from "../lib/observability/auditRecord";
import * as z from "zod/mini";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { filesWithLimits } from "./support/policyFiles";
import { PII } from "./support/pii";

const REDIS = "redis://127.0.0.1:6379";
let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS);
});
afterAll(() => redis.disconnect());

async function auditRecords(prefix: string) {
  const keys = await redis.keys(`${prefix}audit:v1:*`);
  const values = keys.length ? await redis.mget(...keys) : [];
  return values.map((v) => z.parse(auditRecordSchema, JSON.parse(v!)));
}

describe("one log line and one audit record per request (staging, Redis)", () => {
  let h: Harness;
  const prefix = `test:${randomUUID()}:`;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", rawFiles: filesWithLimits("staging", { per_user_intent: { requests: 3, window_seconds: 60 } }), processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
  });
  afterAll(() => h.close());

  it("covers success, 4xx, 429, 503 and streaming", async () => {
    const statuses: number[] = [];
    const body = (i: number) => ({ intent: "summarize", userId: "u_obs", traceId: `obs-${i}`, input: { text: `${ARTICLE_TEXT} ${i}`, maxBullets: 2 } });
    statuses.push((await h.ask(body(1))).status); // 200
    statuses.push((await h.ask({ ...body(2), input: { text: "x", maxBullets: 0 } })).status); // 400
    statuses.push((await h.ask(body(3), { token: null })).status); // 401
    h.upstream.setDefault({ status: 503 });
    statuses.push((await h.ask(body(4))).status); // 503
    h.upstream.setDefault({});
    const streamed = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_obs")}` },
      body: JSON.stringify({ ...body(5), stream: true }),
    });
    await streamed.text();
    statuses.push(streamed.status); // 200 (stream)
    statuses.push((await h.ask(body(6))).status); // 429: the 4th admitted-or-not of u_obs
    const raw = await fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
    statuses.push(raw.status); // 401: no token, so the body is never read
    expect(statuses).toEqual([200, 400, 401, 503, 200, 429, 401]);

    const lines = h.logRecords().filter((r) => r.msg === "request");
    expect(lines).toHaveLength(7);
    // Every authenticated request leaves one audit record; one without a valid token leaves none
    // (it is counted per client IP instead), so nobody fills the store without a token.
    const audits = await auditRecords(prefix);
    expect(audits).toHaveLength(5);
    expect(new Set(audits.map((a) => a.traceId))).toEqual(new Set(lines.filter((l) => l.status !== 401).map((l) => l.traceId)));
    expect(audits.map((a) => a.outcome).sort()).toEqual(["invalid_input", "model_unavailable", "ok", "ok", "rate_limited"].sort());
    expect(lines.filter((l) => l.status === 401).every((l) => l.input === undefined)).toBe(true);
  });

  it("puts every field of the request in the log line", () => {
    const line = h.logRecords().find((r) => r.msg === "request" && r.traceId === "obs-1")!;
    expect(line).toMatchObject({
      level: "info",
      traceId: "obs-1",
      env: "staging",
      intent: "summarize",
      profile: "summarize_v1",
      profileHash: expect.stringMatching(/^[0-9a-f]{16}$/),
      model: "local-stand-in:hunyuan-turbos-latest",
      attempts: [{ outcome: "ok" }],
      cache: "off",
      limit: "ok",
      tokens: expect.any(Number),
      status: 200,
      timings: { auth: expect.any(Number), limit: expect.any(Number), model: expect.any(Number), total: expect.any(Number) },
    });
    const failed = h.logRecords().find((r) => r.msg === "request" && r.traceId === "obs-4")!;
    expect(failed).toMatchObject({ status: 503, code: "model_unavailable", attempts: [{ outcome: "server_error" }, { outcome: "server_error" }, { outcome: "server_error" }, { outcome: "server_error" }] });
  });

  it("keeps a hashed user, the outcome, usage and time in the audit record", async () => {
    const record = (await auditRecords(prefix)).find((a) => a.traceId === "obs-1")!;
    expect(record).toMatchObject({ env: "staging", intent: "summarize", profile: "summarize_v1", outcome: "ok", status: 200, user: expect.stringMatching(/^[0-9a-f]{16}$/), usage: { totalTokens: expect.any(Number) } });
    expect(JSON.stringify(record)).not.toContain("u_obs");
    expect(Date.parse(record.time)).toBeGreaterThan(Date.now() - 60_000);
    // Redis keeps an audit record for the replay window only (staging: 2 days); the trail is CLS's.
    const ttl = await redis.ttl(`${prefix}audit:v1:obs-1:${record.user}`);
    expect(ttl).toBeGreaterThan(86_400);
    expect(ttl).toBeLessThanOrEqual(2 * 86_400);
  });

  it("sends X-Trace-Id on every response, errors and unknown routes included", async () => {
    for (const res of [await fetch(`${h.url}/nope`), await fetch(`${h.url}/v1/mini/ask`), await fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers: { "x-trace-id": "given-1" }, body: "{}" })]) {
      expect(res.headers.get("x-trace-id")).toMatch(/^[\w.:-]+$/);
    }
    expect((await fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers: { "x-trace-id": "given-1" }, body: "{}" })).headers.get("x-trace-id")).toBe("given-1");
  });
});

describe("what text is logged, per environment", () => {
  const text = `Call me at ${PII.mobile} or write to ${PII.email}. My order is ${PII.orderNo}.`;
  const requestIn = async (env: "dev" | "staging" | "prod") => {
    const h = await startHarness({ env });
    try {
      await h.ask({ intent: "support", userId: "u_text", traceId: `text-${env}`, input: { question: text } });
      return h.logRecords().find((r) => r.msg === "request")!;
    } finally {
      await h.close();
    }
  };

  it("dev: the full text", async () => {
    const line = await requestIn("dev");
    expect(line.input).toEqual({ input: { question: text } });
    expect(String(line.output)).toContain(PII.mobile);
  });

  it("staging: redacted text", async () => {
    const line = await requestIn("staging");
    expect(line.input).toEqual({ input: { question: "Call me at [phone] or write to [email]. My order is [order_no]." } });
    expect(String(line.output)).toContain("[phone]");
    expect(JSON.stringify(line)).not.toContain(PII.mobile);
  });

  it("prod: no text, only lengths and hashes", async () => {
    const line = await requestIn("prod");
    expect(line.input).toEqual({ chars: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(line.output).toEqual({ chars: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});

describe("what an error message may quote", () => {
  it("quotes at most 40 characters of the caller's text, and prod logs no client error message at all", async () => {
    const h = await startHarness({ env: "prod", processEnv: { MINIASK_STORE: "memory", WECHAT_APPID: "wx0123456789abcdef", WECHAT_SECRET: "wechat-app-secret-0123456789abcdef" } });
    try {
      const huge = "王".repeat(20_000);
      const res = await h.ask({ intent: "support", userId: "u_q", input: { question: "q", history: [{ role: huge, content: "x" }] } });
      expect(res.status).toBe(400);
      const body = JSON.stringify(res.json);
      expect(body.length).toBeLessThan(1000);
      expect(body).toContain("王".repeat(30));
      expect(body).not.toContain("王".repeat(41));
      const keyed = await h.ask({ intent: "summarize", userId: "u_q", input: { text: "hi" }, context: { [huge]: "x" } });
      expect(keyed.status).toBe(400);
      expect(JSON.stringify(keyed.json).length).toBeLessThan(1000);
      const lines = h.logRecords().filter((r) => r.msg === "request" && r.status === 400);
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).not.toHaveProperty("error");
        expect(JSON.stringify(line)).not.toContain("王");
      }
    } finally {
      await h.close();
    }
  });
});

describe("trace ids in redacted logs", () => {
  it("keep the caller's trace id as sent, even when it looks like a card or phone number", async () => {
    const h = await startHarness({ env: "staging" });
    try {
      for (const traceId of ["1732412345678007", "t-13912345678"]) {
        expect((await h.ask({ intent: "summarize", userId: "u_t", traceId, input: { text: "A short text. Two sentences." } })).status).toBe(200);
        expect(h.logRecords().some((r) => r.msg === "request" && r.traceId === traceId)).toBe(true);
      }
    } finally {
      await h.close();
    }
  });
});

