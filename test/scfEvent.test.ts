// Both SCF event shapes, as JSON fixtures shaped like the platform's, through main_handler.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { createEventHandler, plainRequestOfEvent } from "../lib/http/scfEvent";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const body = JSON.stringify({ intent: "summarize", userId: "u_123", traceId: "evt-1", input: { text: ARTICLE_TEXT, maxBullets: 3 } });

function eventFrom(name: string, token: string, eventBody = body): Record<string, unknown> {
  const event = JSON.parse(fixture(name)) as Record<string, unknown>;
  event.body = eventBody;
  const headers = event.headers as Record<string, string>;
  for (const key of Object.keys(headers)) headers[key] = headers[key]!.replace("__TOKEN__", token);
  return event;
}

describe("SCF event transport", () => {
  let h: Harness;
  let handler: ReturnType<typeof createEventHandler>;
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
    handler = createEventHandler(h.built.app.handle);
  });
  afterAll(() => h.close());

  it("answers an API Gateway event with the integrated response", async () => {
    const res = await handler(eventFrom("apigw-event.json", await h.token("u_123")), { request_id: "ctx-id-ignored" });
    expect(res.statusCode).toBe(200);
    expect(res.isBase64Encoded).toBe(false);
    expect(res.headers["x-trace-id"]).toBe("evt-1");
    const json = JSON.parse(res.body) as { answer: string; profile: string };
    expect(json.answer.split("\n").length).toBeLessThanOrEqual(3);
    expect(json.profile).toBe("summarize_v2");
    expect(h.logRecords().at(-1)).toMatchObject({ traceId: "evt-1", requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" });
  });

  it("answers a Function URL event, taking the request id from context", async () => {
    const res = await handler(eventFrom("function-url-event.json", await h.token("u_123")), { request_id: "scf-req-42", function_name: "miniask-summarize" });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ traceId: "evt-1", intent: "summarize" });
    expect(h.logRecords().at(-1)).toMatchObject({ traceId: "evt-1", requestId: "scf-req-42" });
  });

  it("decodes a base64 body", async () => {
    const event = eventFrom("apigw-event.json", await h.token("u_123"), Buffer.from(body).toString("base64"));
    event.isBase64Encoded = true;
    expect((await handler(event, {})).statusCode).toBe(200);
  });

  it("lower-cases header names and strips the query string", () => {
    const plain = plainRequestOfEvent({ httpMethod: "post", path: "/v1/mini/ask?x=1", headers: { "Content-Type": "application/json" }, body: "{}" }, {});
    expect(plain).toMatchObject({ method: "POST", path: "/v1/mini/ask", headers: { "content-type": "application/json" } });
  });

  it("refuses an oversized body with 413, and bad JSON with 400", async () => {
    const token = await h.token("u_123");
    const big = await handler(eventFrom("function-url-event.json", token, "x".repeat(65 * 1024 + 1)), {});
    expect(big.statusCode).toBe(413);
    const bad = await handler(eventFrom("function-url-event.json", token, "{oops"), {});
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: "invalid_json" } });
  });

  it("answers a non-HTTP event with 400 unsupported_event, not a crash", async () => {
    const res = await handler({ Type: "Timer", TriggerName: "t", Time: "2026-11-24T09:00:00Z", Message: "" }, {});
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "unsupported_event" } });
  });
});

describe("functions/summarize entry", () => {
  let upstream: LocalUpstream;
  const saved = { ...process.env };
  beforeAll(async () => {
    upstream = await startLocalUpstream();
  });
  afterAll(async () => {
    process.env = saved;
    await upstream.close();
  });

  it("exports a main_handler that serves its own intent and no other", async () => {
    process.env.MINIASK_ENV = "staging";
    process.env.MINIASK_UPSTREAM_URL = upstream.url;
    process.env.MINIASK_STORE = "memory";
    process.env.MINIASK_TOKEN_KEYS = "ci:function-entry-secret-32-bytes-long-xx";
    const { main_handler } = await import("../functions/summarize/index");
    const token = (await issueAppToken(parseTokenKeys(process.env.MINIASK_TOKEN_KEYS, "staging"), "staging", "u_123", 60)).token;
    const ok = await main_handler(eventFrom("function-url-event.json", token), { request_id: "r1" });
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ intent: "summarize", profile: "summarize_v1" });
    const other = JSON.stringify({ intent: "support", userId: "u_123", input: { question: "Where is my order?" } });
    const refused = await main_handler(eventFrom("function-url-event.json", token, other), { request_id: "r2" });
    expect(refused.statusCode).toBe(404);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "intent_not_served" } });
  });
});
