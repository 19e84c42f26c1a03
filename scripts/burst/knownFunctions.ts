// `plan --write` writes a schedule per function into the stages file the deploy reads. A trace
// that names a function the manifest does not have (a typo, another app's log lines) would put
// an entry there the next deploy refuses: so every function is checked before anything is written.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseManifest, SERVERLESS_FILE } from "../../lib/deploy/manifest";

/** serverless.yml at `root`, alone (the stages file may be what is wrong, or being edited). */
export function readServerlessFile(root: string) {
  return parseManifest(parse(readFileSync(join(root, SERVERLESS_FILE), "utf8")));
}

function manifestFunctions(root: string) {
  return readServerlessFile(root).inputs.functions;
}

/** The names in `fns` that are not functions of the manifest (serverless.yml) at `root`. */
export function unknownFunctions(fns: readonly string[], root: string): string[] {
  const known = new Set(Object.keys(manifestFunctions(root)));
  return fns.filter((fn) => !known.has(fn));
}

/** Throws, naming them, when any of `fns` is not a function of the manifest at `root`. */
export function refuseUnknownFunctions(fns: readonly string[], root: string): void {
  const unknown = unknownFunctions(fns, root);
  if (unknown.length === 0) return;
  const known = Object.keys(manifestFunctions(root)).join(", ");
  throw new Error(`--write: the traffic names ${unknown.length === 1 ? "a function" : "functions"} serverless.yml does not have: ${unknown.map((f) => `"${f}"`).join(", ")} (functions: ${known}); nothing written. Pass --fn NAME to plan one of them, or fix the trace.`);
}
