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
import { checkStore } from "../store/createStore";
import { createProcessApp } from "./createProcessApp";

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
 * The function's `main_handler` (event function). When the entry is run directly, as
 * scf_bootstrap does for a web function, it also serves HTTP on 0.0.0.0:$PORT (SCF: 9000).
 */
export function functionEntry(spec: { name: string; intents: Partial<Record<IntentName, Intent>>; serveLogin?: boolean }, entryUrl: string) {
  const { name } = spec;
  // Run by scf_bootstrap: a web function, whose instance keeps running after a response, so it
  // answers first and records right after. As an event function it records before returning.
  const webServer = isMainModule(entryUrl);
  let built;
  try {
    built = createProcessApp({ processEnv: process.env, config: bundledConfig(), intents: spec.intents, serveLogin: spec.serveLogin ?? false, recordAfterResponse: webServer });
  } catch (err) {
    // One clear message in the function's log, then a non-zero exit: a stack trace of minified
    // code would only bury it (and SCF's Init Report says the start failed either way).
    const why = err instanceof ConfigError ? err.message : `failed to start (${err instanceof Error ? `${err.name}: ${err.message.split("\n")[0]}` : String(err)})`;
    process.stderr.write(`miniask ${name}: ${why}\n`);
    process.exit(1);
  }
  const { app, settings } = built;
  for (const note of built.startupNotes) if (note.startsWith("WARNING")) app.logger.warn("start-up warning", { function: name, note });
  // An unreachable store at init is worth a line now; requests then follow on_store_error.
  void checkStore(app.store, 2000).then((problem) => {
    if (problem) app.logger.warn("store unreachable at start", { function: name, problem });
  });
  if (webServer) {
    // SCF web functions must listen on all interfaces, not 127.0.0.1 only (platform-facts.md).
    const server = createHttpServer(app.handle, settings.MINIASK_CLIENT_IP_HEADER ? { clientIpHeader: settings.MINIASK_CLIENT_IP_HEADER } : {});
    // Finish what is in flight, then leave (an instance being reclaimed, or a profiler waiting).
    process.once("SIGTERM", () => {
      server.close(() => void app.drain().then(() => process.exit(0)));
      setTimeout(() => process.exit(0), 2000).unref();
    });
    void listen(server, Number(settings.PORT), "0.0.0.0").then((port) =>
      // initMs: from process start to serving (module load and config validation included).
      app.logger.info("listening", { port, initMs: Math.round(performance.now()), notes: built.startupNotes }),
    );
  }
  return createEventHandler(app.handle);
}
