// Circuit breakers per provider target, on the real Redis: once the first provider's breaker
// opens, requests skip it at once; after the cool-down one request probes it; a breaker opened
// by one process is seen by another through the store, with no round trip of its own.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { type ControllableProvider, startControllableProvider } from "./support/controllableProvider";
import { type Harness, realConfigFiles, startHarness } from "./support/harness";

type Json = Record<string, any>;
const REDIS = "redis://127.0.0.1:6379";
const FIRST_TIMEOUT_MS = 1500;

/** staging's fast chain: hunyuan (the breakable one) then qwen (the local upstream). */
function files(first: ControllableProvider, upstream: LocalUpstream): RawConfigFiles {
  const f = structuredClone(realConfigFiles()) as RawConfigFiles & { models: Json; envPolicy: Json };
  f.models.providers.hunyuan.base_url = first.url;
  f.models.providers.qwen.base_url = upstream.url;
  f.models.aliases.fast.staging = [
    { provider: "hunyuan", model: "hunyuan-turbos-latest", timeout_ms: FIRST_TIMEOUT_MS },
    { provider: "qwen", model: "qwen-turbo", timeout_ms: 3000 },
  ];
  const staging = f.envPolicy.environments.staging;
  staging.breaker = { consecutive_failures: 3, min_failing_users: 3, cooldown_ms: 1500, probe_lease_ms: 5000 };
  staging.limits = { ...staging.limits, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 } };
  return f;
}

const KEYS = { HUNYUAN_API_KEY: "sk-hunyuan-test", DEEPSEEK_API_KEY: "sk-deepseek-test", DASHSCOPE_API_KEY: "sk-qwen-test" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("circuit breakers (staging, Redis)", () => {
  let upstream: LocalUpstream;
  let first: ControllableProvider;
  const open: Harness[] = [];
  beforeAll(async () => {
    upstream = await startLocalUpstream();
    first = await startControllableProvider(upstream.url);
  });
  afterEach(async () => {
    first.mode = "ok";
    for (const h of open.splice(0)) await h.close();
  });
  afterAll(async () => {
    await first.close();
    await upstream.close();
  });

  async function harness(prefix: string): Promise<Harness> {
    const h = await startHarness({ env: "staging", rawFiles: files(first, upstream), providersFromConfig: true, upstream, processEnv: { ...KEYS, MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
    open.push(h);
    return h;
  }
  // Each request from its own user: one user's failures count only twice toward a breaker.
  const ask = (h: Harness, i: number, userId = `u_br${i}`) => h.ask({ intent: "summarize", userId, traceId: `br-${randomUUID().slice(0, 8)}-${i}`, input: { text: `Breakers keep users from waiting on a dead provider. Request ${i}. It has three sentences.` } });
  const firstOutcome = (json: Record<string, unknown>, h: Harness) => {
    const line = h.logRecords().find((r) => r.msg === "request" && r.traceId === json.traceId) as { attempts: { provider: string; outcome: string; reason?: string }[]; timings: { model: number } };
    return { first: line.attempts[0], modelMs: line.timings.model };
  };

  for (const [mode, failure] of [
    ["refuse", "connection"],
    ["error500", "server_error"],
  ] as const) {
    it(`opens after 3 failures (${mode}), then skips the provider at once`, async () => {
      const h = await harness(`test:${randomUUID()}:`);
      first.mode = mode;
      const outcomes = [];
      for (let i = 0; i < 6; i++) {
        const res = await ask(h, i);
        expect(res.status).toBe(200);
        outcomes.push(firstOutcome(res.json, h).first);
      }
      expect(outcomes.slice(0, 3).map((o) => o?.outcome)).toEqual([failure, failure, failure]);
      expect(outcomes.slice(3).map((o) => [o?.outcome, o?.reason])).toEqual([
        ["skipped", "breaker_open"],
        ["skipped", "breaker_open"],
        ["skipped", "breaker_open"],
      ]);
      expect(h.logRecords().filter((r) => r.msg === "breaker opened")).toEqual([expect.objectContaining({ level: "warn", provider: "hunyuan", model: "hunyuan-turbos-latest", reason: "consecutive_failures" })]);
    });
  }

  it("with the first provider hanging, 50 sequential requests: a few pay its timeout, the rest do not; open, half-open, closed in the log", async () => {
    const h = await harness(`test:${randomUUID()}:`);
    first.mode = "hang";
    const seen: { outcome?: string; modelMs: number }[] = [];
    for (let i = 0; i < 50; i++) {
      // Recovery half-way: the provider comes back, and the cool-down (1.5 s) runs out.
      if (i === 40) {
        first.mode = "ok";
        await sleep(1600);
      }
      const res = await ask(h, i);
      expect(res.status).toBe(200);
      const o = firstOutcome(res.json, h);
      seen.push({ outcome: o.first?.outcome, modelMs: o.modelMs });
    }
    const paidTimeout = seen.filter((s) => s.outcome === "timeout");
    expect(paidTimeout).toHaveLength(3);
    // Skipped ones never waited for the dead provider.
    const skipped = seen.slice(3, 40);
    expect(skipped.every((s) => s.outcome === "skipped")).toBe(true);
    expect(skipped.every((s) => s.modelMs < FIRST_TIMEOUT_MS)).toBe(true);
    // The first request after the cool-down probes it, and it answers: closed again.
    expect(seen.slice(40).every((s) => s.outcome === "ok")).toBe(true);
    const transitions = h.logRecords().filter((r) => typeof r.msg === "string" && r.msg.startsWith("breaker ")).map((r) => r.msg);
    expect(transitions).toEqual(["breaker opened", "breaker half-open", "breaker closed"]);
  }, 60_000);

  it("a breaker opened by one process is seen by another through Redis", async () => {
    const prefix = `test:${randomUUID()}:`;
    const one = await harness(prefix);
    const two = await harness(prefix);
    first.mode = "refuse";
    for (let i = 0; i < 3; i++) await ask(one, i);
    expect(one.logRecords().some((r) => r.msg === "breaker opened")).toBe(true);
    const hitsBefore = first.hits;
    // The other process has never called the provider; its admission reads the shared state.
    const res = await ask(two, 99);
    expect(res.status).toBe(200);
    expect(firstOutcome(res.json, two).first).toMatchObject({ provider: "hunyuan", outcome: "skipped", reason: "breaker_open" });
    expect(first.hits).toBe(hitsBefore);
    expect(two.logRecords().find((r) => r.msg === "breaker opened")).toMatchObject({ source: "shared" });
  });

  it("one user alone cannot open a breaker for everyone", async () => {
    const h = await harness(`test:${randomUUID()}:`);
    first.mode = "refuse";
    for (let i = 0; i < 6; i++) expect((await ask(h, i, "u_alone")).status).toBe(200);
    expect(h.logRecords().some((r) => r.msg === "breaker opened")).toBe(false);
    // Everyone else still reaches the first provider.
    first.mode = "ok";
    const res = await ask(h, 7, "u_someone_else");
    expect(firstOutcome(res.json, h).first).toMatchObject({ provider: "hunyuan", outcome: "ok" });
  });

  it("shows the breakers' state in healthz (staging)", async () => {
    const h = await harness(`test:${randomUUID()}:`);
    first.mode = "refuse";
    for (let i = 0; i < 3; i++) await ask(h, i);
    const health = (await (await fetch(`${h.url}/healthz`)).json()) as { breakers: { provider: string; state: string }[] };
    expect(health.breakers).toEqual(expect.arrayContaining([expect.objectContaining({ provider: "hunyuan", model: "hunyuan-turbos-latest", state: "open" })]));
  });
});
