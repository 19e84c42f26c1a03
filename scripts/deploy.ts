// `npm run deploy -- --stage <dev|staging|prod> [--dry-run] [--canary W] [--rollback] [--no-build]`
// Deploys serverless.yml with tencentcloud-sdk-nodejs-scf (the npm serverless CLI no longer
// deploys to Tencent). Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY
// (/ TENCENTCLOUD_SESSION_TOKEN). MINIASK_SCF_ENDPOINT points the SDK elsewhere (tests).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { ConfigError } from "../lib/config/configError";
import { DeployError, deploy } from "../lib/deploy/deploy";
import { parseManifest, resolveManifest } from "../lib/deploy/manifest";
import { type ScfApi, recordingScfApi, sdkScfApi } from "../lib/deploy/scfApi";
import { buildFunctions } from "./build";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PLAIN_VARIABLES = new Set(["MINIASK_ENV", "MINIASK_STORE_PREFIX", "MINIASK_WARMUP_TARGETS", "WECHAT_APPID"]);

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** What --dry-run prints: no zip bytes, no secret values. */
function printable(params: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(params, (key, value: unknown) => {
      if (key === "ZipFile" && typeof value === "string") return `<zip, ${Math.round((value.length * 3) / 4 / 1024)} KB>`;
      if (key === "Variables" && Array.isArray(value)) return value.map((v: { Key: string; Value: string }) => ({ Key: v.Key, Value: PLAIN_VARIABLES.has(v.Key) ? v.Value : v.Value ? "***" : "" }));
      return value;
    }),
  ) as Record<string, unknown>;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const stage = flag(args, "--stage");
  const dryRun = args.includes("--dry-run");
  if (!stage) {
    console.error("usage: npm run deploy -- --stage <dev|staging|prod> [--dry-run] [--canary W] [--rollback] [--no-build]");
    return 2;
  }
  const canary = flag(args, "--canary");
  const manifest = resolveManifest(parseManifest(parse(readFileSync(join(ROOT, "serverless.yml"), "utf8"))), stage, process.env);
  if (manifest.missingVariables.length > 0) {
    const message = `serverless.yml references unset variables: ${manifest.missingVariables.join(", ")}`;
    if (!dryRun) throw new ConfigError([`${message} (set them in the deploying shell; secrets never go in the file)`]);
    console.error(`warning: ${message}`);
  }

  const built = args.includes("--no-build") ? undefined : await buildFunctions(join(ROOT, "dist"));
  const zips = Object.fromEntries(manifest.functions.map((f) => [f.name, readFileSync(built?.find((b) => b.name === f.name)?.zip ?? join(ROOT, "dist", `${f.name}.zip`))]));

  const secretId = process.env.TENCENTCLOUD_SECRET_ID;
  const secretKey = process.env.TENCENTCLOUD_SECRET_KEY;
  const endpoint = process.env.MINIASK_SCF_ENDPOINT;
  const token = process.env.TENCENTCLOUD_SESSION_TOKEN;
  const real = secretId && secretKey ? await sdkScfApi({ secretId, secretKey, region: manifest.region, ...(endpoint ? { endpoint } : {}), ...(token ? { token } : {}) }) : undefined;
  if (!real && !dryRun) throw new ConfigError(["TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY: required to deploy (a CAM key with SCF permissions); --dry-run works without them"]);

  let api: ScfApi = real as ScfApi;
  if (dryRun) {
    console.log(`dry run: ${real ? "reading the current state, " : "no credentials: assuming nothing exists, "}printing every write call instead of making it`);
    api = recordingScfApi(real, (action, params) => console.log(`${action} ${JSON.stringify(printable(params))}`));
  }
  const deployed = await deploy(api, {
    manifest,
    zips,
    ...(canary === undefined ? {} : { canaryWeight: Number(canary) }),
    rollback: args.includes("--rollback"),
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`\n${dryRun ? "would deploy" : "deployed"} stage ${manifest.stage} (${manifest.region}, namespace ${manifest.namespace}, alias ${manifest.alias}):`);
  for (const d of deployed) console.log(`  ${d.name.padEnd(10)} ${d.scfName.padEnd(28)} version ${d.version.padEnd(18)} ${d.url ?? ""}${d.changed ? "" : " (unchanged)"}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? `deploy: ${err.problems.join("\n  ")}` : err instanceof DeployError ? `deploy: ${err.message}` : `deploy failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
