// `npm run token -- [--env dev|staging] <userId>`: an app token on the last line of output.
// dev signs with MINIASK_TOKEN_KEYS or the built-in dev key; staging only with the staging token
// key the operator's shell holds (MINIASK_TOKEN_KEYS, as the staging functions have it), so the
// staging steps can be followed by hand without a real wx.login code. Never prod: prod tokens
// come from WeChat login (POST /v1/mini/login) and nowhere else.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { ENVIRONMENTS } from "../lib/config/environments";
import { environmentOf, loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { readSettings } from "../lib/runtime/settings";
import { SSM_PREFIX } from "../lib/secrets/secretRefs";
import { type Parsed, UsageError, defineCommand, runCli } from "./support/cli";

const TOKEN_COMMAND = defineCommand({
  command: "npm run token --",
  summary: "An app token for <userId> on the last line of output. dev signs with MINIASK_TOKEN_KEYS or the built-in dev key; staging only with --env staging and the staging key in this shell's MINIASK_TOKEN_KEYS. Never prod: prod tokens come from WeChat login (POST /v1/mini/login).",
  positionals: [{ name: "userId", description: "the user the token is for: letters, digits and _ . : @ -, at most 128", required: true }],
  options: {
    // No choices here: "prod" is refused with its own reason (exit 1), not as a usage mistake.
    env: { type: "string", value: "dev|staging", description: "the environment to mint for (default: MINIASK_ENV, dev)" },
  },
});

async function main({ values, positionals }: Parsed<typeof TOKEN_COMMAND.options>): Promise<number> {
  const args = { env: values.env, userId: positionals[0]! };
  if (!/^[\w.:@-]{1,128}$/.test(args.userId)) throw new UsageError(`<userId>: letters, digits and _ . : @ - only, 1 to 128 of them, got "${args.userId}"`);
  const shellEnv = readSettings(process.env).MINIASK_ENV;
  const env = args.env ?? shellEnv;
  if (!(ENVIRONMENTS as readonly string[]).includes(env)) throw new UsageError(`--env: expected dev or staging, got "${env}"`);
  if (env === "prod") {
    console.error(`npm run token works in dev only (MINIASK_ENV=prod) and never mints prod tokens: prod tokens come from WeChat login (POST /v1/mini/login) only`);
    return 1;
  }
  // Staging only when asked by flag: a shell left with MINIASK_ENV=staging mints nothing by accident.
  if (env !== "dev" && args.env === undefined) {
    console.error(`npm run token works in dev only (MINIASK_ENV=${env}); pass --env ${env} to mint a ${env} token with the ${env} key in MINIASK_TOKEN_KEYS`);
    return 2;
  }
  const keyValue = process.env.MINIASK_TOKEN_KEYS;
  if (env !== "dev" && keyValue?.startsWith(SSM_PREFIX)) {
    console.error(`MINIASK_TOKEN_KEYS names an SSM secret (${keyValue}); put the ${env} key itself ("kid:secret") in this shell's MINIASK_TOKEN_KEYS`);
    return 1;
  }
  const environment = env as (typeof ENVIRONMENTS)[number];
  const config = loadConfig(readConfigFiles(join(dirname(fileURLToPath(import.meta.url)), "..")));
  const keys = parseTokenKeys(keyValue, environment);
  const issued = await issueAppToken(keys, environment, args.userId, environmentOf(config, environment).tokenTtlSeconds);
  console.log(`${env} token for ${args.userId}, key "${keys.signing.kid}", expires ${new Date(issued.expiresAt * 1000).toISOString()}:`);
  console.log(issued.token);
  return 0;
}

runCli(TOKEN_COMMAND, main);
