// The client module (miniprogram/src) against the real server over real HTTP, through the
// documented-wx stand-in. Streams of every kind (delta; draft/final; done; error), the fallback
// without chunked transfer, refine, logout, and every failure as a MiniaskError.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { createEventHandler } from "../lib/http/scfEvent";
import { MiniaskError, type TextPhase, createMiniaskClient } from "../miniprogram/src/miniask";
import { type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { filesWithLimits } from "./support/policyFiles";
import { rejection } from "./support/rejection";
import { type WxStandInOptions, wxStandIn } from "./support/wxStandIn";

const text = (tag: string) => `${ARTICLE_TEXT} ${tag} ${randomUUID()}`;

/** What a page's callbacks saw, and whether the answer had resolved when they saw it. */
function pageLog() {
  const seen: { kind: "text" | "delta"; value: string; phase: TextPhase; resolved: boolean }[] = [];
  let resolved = false;
  return {
    seen,
    onText: (value: string, phase: TextPhase) => seen.push({ kind: "text", value, phase, resolved }),
    onDelta: (value: string, phase: TextPhase) => seen.push({ kind: "delta", value, phase, resolved }),
    resolve: () => {
      resolved = true;
    },
    texts: (phase: TextPhase) => seen.filter((s) => s.kind === "text" && s.phase === phase).map((s) => s.value),
    pieces: (phase: TextPhase) => seen.filter((s) => s.kind === "delta" && s.phase === phase).map((s) => s.value),
  };
}

const failureOf = (work: Promise<unknown>) => rejection(work, MiniaskError);

describe("client module: login and plain calls (staging)", () => {
  let wechat: FakeWechat;
  let h: Harness;
  beforeAll(async () => {
    wechat = await startFakeWechat();
    h = await startHarness({ env: "staging", processEnv: { WECHAT_API_BASE: wechat.url } });
  });
  afterAll(async () => {
    await h.close();
    await wechat.close();
  });

  it("logs in with wx.login on first use, then reuses the token", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const first = await client.ask("summarize", { text: ARTICLE_TEXT, maxBullets: 3 });
    expect(first.answer.split("\n").length).toBeLessThanOrEqual(3);
    expect(first.profile).toBe("summarize_v1");
    await client.ask("support", { question: "Where can I see my invoices?" });
    expect(wx.loginCalls).toBe(1);
    expect(client.userId()).toMatch(/^u_/);
    expect(wx.storage.get("miniask.session")).toMatchObject({ userId: client.userId() });
  });

  it("logs in once when several calls start together", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    await Promise.all([1, 2, 3].map(() => client.ask("support", { question: "How do I change my delivery address?" })));
    expect(wx.loginCalls).toBe(1);
  });

  it("sends a traceId that reaches the server's log line", async () => {
    const client = createMiniaskClient({ baseUrl: h.url, wx: wxStandIn() });
    const result = await client.ask("summarize", { text: ARTICLE_TEXT }, { traceId: "client-trace-1" });
    expect(result.traceId).toBe("client-trace-1");
    expect(h.logRecords().some((r) => r.traceId === "client-trace-1" && r.status === 200)).toBe(true);
  });

  it("refreshes the token before it expires", async () => {
    let clock = Date.now();
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx, now: () => clock, refreshMarginSeconds: 60 });
    await client.ask("support", { question: "Can I pay with a company card?" });
    // staging tokens live 60 minutes; 59.5 minutes later the margin is crossed.
    clock += 59.5 * 60 * 1000;
    await client.ask("support", { question: "Can I pay with a company card?" });
    expect(wx.loginCalls).toBe(2);
  });

  it("logs in again once on a 401, and succeeds", async () => {
    const wx = wxStandIn();
    const stale = await issueAppToken(parseTokenKeys("retired:a-retired-key-of-at-least-32-bytes-zz", "staging"), "staging", "u_x", 3600);
    wx.storage.set("miniask.session", { token: stale.token, userId: "u_x", expiresAt: stale.expiresAt });
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const result = await client.ask("support", { question: "Is there a student discount?" });
    expect(result.intent).toBe("support");
    expect(wx.loginCalls).toBe(1);
    expect(wx.requests.filter((r) => r.url.endsWith("/v1/mini/ask"))).toHaveLength(2);
  });

  it("gives up after one re-login, with the server's code and traceId in the error", async () => {
    // The fake WeChat refuses this code, so the re-login itself fails with 401 bad_code.
    const wx = wxStandIn(() => "bad");
    const stale = await issueAppToken(parseTokenKeys("retired:a-retired-key-of-at-least-32-bytes-zz", "staging"), "staging", "u_x", 3600);
    wx.storage.set("miniask.session", { token: stale.token, userId: "u_x", expiresAt: stale.expiresAt });
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const err = await failureOf(client.ask("support", { question: "Hello there friend?" }, { traceId: "t-fail" }));
    expect(err).toMatchObject({ code: "bad_code", status: 401 });
    expect(wx.loginCalls).toBe(1);
  });

  it("shows the traceId on a server error", async () => {
    const client = createMiniaskClient({ baseUrl: h.url, wx: wxStandIn() });
    const err = await failureOf(client.ask("summarize", { text: "x", maxBullets: 99 }, { traceId: "t-400" }));
    expect(err).toMatchObject({ code: "invalid_input", status: 400, traceId: "t-400" });
    expect(err.message).toBe("input.maxBullets: expected a number at most 20 (trace t-400)");
    // Every rejected field, as the server lists them.
    // @ts-expect-error a plain-JS page can send what the generated types refuse
    const both = await failureOf(client.ask("summarize", { text: 5, maxBullets: 99 }));
    expect(both.details?.map((d) => d.path).sort()).toEqual(["input.maxBullets", "input.text"]);
  });

  it("uses one Function URL per intent when given", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ wx, urls: { login: `${h.url}/v1/mini/login`, ask: { support: `${h.url}/v1/mini/ask` } } });
    await client.ask("support", { question: "How long does shipping take?" });
    expect(wx.requests.map((r) => r.url)).toEqual([`${h.url}/v1/mini/login`, `${h.url}/v1/mini/ask`]);
  });

  it("reads the remote flags and lets them pick streaming or not", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const flags = await client.flags();
    expect(flags).toMatchObject({ env: "staging", configHash: h.built.config.hash, intents: { summarize: { profile: "summarize_v1", arm: "control", features: { streaming: true } }, support: { features: { tools: false } } } });
    await client.flags();
    expect(wx.requests.filter((r) => r.url.endsWith("/v1/mini/flags"))).toHaveLength(1);
    const log = pageLog();
    const streamed = await client.answer("summarize", { text: ARTICLE_TEXT, maxBullets: 2 }, { onText: log.onText });
    expect(log.texts("answer").length).toBeGreaterThan(0);
    expect(streamed.answer.split("\n")).toHaveLength(2);
    expect(wx.requests.at(-1)).toMatchObject({ enableChunked: true });
    await client.answer("summarize", { text: ARTICLE_TEXT, maxBullets: 2 });
    expect(wx.requests.at(-1)?.enableChunked).toBeUndefined();
  });

  it("logout() forgets the session in memory and in storage: the next call logs in again", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    await client.ask("support", { question: "Do you ship abroad?" });
    expect(wx.storage.has("miniask.session")).toBe(true);
    client.logout();
    expect(client.userId()).toBeUndefined();
    expect(wx.storage.has("miniask.session")).toBe(false);
    // A new client (the next app launch) finds nothing stored either.
    expect(createMiniaskClient({ baseUrl: h.url, wx }).userId()).toBeUndefined();
    await client.ask("support", { question: "Do you ship abroad?" });
    expect(wx.loginCalls).toBe(2);
  });

  it("logout() during a login keeps the user logged out when the login lands", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const login = client.login();
    client.logout();
    expect((await failureOf(login)).code).toBe("logged_out");
    expect(client.userId()).toBeUndefined();
    expect(wx.storage.has("miniask.session")).toBe(false);
  });
});

describe("client module: streams of a refining profile (dev summarize_v2)", () => {
  let h: Harness;
  let session: { token: string; userId: string };
  const client = (options: WxStandInOptions = {}) => {
    const wx = wxStandIn(() => "unused", options);
    return { wx, miniask: createMiniaskClient({ baseUrl: h.url, wx, session }) };
  };
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
    session = { token: await h.token("u_stream"), userId: "u_stream" };
  });
  afterAll(() => h.close());

  it("shows draft text as it arrives, then refined text replacing it, then resolves with the shaped answer", async () => {
    // The fast model writes slowly enough that the page sees its text long before the end.
    h.upstream.enqueue({ chunkDelayMs: 15 }, { chunkDelayMs: 15 });
    const { miniask, wx } = client({ chunkBytes: 7 });
    const log = pageLog();
    const result = await miniask.askStream("summarize", { text: text("refining"), maxBullets: 3 }, { onText: log.onText, onDelta: log.onDelta });
    log.resolve();
    const drafts = log.texts("draft");
    const finals = log.texts("final");
    expect(drafts.length).toBeGreaterThan(1);
    expect(finals.length).toBeGreaterThan(1);
    // Every draft call came before every final call, and all of them before the answer resolved.
    const phases = log.seen.filter((s) => s.kind === "text").map((s) => s.phase);
    expect(phases.indexOf("final")).toBe(phases.lastIndexOf("draft") + 1);
    expect(log.seen.every((s) => !s.resolved)).toBe(true);
    // onText gives the text so far; onDelta the pieces that make it up, phase by phase.
    for (const phase of ["draft", "final"] as const) {
      const texts = log.texts(phase);
      expect(log.pieces(phase).join("")).toBe(texts.at(-1));
      for (let i = 1; i < texts.length; i++) expect(texts[i]?.startsWith(texts[i - 1] ?? "")).toBe(true);
    }
    expect(result).toMatchObject({ profile: "summarize_v2", refined: true, model: "local-stand-in:deepseek-chat" });
    expect(result.draft).toEqual(expect.any(String));
    expect(result.answer.split("\n").length).toBeLessThanOrEqual(3);
    expect(finals.at(-1)).toContain(result.answer.split("\n")[0]?.slice(2, 30));
    expect(wx.requests.at(-1)).toMatchObject({ enableChunked: true, responseType: "arraybuffer" });
  });

  it("gets the same texts with the body cut into 1-byte chunks (inside events and UTF-8 characters)", async () => {
    const draft = "- 第一点 ✨ 很重要。\n- 🚀 second point here.";
    const refined = "- 精炼 ✨ refined one.\n- 🇨🇳 refined two.";
    h.upstream.enqueue({ content: draft }, { content: refined });
    const log = pageLog();
    const result = await client({ chunkBytes: 1 }).miniask.askStream("summarize", { text: text("bytewise"), maxBullets: 2 }, { onText: log.onText, onDelta: log.onDelta });
    expect(log.texts("draft").at(-1)).toBe(draft);
    expect(log.pieces("draft").join("")).toBe(draft);
    expect(log.texts("final").at(-1)).toBe(refined);
    expect(result).toMatchObject({ answer: refined, draft, refined: true });
  });

  it("a cached answer streams as one `delta`: phase answer, once", async () => {
    const input = { text: text("cached"), maxBullets: 2 };
    // The first stream refines and caches the refined answer (a whole ask would cache only the draft).
    const first = await client().miniask.askStream("summarize", input);
    expect(first.refined).toBe(true);
    const log = pageLog();
    const result = await client().miniask.askStream("summarize", input, { onText: log.onText });
    expect(result.cached).toBe(true);
    expect(result.answer).toBe(first.answer);
    expect(log.texts("answer")).toEqual([result.answer]);
  });

  it("without chunked transfer (base library 2.20.1): one JSON reply, then the refined answer, each callback once per phase", async () => {
    const { miniask, wx } = client({ baseLibrary: "2.20.1" });
    const log = pageLog();
    const result = await miniask.askStream("summarize", { text: text("fallback"), maxBullets: 3 }, { onText: log.onText, onDelta: log.onDelta });
    expect(wx.requests.map((r) => [r.url.slice(h.url.length), r.enableChunked, JSON.parse(String(r.data)).stream])).toEqual([
      ["/v1/mini/ask", undefined, undefined],
      ["/v1/mini/refine", undefined, undefined],
    ]);
    expect(log.texts("draft")).toHaveLength(1);
    expect(log.texts("final")).toHaveLength(1);
    expect(log.pieces("draft")).toEqual(log.texts("draft"));
    expect(result).toMatchObject({ profile: "summarize_v2", refined: true, model: "local-stand-in:deepseek-chat" });
    expect(log.texts("final")[0]).toBe(result.answer);
    expect(log.texts("draft")[0]).toBe(result.draft);
    expect(result.refine).toBeUndefined();
  });

  it("without wx.canIUse at all (base library 1.0): the same fallback; followRefine: false leaves refine to the page", async () => {
    const { miniask } = client({ baseLibrary: "1.0.0" });
    const log = pageLog();
    const fast = await miniask.askStream("summarize", { text: text("old"), maxBullets: 2 }, { onText: log.onText, followRefine: false });
    expect(log.seen).toEqual([{ kind: "text", value: fast.answer, phase: "answer", resolved: false }]);
    expect(fast.refine?.id).toBe(fast.traceId);
    const refined = await miniask.refine(fast.refine?.id ?? "", { intent: "summarize" });
    expect(refined).toMatchObject({ traceId: fast.traceId, refined: true, profile: "summarize_v2", model: "local-stand-in:deepseek-chat" });
    expect(refined.answer.split("\n").length).toBeLessThanOrEqual(2);
  });

  it("refine(id) of another user's answer is a MiniaskError refine_not_found with that traceId", async () => {
    const fast = await client().miniask.ask("summarize", { text: text("owner"), maxBullets: 2 });
    const other = createMiniaskClient({ baseUrl: h.url, wx: wxStandIn(), session: { token: await h.token("u_other"), userId: "u_other" } });
    const err = await failureOf(other.refine(fast.refine?.id ?? ""));
    expect(err).toMatchObject({ code: "refine_not_found", status: 404, traceId: fast.traceId });
  });

  it("a 200 JSON reply to a streamed request (an event function behind a Function URL cannot stream) resolves like the fallback", async () => {
    // The Function URL event shape (platform-facts.md) handed to the real event-function adapter.
    const handler = createEventHandler(h.built.app.handle);
    const eventFunction = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const reply = await handler({ body: Buffer.concat(chunks).toString("utf8"), headers, httpMethod: req.method, path: req.url, queryString: {} }, { request_id: randomUUID() });
      res.writeHead(reply.statusCode, reply.headers);
      res.end(reply.body);
    });
    await new Promise<void>((resolve) => eventFunction.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(eventFunction.address() as AddressInfo).port}`;
      const wx = wxStandIn();
      const miniask = createMiniaskClient({ baseUrl: url, wx, session });
      const log = pageLog();
      const result = await miniask.askStream("summarize", { text: text("json"), maxBullets: 2 }, { onText: log.onText });
      expect(wx.requests[0]).toMatchObject({ enableChunked: true });
      expect(log.texts("draft")).toHaveLength(1);
      expect(log.texts("final")).toEqual([result.answer]);
      expect(result.refined).toBe(true);
    } finally {
      eventFunction.closeAllConnections();
      eventFunction.close();
    }
  });

  it("a task that gives no chunks: the SSE body in success is read whole, callbacks all at the end", async () => {
    const stand = wxStandIn(() => "unused", { chunkedData: "whole" });
    const noChunks = { ...stand, request: (options: Parameters<typeof stand.request>[0]) => ({ abort: stand.request(options).abort }) };
    const log = pageLog();
    const result = await createMiniaskClient({ baseUrl: h.url, wx: noChunks, session }).askStream("summarize", { text: text("nochunks"), maxBullets: 2 }, { onText: log.onText });
    expect(result.refined).toBe(true);
    expect(log.texts("draft").length).toBeGreaterThan(0);
    expect(log.texts("final").length).toBeGreaterThan(0);
  });

  it("when success carries the whole body after the chunks, the events still count once", async () => {
    const log = pageLog();
    const result = await client({ chunkedData: "whole" }).miniask.askStream("summarize", { text: text("whole"), maxBullets: 2 }, { onText: log.onText });
    expect(result.refined).toBe(true);
    expect(new Set(log.texts("final")).size).toBe(log.texts("final").length);
  });

  it("abort() stops the stream with code aborted and the traceId", async () => {
    h.upstream.enqueue({ chunkDelayMs: 50 });
    const log = pageLog();
    const call = client().miniask.askStream("summarize", { text: text("abort"), maxBullets: 2 }, { onText: log.onText, traceId: "t-abort" });
    await new Promise((resolve) => setTimeout(resolve, 120));
    call.abort();
    expect(await failureOf(call)).toMatchObject({ code: "aborted", traceId: "t-abort" });
  });

  it("a page callback that throws stops the request as callback_error, not an uncaught error", async () => {
    const err = await failureOf(
      client().miniask.askStream("summarize", { text: text("throws"), maxBullets: 2 }, { traceId: "t-cb", onText: () => {
        throw new TypeError("this.setData is not a function");
      } }),
    );
    expect(err).toMatchObject({ code: "callback_error", traceId: "t-cb" });
    expect(err.detail).toContain("this.setData is not a function");
  });
});

describe("client module: errors become MiniaskError with the server's code", () => {
  let staging: Harness;
  let limited: Harness;
  const clientOf = async (h: Harness, options: WxStandInOptions = {}) => createMiniaskClient({ baseUrl: h.url, wx: wxStandIn(() => "unused", options), session: { token: await h.token("u_err"), userId: "u_err" } });
  beforeAll(async () => {
    staging = await startHarness({ env: "staging" });
    limited = await startHarness({ env: "dev", rawFiles: filesWithLimits("dev", { per_user_intent: { requests: 1, window_seconds: 60 } }) });
  });
  afterAll(async () => {
    await staging.close();
    await limited.close();
  });

  it("blocked_input 422, whole and streamed", async () => {
    const client = await clientOf(staging);
    const input = { text: "请帮我代开发票，谢谢", maxBullets: 2 };
    expect(await failureOf(client.ask("summarize", input, { traceId: "t-in-1" }))).toMatchObject({ code: "blocked_input", status: 422, traceId: "t-in-1" });
    expect(await failureOf(client.askStream("summarize", input, { traceId: "t-in-2" }))).toMatchObject({ code: "blocked_input", status: 422, traceId: "t-in-2" });
  });

  it("blocked_output: a 502 JSON reply, or an `error` event in the stream after text was shown", async () => {
    const client = await clientOf(staging, { chunkBytes: 5 });
    staging.upstream.enqueue({ content: "Here is how: 代开发票 is easy." });
    expect(await failureOf(client.ask("summarize", { text: text("out"), maxBullets: 2 }))).toMatchObject({ code: "blocked_output", status: 502 });
    staging.upstream.enqueue({ content: "Fine first words. Then 代开发票 is easy." });
    const log = pageLog();
    const err = await failureOf(client.askStream("summarize", { text: text("out-stream"), maxBullets: 2 }, { onText: log.onText, traceId: "t-out" }));
    expect(err).toMatchObject({ code: "blocked_output", status: 200, traceId: "t-out" });
    expect(log.texts("answer").join("")).not.toContain("代开发票");
  });

  it("stream_interrupted: the `error` event when the model stops mid-stream", async () => {
    staging.upstream.enqueue({ cutStreamAfterChunks: 2 });
    const client = await clientOf(staging);
    const err = await failureOf(client.askStream("summarize", { text: text("cut"), maxBullets: 3 }, { traceId: "t-cut" }));
    expect(err).toMatchObject({ code: "stream_interrupted", traceId: "t-cut" });
  });

  it("rate_limited 429 with retryAfter from Retry-After, whole and streamed", async () => {
    const client = await clientOf(limited);
    await client.ask("summarize", { text: text("first"), maxBullets: 2 });
    const whole = await failureOf(client.ask("summarize", { text: text("second"), maxBullets: 2 }));
    expect(whole).toMatchObject({ code: "rate_limited", status: 429 });
    expect(whole.retryAfter).toBeGreaterThanOrEqual(1);
    const streamed = await failureOf(client.askStream("summarize", { text: text("third"), maxBullets: 2 }));
    expect(streamed).toMatchObject({ code: "rate_limited", status: 429 });
    expect(streamed.retryAfter).toBeGreaterThanOrEqual(1);
  });

  it("network failure: network_error with the traceId", async () => {
    const client = createMiniaskClient({ baseUrl: "http://127.0.0.1:1", wx: wxStandIn(), session: { token: "t", userId: "u" } });
    expect(await failureOf(client.askStream("summarize", { text: "x" }, { traceId: "t-net" }))).toMatchObject({ code: "network_error", status: 0, traceId: "t-net" });
  });

  it("a missing API is wx_unavailable, never a TypeError", async () => {
    const input = { text: "x" };
    const noWx = createMiniaskClient({ baseUrl: staging.url } as unknown as Parameters<typeof createMiniaskClient>[0]);
    expect(await failureOf(noWx.ask("summarize", input, { traceId: "t-nowx" }))).toMatchObject({ code: "wx_unavailable", traceId: "t-nowx" });
    expect(await failureOf(noWx.askStream("summarize", input, { traceId: "t-nowx2" }))).toMatchObject({ code: "wx_unavailable", traceId: "t-nowx2" });
    const { request: _request, ...noRequest } = wxStandIn();
    const withoutRequest = createMiniaskClient({ baseUrl: staging.url, wx: noRequest, session: { token: "t", userId: "u" } });
    expect(await failureOf(withoutRequest.askStream("summarize", input, { traceId: "t-noreq" }))).toMatchObject({ code: "wx_unavailable", traceId: "t-noreq" });
    expect(await failureOf(withoutRequest.refine("t-noreq2"))).toMatchObject({ code: "wx_unavailable", traceId: "t-noreq2" });
    const { login: _login, ...noLogin } = wxStandIn();
    expect(await failureOf(createMiniaskClient({ baseUrl: staging.url, wx: noLogin }).ask("summarize", input, { traceId: "t-nologin" }))).toMatchObject({ code: "wx_unavailable", traceId: "t-nologin" });
    const throwing = { ...wxStandIn(), request: () => { throw new TypeError("boom"); } };
    expect(await failureOf(createMiniaskClient({ baseUrl: staging.url, wx: throwing, session: { token: "t", userId: "u" } }).ask("summarize", input, { traceId: "t-throw" }))).toMatchObject({ code: "network_error", traceId: "t-throw" });
  });
});

describe("client module: one custom domain in front of every function", () => {
  // The SCF custom domain as the deploy configures it (lib/deploy/customDomain.ts): PathMatch
  // /<function>/* to that function, PathRewrite "/$" (the function sees the path after its name).
  let h: Harness;
  let domain: { url: string; seen: string[]; close(): Promise<void> };
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const match = /^\/(summarize|support|recommend|extract|auth)(\/.*)$/.exec(req.url ?? "");
      seen.push(req.url ?? "");
      if (!match) return void res.writeHead(404).end();
      const body: Buffer[] = [];
      req.on("data", (c: Buffer) => body.push(c));
      req.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
        void fetch(`${h.url}${match[2]}`, { method: req.method ?? "GET", headers, ...(req.method === "POST" ? { body: Buffer.concat(body) } : {}) }).then(async (r) => {
          res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" }).end(Buffer.from(await r.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    domain = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  });
  afterAll(async () => {
    await domain.close();
    await h.close();
  });

  it("sends each call under its function's path, and refine under the reply's intent", async () => {
    const session = { token: await h.token("u_domain"), userId: "u_domain" };
    const client = createMiniaskClient({ domain: `${domain.url}/`, wx: wxStandIn(), session });
    const answered = await client.ask("summarize", { text: text("domain"), maxBullets: 2 });
    expect(answered.intent).toBe("summarize");
    await client.ask("extract", { text: "Name: Li Lei", fields: ["name"] });
    expect(domain.seen).toEqual(["/summarize/v1/mini/ask", "/extract/v1/mini/ask"]);
    // dev's summarize_v2 refines with the strong model: the refine goes to summarize's path.
    const refined = await client.refine(answered.refine!.id, { intent: "summarize" });
    expect(refined).toMatchObject({ refined: true, traceId: answered.refine!.id });
    expect(domain.seen.at(-1)).toBe("/summarize/v1/mini/refine");
  });

  it("refuses a refine without the intent it would need to route it", async () => {
    const client = createMiniaskClient({ domain: domain.url, wx: wxStandIn(), session: { token: await h.token("u_domain2"), userId: "u_domain2" } });
    const err = await failureOf(client.refine("t-no-intent"));
    expect(err.code).toBe("intent_required");
    expect(err.traceId).toBe("t-no-intent");
  });
});
