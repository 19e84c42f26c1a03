// `npm run token -- <userId>`: a dev app token on the last line of output. Dev only: staging and
// prod tokens come from WeChat login (POST /v1/mini/login) and nowhere else.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { ConfigError } from "../lib/config/configError";
import { environmentOf, loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { readSettings } from "../lib/runtime/settings";

async function main(): Promise<number> {
  const settings = readSettings(process.env);
  if (settings.MINIASK_ENV !== "dev") {
    console.error(`npm run token works in dev only (MINIASK_ENV=${settings.MINIASK_ENV}); ${settings.MINIASK_ENV} tokens come from POST /v1/mini/login`);
    return 2;
  }
  const userId = process.argv[2];
  if (!userId || !/^[\w.:@-]{1,128}$/.test(userId)) {
    console.error("usage: npm run token -- <userId>   (letters, digits and _ . : @ -)");
    return 2;
  }
  const config = loadConfig(readConfigFiles(join(dirname(fileURLToPath(import.meta.url)), "..")));
  const keys = parseTokenKeys(process.env.MINIASK_TOKEN_KEYS, "dev");
  const issued = await issueAppToken(keys, "dev", userId, environmentOf(config, "dev").tokenTtlSeconds);
  console.log(`dev token for ${userId}, key "${keys.signing.kid}", expires ${new Date(issued.expiresAt * 1000).toISOString()}:`);
  console.log(issued.token);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? `miniask: ${err.message}` : `miniask: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
