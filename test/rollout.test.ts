import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../lib/config/configError";
import { loadConfig } from "../lib/config/loadConfig";
import { rolloutBucket } from "../lib/routing/resolveProfile";
import { ARTICLE_TEXT, type Harness, REPO_ROOT, startHarness } from "./support/harness";
import { filesWithRollout } from "./support/policyFiles";
import { KEYLESS } from "./support/spawnServer";

const run = promisify(execFile);

describe("gradual rollout, and flags that agree with /ask", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", rawFiles: filesWithRollout("staging", "summarize", { profile: "summarize_v2", percent: 10 }) });
  });
  afterAll(() => h.close());

  const flags = async (userId: string) => {
    const res = await fetch(`${h.url}/v1/mini/flags`, { headers: { authorization: `Bearer ${await h.token(userId)}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { configHash: string; intents: Record<string, { profile: string; arm: string; features: Record<string, boolean> }> };
  };

  it("sends about 10% of 1000 users to v2, each user stable, flags and ask always agreeing", async () => {
    let inV2 = 0;
    for (let u = 0; u < 1000; u++) {
      const userId = `u_roll_${u}`;
      const first = await flags(userId);
      const again = await flags(userId);
      expect(again.intents.summarize).toEqual(first.intents.summarize);
      const asked = await h.ask({ intent: "summarize", userId, input: { text: `${ARTICLE_TEXT} ${u}`, maxBullets: 2 } }, { headers: { "x-miniask-cache": "bypass" } });
      expect(asked.status).toBe(200);
      expect(asked.json.profile, userId).toBe(first.intents.summarize!.profile);
      if (first.intents.summarize!.profile === "summarize_v2") {
        inV2++;
        expect(first.intents.summarize).toMatchObject({ arm: "rollout", features: { refine: true, cache: true } });
      } else {
        expect(first.intents.summarize).toMatchObject({ profile: "summarize_v1", arm: "control", features: { refine: false, cache: false } });
      }
    }
    expect(inV2).toBeGreaterThanOrEqual(70);
    expect(inV2).toBeLessThanOrEqual(130);
  }, 120_000);

  it("says which arm served each request in the log line and the audit record", async () => {
    const v2User = Array.from({ length: 200 }, (_, u) => `u_arm_${u}`).find((u) => rolloutBucket(u, "summarize", "summarize:summarize_v2") < 10)!;
    const res = await h.ask({ intent: "summarize", userId: v2User, traceId: "t-arm", input: { text: ARTICLE_TEXT } });
    expect(res.json.profile).toBe("summarize_v2");
    expect(h.logRecords().find((r) => r.msg === "request" && r.traceId === "t-arm")).toMatchObject({ arm: "rollout", profile: "summarize_v2" });
    const [auditKey] = await h.built.app.store.keys(`${h.built.settings.MINIASK_STORE_PREFIX}audit:v1:t-arm:*`, 2);
    const audit = JSON.parse((await h.built.app.store.get(auditKey!))!) as Record<string, unknown>;
    expect(audit).toMatchObject({ arm: "rollout", profile: "summarize_v2" });
    const requested = await h.ask({ intent: "summarize", userId: v2User, traceId: "t-arm-2", input: { text: ARTICLE_TEXT }, profile: "summarize_v1" });
    expect(requested.json.profile).toBe("summarize_v1");
    expect(h.logRecords().find((r) => r.traceId === "t-arm-2")).toMatchObject({ arm: "requested" });
  });

  it("answers flags only to an authenticated caller", async () => {
    expect((await fetch(`${h.url}/v1/mini/flags`)).status).toBe(401);
  });
});

describe("flags of a profile with tools (dev's support_v2)", () => {
  it("say it streams: its answer streams after the tool rounds", async () => {
    const h = await startHarness({ env: "dev" });
    try {
      const res = await fetch(`${h.url}/v1/mini/flags`, { headers: { authorization: `Bearer ${await h.token("u_flags_tools")}` } });
      const { intents } = (await res.json()) as { intents: Record<string, { profile: string; features: Record<string, boolean> }> };
      expect(intents.support).toMatchObject({ profile: "support_v2", features: { tools: true, streaming: true } });
    } finally {
      await h.close();
    }
  });
});

describe("rollout settings", () => {
  it("percent 0 is the kill switch, 100 sends everyone", async () => {
    for (const [percent, expected] of [
      [0, "summarize_v1"],
      [100, "summarize_v2"],
    ] as const) {
      const h = await startHarness({ env: "staging", rawFiles: filesWithRollout("staging", "summarize", { profile: "summarize_v2", percent }) });
      try {
        for (let u = 0; u < 20; u++) expect((await h.ask({ intent: "summarize", userId: `u_k${u}`, input: { text: ARTICLE_TEXT } })).json.profile).toBe(expected);
      } finally {
        await h.close();
      }
    }
  });

  it("a new salt reshuffles who is in", () => {
    const users = Array.from({ length: 1000 }, (_, u) => `u_${u}`);
    const a = users.filter((u) => rolloutBucket(u, "summarize", "s1") < 10);
    const b = users.filter((u) => rolloutBucket(u, "summarize", "s2") < 10);
    expect(a).not.toEqual(b);
  });

  it("a rollout to a profile the environment disallows stops the start", () => {
    expect(() => loadConfig(filesWithRollout("prod", "summarize", { profile: "summarize_v2", percent: 10 }))).toThrow(ConfigError);
    expect(() => loadConfig(filesWithRollout("prod", "summarize", { profile: "summarize_v2", percent: 10 }))).toThrow(
      'profiles/env-policy.yaml: environments.prod.rollout.summarize.profile: "summarize_v2" is not allowed in prod (allowed: summarize_v1, support_v1, recommend_v1, extract_v1); a rollout never sends users to a profile the environment disallows',
    );
    expect(() => loadConfig(filesWithRollout("staging", "summarize", { profile: "support_v2", percent: 10 }))).toThrow('serves intent "support", not "summarize"');
  });

  it("replay reruns a rollout request with the profile its arm chose", async () => {
    const prefix = `test:${randomUUID()}:`;
    const h = await startHarness({ env: "staging", rawFiles: filesWithRollout("staging", "summarize", { profile: "summarize_v2", percent: 100 }), processEnv: { MINIASK_STORE: "redis://127.0.0.1:6379", MINIASK_STORE_PREFIX: prefix } });
    try {
      await h.ask({ intent: "summarize", userId: "u_rep", traceId: "t-rollout-replay", input: { text: ARTICLE_TEXT, maxBullets: 2 } });
      const out = await run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/replay.ts", "t-rollout-replay", "--json"], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...KEYLESS, MINIASK_ENV: "staging", MINIASK_STORE: "redis://127.0.0.1:6379", MINIASK_STORE_PREFIX: prefix, MINIASK_UPSTREAM_URL: h.upstream.url },
      });
      const result = JSON.parse(out.stdout) as { recorded: { arm: string; profile: string }; replay: { profile: string } };
      expect(result.recorded).toMatchObject({ arm: "rollout", profile: "summarize_v2" });
      expect(result.replay.profile).toBe("summarize_v2");
    } finally {
      await h.close();
    }
  });
});
