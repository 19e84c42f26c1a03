// One list of functions: every intent (lib/intents/names.ts) is a web function of its own in
// serverless.yml with its source in functions/<intent>/index.ts and a Function URL, and every
// function serves an intent unless it is one of the service functions below. The build and the
// deploy check this first, so an intent added without its function (or a function left behind
// by a removed intent) fails by name instead of being silently left out.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config/configError";
import { INTENT_NAMES } from "../intents/names";
import { SERVERLESS_FILE } from "./manifest";
import type { MultiScfManifest } from "./multiScfSchema";

/** Functions that serve no intent, and their type: login, and the warm-up timer. */
export const SERVICE_FUNCTIONS: Readonly<Record<string, "web" | "event">> = { auth: "web", warmup: "event" };

function intentProblems(manifest: MultiScfManifest, root: string, intent: string): string[] {
  const fn = manifest.inputs.functions[intent];
  const problems: string[] = [];
  if (!fn) problems.push(`intent "${intent}" has no function: add inputs.functions.${intent} to ${SERVERLESS_FILE} (src: ./${intent}, handler: scf_bootstrap)`);
  else if ((fn.type ?? manifest.inputs.type ?? "event") !== "web") problems.push(`intent "${intent}": its function in ${SERVERLESS_FILE} must be a web function`);
  if (fn && !(manifest.inputs.triggers ?? []).some((t) => t.type === "http" && t.function === intent)) problems.push(`intent "${intent}" has no Function URL: add { type: http, function: ${intent}, parameters: *url } to inputs.triggers in ${SERVERLESS_FILE}`);
  if (!existsSync(join(root, "functions", intent, "index.ts"))) problems.push(`intent "${intent}" has no functions/${intent}/index.ts (copy functions/summarize/index.ts and name the intent)`);
  return problems;
}

/** Throws a ConfigError naming every intent without a function and every function without an intent. */
export function checkFunctionList(manifest: MultiScfManifest, root: string, intents: readonly string[] = INTENT_NAMES): void {
  const problems = intents.flatMap((intent) => intentProblems(manifest, root, intent));
  const known = (name: string) => intents.includes(name) || name in SERVICE_FUNCTIONS;
  for (const name of Object.keys(manifest.inputs.functions)) {
    if (!known(name)) problems.push(`function "${name}" in ${SERVERLESS_FILE} serves no intent (intents: ${intents.join(", ")}; service functions: ${Object.keys(SERVICE_FUNCTIONS).join(", ")})`);
  }
  const folders = existsSync(join(root, "functions")) ? readdirSync(join(root, "functions"), { withFileTypes: true }).filter((d) => d.isDirectory()) : [];
  for (const { name } of folders) {
    if (!known(name)) problems.push(`functions/${name}/ serves no intent (intents: ${intents.join(", ")})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
