// The client waits as long as the function it calls may run: serverless.yml's timeouts, built
// into miniprogram/src/functionTimeouts.ts by `npm run build:miniprogram`, plus a margin for the
// trip. So it never gives up on an answer the runtime still computes (and charges for): not on
// a stream, which the runtime caps at model_stream_max_ms and a refinement, nor on a /refine.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../lib/config/loadConfig";
import { ENVIRONMENTS } from "../lib/config/schema";
import { readDeployFiles } from "../lib/deploy/manifest";
import { requiredTimeoutMs } from "../lib/deploy/streamBudget";
import { INTENT_NAMES } from "../lib/intents/names";
import { FUNCTION_TIMEOUT_MS } from "../miniprogram/src/functionTimeouts";
import { createMiniaskClient } from "../miniprogram/src/miniask";
import { CLIENT_MARGIN_MS, createTimeouts } from "../miniprogram/src/timeouts";
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

  it("outlast the runtime's cap of every intent in every environment (stream, refinement, record)", () => {
    const config = loadConfig(shippedConfigFiles());
    const timeoutFor = createTimeouts();
    for (const env of ENVIRONMENTS) {
      for (const intent of INTENT_NAMES) expect(timeoutFor(intent), `${intent} in ${env}`).toBeGreaterThan(requiredTimeoutMs(config, env)!);
    }
  });

  it("waits for an intent this build does not know as long as for the longest one", () => {
    const timeoutFor = createTimeouts();
    const longest = Math.max(...INTENT_NAMES.map((i) => FUNCTION_TIMEOUT_MS[i]!));
    expect(timeoutFor("horoscope")).toBe(longest + CLIENT_MARGIN_MS);
    expect(timeoutFor(undefined)).toBe(longest + CLIENT_MARGIN_MS);
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
      const plus = (fn: string) => FUNCTION_TIMEOUT_MS[fn]! + CLIENT_MARGIN_MS;
      expect(timeoutOf("/v1/mini/login")).toEqual([plus("auth")]);
      expect(timeoutOf("/v1/mini/ask")).toEqual([plus("summarize"), plus("support")]);
      expect(timeoutOf("/v1/mini/refine")).toEqual([plus("summarize")]);
      expect(timeoutOf("/v1/mini/flags")).toEqual([plus("auth")]);
      // support's function runs 90 s: its client no longer gives up at 15 s.
      expect(plus("support")).toBeGreaterThanOrEqual(90_000);
    });

    it("uses one timeout for every call when the page sets timeoutMs", async () => {
      const wx = wxStandIn();
      const client = createMiniaskClient({ baseUrl: h.url, wx, timeoutMs: 12_000 });
      await client.ask("support", { question: "How do I change my delivery address?" });
      expect(new Set(wx.requests.map((r) => r.timeout))).toEqual(new Set([12_000]));
    });
  });
});
