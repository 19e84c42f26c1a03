// `npm start`: the local server, speaking the same HTTP API as the deployed functions, all
// intents in one process. With no provider key set (and no MINIASK_UPSTREAM_URL) in dev, it
// also starts the project's local stand-in upstream and says so loudly.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../lib/config/configError";
import { loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { createHttpServer, listen } from "../lib/http/nodeServer";
import { INTENTS } from "../lib/intents/registry";
import { missingKeyVariables, noProviderKeySet } from "../lib/models/modelTargets";
import { playgroundRoutes } from "../lib/playground/playgroundRoutes";
import { createProcessApp } from "../lib/runtime/createProcessApp";
import { maskUrlCredentials } from "../lib/secrets/maskUrl";
import { checkStore } from "../lib/store/createStore";
import { readSettings } from "../lib/runtime/settings";
import { startLocalUpstream } from "./local-upstream/server";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const config = loadConfig(readConfigFiles(root));
  const env = settings.MINIASK_ENV;

  let localUpstream: Awaited<ReturnType<typeof startLocalUpstream>> | undefined;
  const missing = missingKeyVariables(config, env, process.env);
  if (!settings.MINIASK_UPSTREAM_URL && env === "dev" && noProviderKeySet(config, env, process.env)) {
    localUpstream = await startLocalUpstream();
  }

  const built = createProcessApp({
    processEnv: process.env,
    config,
    intents: INTENTS,
    serveLogin: true,
    extraRoutes: playgroundRoutes,
    ...(localUpstream ? { upstreamOverride: { baseUrl: localUpstream.url } } : {}),
  });
  const storeProblem = await checkStore(built.app.store, 2000);
  if (storeProblem) throw new ConfigError([`${storeProblem} (MINIASK_STORE=${maskUrlCredentials(settings.MINIASK_STORE ?? "memory")}); start it, or unset MINIASK_STORE for the in-memory store`]);
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

main().catch((err: unknown) => {
  // A message may quote a URL setting (a store's address, an upstream's): its credentials stay out.
  console.error(maskUrlCredentials(err instanceof ConfigError ? `miniask: ${err.message}` : `miniask: could not start: ${err instanceof Error ? err.message : String(err)}`));
  process.exit(1);
});
