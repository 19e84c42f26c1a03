// Where a function gets its config. From source (tests, local runs) the files in profiles/ are
// read and validated; `npm run build` swaps this module for one that returns the config it
// validated as JSON, so a deployed cold start parses no YAML and runs no config schema.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "./config";
import { loadConfig } from "./loadConfig";
import { readConfigFiles } from "./readConfigFiles";

export function bundledConfig(): Config {
  return loadConfig(readConfigFiles(join(dirname(fileURLToPath(import.meta.url)), "..", "..")));
}
