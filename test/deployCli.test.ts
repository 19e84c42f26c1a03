// npm run deploy itself: --dry-run builds, plans every write through the same deploy code, and
// prints it without credentials, zip bytes or secret values.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEPLOY_ENV } from "./support/fakeTencentApi";
import { REPO_ROOT } from "./support/harness";

const run = promisify(execFile);
const tsx = `${REPO_ROOT}node_modules/.bin/tsx`;

describe("npm run deploy (the CLI)", () => {
  it("--dry-run prints every write call, without credentials, zip bytes or secret values", async () => {
    const { stdout } = await run(tsx, ["scripts/deploy.ts", "--stage", "staging", "--dry-run"], { cwd: REPO_ROOT, env: { ...process.env, ...DEPLOY_ENV, TENCENTCLOUD_SECRET_ID: "", TENCENTCLOUD_SECRET_KEY: "" }, maxBuffer: 10 * 1024 * 1024 });
    expect(stdout).toContain("dry run: no credentials: assuming nothing exists");
    const create = stdout.split("\n").find((l) => l.startsWith('CreateFunction {"FunctionName":"miniask-staging-miniask-summarize"'))!;
    expect(create).toMatch(/"PublicNetConfig":\{"PublicNetStatus":"ENABLE"\},"InstanceConcurrencyConfig":\{"DynamicEnabled":"FALSE","MaxConcurrency":25\},"Type":"HTTP","Runtime":"Nodejs18.15"/);
    // Web functions start from scf_bootstrap: no Handler; the event function keeps its own.
    expect(create).not.toContain('"Handler"');
    expect(stdout).toMatch(/^CreateFunction \{"FunctionName":"miniask-staging-miniask-warmup".*"Handler":"index.main_handler"/m);
    expect(stdout).toMatch(/^CreateCustomDomain \{"Domain":"api.miniask.example.cn","Protocol":"HTTPS","EndpointsConfig":\[\{"Namespace":"miniask-staging","FunctionName":"miniask-staging-miniask-summarize","Qualifier":"live","PathMatch":"\/summarize\/\*"/m);
    expect(stdout).toContain("requests per instance: summarize static 25, support static 25, recommend static 10, extract static 10, auth static 10");
    expect(stdout).toContain("one host for the Mini Program's request allow-list (HTTPS, ICP-filed in mainland China): api.miniask.example.cn");
    expect(stdout).toMatch(/^PublishVersion \{"FunctionName":"miniask-staging-miniask-summarize"/m);
    expect(stdout).toMatch(/^PutProvisionedConcurrencyConfig \{"FunctionName":"miniask-staging-miniask-summarize","Namespace":"miniask-staging","Qualifier":"1","VersionProvisionedConcurrencyNum":1,"ProvisionedType":"Default"\}/m);
    expect(stdout).toMatch(/^CreateTrigger \{"FunctionName":"miniask-staging-miniask-summarize","Namespace":"miniask-staging","Type":"http","TriggerName":"url","Qualifier":"live"/m);
    expect(stdout).toContain('"ZipFile":"<zip, ');
    for (const secret of ["sk-hy-deploy", "wechat-secret-deploy-0123", "redis-password", "token-secret-of-at-least"]) expect(stdout).not.toContain(secret);
  }, 120_000);

  it("--dry-run shows an ssm: reference as it is: it names a secret, it is not one", async () => {
    const env = { ...process.env, ...DEPLOY_ENV, MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys", MINIASK_SCF_ROLE: "miniask-staging-scf", TENCENTCLOUD_SECRET_ID: "", TENCENTCLOUD_SECRET_KEY: "" };
    const { stdout } = await run(tsx, ["scripts/deploy.ts", "--stage", "staging", "--dry-run", "--no-build"], { cwd: REPO_ROOT, env, maxBuffer: 10 * 1024 * 1024 });
    expect(stdout).toContain('{"Key":"MINIASK_TOKEN_KEYS","Value":"ssm:miniask-staging-token-keys"}');
    expect(stdout).toContain('{"Key":"HUNYUAN_API_KEY","Value":"***"}');
    // The role that reads it, on every function.
    expect(stdout.split("\n").filter((l) => l.startsWith("CreateFunction ")).map((l) => /"Role":"([^"]*)"/.exec(l)?.[1])).toEqual(Array(6).fill("miniask-staging-scf"));
  }, 120_000);

  it("refuses an ssm: reference without an execution role before building or calling anything, dry run or not", async () => {
    const env = { ...process.env, ...DEPLOY_ENV, WECHAT_SECRET: "ssm:miniask-staging-wechat-secret", MINIASK_SCF_ROLE: "", TENCENTCLOUD_SECRET_ID: "", TENCENTCLOUD_SECRET_KEY: "" };
    const refused = (await run(tsx, ["scripts/deploy.ts", "--stage", "staging", "--dry-run"], { cwd: REPO_ROOT, env }).catch((e: unknown) => e)) as { code: number; stdout: string; stderr: string };
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("stage staging: no execution role, so SCF gives no credentials to read SSM with, for summarize (WECHAT_SECRET), support (WECHAT_SECRET), recommend (WECHAT_SECRET), extract (WECHAT_SECRET), auth (WECHAT_SECRET).");
    expect(refused.stdout).not.toContain("dry run:");
  }, 120_000);

  it("refuses a real deploy with unset ${env:...} references, or without credentials", async () => {
    const missing = (await run(tsx, ["scripts/deploy.ts", "--stage", "prod", "--no-build"], { cwd: REPO_ROOT, env: { ...process.env, ...DEPLOY_ENV, HUNYUAN_API_KEY: "" } }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("deploy: unset variables that serverless.yml references: HUNYUAN_API_KEY");
    const bad = (await run(tsx, ["scripts/deploy.ts", "--stage", "prod", "--canary", "1.5", "--no-build"], { cwd: REPO_ROOT, env: { ...process.env, ...DEPLOY_ENV } }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(bad.stderr).toContain('--canary: expected a share of traffic in [0, 1), got "1.5"');
  });
});
