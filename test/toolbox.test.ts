import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { loadConfig } from "../lib/config/loadConfig";
import { faqLookup } from "../lib/tools/faqLookup";
import { jsonSchemaToZod } from "../lib/tools/jsonSchemaToZod";
import { createToolbox } from "../lib/tools/toolbox";
import { type Harness, realConfigFiles, startHarness } from "./support/harness";

type Json = Record<string, any>;

let teamApi: Server;
let teamApiHost: string;
const seen: string[] = [];
const seenHeaders: Record<string, string | string[] | undefined>[] = [];
const CALLER = { traceId: "t-tool", userHash: "u_0123456789abcdef01234567" };
beforeAll(async () => {
  teamApi = createServer((req, res) => {
    seen.push(req.url ?? "");
    seenHeaders.push(req.headers);
    if (req.url?.startsWith("/orders/HUGE")) {
      // An API gone wrong: an endless reply. Only the first 64 KiB may be read.
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = `[${"1,".repeat(32 * 1024)}`;
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
      return;
    }
    if (req.url?.startsWith("/orders/DEEP")) return void res.writeHead(200).end(`${"[".repeat(5000)}${"]".repeat(5000)}`);
    if (req.url?.startsWith("/orders/SLOW")) return void setTimeout(() => res.end("{}"), 2000);
    if (req.url?.startsWith("/orders/MISSING")) {
      res.writeHead(404).end('{"error":"no such order"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ order: req.url?.split("/")[2], status: "shipped", eta: "2 days" }));
  });
  await new Promise<void>((resolve) => teamApi.listen(0, "127.0.0.1", resolve));
  teamApiHost = `127.0.0.1:${(teamApi.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => teamApi.close(() => resolve())));

function filesWithTeamApi(allowedHost = teamApiHost, tools: Json = {}): RawConfigFiles {
  const files = structuredClone(realConfigFiles()) as RawConfigFiles & { tools: Json };
  Object.assign(files.tools.tools.order_status, { url: `http://${teamApiHost}/orders/{orderId}/status`, allowed_hosts: [allowedHost], timeout_ms: 300 });
  Object.assign(files.tools, tools);
  return files;
}

/** The team's tool declared carelessly: a path parameter with no pattern. */
function filesWithLooseParameter(): RawConfigFiles {
  const files = filesWithTeamApi() as RawConfigFiles & { tools: Json };
  files.tools.tools.order_status.parameters = { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] };
  return files;
}

describe("jsonSchemaToZod", () => {
  const schema = jsonSchemaToZod({ type: "object", properties: { orderId: { type: "string", pattern: "^[A-Z0-9-]{3,32}$" }, count: { type: "integer", minimum: 1, maximum: 5 }, kind: { type: "string", enum: ["a", "b"] } }, required: ["orderId"] });
  it("accepts valid arguments and refuses the rest", () => {
    expect(z.safeParse(schema, { orderId: "A-1001", count: 2, kind: "a" }).success).toBe(true);
    expect(z.safeParse(schema, { orderId: "a b" }).success).toBe(false);
    expect(z.safeParse(schema, { count: 2 }).success).toBe(false);
    expect(z.safeParse(schema, { orderId: "A-1", count: 9 }).success).toBe(false);
    expect(z.safeParse(schema, { orderId: "A-1", kind: "c" }).success).toBe(false);
    expect(z.safeParse(schema, { orderId: "A-1", extra: true }).success).toBe(false);
  });
});

describe("faqLookup", () => {
  const faq = loadConfig(realConfigFiles()).faq;
  it("ranks the entries sharing the most words", () => {
    expect(faqLookup(faq, "how can I reset the password of my account", 2)[0]?.q).toBe("How do I reset my password?");
    expect(faqLookup(faq, "refund cancelled order", 1)[0]?.q).toBe("How do I get a refund for a cancelled order?");
    expect(faqLookup(faq, "zzz qqq", 3)).toEqual([]);
  });
  it("matches Chinese by character pairs", () => {
    expect(faqLookup([{ q: "如何修改收货地址？", a: "在订单页点击修改地址。" }, { q: "怎么开发票？", a: "在订单页申请。" }], "我想改一下收货地址", 1)[0]?.q).toBe("如何修改收货地址？");
  });
});

describe("toolbox", () => {
  it("calls the team API with the filled URL template", async () => {
    const toolbox = createToolbox(loadConfig(filesWithTeamApi()));
    const outcome = await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"A-1001"}' }, CALLER, 5000);
    expect(outcome).toEqual({ ok: true, content: JSON.stringify({ order: "A-1001", status: "shipped", eta: "2 days" }) });
    expect(seen.at(-1)).toBe("/orders/A-1001/status");
  });

  it("refuses arguments that fail the schema, without calling the API", async () => {
    const toolbox = createToolbox(loadConfig(filesWithTeamApi()));
    const before = seen.length;
    const outcome = await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"../admin"}' }, CALLER, 5000);
    expect(outcome).toMatchObject({ ok: false, error: "invalid_arguments" });
    expect(outcome.content).toContain("invalid arguments: orderId");
    expect(seen.length).toBe(before);
  });

  it("refuses a host that is not on the allow-list", async () => {
    const toolbox = createToolbox(loadConfig(filesWithTeamApi("api.example.com")));
    const before = seen.length;
    expect(await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"A-1"}' }, CALLER, 5000)).toMatchObject({ ok: false });
    expect(seen.length).toBe(before);
  });

  it("reports a timeout and a non-2xx answer as tool errors", async () => {
    const toolbox = createToolbox(loadConfig(filesWithTeamApi()));
    expect(await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"SLOW-1"}' }, CALLER, 5000)).toMatchObject({ ok: false, error: "timeout" });
    expect(await toolbox.run({ id: "c2", name: "order_status", arguments: '{"orderId":"MISSING-1"}' }, CALLER, 5000)).toEqual({ ok: true, content: '{"error":"the API answered 404"}' });
  });

  it("never lets a path parameter walk the path, even without a pattern", async () => {
    const toolbox = createToolbox(loadConfig(filesWithLooseParameter()));
    const before = seen.length;
    for (const orderId of ["..", ".", "../admin", "a/b", "a\\b", ""]) {
      const outcome = await toolbox.run({ id: "c1", name: "order_status", arguments: JSON.stringify({ orderId }) }, CALLER, 5000);
      expect(outcome, orderId).toMatchObject({ ok: false, error: "tool_argument_not_allowed" });
    }
    expect(seen.length).toBe(before);
    // A dot inside a value is fine: it cannot form a segment of its own.
    expect(await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"A.1"}' }, CALLER, 5000)).toMatchObject({ ok: true });
    expect(seen.at(-1)).toBe("/orders/A.1/status");
  });

  it("tells the team's API who asked: the user's hash and the trace id", async () => {
    const toolbox = createToolbox(loadConfig(filesWithTeamApi()));
    await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"A-1002"}' }, CALLER, 5000);
    expect(seenHeaders.at(-1)).toMatchObject({ "x-miniask-user": CALLER.userHash, "x-trace-id": "t-tool" });
  });

  it("reads an endless reply only up to its cap, and refuses one nested too deep", async () => {
    const toolbox = createToolbox(loadConfig(filesWithTeamApi(teamApiHost, {})));
    const huge = await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"HUGE-1"}' }, CALLER, 5000);
    expect(huge.ok).toBe(true);
    expect(huge.content.length).toBeLessThanOrEqual(4000);
    const deep = await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"DEEP-1"}' }, CALLER, 5000);
    expect(deep.content).toContain("nested too deep");
  });

  it("gives a call no more time than the request has left for tools", async () => {
    const toolbox = createToolbox(loadConfig(filesWithTeamApi(teamApiHost)));
    // The tool may take 300 ms, but only 50 are left.
    expect(await toolbox.run({ id: "c1", name: "order_status", arguments: '{"orderId":"SLOW-2"}' }, CALLER, 50)).toMatchObject({ ok: false, error: "timeout" });
  });

  it("refuses at start a profile naming an unknown tool", () => {
    const files = structuredClone(realConfigFiles()) as RawConfigFiles & { profiles: Json };
    files.profiles.profiles.support_v2.tools = ["faq_lookup", "crm_search"];
    expect(() => loadConfig(files)).toThrow('profiles/mini-program-profiles.yaml: profiles.support_v2.tools[1]: unknown tool "crm_search" (known: faq_lookup, order_status) in profiles/tools.yaml');
  });
});

describe("the tool loop in the request path (dev: support_v2 has tools)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "dev", rawFiles: filesWithTeamApi() });
  });
  afterAll(() => h.close());
  const ask = (question: string) => h.ask({ intent: "support", userId: "u_t", traceId: `t-${Math.random().toString(36).slice(2)}`, input: { question } }, { headers: { "x-miniask-cache": "bypass" } });

  it("runs a tool-call round trip: model asks, backend runs, model answers from the result", async () => {
    h.upstream.enqueue({ toolCalls: [{ name: "order_status", arguments: '{"orderId":"A-1001"}' }] });
    const before = h.upstream.requests.length;
    const res = await ask("Where is my order A-1001?");
    expect(res.status).toBe(200);
    expect(String(res.json.answer)).toContain('"status":"shipped"');
    const [first, second] = h.upstream.requests.slice(before);
    expect((first?.body.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual(["faq_lookup", "order_status"]);
    expect((second?.body.messages as { role: string }[]).slice(-2).map((m) => m.role)).toEqual(["assistant", "tool"]);
    const toolLine = h.logRecords().find((r) => r.msg === "tool call" && r.traceId === res.json.traceId);
    expect(toolLine).toMatchObject({ tool: "order_status", ok: true, ms: expect.any(Number) });
    expect(h.logRecords().at(-1)).toMatchObject({ traceId: res.json.traceId, toolCalls: 1, status: 200 });
  });

  it("looks up the FAQ", async () => {
    h.upstream.enqueue({ toolCalls: [{ name: "faq_lookup", arguments: '{"query":"reset password"}' }] });
    const res = await ask("I forgot my password, what now?");
    expect(String(res.json.answer)).toContain("Account security");
  });

  it("gives invalid arguments back to the model as an error and logs it", async () => {
    h.upstream.enqueue({ toolCalls: [{ name: "order_status", arguments: '{"orderId":"; DROP TABLE"}' }] });
    const res = await ask("Where is my order?");
    expect(res.status).toBe(200);
    expect(h.logRecords().filter((r) => r.msg === "tool call").at(-1)).toMatchObject({ tool: "order_status", ok: false, error: "invalid_arguments" });
  });

  it("never serves one user's tool-made answer to another: a profile with tools caches per user", async () => {
    const question = `Where is my order A-2001? ${Math.random()}`;
    const asOwner = (userId: string) => h.ask({ intent: "support", userId, input: { question } });
    h.upstream.enqueue({ toolCalls: [{ name: "order_status", arguments: '{"orderId":"A-2001"}' }] });
    const first = await asOwner("u_owner");
    expect(first.json.cached).toBe(false);
    // Another user, the very same question: the tool runs again, for them.
    h.upstream.enqueue({ toolCalls: [{ name: "order_status", arguments: '{"orderId":"A-2001"}' }] });
    const before = seenHeaders.length;
    const second = await asOwner("u_other");
    expect(second.json.cached).toBe(false);
    expect(seenHeaders.slice(before).map((hd) => hd["x-miniask-user"])).toHaveLength(1);
    expect(seenHeaders.at(-1)?.["x-miniask-user"]).not.toBe(seenHeaders[before - 1]?.["x-miniask-user"]);
    // The owner asking again is served from the cache.
    expect((await asOwner("u_owner")).json.cached).toBe(true);
  });

  it("runs at most max_calls_per_round of a round's calls, answering every call id", async () => {
    const many = { toolCalls: Array.from({ length: 300 }, (_, i) => ({ name: "order_status", arguments: JSON.stringify({ orderId: `A-${1000 + i}` }) })) };
    h.upstream.enqueue(many);
    const before = seen.length;
    const sentBefore = h.upstream.requests.length;
    const res = await ask("Where are all my orders?");
    expect(res.status).toBe(200);
    expect(seen.length - before).toBe(4);
    const second = h.upstream.requests[sentBefore + 1]!.body.messages as { role: string; content: string }[];
    const toolTurns = second.filter((m) => m.role === "tool");
    expect(toolTurns).toHaveLength(300);
    expect(toolTurns.filter((m) => m.content.includes("limit reached"))).toHaveLength(296);
    expect(h.logRecords().filter((r) => r.msg === "tool call" && r.traceId === res.json.traceId)).toHaveLength(4);
  });

  it("stops offering tools once a request's calls reach max_calls_per_request", async () => {
    const four = { toolCalls: Array.from({ length: 4 }, (_, i) => ({ name: "faq_lookup", arguments: JSON.stringify({ query: `shipping ${i}` }) })) };
    h.upstream.enqueue(four, four);
    const before = h.upstream.requests.length;
    const res = await ask("Tell me everything about shipping");
    expect(res.status).toBe(200);
    // 4 + 4 calls reach the cap of 8: the third turn is offered no tools.
    expect(h.upstream.requests.slice(before).map((r) => r.body.tools === undefined)).toEqual([false, false, true]);
  });

  it("stops offering tools after max_rounds and makes the model answer", async () => {
    const call = { toolCalls: [{ name: "faq_lookup", arguments: '{"query":"shipping"}' }] };
    h.upstream.enqueue(call, call, call);
    const before = h.upstream.requests.length;
    const res = await ask("How long does shipping take to Xinjiang?");
    expect(res.status).toBe(200);
    const sent = h.upstream.requests.slice(before);
    expect(sent).toHaveLength(4);
    expect(sent.map((r) => r.body.tools === undefined)).toEqual([false, false, false, true]);
  });
});
