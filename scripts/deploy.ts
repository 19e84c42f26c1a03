// `npm run deploy -- --stage <dev|staging|prod> [--dry-run] [--canary W] [--rollback] [--no-build]`
// Deploys serverless.yml (with scripts/deploy/stages.yml) through tencentcloud-sdk-nodejs-scf:
// the npm serverless CLI no longer deploys to Tencent. Credentials: TENCENTCLOUD_SECRET_ID /
// TENCENTCLOUD_SECRET_KEY (/ TENCENTCLOUD_SESSION_TOKEN). MINIASK_SCF_ENDPOINT points the SDK
// elsewhere (tests).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../lib/config/configError";
import { loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { domainPath } from "../lib/deploy/customDomain";
import { deploy } from "../lib/deploy/deploy";
import { requireExecutionRole } from "../lib/deploy/executionRole";
import { checkFunctionList } from "../lib/deploy/functionList";
import { loadManifest, readDeployFiles } from "../lib/deploy/manifest";
import { recordingScfApi } from "../lib/deploy/recordingScfApi";
import { requireSharedStore } from "../lib/deploy/requireSharedStore";
import { type ScfApi, sdkScfApi } from "../lib/deploy/scfApi";
import { isSecretReference } from "../lib/deploy/secretReference";
import { buildFunctions, buildProgress } from "./build";
import { type Parsed, UnreachableError, UsageError, defineCommand, runCli } from "./support/cli";
import { connectionFailure, tryConnect } from "./support/reachUpstream";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PLAIN_VARIABLES = new Set(["MINIASK_ENV", "MINIASK_STORE_PREFIX", "MINIASK_WARMUP_TARGETS", "WECHAT_APPID"]);

const DEPLOY_COMMAND = defineCommand({
  command: "npm run deploy --",
  summary: "Builds the functions and deploys serverless.yml (with scripts/deploy/stages.yml) to Tencent SCF through its API. Credentials: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SESSION_TOKEN); the variables serverless.yml references must be set in this shell.",
  options: {
    stage: { type: "string", required: true, value: "dev|staging|prod", description: "the stage of scripts/deploy/stages.yml to deploy" },
    "dry-run": { type: "boolean", description: "print every write call instead of making it (works without credentials)" },
    canary: { type: "number", value: "W", description: "send this share of traffic, in [0, 1), to the new version; the rest stays on the current one" },
    rollback: { type: "boolean", description: "point the alias back at the previous version" },
    "no-build": { type: "boolean", description: "deploy the zips already in dist/ (npm run build)" },
  },
  notes: ["MINIASK_SCF_ENDPOINT points the SDK at another endpoint (tests)."],
});

/** What --dry-run prints: no zip bytes, no secret values (an ssm: reference is not one). */
function printable(params: object): string {
  return JSON.stringify(params, (key, value: unknown) => {
    if (key === "ZipFile" && typeof value === "string") return `<zip, ${Math.round((value.length * 3) / 4 / 1024)} KB>`;
    if (key === "Variables" && Array.isArray(value)) return (value as { Key: string; Value: string }[]).map((v) => ({ Key: v.Key, Value: PLAIN_VARIABLES.has(v.Key) || isSecretReference(v.Value) ? v.Value : "***" }));
    return value;
  });
}

function parseCanary(weight: number | undefined): number | undefined {
  if (weight !== undefined && !(weight >= 0 && weight < 1)) throw new UsageError(`--canary: expected a share of traffic in [0, 1), got "${weight}"`);
  return weight;
}

// tencentcloud-sdk-nodejs's endpoint for SCF (region in the request, not the host).
const SCF_API = "https://scf.tencentcloudapi.com";

function apiUnreachable(err: unknown, endpoint: string | undefined, region: string): UnreachableError {
  return new UnreachableError("the SCF API", `${endpoint ?? `${SCF_API}, region ${region}`} (${connectionFailure(err) ?? (err instanceof Error ? err.message : String(err))})`, "check this machine's network (and MINIASK_SCF_ENDPOINT when it is set); nothing after the last step printed was changed");
}

async function apiFor(region: string, dryRun: boolean): Promise<ScfApi> {
  const { TENCENTCLOUD_SECRET_ID: secretId, TENCENTCLOUD_SECRET_KEY: secretKey, TENCENTCLOUD_SESSION_TOKEN: token, MINIASK_SCF_ENDPOINT: endpoint } = process.env;
  const real = secretId && secretKey ? await sdkScfApi({ secretId, secretKey, region, ...(endpoint ? { endpoint } : {}), ...(token ? { token } : {}) }) : undefined;
  // Before the build and before any call: an API this machine cannot reach is one line, at once.
  if (real) await tryConnect(endpoint ? (/^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`) : SCF_API).catch((err: unknown) => {
    throw apiUnreachable(err, endpoint, region);
  });
  if (!dryRun) {
    if (!real) throw new ConfigError(["TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY: required to deploy (a CAM key with SCF permissions); --dry-run works without them"]);
    return real;
  }
  console.log(`dry run: ${real ? "reading the current state, " : "no credentials: assuming nothing exists, "}printing every write call instead of making it`);
  return recordingScfApi(real, (action, params) => console.log(`${action} ${printable(params)}`));
}

async function main({ values }: Parsed<typeof DEPLOY_COMMAND.options>): Promise<number> {
  const { stage, "dry-run": dryRun } = values;
  const canaryWeight = parseCanary(values.canary);
  const manifest = loadManifest(stage, process.env);
  checkFunctionList(readDeployFiles(ROOT).manifest, ROOT);
  // Before the build: a stage without its shared store, or a function that reads SSM without a
  // role, is refused at once, dry run or not.
  requireSharedStore(manifest);
  requireExecutionRole(manifest);
  if (manifest.missingVariables.length > 0) {
    const message = `unset variables that serverless.yml references: ${manifest.missingVariables.join(", ")}`;
    if (!dryRun) throw new ConfigError([`${message} (set them in the deploying shell; secrets never go in the file)`]);
    console.error(`warning: ${message}`);
  }

  const api = await apiFor(manifest.region, dryRun);
  const progress = buildProgress();
  const built = values["no-build"] ? undefined : await buildFunctions(join(ROOT, "dist"), { onFunction: progress.onFunction }).finally(progress.done);
  const zips = Object.fromEntries(manifest.functions.map((f) => [f.name, readFileSync(built?.find((b) => b.name === f.name)?.zip ?? join(ROOT, "dist", `${f.name}.zip`))]));
  const result = await deploy(api, {
    manifest,
    config: loadConfig(readConfigFiles(ROOT)),
    zips,
    ...(canaryWeight === undefined ? {} : { canaryWeight }),
    rollback: values.rollback,
    log: (line) => console.log(`  ${line}`),
  }).catch((err: unknown) => {
    throw connectionFailure(err) ? apiUnreachable(err, process.env.MINIASK_SCF_ENDPOINT, manifest.region) : err;
  });
  console.log(`\n${dryRun ? "would deploy" : "deployed"} stage ${manifest.stage} (${manifest.region}, namespace ${manifest.namespace}, alias ${manifest.alias}):`);
  for (const d of result.functions) console.log(`  ${d.name.padEnd(10)} ${d.scfName.padEnd(32)} version ${d.version.padEnd(6)} ${d.url ?? ""}${d.changed ? "" : " (unchanged)"}`);
  const concurrency = manifest.functions.filter((f) => f.concurrency).map((f) => `${f.name} ${f.concurrency!.mode} ${f.concurrency!.max}`);
  if (concurrency.length > 0) console.log(`\nrequests per instance: ${concurrency.join(", ")}`);
  if (result.domain) {
    console.log(`\none host for the Mini Program's request allow-list (HTTPS, ICP-filed in mainland China): ${result.domain}`);
    console.log(`  base URL https://${result.domain}; each function under its path: ${manifest.functions.filter((f) => f.type === "web").map((f) => `${domainPath(f.name)}/`).join(", ")}`);
  } else {
    console.log("\nno domain for this stage: the Mini Program would allow-list each Function URL host above (see README, One domain)");
  }
  return 0;
}

// A DeployError's message is already the whole story (which call, which function): printed as it is.
runCli(DEPLOY_COMMAND, main);
