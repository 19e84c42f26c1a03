// The execution role (issue 24, item 7): a function reads SSM with the credentials SCF gives it
// through its role, so the deploy sets `role` from serverless.yml as Role, reads it back through
// GetFunction, rewrites it only when it drifts, and refuses, before any call, a function with an
// ssm: variable and no role. And the warm-up's ping count under multiple concurrency.
import { describe, expect, it } from "vitest";
import { DeployError, deploy } from "../lib/deploy/deploy";
import { loadManifest, readDeployFiles, resolveManifest } from "../lib/deploy/manifest";
import { DEPLOY_ENV, stubZipsOf, withFakeTencentApi, writesAfter } from "./support/fakeTencentApi";

const NS = "miniask-prod";
const ROLE = "miniask-prod-scf";
const noSleep = async () => undefined;
const SSM_ENV = { ...DEPLOY_ENV, MINIASK_TOKEN_KEYS: "ssm:miniask-prod-token-keys", WECHAT_SECRET: "ssm:miniask-prod-wechat-secret" };

describe("the execution role", () => {
  it("is sent as Role on create, read back through GetFunction, and rewritten only when it drifts", async () => {
    const manifest = loadManifest("prod", { ...SSM_ENV, MINIASK_SCF_ROLE: ROLE });
    await withFakeTencentApi({ roles: [ROLE, "someone-elses-role"] }, async (fake, api) => {
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      const creates = fake.calls.filter((c) => c.action === "CreateFunction" && !c.error);
      expect(creates.map((c) => [c.params.FunctionName, c.params.Role])).toEqual(manifest.functions.map((f) => [f.scfName, ROLE]));
      expect((await api.GetFunction({ FunctionName: "miniask-prod-miniask-auth", Namespace: NS })).Role).toBe(ROLE);
      // Nothing differs: nothing written.
      let before = fake.calls.length;
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(writesAfter(fake, before)).toEqual([]);
      // Another role set in the console: put back on that function alone.
      fake.fn(NS, "miniask-prod-miniask-auth").role = "someone-elses-role";
      const lines: string[] = [];
      before = fake.calls.length;
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep, log: (l) => lines.push(l) });
      expect(writesAfter(fake, before).map((c) => [c.action, c.params.FunctionName, c.params.Role])).toEqual([["UpdateFunctionConfiguration", "miniask-prod-miniask-auth", ROLE]]);
      expect(lines).toContain(`auth: settings differ from the stage's: role someone-elses-role -> ${ROLE}`);
      // The role removed in the console: GetFunction then reports Role "", which is no role.
      delete fake.fn(NS, "miniask-prod-miniask-support").role;
      expect((await api.GetFunction({ FunctionName: "miniask-prod-miniask-support", Namespace: NS })).Role).toBe("");
      lines.length = 0;
      before = fake.calls.length;
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep, log: (l) => lines.push(l) });
      expect(writesAfter(fake, before).map((c) => [c.action, c.params.FunctionName, c.params.Role])).toEqual([["UpdateFunctionConfiguration", "miniask-prod-miniask-support", ROLE]]);
      expect(lines).toContain(`support: settings differ from the stage's: role none -> ${ROLE}`);
      expect(fake.fn(NS, "miniask-prod-miniask-support").role).toBe(ROLE);
    });
  });

  it("another role in serverless.yml is a new version of every function, sent with the new role", async () => {
    const first = loadManifest("prod", { ...SSM_ENV, MINIASK_SCF_ROLE: ROLE });
    const second = loadManifest("prod", { ...SSM_ENV, MINIASK_SCF_ROLE: "miniask-prod-scf-2" });
    await withFakeTencentApi({ roles: [ROLE, "miniask-prod-scf-2"] }, async (fake, api) => {
      await deploy(api, { manifest: first, zips: stubZipsOf(first), sleep: noSleep });
      const before = fake.calls.length;
      const result = await deploy(api, { manifest: second, zips: stubZipsOf(second), sleep: noSleep });
      const updates = writesAfter(fake, before).filter((c) => c.action === "UpdateFunctionConfiguration");
      expect(updates.map((c) => c.params.Role)).toEqual(second.functions.map(() => "miniask-prod-scf-2"));
      expect(result.functions.map((d) => d.version)).toEqual(second.functions.map(() => "2"));
    });
  });

  it("is a role the account holds: the API refuses another, and the deploy says so", async () => {
    const manifest = loadManifest("prod", { ...SSM_ENV, MINIASK_SCF_ROLE: "no-such-role" });
    await withFakeTencentApi({ roles: [ROLE] }, async (fake, api) => {
      const err = await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep }).catch((e: unknown) => e);
      expect(String((err as Error).message)).toContain("role no-such-role does not exist");
      expect(fake.calls.find((c) => c.action === "CreateFunction")?.error).toBe("ResourceNotFound.Role");
      expect(fake.functions.size).toBe(0);
    });
  });

  it("is left alone when the stage names none, and then never sent", async () => {
    const manifest = loadManifest("prod", DEPLOY_ENV);
    expect(manifest.functions.map((f) => f.role)).toEqual(manifest.functions.map(() => undefined));
    await withFakeTencentApi({ roles: ["set-in-console"] }, async (fake, api) => {
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(fake.calls.filter((c) => c.action === "CreateFunction").every((c) => !("Role" in c.params))).toBe(true);
      expect((await api.GetFunction({ FunctionName: "miniask-prod-miniask-summarize", Namespace: NS })).Role).toBe("");
      fake.fn(NS, "miniask-prod-miniask-summarize").role = "set-in-console";
      const before = fake.calls.length;
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      expect(writesAfter(fake, before)).toEqual([]);
      expect(fake.fn(NS, "miniask-prod-miniask-summarize").role).toBe("set-in-console");
    });
  });

  it("a function with an ssm: variable and no role is refused before any call, naming it and the variable", async () => {
    const manifest = loadManifest("prod", { ...DEPLOY_ENV, MINIASK_USER_ID_SALT: "ssm:miniask-prod-user-id-salt" });
    await withFakeTencentApi({}, async (fake, api) => {
      const err = await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeployError);
      // Every function that carries the salt (the intents key their log digests with it, auth makes user ids); not warmup.
      expect((err as Error).message).toMatch(/^stage prod: no execution role, so SCF gives no credentials to read SSM with, for summarize \(MINIASK_USER_ID_SALT\), support \(MINIASK_USER_ID_SALT\), recommend \(MINIASK_USER_ID_SALT\), extract \(MINIASK_USER_ID_SALT\), auth \(MINIASK_USER_ID_SALT\)\. Set `role` in serverless\.yml/);
      expect(fake.calls).toEqual([]);
    });
    // A role on those functions alone is enough.
    const { manifest: raw, stages } = readDeployFiles();
    const withRole = structuredClone(raw);
    for (const name of ["summarize", "support", "recommend", "extract", "auth"] as const) withRole.inputs.functions[name]!.role = "miniask-prod-auth";
    const resolved = resolveManifest(withRole, stages, "prod", { ...DEPLOY_ENV, MINIASK_USER_ID_SALT: "ssm:miniask-prod-user-id-salt" });
    const role = "miniask-prod-auth";
    expect(resolved.functions.map((f) => [f.name, f.role])).toEqual([["summarize", role], ["support", role], ["recommend", role], ["extract", role], ["auth", role], ["warmup", undefined]]);
    await withFakeTencentApi({ roles: ["miniask-prod-auth"] }, async (fake, api) => {
      await deploy(api, { manifest: resolved, zips: stubZipsOf(resolved), sleep: noSleep });
      expect(fake.fn(NS, "miniask-prod-miniask-auth").role).toBe("miniask-prod-auth");
    });
  });

  it("a function's own role wins over the app's; a role that is not a CAM role name is refused at load", () => {
    const { manifest: raw, stages } = readDeployFiles();
    const own = structuredClone(raw);
    own.inputs.functions.warmup!.role = "miniask-prod-warmup";
    const resolved = resolveManifest(own, stages, "prod", { ...DEPLOY_ENV, MINIASK_SCF_ROLE: ROLE });
    expect(resolved.functions.map((f) => f.role)).toEqual([ROLE, ROLE, ROLE, ROLE, ROLE, "miniask-prod-warmup"]);
    expect(() => loadManifest("prod", { ...DEPLOY_ENV, MINIASK_SCF_ROLE: "qcs::cam::uin/100:roleName/x" })).toThrow('serverless.yml: inputs.functions.summarize.role: "qcs::cam::uin/100:roleName/x" is not a CAM role name');
    expect(() => loadManifest("prod", { ...DEPLOY_ENV, MINIASK_SCF_ROLE: "r".repeat(129) })).toThrow("is not a CAM role name");
    expect(loadManifest("prod", { ...DEPLOY_ENV, MINIASK_SCF_ROLE: "r".repeat(128) }).functions[0]!.role).toHaveLength(128);
    expect(loadManifest("prod", { ...DEPLOY_ENV, MINIASK_SCF_ROLE: "Role+=,.@-_1" }).functions[0]!.role).toBe("Role+=,.@-_1");
  });
});

describe("the warm-up under multiple concurrency", () => {
  it("pings instances x concurrency, so the pings fill the instances it keeps warm, and refuses more than the warm-up sends", () => {
    const { manifest: raw, stages } = readDeployFiles();
    const edited = structuredClone(stages);
    edited.stages.prod.warmup = { summarize: 5, support: 2, recommend: 1 };
    edited.stages.prod.concurrency = { summarize: { mode: "static", max: 10 }, support: { mode: "dynamic", max: 7 } };
    const manifest = resolveManifest(raw, edited, "prod", DEPLOY_ENV);
    expect(manifest.functions.filter((f) => f.warmupCount > 0).map((f) => [f.name, f.warmupCount])).toEqual([["summarize", 5], ["support", 2], ["recommend", 1]]);
    edited.stages.prod.warmup = { summarize: 6 };
    expect(() => resolveManifest(raw, edited, "prod", DEPLOY_ENV)).toThrow("stages.prod.warmup.summarize: 6 instances x concurrency 10 = 60 pings, more than the warm-up's 50 per function");
    // One request per instance: 50 instances are still 50 pings.
    edited.stages.prod.warmup = { recommend: 50 };
    expect(resolveManifest(raw, edited, "prod", DEPLOY_ENV).functions.find((f) => f.name === "recommend")!.warmupCount).toBe(50);
  });

  it("gives the warm-up function those counts as its targets", async () => {
    const { manifest: raw, stages } = readDeployFiles();
    const edited = structuredClone(stages);
    edited.stages.prod.warmup = { summarize: 5, support: 2, recommend: 1 };
    edited.stages.prod.concurrency = { summarize: { mode: "static", max: 10 }, support: { mode: "dynamic", max: 7 } };
    const manifest = resolveManifest(raw, edited, "prod", DEPLOY_ENV);
    await withFakeTencentApi({}, async (fake, api) => {
      await deploy(api, { manifest, zips: stubZipsOf(manifest), sleep: noSleep });
      const targets = JSON.parse(fake.fn(NS, "miniask-prod-miniask-warmup").variables.find((v) => v.Key === "MINIASK_WARMUP_TARGETS")!.Value!) as { name: string; count: number }[];
      expect(targets.map((t) => [t.name, t.count])).toEqual([["summarize", 50], ["support", 14], ["recommend", 1]]);
    });
  });
});
