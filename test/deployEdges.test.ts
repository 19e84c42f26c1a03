// The platform edges of the first real deploy (issue 24) and the concurrency setting (issue 23),
// against the SCF double through the official SDK, and the checks that refuse a stage at load.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { cronProblem } from "../lib/deploy/cron";
import { DeployError, deploy } from "../lib/deploy/deploy";
import { checkFunctionList } from "../lib/deploy/functionList";
import { loadManifest, parseStages, readDeployFiles, resolveManifest } from "../lib/deploy/manifest";
import { CLIENT_CEILING_MS, RECORD_MARGIN_MS, streamBudgetProblems } from "../lib/deploy/streamBudget";
import { INTENT_NAMES } from "../lib/intents/names";
import { DEPLOY_ENV, stubZipsOf, withFakeTencentApi, writesAfter } from "./support/fakeTencentApi";
import { REPO_ROOT } from "./support/harness";

const NS = "miniask-prod";
const noSleep = async () => undefined;

describe("concurrency per web function (InstanceConcurrencyConfig)", () => {
  it("is read back, rewritten only when it differs, and never sent to an event function", async () => {
    const manifest = loadManifest("prod", DEPLOY_ENV);
    await withFakeTencentApi({}, async (fake, api) => {
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      // Someone sets support back to one request per instance in the console.
      fake.fn(NS, "miniask-prod-miniask-support").concurrency = { DynamicEnabled: "FALSE", MaxConcurrency: 1 };
      const lines: string[] = [];
      let before = fake.calls.length;
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep, log: (l) => lines.push(l) });
      expect(writesAfter(fake, before).map((c) => [c.action, c.params.FunctionName, c.params.InstanceConcurrencyConfig])).toEqual([["UpdateFunctionConfiguration", "miniask-prod-miniask-support", { DynamicEnabled: "FALSE", MaxConcurrency: 25 }]]);
      expect(lines).toContain("support: settings differ from the stage's: concurrency 1 -> 25");
      before = fake.calls.length;
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(writesAfter(fake, before)).toEqual([]);
      // Dynamic, up to a maximum.
      const dynamic = { ...manifest, functions: manifest.functions.map((f) => (f.name === "extract" ? { ...f, concurrency: { mode: "dynamic" as const, max: 30 } } : f)) };
      await deploy(api, { manifest: dynamic, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(fake.fn(NS, "miniask-prod-miniask-extract").concurrency).toEqual({ DynamicEnabled: "TRUE", MaxConcurrency: 30 });
      // Public egress switched off in the console: put back, nothing else written.
      fake.fn(NS, "miniask-prod-miniask-auth").publicNet = "DISABLE";
      before = fake.calls.length;
      await deploy(api, { manifest: dynamic, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(writesAfter(fake, before).map((c) => [c.action, c.params.FunctionName, c.params.PublicNetConfig])).toEqual([["UpdateFunctionConfiguration", "miniask-prod-miniask-auth", { PublicNetStatus: "ENABLE" }]]);
    });
  });

  it("is refused at load on an event function, naming it", () => {
    const { manifest, stages } = readDeployFiles();
    const raw = structuredClone(stages);
    raw.stages.prod.concurrency = { ...raw.stages.prod.concurrency, warmup: { mode: "static", max: 5 } };
    expect(() => resolveManifest(manifest, raw, "prod", DEPLOY_ENV)).toThrow("stages.prod.concurrency.warmup: warmup is an event function; concurrency is for web functions only");
    expect(() => parseStages({ ...stages, stages: { ...stages.stages, dev: { ...stages.stages.dev, concurrency: { auth: { mode: "static", max: 101 } } } } })).toThrow("stages.dev.concurrency.auth.max");
  });
});

describe("the Function URL", () => {
  it("stops the deploy, naming the function, when the warm-up pings it and the API never reports its URL", async () => {
    const manifest = loadManifest("prod", DEPLOY_ENV);
    await withFakeTencentApi({ urlNeverReported: true }, async (fake, api) => {
      const err = await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeployError);
      expect((err as Error).message).toMatch(/^summarize: the warm-up pings it \(50\), but the API reported no Function URL/);
      // The warm-up function was never created with an empty target list.
      expect(fake.functions.has(`${NS}/miniask-prod-miniask-warmup`)).toBe(false);
    });
  });
});

describe("the custom domain", () => {
  it("is updated when its routes or certificate differ from the stage's, and left alone when they agree", async () => {
    const manifest = loadManifest("prod", DEPLOY_ENV);
    await withFakeTencentApi({}, async (fake, api) => {
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      const stored = fake.domains.get("api.miniask.example.cn") as { EndpointsConfig: unknown[] };
      stored.EndpointsConfig = stored.EndpointsConfig.slice(1);
      let before = fake.calls.length;
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(writesAfter(fake, before).map((c) => c.action)).toEqual(["UpdateCustomDomain"]);
      expect(fake.domains.get("api.miniask.example.cn")!.EndpointsConfig).toHaveLength(5);
      const renewed = { ...manifest, domain: { name: "api.miniask.example.cn", certificateId: "cert-Renewed2" } };
      before = fake.calls.length;
      await deploy(api, { manifest: renewed, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(writesAfter(fake, before).map((c) => [c.action, c.params.CertConfig])).toEqual([["UpdateCustomDomain", { CertificateId: "cert-Renewed2" }]]);
      before = fake.calls.length;
      await deploy(api, { manifest: renewed, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(writesAfter(fake, before)).toEqual([]);
    });
  });

  it("is resolved from the deploying shell, refused when it is not a host name, and absent in dev", () => {
    expect(loadManifest("prod", DEPLOY_ENV).domain).toEqual({ name: "api.miniask.example.cn", certificateId: "cert-Abc123xy" });
    expect(loadManifest("prod", { ...DEPLOY_ENV, MINIASK_DOMAIN: "" }).missingVariables).toEqual(["MINIASK_DOMAIN"]);
    expect(() => loadManifest("prod", { ...DEPLOY_ENV, MINIASK_DOMAIN: "*.example.cn" })).toThrow('stages.prod.domain.name: "*.example.cn" is not a host name');
    expect(() => loadManifest("prod", { ...DEPLOY_ENV, MINIASK_DOMAIN: "https://api.example.cn/" })).toThrow("is not a host name");
    expect(loadManifest("dev", DEPLOY_ENV).domain).toBeUndefined();
  });
});

describe("crons in SCF's 7-field grammar", () => {
  it("takes ? for the unused day field and refuses what Quartz would refuse or misread", () => {
    for (const ok of ["0 40 8 ? * MON-FRI *", "0 */4 * * * * *", "0 0 2 1 * ? *", "0 30 10 ? * 2-6 2026", "*/5 * * * * * *"]) expect({ ok, problem: cronProblem(ok) }).toEqual({ ok, problem: undefined });
    expect(cronProblem("0 40 8 * * MON-FRI *")).toBe('a day-of-week (MON-FRI) needs ? as day-of-month, as in "0 40 8 ? * MON-FRI *"');
    expect(cronProblem("0 0 2 1 * MON *")).toMatch(/needs \? as day-of-month/);
    expect(cronProblem("0 0 2 1 * * *")).toBe("a day-of-month (1) needs ? as day-of-week");
    expect(cronProblem("0 0 2 ? * ? *")).toBe("day-of-month and day-of-week cannot both be ?");
    expect(cronProblem("0 60 8 ? * MON *")).toMatch(/^minute: "60" is not 0-59/);
    expect(cronProblem("0 0 25 ? * MON *")).toMatch(/^hour:/);
    expect(cronProblem("0 0 8 ? * FRI-MON *")).toMatch(/runs backwards/);
    expect(cronProblem("0 ? 8 * * * *")).toMatch(/^minute: \? is for day-of-month or day-of-week only/);
    expect(cronProblem("0 40 8 * * *")).toMatch(/^expected 7 fields/);
    expect(cronProblem("0 0 8 ? JAN-MAR MON,WED,5 *")).toBeUndefined();
    expect(cronProblem("*/0 0 * * * * *")).toBe('second: bad step in "*/0"');
    expect(cronProblem("0 0/15/2 * * * * *")).toMatch(/^minute: bad step/);
    expect(cronProblem("0 0 8 ? * MON 1969")).toMatch(/^year: "1969" is not 1970-2099/);
    expect(cronProblem("0 0 8 ? * MON-WED-FRI *")).toMatch(/^day-of-week: "MON-WED-FRI" is not 0-7 or SUN-SAT/);
    expect(cronProblem("0 0 8 32 * ? *")).toMatch(/^day-of-month: "32" is not 1-31/);
    expect(cronProblem("0 0 8 ? FOO * *")).toMatch(/^month: "FOO" is not 1-12 or JAN-DEC/);
  });

  it("refuses an invalid cron at load, naming the key", () => {
    const { stages } = readDeployFiles();
    const raw = structuredClone(stages) as unknown as { stages: { prod: { provisioned: { summarize: { actions: { cron: string }[] } } } } };
    raw.stages.prod.provisioned.summarize.actions[0]!.cron = "0 40 8 * * MON-FRI *";
    expect(() => parseStages(raw)).toThrow("stages.prod.provisioned.summarize.actions[0].cron: expected an SCF cron: a day-of-week (MON-FRI) needs ? as day-of-month");
  });
});

describe("secrets named as ssm:<secret-name>", () => {
  const SECRET_KEYS = ["MINIASK_TOKEN_KEYS", "HUNYUAN_API_KEY", "DEEPSEEK_API_KEY", "DASHSCOPE_API_KEY", "WECHAT_SECRET", "MINIASK_USER_ID_SALT"] as const;
  const refs = Object.fromEntries(SECRET_KEYS.map((k) => [k, `ssm:miniask-prod-${k.toLowerCase().replace(/_/g, "-")}`]));

  it("are sent as the reference: no secret value in the deploy's output or in GetFunction's read-back", async () => {
    const manifest = loadManifest("prod", { ...DEPLOY_ENV, ...refs, MINIASK_SCF_ROLE: "miniask-prod-scf" });
    await withFakeTencentApi({ roles: ["miniask-prod-scf"] }, async (fake, api) => {
      const lines: string[] = [];
      const result = await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep, log: (l) => lines.push(l) });
      const readBack = JSON.stringify(await Promise.all(result.functions.map((d) => api.GetFunction({ FunctionName: d.scfName, Namespace: NS }))));
      expect(readBack).toContain('"Key":"MINIASK_TOKEN_KEYS","Value":"ssm:miniask-prod-miniask-token-keys"');
      const sent = JSON.stringify(fake.calls);
      for (const key of SECRET_KEYS) {
        const value = DEPLOY_ENV[key];
        expect({ key, inOutput: lines.join("\n").includes(value) || JSON.stringify(result).includes(value), inReadBack: readBack.includes(value), sent: sent.includes(value) }).toEqual({ key, inOutput: false, inReadBack: false, sent: false });
      }
    });
  });

  it("a malformed reference is refused at load, naming the variable (SSM names have no /)", () => {
    expect(() => loadManifest("prod", { ...DEPLOY_ENV, MINIASK_TOKEN_KEYS: "ssm:miniask/prod/token-keys" })).toThrow('inputs.functions.summarize: environment variable MINIASK_TOKEN_KEYS: expected ssm:<SecretName> or ssm:<SecretName>@<VersionId>');
    // A version is part of the grammar the function reads.
    expect(loadManifest("prod", { ...DEPLOY_ENV, MINIASK_TOKEN_KEYS: "ssm:miniask-prod-token-keys@v2" }).functions[0]!.environment.MINIASK_TOKEN_KEYS).toBe("ssm:miniask-prod-token-keys@v2");
  });
});

describe("a stream that could outlive its function", () => {
  const config = loadConfig(readConfigFiles(REPO_ROOT));

  it("the shipped serverless.yml passes in every environment", () => {
    const { functions } = loadManifest("prod", DEPLOY_ENV);
    expect(streamBudgetProblems(functions, config, Object.keys(config.environments))).toEqual([]);
  });

  it("is refused when a stream could outlast the 60 s a Mini Program can wait, even with timeouts to match", () => {
    const longer = { ...config, environments: { ...config.environments, staging: { ...config.environments.staging!, streamMaxMs: 50_000 } } };
    const roomy = loadManifest("prod", DEPLOY_ENV).functions.map((f) => ({ ...f, timeout: 900 }));
    expect(streamBudgetProblems(roomy, longer, ["staging", "prod"])).toEqual([
      "staging: a stream may run 50000 ms (model_stream_max_ms) + 8000 ms (model_budget_ms) + 5000 ms for the record, past the 60 s a Mini Program's wx.request can wait: lower model_stream_max_ms in profiles/env-policy.yaml to at most 47000 ms",
    ]);
    expect(CLIENT_CEILING_MS).toBe(60_000);
  });

  it("is refused by the deploy before any call, naming the function, its timeout and the cap", async () => {
    const manifest = loadManifest("prod", DEPLOY_ENV);
    const longer = { ...config, environments: { ...config.environments, prod: { ...config.environments.prod!, streamMaxMs: 120_000 } } };
    expect(RECORD_MARGIN_MS).toBe(5000);
    await withFakeTencentApi({}, async (fake, api) => {
      const err = await deploy(api, { manifest, config: longer, zips: stubZipsOf(manifest), sleep: noSleep }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeployError);
      expect((err as Error).message).toContain("summarize: timeout 60 s, but in prod a stream may run 120000 ms (model_stream_max_ms) + 8000 ms for a refinement (model_budget_ms) + 5000 ms for the record: raise its timeout in serverless.yml above 133 s");
      // support is named too; auth and warmup serve no stream.
      expect((err as Error).message).toMatch(/support: timeout 60 s/);
      expect((err as Error).message).not.toMatch(/auth:|warmup:/);
      expect(fake.calls).toEqual([]);
      // The shipped cap passes: the same deploy goes through.
      await deploy(api, { manifest, config, zips: stubZipsOf(manifest), sleep: noSleep });
    });
  });

  it("the old 30 s timeouts of recommend and extract are refused against the 45 s cap", () => {
    const functions = loadManifest("prod", DEPLOY_ENV).functions.map((f) => (f.name === "recommend" || f.name === "extract" ? { ...f, timeout: 30 } : f));
    expect(streamBudgetProblems(functions, config, ["prod"]).map((p) => p.split(":")[0])).toEqual(["recommend", "extract"]);
    // 45 s + 8 s + 5 s = 58 s: a timeout of 58 s is one short for all four intents, 59 s is enough.
    expect(streamBudgetProblems(functions.map((f) => ({ ...f, timeout: 58 })), config, ["prod"])).toHaveLength(4);
    expect(streamBudgetProblems(functions.map((f) => ({ ...f, timeout: 59 })), config, ["prod"])).toEqual([]);
  });
});

describe("one list of functions, from the intents", () => {
  const { manifest } = readDeployFiles();

  it("the shipped serverless.yml and functions/ match lib/intents", () => {
    expect(() => checkFunctionList(manifest, REPO_ROOT)).not.toThrow();
  });

  it("an intent without its function, and a function without its intent, are named", () => {
    expect(() => checkFunctionList(manifest, REPO_ROOT, [...INTENT_NAMES, "translate"])).toThrow(/intent "translate" has no function: add inputs\.functions\.translate to serverless\.yml[\s\S]*intent "translate" has no functions\/translate\/index\.ts/);
    const fewer = INTENT_NAMES.filter((n) => n !== "extract");
    expect(() => checkFunctionList(manifest, REPO_ROOT, fewer)).toThrow(/function "extract" in serverless\.yml serves no intent[\s\S]*functions\/extract\/ serves no intent/);
    const noUrl = { ...manifest, inputs: { ...manifest.inputs, triggers: (manifest.inputs.triggers ?? []).filter((t) => t.function !== "recommend") } };
    expect(() => checkFunctionList(noUrl, REPO_ROOT)).toThrow('intent "recommend" has no Function URL');
  });
});
