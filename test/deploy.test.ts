import { execFile } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../lib/config/loadConfig";
import { DeployError, assertPublishedVersion, deploy } from "../lib/deploy/deploy";
import { type ResolvedManifest, parseManifest, resolveManifest } from "../lib/deploy/manifest";
import { type ScfApi, sdkScfApi } from "../lib/deploy/scfApi";
import { INTENT_NAMES } from "../lib/intents/names";
import { type FakeTencentApi, startFakeTencentApi } from "./support/fakeTencentApi";
import { REPO_ROOT, realConfigFiles } from "./support/harness";

const run = promisify(execFile);
const manifestFile = () => parseManifest(parse(readFileSync(`${REPO_ROOT}serverless.yml`, "utf8")));
const DEPLOY_ENV = {
  MINIASK_VPC_ID: "vpc-abc123",
  MINIASK_SUBNET_ID: "subnet-def456",
  MINIASK_STORE: "redis://:redis-password@10.0.0.5:6379/0",
  MINIASK_TOKEN_KEYS: "k1:token-secret-of-at-least-32-bytes-long-xxxx",
  HUNYUAN_API_KEY: "sk-hy-deploy",
  DEEPSEEK_API_KEY: "sk-ds-deploy",
  DASHSCOPE_API_KEY: "sk-qw-deploy",
  WECHAT_APPID: "wx0123456789abcdef",
  WECHAT_SECRET: "wechat-secret-deploy-0123",
  MINIASK_USER_ID_SALT: "salt-salt-salt-salt-salt-salt-salt-salt",
};
const zipsOf = (m: ResolvedManifest, tag = "v1") => Object.fromEntries(m.functions.map((f) => [f.name, Buffer.from(`zip of ${f.name} ${tag}`)]));
const writes = (calls: FakeTencentApi["calls"]) => calls.filter((c) => !/^(Get|List)/.test(c.action));

describe("serverless.yml", () => {
  it("parses, and resolves each stage with secrets only from the environment", () => {
    const m = resolveManifest(manifestFile(), "prod", DEPLOY_ENV);
    expect(m).toMatchObject({ stage: "prod", region: "ap-guangzhou", namespace: "miniask-prod", runtime: "Nodejs18.15", alias: "live", canaryWeight: 0.1, missingVariables: [] });
    const summarize = m.functions.find((f) => f.name === "summarize")!;
    expect(summarize).toMatchObject({ scfName: "miniask-prod-summarize", type: "web", memorySize: 256, urlTrigger: { authType: "NONE" }, warmupCount: 3, provisioned: { mode: "scheduled" } });
    expect(summarize.environment).toMatchObject({ MINIASK_ENV: "prod", HUNYUAN_API_KEY: "sk-hy-deploy" });
    expect(m.functions.find((f) => f.name === "warmup")).toMatchObject({ type: "event", handler: "index.main_handler", timers: [{ name: "warmup", cron: "0 */4 * * * * *" }] });
    expect(resolveManifest(manifestFile(), "dev", {}).missingVariables).toContain("HUNYUAN_API_KEY");
  });

  it("holds no secret: every environment value is a ${...} reference", () => {
    const raw = parse(readFileSync(`${REPO_ROOT}serverless.yml`, "utf8")) as { inputs: { environments: { value: string }[]; functions: Record<string, { environments?: { value: string }[] }> } };
    const values = [...raw.inputs.environments, ...Object.values(raw.inputs.functions).flatMap((f) => f.environments ?? [])].map((e) => e.value);
    for (const value of values) expect(value).toMatch(/^\$\{(stage|env:[A-Z_][A-Z0-9_]*)\}$/);
  });

  it("is consistent with the code and config: every routed intent has a function and a manifest entry, and back", () => {
    const m = manifestFile();
    const functionDirs = readdirSync(`${REPO_ROOT}functions`);
    const intentFunctions = Object.keys(m.inputs.functions).filter((f) => f !== "auth" && f !== "warmup");
    const config = loadConfig(realConfigFiles());
    const routed = new Set(Object.values(config.environments).flatMap((env) => Object.keys(env?.routing ?? {})));
    expect([...routed].sort()).toEqual([...INTENT_NAMES].sort());
    expect(intentFunctions.sort()).toEqual([...INTENT_NAMES].sort());
    expect(functionDirs.sort()).toEqual(Object.keys(m.inputs.functions).sort());
    const urls = m.inputs.triggers.filter((t) => t.type === "http").map((t) => t.function);
    expect(urls.sort()).toEqual([...intentFunctions, "auth"].sort());
    // Every profile an environment allows exists and its alias has a chain there (loadConfig's checks).
    for (const env of Object.values(config.environments)) for (const name of env?.allowedProfiles ?? []) expect(config.aliases[config.profiles[name]!.model]?.[env!.name]).toBeDefined();
    for (const stage of ["dev", "staging", "prod"] as const) for (const fn of Object.keys(m.miniask.stages[stage].warmup)) expect(m.inputs.functions[fn]).toBeDefined();
  });

  it("names a mistake by key path", () => {
    const raw = parse(readFileSync(`${REPO_ROOT}serverless.yml`, "utf8")) as { inputs: { runtime: string } };
    raw.inputs.runtime = "Nodejs20.0";
    expect(() => parseManifest(raw)).toThrow('serverless.yml: inputs.runtime: expected one of "Nodejs16.13", "Nodejs18.15", got "Nodejs20.0"');
  });
});

describe("deploy, through the SDK, against a fake Tencent Cloud API", () => {
  let fake: FakeTencentApi;
  let api: ScfApi;
  const manifest = resolveManifest(manifestFile(), "prod", DEPLOY_ENV);
  beforeAll(async () => {
    fake = await startFakeTencentApi();
    api = await sdkScfApi({ secretId: "AKIDtest", secretKey: "test-secret-key", region: "ap-guangzhou", endpoint: fake.endpoint });
  });
  afterAll(() => fake.close());

  it("first deploy: creates, publishes, aliases, opens Function URLs, provisions the published version", async () => {
    const deployed = await deploy(api, { manifest, zips: zipsOf(manifest), sleep: async () => undefined });
    expect(fake.calls[0]?.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDtest\//);
    const summarize = fake.calls.filter((c) => c.params.FunctionName === "miniask-prod-summarize").map((c) => c.action);
    expect(summarize).toEqual([
      "GetFunction",
      "CreateFunction",
      "GetFunction",
      "GetAlias",
      "PublishVersion",
      "CreateAlias",
      "ListTriggers",
      "CreateTrigger",
      "ListTriggers",
      "GetProvisionedConcurrencyConfig",
      "PutProvisionedConcurrencyConfig",
    ]);
    const create = fake.calls.find((c) => c.action === "CreateFunction" && c.params.FunctionName === "miniask-prod-summarize")!.params;
    expect(create).toMatchObject({ Namespace: "miniask-prod", Type: "HTTP", Runtime: "Nodejs18.15", MemorySize: 256, Timeout: 60, VpcConfig: { VpcId: "vpc-abc123", SubnetId: "subnet-def456" } });
    expect((create.Environment as { Variables: { Key: string; Value: string }[] }).Variables).toContainEqual({ Key: "MINIASK_ENV", Value: "prod" });
    expect(fake.calls.find((c) => c.action === "CreateTrigger" && c.params.FunctionName === "miniask-prod-summarize")!.params).toMatchObject({
      Type: "http",
      Qualifier: "live",
      TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } }),
    });
    // The 9:00 peak: scheduled provisioned concurrency on version 1, never $LATEST.
    expect(fake.calls.find((c) => c.action === "PutProvisionedConcurrencyConfig" && c.params.FunctionName === "miniask-prod-summarize")!.params).toEqual({
      FunctionName: "miniask-prod-summarize",
      Namespace: "miniask-prod",
      Qualifier: "1",
      VersionProvisionedConcurrencyNum: 2,
      TriggerActions: [
        { TriggerName: "morning-peak", TriggerProvisionedConcurrencyNum: 30, TriggerCronConfig: "0 40 8 * * MON-FRI *" },
        { TriggerName: "after-peak", TriggerProvisionedConcurrencyNum: 2, TriggerCronConfig: "0 30 10 * * MON-FRI *" },
      ],
    });
    expect(fake.calls.find((c) => c.action === "PutProvisionedConcurrencyConfig" && c.params.FunctionName === "miniask-prod-support")!.params).toMatchObject({ ProvisionedType: "ConcurrencyUtilizationTracking", TrackingTarget: 0.6, MinCapacity: 2, MaxCapacity: 40 });
    for (const put of fake.calls.filter((c) => c.action === "PutProvisionedConcurrencyConfig")) expect(put.params.Qualifier).toMatch(/^\d+$/);
    // The warm-up function comes last, with every URL it pings and a 4-minute timer.
    const warmup = fake.calls.find((c) => c.action === "CreateFunction" && c.params.FunctionName === "miniask-prod-warmup")!.params;
    expect(warmup).toMatchObject({ Type: "Event", Handler: "index.main_handler" });
    const targets = JSON.parse((warmup.Environment as { Variables: { Key: string; Value: string }[] }).Variables.find((v) => v.Key === "MINIASK_WARMUP_TARGETS")!.Value);
    expect(targets).toContainEqual({ name: "summarize", url: "https://1250000000-miniask-prod-summarize.ap-guangzhou.tencentscf.com", count: 3 });
    expect(fake.calls.find((c) => c.action === "CreateTrigger" && c.params.Type === "timer")!.params).toMatchObject({ TriggerName: "warmup", TriggerDesc: "0 */4 * * * * *", Enable: "OPEN" });
    expect(deployed.find((d) => d.name === "auth")).toMatchObject({ version: "1", url: "https://1250000000-miniask-prod-auth.ap-guangzhou.tencentscf.com", changed: true });
  });

  it("a second run with nothing changed writes nothing", async () => {
    const before = fake.calls.length;
    const deployed = await deploy(api, { manifest, zips: zipsOf(manifest), sleep: async () => undefined });
    expect(writes(fake.calls.slice(before))).toEqual([]);
    expect(deployed.every((d) => !d.changed && d.version === "1")).toBe(true);
  });

  it("a code change publishes version 2 as a canary beside version 1, which keeps its provisioned instances", async () => {
    const before = fake.calls.length;
    await deploy(api, { manifest, zips: { ...zipsOf(manifest), summarize: Buffer.from("zip of summarize v2") }, sleep: async () => undefined });
    const summarize = writes(fake.calls.slice(before)).filter((c) => c.params.FunctionName === "miniask-prod-summarize");
    expect(summarize.map((c) => c.action)).toEqual(["UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias", "PutProvisionedConcurrencyConfig"]);
    expect(summarize[3]!.params).toMatchObject({ FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: [{ Version: "1", Weight: 0.1 }] } });
    expect(summarize[4]!.params.Qualifier).toBe("2");
    expect([...fake.functions.get("miniask-prod-summarize")!.provisioned.keys()].sort()).toEqual(["1", "2"]);
    expect(writes(fake.calls.slice(before)).filter((c) => c.params.FunctionName !== "miniask-prod-summarize")).toEqual([]);
  });

  it("rolls back: all traffic to the previous version", async () => {
    const before = fake.calls.length;
    await deploy(api, { manifest: { ...manifest, functions: manifest.functions.filter((f) => f.name === "summarize") }, zips: zipsOf(manifest), rollback: true, sleep: async () => undefined });
    expect(writes(fake.calls.slice(before))).toEqual([
      { action: "UpdateAlias", params: { FunctionName: "miniask-prod-summarize", Namespace: "miniask-prod", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [] } }, authorization: expect.any(String) },
    ]);
  });

  it("refuses provisioned concurrency on $LATEST", async () => {
    expect(() => assertPublishedVersion("$LATEST")).toThrow("provisioned concurrency goes on a published version, never \"$LATEST\"");
    fake.functions.get("miniask-prod-auth")!.aliases.get("live")!.FunctionVersion = "$LATEST";
    const before = fake.calls.length;
    await expect(deploy(api, { manifest: { ...manifest, functions: manifest.functions.filter((f) => f.name === "auth") }, zips: zipsOf(manifest), sleep: async () => undefined })).rejects.toThrow(DeployError);
    expect(fake.calls.slice(before).some((c) => c.action === "PutProvisionedConcurrencyConfig")).toBe(false);
  });
});

describe("npm run deploy (the CLI)", () => {
  const tsx = `${REPO_ROOT}node_modules/.bin/tsx`;

  it("--dry-run prints every write call, without credentials, zip bytes or secret values", async () => {
    const { stdout } = await run(tsx, ["scripts/deploy.ts", "--stage", "staging", "--dry-run"], { cwd: REPO_ROOT, env: { ...process.env, ...DEPLOY_ENV, TENCENTCLOUD_SECRET_ID: "", TENCENTCLOUD_SECRET_KEY: "" }, maxBuffer: 10 * 1024 * 1024 });
    expect(stdout).toContain("dry run: no credentials: assuming nothing exists");
    expect(stdout).toMatch(/^CreateFunction \{"FunctionName":"miniask-staging-summarize"/m);
    expect(stdout).toMatch(/^PublishVersion \{"FunctionName":"miniask-staging-summarize"/m);
    expect(stdout).toMatch(/^CreateTrigger \{"FunctionName":"miniask-staging-summarize","Namespace":"miniask-staging","Type":"http"/m);
    expect(stdout).toMatch(/^PutProvisionedConcurrencyConfig \{"FunctionName":"miniask-staging-summarize",.*"VersionProvisionedConcurrencyNum":1/m);
    expect(stdout).toContain('"ZipFile":"<zip, ');
    for (const secret of ["sk-hy-deploy", "wechat-secret-deploy-0123", "redis-password", "token-secret-of-at-least"]) expect(stdout).not.toContain(secret);
  });

  it("refuses a real deploy with unset ${env:...} references or without credentials", async () => {
    const missing = (await run(tsx, ["scripts/deploy.ts", "--stage", "prod", "--no-build"], { cwd: REPO_ROOT, env: { ...process.env, HUNYUAN_API_KEY: "" } }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("serverless.yml references unset variables: ");
    expect(missing.stderr).toContain("HUNYUAN_API_KEY");
  });
});
