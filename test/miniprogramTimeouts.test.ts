// The client waits as long as the function it calls may run: serverless.yml's timeouts, built
// into miniprogram/src/functionTimeouts.ts by `npm run build:miniprogram`, plus a margin for the
// trip, up to wx.request's 60 s ceiling. So it never gives up on a whole answer or a /refine the
// runtime still computes (and charges for). A stream's cap (model_stream_max_ms + a refinement)
// can pass that ceiling: that limit is the environment policy's, not the client's.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../lib/config/loadConfig";
import { ENVIRONMENTS } from "../lib/config/schema";
import { readDeployFiles } from "../lib/deploy/manifest";
import { RECORD_MARGIN_MS } from "../lib/deploy/streamBudget";
import { INTENT_NAMES } from "../lib/intents/names";
import { FUNCTION_TIMEOUT_MS } from "../miniprogram/src/functionTimeouts";
import { createMiniaskClient } from "../miniprogram/src/miniask";
import { CLIENT_MARGIN_MS, WX_REQUEST_CEILING_MS, createTimeouts } from "../miniprogram/src/timeouts";
import { refineLockMs } from "../lib/refine/refineLock";
import { FUNCTION_TIMEOUTS_FILE } from "../scripts/buildMiniprogram";
import { functionTimeoutsMs, functionTimeoutsSource } from "../scripts/functionTimeouts";
import { type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, type Harness, shippedConfigFiles, startHarness } from "./support/harness";
import { wxStandIn } from "./support/wxStandIn";

describe("the client's timeouts", () => {
  it("are serverless.yml's, as built (the committed table is not stale)", () => {
    expect(readFileSync(FUNCTION_TIMEOUTS_FILE, "utf8")).toBe(functionTimeoutsSource(functionTimeoutsMs()));
    const { manifest } = readDeployFiles();
    expect(FUNCTION_TIMEOUT_MS.support).toBe((manifest.inputs.functions.support?.timeout ?? manifest.inputs.timeout!) * 1000);
    expect(Object.keys(FUNCTION_TIMEOUT_MS).sort()).toEqual([...INTENT_NAMES, "auth"].sort());
  });

  it("wait as long as the function may run, plus the trip, up to wx.request's 60 s ceiling", () => {
    const timeoutFor = createTimeouts();
    for (const fn of [...INTENT_NAMES, "auth"]) expect(timeoutFor(fn), fn).toBe(Math.min(FUNCTION_TIMEOUT_MS[fn]! + CLIENT_MARGIN_MS, WX_REQUEST_CEILING_MS));
    expect(timeoutFor("auth")).toBe(15_000);
    expect(timeoutFor("support")).toBe(WX_REQUEST_CEILING_MS);
  });

  it("outlast what the runtime may take for a whole answer and a /refine, in every environment", () => {
    const config = loadConfig(shippedConfigFiles());
    const timeoutFor = createTimeouts();
    for (const name of ENVIRONMENTS) {
      const env = config.environments[name]!;
      const checked = env.contentSecurity.output;
      // A whole answer: the model budget, WeChat's output check (held to one more), the record.
      const whole = env.modelBudgetMs * (checked ? 2 : 1) + RECORD_MARGIN_MS;
      // A /refine that waits out a frozen holder's lock, then computes under its own.
      const refine = 2 * refineLockMs({ budget_ms: undefined }, env, checked) + RECORD_MARGIN_MS;
      for (const intent of INTENT_NAMES) {
        expect(timeoutFor(intent), `${intent} in ${name}`).toBeGreaterThan(whole);
        expect(timeoutFor(intent), `${intent} /refine in ${name}`).toBeGreaterThan(refine);
      }
    }
  });

  it("waits for an intent this build does not know as long as for the longest one", () => {
    const timeoutFor = createTimeouts();
    const longest = Math.max(...INTENT_NAMES.map((i) => FUNCTION_TIMEOUT_MS[i]!));
    expect(timeoutFor("horoscope")).toBe(Math.min(longest + CLIENT_MARGIN_MS, WX_REQUEST_CEILING_MS));
    expect(timeoutFor(undefined)).toBe(timeoutFor("horoscope"));
    expect(createTimeouts(7000)("support")).toBe(7000);
  });

  describe("on the wire (wx.request's timeout, against a real staging server)", () => {
    let wechat: FakeWechat;
    let h: Harness;
    beforeAll(async () => {
      wechat = await startFakeWechat();
      h = await startHarness({ env: "staging", rawFiles: shippedConfigFiles(), processEnv: { WECHAT_API_BASE: wechat.url } });
    });
    afterAll(async () => {
      await h.close();
      await wechat.close();
    });

    it("gives each call its function's time: login and flags auth's, ask and refine their intent's", async () => {
      const wx = wxStandIn();
      const client = createMiniaskClient({ baseUrl: h.url, wx });
      const fast = await client.ask("summarize", { text: ARTICLE_TEXT, maxBullets: 2 }, { profile: "summarize_v2" });
      expect(fast.refine).toEqual({ id: fast.traceId });
      await client.refine(fast.traceId, { intent: "summarize" });
      await client.ask("support", { question: "Where can I see my invoices?" });
      await client.flags();
      const timeoutOf = (path: string) => wx.requests.filter((r) => r.url.endsWith(path)).map((r) => r.timeout);
      const plus = (fn: string) => Math.min(FUNCTION_TIMEOUT_MS[fn]! + CLIENT_MARGIN_MS, WX_REQUEST_CEILING_MS);
      expect(timeoutOf("/v1/mini/login")).toEqual([plus("auth")]);
      expect(timeoutOf("/v1/mini/ask")).toEqual([plus("summarize"), plus("support")]);
      expect(timeoutOf("/v1/mini/refine")).toEqual([plus("summarize")]);
      expect(timeoutOf("/v1/mini/flags")).toEqual([plus("auth")]);
      // support's function runs 90 s: its client no longer gives up at 15 s, but at wx.request's ceiling.
      expect(plus("support")).toBe(WX_REQUEST_CEILING_MS);
    });

    it("uses one timeout for every call when the page sets timeoutMs", async () => {
      const wx = wxStandIn();
      const client = createMiniaskClient({ baseUrl: h.url, wx, timeoutMs: 12_000 });
      await client.ask("support", { question: "How do I change my delivery address?" });
      expect(new Set(wx.requests.map((r) => r.timeout))).toEqual(new Set([12_000]));
    });
  });
});
