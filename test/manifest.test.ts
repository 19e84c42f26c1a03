// serverless.yml against the multi-scf component's own definition (lib/deploy/multiScfSchema.ts,
// written from its source), scripts/deploy/stages.yml, and the resolved stages.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../lib/config/loadConfig";
import { INTENT_NAMES } from "../lib/intents/names";
import { STAGES_FILE, loadConcurrencySettings, loadManifest, loadProvisionedSettings, parseManifest, readDeployFiles } from "../lib/deploy/manifest";
import { writeProvisionedSchedule } from "../lib/deploy/writeSchedule";
import { DEPLOY_ENV } from "./support/fakeTencentApi";
import { REPO_ROOT, realConfigFiles } from "./support/harness";

const rawManifest = () => parse(readFileSync(`${REPO_ROOT}serverless.yml`, "utf8")) as Record<string, unknown> & { inputs: Record<string, unknown> & { functions: Record<string, Record<string, unknown>> } };
const stagesText = () => readFileSync(`${REPO_ROOT}${STAGES_FILE}`, "utf8");

describe("serverless.yml, as the multi-scf component defines it", () => {
  it("parses against the component's schema: only the keys its source declares", () => {
    const { manifest } = readDeployFiles();
    expect(Object.keys(rawManifest()).sort()).toEqual(["app", "component", "inputs", "name", "stage"]);
    expect(manifest.component).toBe("multi-scf");
    expect(manifest.inputs.src).toEqual({ src: "./dist", exclude: ["*.zip"] });
  });

  it("gives every function its own built folder and a handler (scf_bootstrap for web functions)", () => {
    const { manifest } = readDeployFiles();
    for (const [key, fn] of Object.entries(manifest.inputs.functions)) {
      const type = fn.type ?? manifest.inputs.type;
      expect({ key, src: fn.src, handler: fn.handler }).toEqual({ key, src: `./${key}`, handler: type === "web" ? "scf_bootstrap" : "index.main_handler" });
    }
  });

  it("refuses what the component would ignore or not know", () => {
    const withKey = (mutate: (m: ReturnType<typeof rawManifest>) => void) => {
      const m = rawManifest();
      mutate(m);
      return () => parseManifest(m);
    };
    expect(withKey((m) => (m.miniask = { stages: {} }))).toThrow('serverless.yml: (root): unknown key "miniask"');
    expect(withKey((m) => (m.inputs.environment = { variables: { A: "b" } }))).toThrow("serverless.yml: inputs.environment: formatter.ts overwrites `environment`");
    expect(withKey((m) => delete m.inputs.functions.summarize!.handler)).toThrow("serverless.yml: inputs.functions.summarize.handler: required string, missing");
    expect(withKey((m) => (m.inputs.functions.summarize!.environments = [{ key: "A" }]))).toThrow("inputs.functions.summarize.environments[0].value");
    expect(withKey((m) => (m.inputs.triggers = [{ type: "apigw", parameters: {} }]))).toThrow("serverless.yml: inputs.triggers[0].type");
    expect(withKey((m) => (m.inputs.triggers = [{ type: "timer", function: "warmup", parameters: { name: "w", cronExpression: "*/4 * * * *" } }]))).toThrow("expected 7 fields");
    expect(withKey((m) => (m.inputs.memorySize = 200))).toThrow("serverless.yml: inputs.memorySize: expected 64, or 128..3072 in steps of 128");
  });

  it("holds no secret: every environment value is a ${...} reference, but for named settings that are not secrets", () => {
    const { manifest } = readDeployFiles();
    const lists = [manifest.inputs.environments ?? [], ...Object.values(manifest.inputs.functions).map((f) => f.environments ?? [])];
    // A header name, the same for every stage: no secret.
    const literals: Record<string, RegExp> = { MINIASK_CLIENT_IP_HEADER: /^[a-z0-9-]+$/ };
    for (const e of lists.flat()) expect(e.value).toMatch(literals[e.key] ?? /^\$\{(stage|env:[A-Z_][A-Z0-9_]*)\}$/);
  });

  it("is consistent with the code and config: every routed intent has a function and a URL, and back", () => {
    const { manifest, stages } = readDeployFiles();
    const intentFunctions = Object.keys(manifest.inputs.functions).filter((f) => f !== "auth" && f !== "warmup");
    const config = loadConfig(realConfigFiles());
    const routed = new Set(Object.values(config.environments).flatMap((env) => Object.keys(env?.routing ?? {})));
    expect([...routed].sort()).toEqual([...INTENT_NAMES].sort());
    expect(intentFunctions.sort()).toEqual([...INTENT_NAMES].sort());
    expect(readdirSync(`${REPO_ROOT}functions`).sort()).toEqual(Object.keys(manifest.inputs.functions).sort());
    expect((manifest.inputs.triggers ?? []).filter((t) => t.type === "http").map((t) => t.function).sort()).toEqual([...intentFunctions, "auth"].sort());
    for (const stage of Object.values(stages.stages)) for (const fn of [...Object.keys(stage.warmup), ...Object.keys(stage.provisioned)]) expect(manifest.inputs.functions[fn]).toBeDefined();
  });
});

describe("a stage, resolved", () => {
  it("names functions as the component does and merges environments as it does (a function's list replaces the app's)", () => {
    const m = loadManifest("prod", DEPLOY_ENV);
    expect(m).toMatchObject({ stage: "prod", region: "ap-guangzhou", namespace: "miniask-prod", runtime: "Nodejs18.15", alias: "live", canaryWeight: 0.1, missingVariables: [], vpc: { vpcId: "vpc-abc123", subnetId: "subnet-def456" } });
    const fn = (name: string) => m.functions.find((f) => f.name === name)!;
    expect(fn("summarize")).toMatchObject({ scfName: "miniask-prod-miniask-summarize", type: "web", handler: "scf_bootstrap", initTimeout: 10, urlTrigger: { name: "url", authType: "NONE", enableExtranet: true }, warmupCount: 2, provisioned: { mode: "scheduled" } });
    expect(Object.keys(fn("summarize").environment).sort()).toEqual(["DASHSCOPE_API_KEY", "DEEPSEEK_API_KEY", "HUNYUAN_API_KEY", "MINIASK_CLIENT_IP_HEADER", "MINIASK_ENV", "MINIASK_STORE", "MINIASK_TOKEN_KEYS", "MINIASK_USER_ID_SALT", "MINIASK_WARMUP_KEY", "WECHAT_APPID", "WECHAT_SECRET"]);
    expect(Object.keys(fn("auth").environment).sort()).toEqual(["MINIASK_CLIENT_IP_HEADER", "MINIASK_ENV", "MINIASK_STORE", "MINIASK_TOKEN_KEYS", "MINIASK_USER_ID_SALT", "WECHAT_APPID", "WECHAT_SECRET"]);
    expect(fn("warmup")).toMatchObject({ type: "event", handler: "index.main_handler", environment: { MINIASK_ENV: "prod", MINIASK_WARMUP_KEY: DEPLOY_ENV.MINIASK_WARMUP_KEY }, timers: [{ name: "warmup", cron: "0 */4 * * * * *", enable: true }] });
  });

  it("lists unset variables the stage does not allow", () => {
    expect(loadManifest("prod", { ...DEPLOY_ENV, HUNYUAN_API_KEY: "" }).missingVariables).toEqual(["HUNYUAN_API_KEY"]);
    expect(loadManifest("dev", {}).missingVariables).not.toContain("MINIASK_STORE");
    expect(() => loadManifest("qa", DEPLOY_ENV)).toThrow('--stage: expected one of dev, staging, prod, got "qa"');
  });

  it("loads each stage's requests per instance in the shape the burst planner reads", () => {
    const ten = { mode: "static", max: 10 };
    const measured = { mode: "static", max: 25 };
    for (const stage of ["dev", "staging", "prod"]) expect(loadConcurrencySettings(stage)).toEqual({ summarize: measured, support: measured, recommend: ten, extract: ten, auth: ten });
    expect(loadManifest("prod", DEPLOY_ENV).functions.map((f) => [f.name, f.concurrency?.max])).toEqual([["summarize", 25], ["support", 25], ["recommend", 10], ["extract", 10], ["auth", 10], ["warmup", undefined]]);
  });

  it("loads each stage's provisioned concurrency in the shape the burst planner reads", () => {
    expect(loadProvisionedSettings("dev")).toEqual({});
    expect(loadProvisionedSettings("prod")).toEqual({
      summarize: {
        mode: "scheduled",
        count: 2,
        actions: [
          { name: "morning-peak", count: 6, cron: "0 40 8 ? * MON-FRI *" },
          { name: "after-peak", count: 2, cron: "0 30 10 ? * MON-FRI *" },
        ],
      },
      support: { mode: "tracking", target: 0.6, min: 2, max: 40 },
      auth: { mode: "static", count: 2 },
    });
  });
});

describe("writeProvisionedSchedule (npm run plan -- --write)", () => {
  it("replaces one function's setting and keeps every comment and every other line", () => {
    const before = stagesText();
    const after = writeProvisionedSchedule(before, "prod", "summarize", { mode: "scheduled", count: 4, actions: [{ name: "morning-peak", count: 45, cron: "0 35 8 ? * MON-FRI *" }] });
    const changed = (a: string, b: string) => a.split("\n").filter((line) => !b.split("\n").includes(line));
    expect(changed(after, before)).toEqual(["        count: 4", '          - { name: morning-peak, count: 45, cron: "0 35 8 ? * MON-FRI *" }']);
    expect(changed(before, after)).toEqual(["        count: 2", '          - { name: morning-peak, count: 6, cron: "0 40 8 ? * MON-FRI *" }', '          - { name: after-peak, count: 2, cron: "0 30 10 ? * MON-FRI *" }']);
    for (const comment of before.split("\n").filter((line) => line.trim().startsWith("#"))) expect(after).toContain(comment);
  });

  it("writes the current settings back as the same text, and adds a new function", () => {
    let text = stagesText();
    for (const stage of ["dev", "staging", "prod"]) for (const [fn, p] of Object.entries(loadProvisionedSettings(stage))) text = writeProvisionedSchedule(text, stage, fn, p);
    expect(text).toBe(stagesText());
    const added = writeProvisionedSchedule(text, "staging", "extract", { mode: "tracking", target: 0.5, min: 1, max: 8 });
    expect(added).toContain("      extract: { mode: tracking, target: 0.5, min: 1, max: 8 }\n");
  });

  it("refuses a schedule the API would refuse, and a stage that does not exist", () => {
    expect(() => writeProvisionedSchedule(stagesText(), "prod", "support", { mode: "tracking", target: 0.6, min: 0, max: 4 })).toThrow("schedule for support: min: expected a number at least 1");
    expect(() => writeProvisionedSchedule(stagesText(), "prod", "summarize", { mode: "scheduled", count: 1, actions: [{ name: "a", count: 2, cron: "0 40 8 * * *" }] })).toThrow("expected 7 fields");
    expect(() => writeProvisionedSchedule(stagesText(), "qa", "summarize", { mode: "static", count: 1 })).toThrow("no stages.qa.provisioned");
  });
});
