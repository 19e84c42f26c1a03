// `npm start`: the local server, speaking the same HTTP API as the deployed functions, all
// intents in one process. With no provider key set (and no MINIASK_UPSTREAM_URL) in dev, it
// also starts the project's local stand-in upstream and says so loudly. `ssm:` variables are read
// from SSM as the functions read them (plain variables stay the usual way to run locally).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { createHttpServer, listen } from "../lib/http/nodeServer";
import { INTENTS } from "../lib/intents/registry";
import { missingKeyVariables, noProviderKeySet } from "../lib/models/modelTargets";
import { playgroundRoutes } from "../lib/playground/playgroundRoutes";
import { createProcessApp } from "../lib/runtime/createProcessApp";
import { type LoadedSecrets, loadSecrets } from "../lib/secrets/loadSecrets";
import { hasSecretRefs } from "../lib/secrets/secretRefs";
import { readSettings } from "../lib/runtime/settings";
import { startLocalUpstream } from "./local-upstream/server";
import { defineCommand, runCli } from "./support/cli";
import { requireReachable } from "./support/reachStore";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** `ssm:` variables read as a function reads them (here with the shell's TENCENTCLOUD_* key); plain ones as they are. */
async function processSecrets(): Promise<LoadedSecrets | undefined> {
  if (!hasSecretRefs(process.env)) return undefined;
  const { ssmSecretReader } = await import("../lib/secrets/ssmReader");
  return loadSecrets(process.env, await ssmSecretReader(process.env));
}

const START_COMMAND = defineCommand({
  command: "npm start --",
  summary: "The local server, speaking the same HTTP API as the deployed functions, all intents in one process, with the playground (not in prod). With no provider key set (and no MINIASK_UPSTREAM_URL) in dev, it starts the local stand-in upstream and says so. Settings are environment variables: MINIASK_ENV (dev), MINIASK_STORE (memory), PORT (9000), provider keys, MINIASK_UPSTREAM_URL; ssm: values are read from SSM.",
  options: {},
});

async function main(): Promise<void> {
  const secrets = await processSecrets();
  const variables = secrets?.env ?? process.env;
  const settings = readSettings(variables);
  const config = loadConfig(readConfigFiles(root));
  const env = settings.MINIASK_ENV;

  let localUpstream: Awaited<ReturnType<typeof startLocalUpstream>> | undefined;
  const missing = missingKeyVariables(config, env, variables);
  if (!settings.MINIASK_UPSTREAM_URL && env === "dev" && noProviderKeySet(config, env, variables)) {
    localUpstream = await startLocalUpstream();
  }

  const built = createProcessApp({
    processEnv: variables,
    ...(secrets ? { secrets } : {}),
    config,
    intents: INTENTS,
    serveLogin: true,
    extraRoutes: playgroundRoutes,
    ...(localUpstream ? { upstreamOverride: { baseUrl: localUpstream.url } } : {}),
  });
  await requireReachable(built.app.store, settings.MINIASK_STORE, variables, "or unset MINIASK_STORE for the in-memory store");
  const port = await listen(createHttpServer(built.app.handle), Number(settings.PORT), "0.0.0.0");

  console.log(`miniask local server on http://127.0.0.1:${port} (POST /v1/mini/ask, POST /v1/mini/login, GET /healthz)`);
  for (const note of built.startupNotes) console.log(`  ${note}`);
  if (localUpstream) {
    console.log(`  !! LOCAL STAND-IN UPSTREAM at ${localUpstream.url}: no provider key is set (${missing.join(", ")}).`);
    console.log("  !! Answers are canned text built from your input, not a model. Set a key or MINIASK_UPSTREAM_URL for real answers.");
  }
  if (env !== "prod") console.log(`  playground: http://127.0.0.1:${port}/`);
  if (env === "dev") console.log(`  dev token: npm run --silent token -- u_123`);
}

// A message may quote a URL setting (a store's address, an upstream's): runCli masks its credentials.
runCli(START_COMMAND, main, { serves: true });
