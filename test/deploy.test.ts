// The deploy against a double of the SCF API that answers as the documented API does
// (test/support/fakeTencentApi.ts), through the official SDK making signed HTTP calls.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { scf } from "tencentcloud-sdk-nodejs-scf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeployError, assertPublishedVersion, deploy } from "../lib/deploy/deploy";
import { type ResolvedManifest, loadManifest } from "../lib/deploy/manifest";
import { provisionedRequest } from "../lib/deploy/provisioned";
import { reproducibleZip } from "../lib/deploy/reproducibleZip";
import { type ScfApi, errorCode, sdkScfApi } from "../lib/deploy/scfApi";
import { DEPLOY_ENV, type FakeTencentApi, startFakeTencentApi } from "./support/fakeTencentApi";
import { REPO_ROOT } from "./support/harness";

const run = promisify(execFile);
const NS = "miniask-prod";
const scfName = (fn: string) => `miniask-prod-miniask-${fn}`;
const zipsOf = (m: ResolvedManifest, changed: Record<string, string> = {}) =>
  Object.fromEntries(m.functions.map((f) => [f.name, reproducibleZip([{ name: "index.mjs", content: Buffer.from(`// ${f.name} ${changed[f.name] ?? "v1"}`), mode: 0o644 }])]));
const isWrite = (action: string) => !/^(Get|List)/.test(action);
const writesSince = (fake: FakeTencentApi, from: number) => fake.calls.slice(from).filter((c) => isWrite(c.action));
const noSleep = async () => undefined;
/** Some of a stage's functions: the domain, which routes all of them, is left out. */
const subset = (m: ResolvedManifest, ...names: string[]): ResolvedManifest => {
  const { domain: _all, ...rest } = m;
  return { ...rest, functions: m.functions.filter((f) => names.includes(f.name)) };
};

async function sdkAgainst(fake: FakeTencentApi, secretKey = fake.secretKey): Promise<ScfApi> {
  return sdkScfApi({ secretId: fake.secretId, secretKey, region: "ap-guangzhou", endpoint: fake.endpoint });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return errorCode(err);
  }
}

describe("the SCF API double answers as the documented API does", () => {
  let fake: FakeTencentApi;
  let api: ScfApi;
  beforeAll(async () => {
    fake = await startFakeTencentApi({ pendingPolls: 2 });
    api = await sdkAgainst(fake);
  });
  afterAll(() => fake.close());

  it("checks the TC3-HMAC-SHA256 signature and the request model", async () => {
    expect(await codeOf((await sdkAgainst(fake, "another-key")).ListNamespaces({}))).toBe("AuthFailure.SignatureFailure");
    const raw = new scf.v20180416.Client({ credential: { secretId: fake.secretId, secretKey: fake.secretKey }, region: "ap-guangzhou", profile: { httpProfile: { endpoint: fake.endpoint.replace("http://", ""), protocol: "http://" } } });
    expect(await codeOf(raw.request("GetFunction", { FunctionName: "x", VersionProvisionedConcurrencyNum: 1 }))).toBe("UnknownParameter");
    expect(await codeOf(raw.request("PublishVersion", { Namespace: "default" }))).toBe("MissingParameter");
  });

  it("moves a function Creating -> Active and a version Publishing -> Active, and refuses what the docs forbid", async () => {
    expect(await codeOf(api.GetFunction({ FunctionName: "nope" }))).toBe("ResourceNotFound.Function");
    const zip = Buffer.from(reproducibleZip([{ name: "index.js", content: Buffer.from("x"), mode: 0o644 }])).toString("base64");
    expect(await codeOf(api.CreateFunction({ FunctionName: "f-env", Code: { ZipFile: zip }, Environment: { Variables: [{ Key: "MINIASK_STORE", Value: "" }] } }))).toBe("InvalidParameterValue.Environment");
    await api.CreateFunction({ FunctionName: "f1", Code: { ZipFile: zip }, Runtime: "Nodejs18.15" });
    expect((await api.GetFunction({ FunctionName: "f1" })).Status).toBe("Creating");
    expect(await codeOf(api.PublishVersion({ FunctionName: "f1" }))).toBe("FailedOperation.PublishVersion");
    expect((await api.GetFunction({ FunctionName: "f1" })).Status).toBe("Active");
    const { FunctionVersion } = await api.PublishVersion({ FunctionName: "f1" });
    expect(FunctionVersion).toBe("1");
    const put = (extra: object) => api.PutProvisionedConcurrencyConfig({ FunctionName: "f1", Qualifier: "1", VersionProvisionedConcurrencyNum: 2, ...extra });
    expect(await codeOf(put({}))).toBe("FailedOperation.FunctionVersionStatusNotActive");
    expect((await api.GetFunction({ FunctionName: "f1", Qualifier: "1" })).Status).toBe("Publishing");
    expect((await api.GetFunction({ FunctionName: "f1", Qualifier: "1" })).Status).toBe("Active");
    expect(await codeOf(api.PutProvisionedConcurrencyConfig({ FunctionName: "f1", Qualifier: "$LATEST", VersionProvisionedConcurrencyNum: 1 }))).toBe("InvalidParameterValue.Qualifier");
    const tracking = { ProvisionedType: "ConcurrencyUtilizationTracking", TrackingTarget: 0.6, MinCapacity: 2, MaxCapacity: 10 };
    expect(await codeOf(put(tracking))).toBe("InvalidParameterValue");
    expect(await codeOf(put({ ...tracking, VersionProvisionedConcurrencyNum: 0, MinCapacity: 0 }))).toBe("InvalidParameterValue");
    expect(await codeOf(put({ TriggerActions: [{ TriggerName: "a", TriggerProvisionedConcurrencyNum: 3, TriggerCronConfig: "0 40 8 * * *" }] }))).toBe("InvalidParameterValue.TriggerCronConfig");
    expect(await codeOf(put({ TriggerActions: [{ TriggerName: "a", TriggerProvisionedConcurrencyNum: 3, TriggerCronConfig: "0 40 8 * * MON-FRI *" }] }))).toBe("InvalidParameterValue.TriggerCronConfig");
    // Multiple concurrent requests are for HTTP functions; f1 is an event function.
    expect(await codeOf(api.UpdateFunctionConfiguration({ FunctionName: "f1", InstanceConcurrencyConfig: { DynamicEnabled: "FALSE", MaxConcurrency: 10 } }))).toBe("InvalidParameterValue.InstanceConcurrencyConfig");
    expect(await codeOf(api.CreateFunction({ FunctionName: "f-http", Type: "HTTP", Code: { ZipFile: zip }, InstanceConcurrencyConfig: { DynamicEnabled: "FALSE", MaxConcurrency: 101 } }))).toBe("InvalidParameterValue.MaxConcurrency");
    expect(await codeOf(api.GetCustomDomain({ Domain: "api.example.cn" }))).toBe("ResourceNotFound.Domain");
    expect(await codeOf(api.CreateCustomDomain({ Domain: "*.example.cn", Protocol: "HTTPS", EndpointsConfig: [] }))).toBe("InvalidParameterValue.Domain");
    expect(await codeOf(api.CreateCustomDomain({ Domain: "api.example.cn", Protocol: "HTTPS", EndpointsConfig: [] }))).toBe("InvalidParameterValue.CertificateId");
    await put({ ...tracking, VersionProvisionedConcurrencyNum: 0 });
    expect(await codeOf(put({ ...tracking, VersionProvisionedConcurrencyNum: 0 }))).toBe("FailedOperation.ProvisionedInProgress");
    const { Allocated } = await api.GetProvisionedConcurrencyConfig({ FunctionName: "f1" });
    // VersionProvisionedConcurrencyInfo: no ProvisionedType, no tracking settings come back.
    expect(Object.keys(Allocated![0]!).sort()).toEqual(["AllocatedProvisionedConcurrencyNum", "AvailableProvisionedConcurrencyNum", "Qualifier", "Status", "StatusReason", "TriggerActions"]);
  });
});

describe("deploy, through the SDK, against the double", () => {
  let fake: FakeTencentApi;
  let api: ScfApi;
  const manifest = loadManifest("prod", DEPLOY_ENV);
  beforeAll(async () => {
    fake = await startFakeTencentApi({ pendingPolls: 2, versionSettleLag: 1 });
    api = await sdkAgainst(fake);
  });
  afterAll(() => fake.close());

  it("first deploy: creates everything, provisions each published version before the alias serves it", async () => {
    const lines: string[] = [];
    const { functions: deployed } = await deploy(api, { manifest, zips: zipsOf(manifest), sleep: noSleep, log: (l) => lines.push(l) });
    expect(fake.namespaces.has(NS)).toBe(true);
    for (const f of manifest.functions) {
      const state = fake.fn(NS, f.scfName);
      expect({ fn: f.name, status: state.status, versions: state.versions.map((v) => `${v.version}:${v.status}`), alias: state.aliases.get("live")?.FunctionVersion }).toEqual({ fn: f.name, status: "Active", versions: ["1:Active"], alias: "1" });
      expect(state.variables.every((v) => v.Value !== "")).toBe(true);
    }
    // Static, scheduled and tracking forms, each as the API documents it, all Done.
    const provisioned = (fn: string) => fake.fn(NS, scfName(fn)).provisioned.get("1")!;
    expect(provisioned("auth").request).toMatchObject({ VersionProvisionedConcurrencyNum: 2, ProvisionedType: "Default" });
    expect(provisioned("summarize").request).toMatchObject({
      VersionProvisionedConcurrencyNum: 2,
      TriggerActions: [
        { TriggerName: "morning-peak", TriggerProvisionedConcurrencyNum: 6, TriggerCronConfig: "0 40 8 ? * MON-FRI *" },
        { TriggerName: "after-peak", TriggerProvisionedConcurrencyNum: 2, TriggerCronConfig: "0 30 10 ? * MON-FRI *" },
      ],
    });
    expect(provisioned("support").request).toMatchObject({ VersionProvisionedConcurrencyNum: 0, ProvisionedType: "ConcurrencyUtilizationTracking", TrackingTarget: 0.6, MinCapacity: 2, MaxCapacity: 40 });
    for (const fn of ["auth", "summarize", "support"]) expect(provisioned(fn).info.Status).toBe("Done");
    expect(fake.fn(NS, scfName("recommend")).provisioned.size).toBe(0);
    // Each new version settled one call late: the deploy retried the documented error and went on.
    const notActive = fake.calls.filter((c) => c.error === "FailedOperation.FunctionVersionStatusNotActive").map((c) => c.params.FunctionName);
    expect(notActive.sort()).toEqual([scfName("auth"), scfName("summarize"), scfName("support")]);
    const summarize = fake.calls.filter((c) => c.params.FunctionName === scfName("summarize") && !c.error).map((c) => c.action);
    expect(summarize.indexOf("PutProvisionedConcurrencyConfig")).toBeLessThan(summarize.indexOf("CreateAlias"));
    expect(summarize.indexOf("CreateAlias")).toBeLessThan(summarize.indexOf("CreateTrigger"));
    // Function URLs on the alias; the warm-up function pings them, on its 4-minute timer: instances
    // to keep warm x requests per instance (3 x 10 for summarize), so the pings fill that many.
    const url = fake.fn(NS, scfName("summarize")).triggers.find((t) => t.Type === "http")!;
    expect(url).toMatchObject({ Qualifier: "live", TriggerName: "url", Enable: 1 });
    const warmup = fake.fn(NS, scfName("warmup"));
    const targets = JSON.parse(warmup.variables.find((v) => v.Key === "MINIASK_WARMUP_TARGETS")!.Value!) as { name: string; url: string; count: number }[];
    expect(targets.map((t) => [t.name, t.count])).toEqual([["summarize", 50], ["support", 50], ["recommend", 10], ["extract", 10], ["auth", 20]]);
    expect(targets[0]!.url).toBe(deployed.find((d) => d.name === "summarize")!.url);
    expect(warmup.variables.map((v) => v.Key).sort()).toEqual(["MINIASK_ENV", "MINIASK_WARMUP_KEY", "MINIASK_WARMUP_TARGETS"]);
    expect(warmup.triggers).toEqual([expect.objectContaining({ Type: "timer", TriggerName: "warmup", TriggerDesc: JSON.stringify({ cron: "0 */4 * * * * *" }), Qualifier: "live", Enable: 1 })]);
    expect(deployed.every((d) => d.changed && d.version === "1")).toBe(true);
  });

  it("creates functions as Tencent's toolkit does: no Handler for web functions, public egress sent, concurrency on every web function", () => {
    const creates = fake.calls.filter((c) => c.action === "CreateFunction" && !c.error);
    expect(creates).toHaveLength(manifest.functions.length);
    for (const c of creates) {
      const fn = manifest.functions.find((f) => f.scfName === c.params.FunctionName)!;
      expect({ fn: fn.name, handler: c.params.Handler, net: c.params.PublicNetConfig }).toEqual({ fn: fn.name, handler: fn.type === "web" ? undefined : "index.main_handler", net: { PublicNetStatus: "ENABLE" } });
    }
    for (const fn of manifest.functions) {
      const state = fake.fn(NS, fn.scfName);
      // Read back as GetFunction reports it; inside the VPC the double defaults to DISABLE.
      expect({ fn: fn.name, net: state.publicNet, concurrency: state.concurrency }).toEqual({
        fn: fn.name,
        net: "ENABLE",
        concurrency: fn.type === "web" ? { DynamicEnabled: "FALSE", MaxConcurrency: fn.concurrency?.max } : undefined,
      });
    }
    expect(manifest.functions.filter((f) => f.type === "web").map((f) => f.name)).toEqual(["summarize", "support", "recommend", "extract", "auth"]);
  });

  it("polls for each Function URL the API reports late, and gives the warm-up those URLs", () => {
    const urlCreates = fake.calls.filter((c) => c.action === "CreateTrigger" && c.params.Type === "http");
    expect(urlCreates).toHaveLength(5);
    // CreateTrigger's answer carried no URL: the deploy read ListTriggers until it came.
    for (const c of urlCreates) expect(fake.calls.filter((l) => l.action === "ListTriggers" && l.params.FunctionName === c.params.FunctionName).length).toBeGreaterThanOrEqual(3);
    const warmup = fake.fn(NS, scfName("warmup"));
    const targets = JSON.parse(warmup.variables.find((v) => v.Key === "MINIASK_WARMUP_TARGETS")!.Value!) as { url: string }[];
    for (const t of targets) expect(t.url).toMatch(/^https:\/\/1250000000-[0-9a-f]{10}\.ap-guangzhou\.tencentscf\.com$/);
  });

  it("one custom domain routes every web function's alias over HTTPS", () => {
    expect([...fake.domains.keys()]).toEqual(["api.miniask.example.cn"]);
    const domain = fake.domains.get("api.miniask.example.cn")!;
    expect(domain).toMatchObject({ Protocol: "HTTPS", CertConfig: { CertificateId: "cert-Abc123xy" } });
    const routes = (domain.EndpointsConfig ?? []).map((e) => [e.PathMatch, e.FunctionName, e.Qualifier, e.Namespace]);
    expect(routes).toEqual(["summarize", "support", "recommend", "extract", "auth"].map((fn) => [`/${fn}/*`, scfName(fn), "live", NS]));
  });

  it("a second run with nothing changed writes nothing", async () => {
    const before = fake.calls.length;
    const { functions: deployed, domain } = await deploy(api, { manifest, zips: zipsOf(manifest), sleep: noSleep });
    expect(writesSince(fake, before)).toEqual([]);
    expect(domain).toBe("api.miniask.example.cn");
    expect(deployed.every((d) => !d.changed && d.version === "1")).toBe(true);
  });

  it("a code change publishes version 2 as a canary beside version 1, which keeps its provisioned instances", async () => {
    const before = fake.calls.length;
    await deploy(api, { manifest, zips: zipsOf(manifest, { summarize: "v2" }), sleep: noSleep });
    const writes = writesSince(fake, before).filter((c) => !c.error);
    expect(writes.map((c) => `${String(c.params.FunctionName)} ${c.action}`)).toEqual(
      ["UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion", "PutProvisionedConcurrencyConfig", "UpdateAlias"].map((a) => `${scfName("summarize")} ${a}`),
    );
    expect(writes[4]!.params).toMatchObject({ FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: [{ Version: "1", Weight: 0.1 }] } });
    expect([...fake.fn(NS, scfName("summarize")).provisioned.keys()].sort()).toEqual(["1", "2"]);
  });

  it("--canary 0 on the next change sends everything to the new version and releases the old one's instances", async () => {
    const before = fake.calls.length;
    await deploy(api, { manifest: subset(manifest, "auth"), zips: zipsOf(manifest, { auth: "v2" }), canaryWeight: 0, sleep: noSleep });
    const alias = fake.fn(NS, scfName("auth")).aliases.get("live")!;
    expect(alias).toMatchObject({ FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: [] } });
    expect([...fake.fn(NS, scfName("auth")).provisioned.keys()]).toEqual(["2"]);
    expect(writesSince(fake, before).map((c) => c.action)).toContain("DeleteProvisionedConcurrencyConfig");
  });

  it("a changed provisioned setting is put again on the serving version, without a new version", async () => {
    const changed = { ...manifest, functions: manifest.functions.map((f) => (f.name === "support" ? { ...f, provisioned: { mode: "tracking" as const, target: 0.7, min: 3, max: 40 } } : f)) };
    const before = fake.calls.length;
    await deploy(api, { manifest: changed, zips: zipsOf(manifest, { summarize: "v2", auth: "v2" }), sleep: noSleep });
    const writes = writesSince(fake, before);
    expect(writes.map((c) => c.action)).toEqual(["PutProvisionedConcurrencyConfig", "UpdateAlias"]);
    expect(writes[0]!.params).toMatchObject({ FunctionName: scfName("support"), Qualifier: "1", TrackingTarget: 0.7, MinCapacity: 3 });
  });

  it("--rollback: all traffic back to the previous version, whose instances stay; the newer one's are released", async () => {
    const only = subset(manifest, "summarize");
    const before = fake.calls.length;
    await deploy(api, { manifest: only, zips: zipsOf(manifest, { summarize: "v2" }), rollback: true, sleep: noSleep });
    expect(writesSince(fake, before).map((c) => [c.action, c.params.Qualifier ?? c.params.FunctionVersion])).toEqual([
      ["UpdateAlias", "1"],
      ["DeleteProvisionedConcurrencyConfig", "2"],
    ]);
    expect(fake.fn(NS, scfName("summarize")).aliases.get("live")).toMatchObject({ FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [] } });
    // A second rollback has nothing left to go back to.
    await expect(deploy(api, { manifest: only, zips: zipsOf(manifest), rollback: true, sleep: noSleep })).rejects.toThrow("nothing to roll back to");
    // Deploying the same build again serves version 2 again (no new version), canary on 1.
    await deploy(api, { manifest: only, zips: zipsOf(manifest, { summarize: "v2" }), sleep: noSleep });
    expect(fake.fn(NS, scfName("summarize")).versions).toHaveLength(2);
    expect(fake.fn(NS, scfName("summarize")).aliases.get("live")).toMatchObject({ FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: [{ Version: "1", Weight: 0.1 }] } });
  });

  it("never puts provisioned concurrency on $LATEST", () => {
    expect(() => assertPublishedVersion("$LATEST")).toThrow('provisioned concurrency goes on a published version, never "$LATEST"');
    expect(() => provisionedRequest(scfName("auth"), NS, "$LATEST", { mode: "static", count: 2 })).toThrow(DeployError);
    for (const put of fake.calls.filter((c) => c.action === "PutProvisionedConcurrencyConfig")) expect(put.params.Qualifier).toMatch(/^\d+$/);
  });
});

describe("a stage without its shared store", () => {
  it("is refused before any call, with a message naming MINIASK_STORE", async () => {
    const fake = await startFakeTencentApi();
    try {
      for (const stage of ["staging", "prod"]) {
        const manifest = loadManifest(stage, { ...DEPLOY_ENV, MINIASK_STORE: "" });
        const err = await deploy(await sdkAgainst(fake), { manifest, zips: zipsOf(manifest), sleep: noSleep }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DeployError);
        expect((err as Error).message).toMatch(new RegExp(`^stage ${stage}: MINIASK_STORE is empty for summarize, support, recommend, extract, auth .*shared store`));
      }
      expect(fake.calls).toEqual([]);
      // dev runs on the in-memory store: an unset MINIASK_STORE is allowed there, and not sent.
      const dev = loadManifest("dev", { ...DEPLOY_ENV, MINIASK_STORE: undefined });
      expect(dev.missingVariables).toEqual([]);
      expect(dev.functions.find((f) => f.name === "summarize")!.environment.MINIASK_STORE).toBeUndefined();
    } finally {
      await fake.close();
    }
  });

  it("npm run deploy refuses it too, even as a dry run", async () => {
    const result = (await run(`${REPO_ROOT}node_modules/.bin/tsx`, ["scripts/deploy.ts", "--stage", "staging", "--dry-run", "--no-build"], { cwd: REPO_ROOT, env: { ...process.env, ...DEPLOY_ENV, MINIASK_STORE: "" } }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("deploy: stage staging: MINIASK_STORE is empty");
  });
});
