// Where a function gets its config files. From source (tests, local runs) they are read from
// profiles/; `npm run build` swaps this module for one that holds the validated files as JSON,
// so a deployed cold start parses no YAML.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RawConfigFiles } from "./loadConfig";
import { readConfigFiles } from "./readConfigFiles";

export function bundledConfigFiles(): RawConfigFiles {
  return readConfigFiles(join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
}
