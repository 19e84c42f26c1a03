// The provider doubles behind the whole service (staging, real Redis for the breakers' shared
// state): a provider's content refusal reaches the client as 422/502 with the provider's check as
// category and never goes to the next provider; an account out of money is skipped from then on,
// with one error line; a Retry-After is honoured by another instance through the store.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { createSseEventParser } from "../lib/openaiWire/sseEvents";
import { type Harness, realConfigFiles, startHarness } from "./support/harness";
import { deepseek, startDeepSeekDouble } from "./support/providers/deepseek";
import { hunyuan, startHunyuanDouble } from "./support/providers/hunyuan";
import type { ProviderDouble } from "./support/providers/providerDouble";
import { qwen, startQwenDouble } from "./support/providers/qwen";

type Json = Record<string, any>;
const REDIS = "redis://127.0.0.1:6379";
const KEYS = { HUNYUAN_API_KEY: "sk-hunyuan-test", DEEPSEEK_API_KEY: "sk-deepseek-test", DASHSCOPE_API_KEY: "sk-qwen-test" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the provider doubles behind the service (staging, Redis)", () => {
  let ds: ProviderDouble;
  let qw: ProviderDouble;
  let hy: ProviderDouble;
  const open: Harness[] = [];
  beforeAll(async () => {
    [ds, qw, hy] = await Promise.all([startDeepSeekDouble(), startQwenDouble(), startHunyuanDouble()]);
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  afterAll(async () => {
    await Promise.all([ds.close(), qw.close(), hy.close()]);
  });

  /** staging's fast chain as given (provider names), every provider a double. */
  function files(chain: string[]): RawConfigFiles {
    const f = structuredClone(realConfigFiles()) as RawConfigFiles & { models: Json; envPolicy: Json };
    f.models.providers.hunyuan.base_url = hy.url;
    f.models.providers.deepseek.base_url = ds.url;
    f.models.providers.qwen.base_url = qw.url;
    const models: Record<string, string> = { hunyuan: "hunyuan-turbos-latest", deepseek: "deepseek-chat", qwen: "qwen-turbo" };
    f.models.aliases.fast.staging = chain.map((provider) => ({ provider, model: models[provider], timeout_ms: 3000 }));
    const staging = f.envPolicy.environments.staging;
    staging.limits = { ...staging.limits, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 } };
    return f;
  }

  async function harness(chain: string[], prefix = `test:providers:${randomUUID()}:`): Promise<Harness> {
    const h = await startHarness({ env: "staging", rawFiles: files(chain), providersFromConfig: true, processEnv: { ...KEYS, MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
    open.push(h);
    return h;
  }

  const ask = (h: Harness, i = 0) => h.ask({ intent: "summarize", userId: `u_pv${i}_${randomUUID().slice(0, 6)}`, input: { text: `Providers differ at the edges. Request ${i}. Each one documents its own.` } });

  it("Hunyuan's moderation withholds the answer: 502 blocked_output, category hunyuan:sensitive, Qwen never asked", async () => {
    const h = await harness(["hunyuan", "qwen"]);
    hy.next(hunyuan.sensitive());
    const before = qw.requests.length;
    const res = await ask(h);
    expect(res.status).toBe(502);
    expect(res.json.error).toMatchObject({ code: "blocked_output", category: "hunyuan:sensitive" });
    expect(qw.requests.length).toBe(before);
  });

  it("streamed: Hunyuan's moderation after some text ends the stream with an error event carrying blocked_output and its category", async () => {
    const h = await harness(["hunyuan", "qwen"]);
    hy.next(hunyuan.sensitive("好的，以下是要点：第一点"));
    const userId = `u_pvs_${randomUUID().slice(0, 6)}`;
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(userId)}` },
      body: JSON.stringify({ intent: "summarize", userId, stream: true, input: { text: "Providers differ at the edges. Each one documents its own. Some moderate mid-stream." } }),
    });
    const events = createSseEventParser().push(await res.text());
    expect(events.some((e) => e.event === "delta")).toBe(true);
    const last = events.at(-1)!;
    expect(last.event).toBe("error");
    expect(JSON.parse(last.data).error).toMatchObject({ code: "blocked_output", category: "hunyuan:sensitive" });
  });

  it("DashScope's data_inspection_failed on the input: 422 blocked_input, category qwen:data_inspection_failed, Hunyuan never asked", async () => {
    const h = await harness(["qwen", "hunyuan"]);
    qw.next(qwen.inputRefused());
    const before = hy.requests.length;
    const res = await ask(h);
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: "blocked_input", category: "qwen:data_inspection_failed" });
    expect(hy.requests.length).toBe(before);
  });

  it("DeepSeek's 402: the request is answered by the next provider, DeepSeek is skipped from then on (here and on another instance), one error line names it", async () => {
    const prefix = `test:providers:${randomUUID()}:`;
    const a = await harness(["deepseek", "qwen"], prefix);
    ds.next(deepseek.insufficientBalance());
    const first = await ask(a, 1);
    expect(first.status).toBe(200);
    const asked = ds.requests.length;
    for (let i = 2; i < 5; i++) expect((await ask(a, i)).status).toBe(200);
    const b = await harness(["deepseek", "qwen"], prefix);
    expect((await ask(b, 5)).status).toBe(200);
    expect(ds.requests.length).toBe(asked);
    const errors = [...a.logRecords(), ...b.logRecords()].filter((r) => r.level === "error");
    expect(errors).toEqual([expect.objectContaining({ provider: "deepseek", model: "deepseek-chat", reason: "out_of_funds" })]);
  });

  it("models.yaml's params reach their own provider only (Hunyuan's enable_enhancement, DashScope's enable_thinking)", async () => {
    const h = await harness(["hunyuan", "qwen"]);
    hy.next(hunyuan.engineError());
    expect((await ask(h)).status).toBe(200);
    expect(hy.requests.at(-1)!.body).toMatchObject({ enable_enhancement: false });
    expect(hy.requests.at(-1)!.body).not.toHaveProperty("enable_thinking");
    expect(qw.requests.at(-1)!.body).toMatchObject({ enable_thinking: false });
    expect(qw.requests.at(-1)!.body).not.toHaveProperty("enable_enhancement");
  });

  it("Hunyuan's 429 with Retry-After: another instance skips it for that long, then calls it again", async () => {
    const prefix = `test:providers:${randomUUID()}:`;
    const a = await harness(["hunyuan", "qwen"], prefix);
    const b = await harness(["hunyuan", "qwen"], prefix);
    hy.next(hunyuan.rateLimited(2));
    const started = Date.now();
    expect((await ask(a, 1)).status).toBe(200);
    const asked = hy.requests.length;
    const during = await ask(b, 2);
    expect(during.status).toBe(200);
    expect(hy.requests.length).toBe(asked);
    await sleep(Math.max(0, started + 2100 - Date.now()));
    expect((await ask(b, 3)).status).toBe(200);
    expect(hy.requests.length).toBe(asked + 1);
  });
});
