// Reads profiles/evals/<intent>.yaml. A missing file is a ConfigError that names it and the
// intents that do have cases, never a raw ENOENT.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import * as z from "zod/mini";
import { ConfigError } from "../config/configError";
import { describeIssueAt } from "../validation/describeIssue";
import { type EvalSet, evalSetSchema } from "./evalSet";

export const EVALS_DIR = "profiles/evals";

/** The intents with a golden set under root, sorted. */
export function intentsWithCases(root: string): string[] {
  const dir = join(root, EVALS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -".yaml".length)).sort();
}

export function readEvalSet(root: string, intent: string): EvalSet {
  const file = `${EVALS_DIR}/${intent}.yaml`;
  if (!existsSync(join(root, file))) {
    const known = intentsWithCases(root);
    throw new ConfigError([`${file}: no golden cases for intent ${intent} (cases exist for: ${known.length > 0 ? known.join(", ") : "none"}); write ${file} as the others are written`]);
  }
  const raw: unknown = parse(readFileSync(join(root, file), "utf8"));
  const parsed = z.safeParse(evalSetSchema, raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${file}: ${describeIssueAt(i, raw)}`));
  return parsed.data;
}
