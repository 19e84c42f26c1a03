// Round three of the hostile-input suite (issue #25): the findings of an outsider attacking the
// newer surfaces, one row each, with the status and code it must get now. Each row may take
// several requests (an attack is often a burst); every reply it makes is checked for a trace id
// and for no stack, path or key. A real staging server on the real Redis, the project's fake
// WeChat, and the local OpenAI-compatible upstream playing a hostile provider.
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { spendKeys } from "../lib/cost/budgetStorePlan";
import { cnyToMicroYuan } from "../lib/cost/money";
import { createHttpServer, listen } from "../lib/http/nodeServer";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, type Harness, shippedConfigFiles, startHarness } from "./support/harness";

type Json = Record<string, any>;
const REDIS = "redis://127.0.0.1:6379";
const PER_IP = 5;
const USER_BUDGET_CNY = 0.005;
/** How many of finding 5's ten parallel requests were served: its bound is the budget plus one of them. */
let servedOfTen = 0;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

interface Context {
  h: Harness;
  /** The same app behind a listener that reads the client address from x-scf-remote-addr. */
  proxied: string;
  /** The same environment with its store unreachable. */
  storeDown: Harness;
  prefix: string;
  redis: Redis;
  wechat: FakeWechat;
  /** Every reply a row made: each is checked for a trace id and no stack, path or key. */
  replies: Reply[];
}

interface Attack {
  finding: string;
  name: string;
  /** Makes the attack's requests; returns the reply the row's status and code are about. */
  run(ctx: Context): Promise<Reply>;
  expect: { status: number; code?: string };
  /** What else must hold once it ran. */
  then?(ctx: Context, reply: Reply): Promise<void>;
}

async function send(ctx: Context, url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, { method: "POST", ...init, headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) } });
  const reply = { status: res.status, headers: res.headers, text: await res.text() };
  ctx.replies.push(reply);
  return reply;
}

async function ask(ctx: Context, body: Json, token?: string): Promise<Reply> {
  const bearer = token ?? (await ctx.h.token(String(body.userId)));
  return send(ctx, `${ctx.h.url}/v1/mini/ask`, { headers: { authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
}

const summarize = (userId: string, extra: Json = {}) => ({ intent: "summarize", userId, traceId: `r3-${randomUUID().slice(0, 8)}`, input: { text: ARTICLE_TEXT }, ...extra });
const login = (ctx: Context, url: string, code: string, remoteAddr?: string) =>
  send(ctx, `${url}/v1/mini/login`, { headers: remoteAddr === undefined ? {} : { "x-scf-remote-addr": remoteAddr }, body: JSON.stringify({ code }) });
const json = (reply: Reply): Json => JSON.parse(reply.text) as Json;

export const ROUND3_ATTACKS: Attack[] = [
  {
    finding: "2",
    name: "three accounts whose requests make a provider fail, three times each, do not open its breaker for everyone",
    async run(ctx) {
      ctx.h.upstream.setModelFault("hunyuan-turbos-latest", { status: 500 });
      for (let round = 0; round < 3; round++) for (const user of ["u_br_a", "u_br_b", "u_br_c"]) await ask(ctx, summarize(user));
      ctx.h.upstream.setModelFault("hunyuan-turbos-latest", undefined);
      // An innocent user afterwards still gets the first provider, not a skip to the fallback.
      return ask(ctx, summarize("u_br_innocent"));
    },
    expect: { status: 200 },
    async then(ctx, reply) {
      expect(json(reply).model).toContain("hunyuan-turbos-latest");
      expect(ctx.h.logRecords().filter((r) => r.msg === "breaker opened")).toEqual([]);
    },
  },
  {
    finding: "3",
    name: "a user re-sending its traceId with a bad request does not overwrite the first request's audit record",
    async run(ctx) {
      const traceId = `r3-audit-${randomUUID().slice(0, 8)}`;
      const first = await ask(ctx, summarize("u_audit", { traceId }));
      expect(first.status).toBe(200);
      return ask(ctx, { intent: "summarize", userId: "u_audit", traceId, input: { text: "" } });
    },
    expect: { status: 400, code: "invalid_input" },
    async then(ctx, reply) {
      const traceId = json(reply).traceId as string;
      const keys = await ctx.redis.keys(`${ctx.prefix}audit:v1:${traceId}:*`);
      const records = (await Promise.all(keys.map((k) => ctx.redis.get(k)))).map((v) => JSON.parse(v!) as Json).sort((a, b) => a.time.localeCompare(b.time));
      expect(records.map((r) => [r.status, r.outcome])).toEqual([
        [200, "ok"],
        [400, "invalid_input"],
      ]);
      expect(records[0]!.usage.totalTokens).toBeGreaterThan(0);
    },
  },
  {
    finding: "4",
    name: "failed logins with a new forged first x-scf-remote-addr each time meet the per-IP limit (the front end's last hop counts)",
    async run(ctx) {
      let last!: Reply;
      for (let i = 0; i < PER_IP + 3; i++) last = await login(ctx, ctx.proxied, `bad-code-${i}`, `10.66.${i}.${i}, 198.51.100.7`);
      return last;
    },
    expect: { status: 429, code: "rate_limited" },
  },
  {
    finding: "4",
    name: "sixty logins carrying someone else's address do not lock that address out",
    async run(ctx) {
      for (let i = 0; i < 60; i++) await login(ctx, ctx.proxied, `bad-code-${i}`, `203.0.113.50, 198.51.100.8`);
      return login(ctx, ctx.proxied, `ok-victim-${randomUUID().slice(0, 6)}`, "203.0.113.50");
    },
    expect: { status: 200 },
  },
  {
    finding: "4",
    name: "logins whose address is not an address share one limit, so code2Session cannot be burned",
    async run(ctx) {
      let last!: Reply;
      for (let i = 0; i < PER_IP + 1; i++) last = await login(ctx, ctx.proxied, `bad-code-${i}`, `garbage-${i}`);
      return last;
    },
    expect: { status: 429, code: "rate_limited" },
  },
  {
    finding: "5",
    name: "one user's 10 parallel requests cannot spend more than the user's daily budget",
    async run(ctx) {
      // Each reply reports max_tokens of completion: believable, and dear enough that ten of them
      // would pass the budget if admission only looked at what was already spent.
      ctx.h.upstream.setModelFault("hunyuan-turbos-latest", { usage: { prompt_tokens: 150, completion_tokens: 400, total_tokens: 550 } });
      const token = await ctx.h.token("u_budget");
      const replies = await Promise.all(Array.from({ length: 10 }, () => ask(ctx, summarize("u_budget"), token)));
      ctx.h.upstream.setModelFault("hunyuan-turbos-latest", undefined);
      servedOfTen = replies.filter((r) => r.status === 200).length;
      expect(servedOfTen).toBeGreaterThan(0);
      return replies.find((r) => r.status !== 200) ?? replies[0]!;
    },
    expect: { status: 429, code: "budget_exceeded" },
    async then(ctx) {
      const spent = Number((await ctx.redis.get(spendKeys.user(ctx.prefix, "u_budget", Date.now()))) ?? 0);
      expect(spent).toBeGreaterThan(0);
      // The rule is the quota's: admission holds each request's most cost, so the day passes its
      // budget by at most one request (every reply here costs the same), never by eight as before.
      expect(spent).toBeLessThanOrEqual(cnyToMicroYuan(USER_BUDGET_CNY) + spent / servedOfTen);
      // What admission held came back at settlement.
      expect(Number((await ctx.redis.get(spendKeys.userHeld(ctx.prefix, "u_budget", Date.now()))) ?? 0)).toBe(0);
    },
  },
  {
    finding: "5",
    name: "a provider reporting ten million tokens for one reply is believed only up to max_tokens",
    async run(ctx) {
      ctx.h.upstream.setModelFault("hunyuan-turbos-latest", { usage: { prompt_tokens: 100, completion_tokens: 10_000_000, total_tokens: 10_000_100 } });
      const reply = await ask(ctx, summarize("u_usage"));
      ctx.h.upstream.setModelFault("hunyuan-turbos-latest", undefined);
      return reply;
    },
    expect: { status: 200 },
    async then(ctx, reply) {
      expect(json(reply).usage.completionTokens).toBeLessThanOrEqual(400);
      expect(ctx.h.logRecords().find((r) => r.msg === "usage clamped")).toMatchObject({ level: "warn", provider: expect.stringContaining("hunyuan"), bound: { completionTokens: 400 } });
    },
  },
  {
    finding: "6",
    name: "a context key WeChat finds risky is checked like a value",
    async run(ctx) {
      // Keys are ASCII (letters, digits, _ . -): a term WeChat flags, as a rule of the fake.
      ctx.wechat.addRule({ term: "buy_fake_invoices", label: 21000, suggest: "risky" });
      const user = json(await login(ctx, ctx.h.url, `ok-o-${randomUUID().slice(0, 8)}`));
      return ask(ctx, summarize(user.userId, { input: { text: "A plain sentence about the weather today." }, context: { buy_fake_invoices: "yes" } }), user.token);
    },
    expect: { status: 422, code: "blocked_input" },
    async then(ctx) {
      ctx.wechat.clearRules();
    },
  },
  {
    finding: "11",
    name: "an app token with = appended to its signature",
    async run(ctx) {
      return ask(ctx, summarize("u_tok"), `${await ctx.h.token("u_tok")}=`);
    },
    expect: { status: 401, code: "malformed_token" },
  },
  {
    finding: "11",
    name: "an app token whose signature's last character is another one for the same bytes",
    async run(ctx) {
      const token = await ctx.h.token("u_tok");
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const last = alphabet.indexOf(token.at(-1)!);
      return ask(ctx, summarize("u_tok"), `${token.slice(0, -1)}${alphabet[last ^ 1]}`);
    },
    expect: { status: 401, code: "malformed_token" },
  },
  {
    finding: "12",
    name: "the warm-up without its key says the same whether the store is up or down",
    async run(ctx) {
      const down = await send(ctx, `${ctx.storeDown.url}/v1/mini/warmup`);
      const up = await send(ctx, `${ctx.h.url}/v1/mini/warmup`);
      expect(json(down)).toEqual(json(up));
      return down;
    },
    expect: { status: 200 },
    async then(_ctx, reply) {
      expect(json(reply)).toEqual({ warm: true, heldMs: 0 });
    },
  },
  {
    finding: "12",
    name: "keyless warm-ups from one address are limited",
    async run(ctx) {
      let last!: Reply;
      for (let i = 0; i < 25; i++) last = await send(ctx, `${ctx.proxied}/v1/mini/warmup`, { headers: { "x-scf-remote-addr": "198.51.100.20" } });
      return last;
    },
    expect: { status: 429, code: "rate_limited" },
  },
];

function files(): RawConfigFiles {
  const f = structuredClone(shippedConfigFiles()) as RawConfigFiles & { envPolicy: Json };
  const staging = f.envPolicy.environments.staging;
  // Open when there is no openid to check with (the rows whose tokens come from no WeChat login).
  staging.content_security = { ...staging.content_security, input: true, on_unavailable: "open", every_chars: 40 };
  staging.limits = { ...staging.limits, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 }, per_ip: { requests: PER_IP, window_seconds: 60 } };
  staging.budget = { per_user: { daily_cny: USER_BUDGET_CNY, policy: "refuse" } };
  return f;
}

describe("hostile input, round three (staging, real Redis, fake WeChat)", () => {
  let wechat: FakeWechat;
  let server: Server;
  const ctx = { redis: new Redis(REDIS), prefix: `test:${randomUUID()}:` } as Context;
  beforeAll(async () => {
    wechat = await startFakeWechat();
    ctx.wechat = wechat;
    const processEnv = { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: ctx.prefix, WECHAT_API_BASE: wechat.url, WECHAT_APPID: FAKE_APPID, WECHAT_SECRET: FAKE_SECRET };
    ctx.h = await startHarness({ env: "staging", rawFiles: files(), processEnv });
    ctx.storeDown = await startHarness({ env: "staging", rawFiles: files(), upstream: ctx.h.upstream, processEnv: { ...processEnv, MINIASK_STORE: "redis://127.0.0.1:1", MINIASK_STORE_PREFIX: `test:${randomUUID()}:` } });
    server = createHttpServer(ctx.h.built.app.handle, { clientIpHeader: "x-scf-remote-addr" });
    ctx.proxied = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await ctx.storeDown.close();
    await ctx.h.close();
    await wechat.close();
    ctx.redis.disconnect();
  });

  it.each(ROUND3_ATTACKS.map((a) => [`#${a.finding}: ${a.name}`, a] as const))("%s", async (_name, attack) => {
    ctx.replies = [];
    const reply = await attack.run(ctx);
    expect(reply.status, reply.text.slice(0, 300)).toBe(attack.expect.status);
    if (attack.expect.code) expect(json(reply).error.code).toBe(attack.expect.code);
    await attack.then?.(ctx, reply);
    expect(ctx.replies.length).toBeGreaterThan(0);
    for (const r of ctx.replies) {
      // Whatever happened: a trace id, and never a stack, a path or a key.
      expect(r.headers.get("x-trace-id"), r.text.slice(0, 200)).toMatch(/^[\w.:-]{1,64}$/);
      expect(r.text).not.toMatch(/\bat .*\(|node_modules|\.ts:\d+|sk-test-upstream-key|Error:/);
    }
  });
});
