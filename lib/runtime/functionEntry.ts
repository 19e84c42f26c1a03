// What functions/<name>/index.ts hands its intents (or login) to. Built at module load, so a config
// mistake fails the SCF init phase (and shows in its Init Report), not the first request.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { bundledConfig } from "../config/bundledConfig";
import { ConfigError } from "../config/configError";
import { createEventHandler } from "../http/scfEvent";
import { createHttpServer, listen } from "../http/nodeServer";
import type { Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import { type LoadedSecrets, loadSecrets } from "../secrets/loadSecrets";
import { maskUrlCredentials } from "../secrets/maskUrl";
import { hasSecretRefs } from "../secrets/secretRefs";
import type { SecretReadError } from "../secrets/ssmReader";
import { checkStore } from "../store/createStore";
import { createProcessApp } from "./createProcessApp";

type Spec = { name: string; intents: Partial<Record<IntentName, Intent>>; serveLogin?: boolean };
type EventHandler = ReturnType<typeof createEventHandler>;
/** Secrets as read at init: how long the read took, and where a failed re-read is reported once the logger exists. */
type ReadSecrets = LoadedSecrets & { readMs: number; reportRefreshErrors: (warn: (err: SecretReadError) => void) => void };

function isMainModule(entryUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === entryUrl;
  } catch {
    return false;
  }
}

/**
 * One clear message in the function's log, then a non-zero exit: a stack trace of minified code
 * would only bury it (and SCF's Init Report says the start failed either way). URL credentials
 * are masked, and a secret's value is never in a message (lib/secrets says names and codes only).
 */
function failStart(name: string, err: unknown): never {
  const why = err instanceof ConfigError ? err.message : `failed to start (${err instanceof Error ? `${err.name}: ${err.message.split("\n")[0]}` : String(err)})`;
  process.stderr.write(`miniask ${name}: ${maskUrlCredentials(why)}\n`);
  process.exit(1);
}

/** Builds the app from `env` and, for a web function, serves it; returns the event handler. */
function start(spec: Spec, webServer: boolean, env: Readonly<Record<string, string | undefined>>, secrets?: ReadSecrets): EventHandler {
  const { name } = spec;
  let built;
  try {
    // Web or event function, every response waits for its record step: SCF may freeze an
    // instance the moment a response ends (platform-facts.md), so nothing runs after it.
    built = createProcessApp({ processEnv: env, config: bundledConfig(), intents: spec.intents, serveLogin: spec.serveLogin ?? false, ...(secrets ? { secrets } : {}) });
  } catch (err) {
    failStart(name, err);
  }
  const { app, settings } = built;
  secrets?.reportRefreshErrors((err) => app.logger.warn("secret re-read failed", { function: name, variable: err.variable, code: err.code }));
  for (const note of built.startupNotes) if (note.startsWith("WARNING")) app.logger.warn("start-up warning", { function: name, note });
  // An unreachable store at init is worth a line now; requests then follow on_store_error.
  void checkStore(app.store, 2000).then((problem) => {
    if (problem) app.logger.warn("store unreachable at start", { function: name, problem: maskUrlCredentials(problem) });
  });
  if (webServer) {
    // SCF web functions must listen on all interfaces, not 127.0.0.1 only (platform-facts.md).
    const server = createHttpServer(app.handle, { logger: app.logger, ...(settings.MINIASK_CLIENT_IP_HEADER ? { clientIpHeader: settings.MINIASK_CLIENT_IP_HEADER } : {}) });
    // Finish what is in flight, then leave (an instance being reclaimed, or a profiler waiting).
    process.once("SIGTERM", () => {
      server.close(() => process.exit(0));
      setTimeout(() => process.exit(0), 2000).unref();
    });
    void listen(server, Number(settings.PORT), "0.0.0.0").then((port) =>
      // initMs: from process start to serving (module load, config validation and the SSM read
      // included); secretsMs: the SSM read alone.
      app.logger.info("listening", { port, initMs: Math.round(performance.now()), ...(secrets ? { secretsMs: secrets.readMs } : {}), notes: built.startupNotes }),
    );
  }
  return createEventHandler(app.handle, { logger: app.logger });
}

/** The `ssm:` variables read with the function role's credentials; the SSM client is loaded only here. */
async function readSecrets(): Promise<ReadSecrets> {
  const began = performance.now();
  const { ssmSecretReader } = await import("../secrets/ssmReader");
  let warn: ((err: SecretReadError) => void) | undefined;
  const secrets = await loadSecrets(process.env, await ssmSecretReader(process.env), { onRefreshError: (err) => warn?.(err) });
  return { ...secrets, readMs: Math.round(performance.now() - began), reportRefreshErrors: (to) => (warn = to) };
}

/**
 * The function's `main_handler` (event function). When the entry is run directly, as
 * scf_bootstrap does for a web function, it also serves HTTP on 0.0.0.0:$PORT (SCF: 9000).
 * With `ssm:` variables, the secrets are read first (still in init: a web function listens only
 * after), and an event that arrives before that waits for it.
 */
export function functionEntry(spec: Spec, entryUrl: string): EventHandler {
  const webServer = isMainModule(entryUrl);
  if (!hasSecretRefs(process.env)) return start(spec, webServer, process.env);
  const ready = readSecrets().then(
    (secrets) => start(spec, webServer, secrets.env, secrets),
    (err: unknown) => failStart(spec.name, err),
  );
  return async (event, context) => (await ready)(event, context);
}
