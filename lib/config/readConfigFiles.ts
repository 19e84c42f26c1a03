// Reads profiles/*.yaml from disk. Only the local server, scripts and tests use this: a built
// function embeds the validated files as JSON instead, so a cold start parses no YAML.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "./configError";
import { CONFIG_FILES, type RawConfigFiles } from "./loadConfig";

function readYaml(root: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(join(root, file), "utf8");
  } catch (err) {
    throw new ConfigError([`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`]);
  }
  try {
    return parse(text, { uniqueKeys: true });
  } catch (err) {
    throw new ConfigError([`${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
  }
}

export function readConfigFiles(root: string): RawConfigFiles {
  return {
    profiles: readYaml(root, CONFIG_FILES.profiles),
    envPolicy: readYaml(root, CONFIG_FILES.envPolicy),
    models: readYaml(root, CONFIG_FILES.models),
    tools: readYaml(root, CONFIG_FILES.tools),
    faq: readYaml(root, CONFIG_FILES.faq),
  };
}
