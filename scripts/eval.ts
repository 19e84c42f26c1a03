// `npm run eval -- --intent summarize --profiles summarize_v1,summarize_v2 [--json]`: runs the
// golden set profiles/evals/<intent>.yaml against each profile (the first is the baseline),
// prints them side by side, and exits 1 when the candidate passes fewer cases than the baseline.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../lib/config/configError";
import { environmentOf, loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { readEvalSet } from "../lib/eval/readEvalSet";
import { runEval } from "../lib/eval/runEval";
import { isIntentName } from "../lib/intents/names";
import { INTENTS } from "../lib/intents/registry";
import { createAnswerer } from "../lib/models/answerer";
import { createProfileRunner } from "../lib/replay/runProfile";
import { readSettings } from "../lib/runtime/settings";
import { configRoot, scriptModels } from "./support/scriptModels";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const value = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const intent = value("--intent");
  const profiles = value("--profiles")?.split(",").filter(Boolean) ?? [];
  if (!intent || !isIntentName(intent) || profiles.length === 0) {
    console.error("usage: npm run eval -- --intent <summarize|support|recommend|extract> --profiles baseline,candidate[,...] [--json]");
    return 2;
  }
  const root = configRoot(ROOT);
  const settings = readSettings(process.env);
  const config = loadConfig(readConfigFiles(root));
  const env = environmentOf(config, settings.MINIASK_ENV);
  for (const p of profiles) if (config.profiles[p]?.intent !== intent) throw new ConfigError([`--profiles: "${p}" is not a profile of intent ${intent}`]);
  const set = readEvalSet(root, intent);

  const { models, close } = await scriptModels(config, settings.MINIASK_ENV, settings, process.env);
  const summaries = await runEval(config, set, intent, profiles, createProfileRunner({ config, answerer: createAnswerer({ config, env, models }), intents: INTENTS }));
  await close();

  const [baseline, ...candidates] = summaries;
  const worse = candidates.filter((c) => baseline && c.passRate < baseline.passRate);
  if (args.includes("--json")) {
    console.log(JSON.stringify({ intent, summaries: summaries.map(({ cases, ...s }) => ({ ...s, failures: cases.filter((c) => c.failed.length).map((c) => ({ case: c.name, failed: c.failed })) })), worse: worse.map((w) => w.profile) }));
  } else {
    const head = ["profile", "cases", "passed", "pass rate", "p50 ms", "p95 ms", "tokens", "est. cost (CNY)"];
    const rows = summaries.map((s) => [s.profile, String(s.cases.length), String(s.passed), `${(s.passRate * 100).toFixed(1)}%`, String(s.p50Ms), String(s.p95Ms), String(s.tokens), s.cost === undefined ? "n/a (no price)" : s.cost.toFixed(6)]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    console.log([line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n"));
    const failures = summaries.flatMap((s) => s.cases.filter((c) => c.failed.length).map((c) => `  ${s.profile} / ${c.name}: ${c.failed.join("; ")}`));
    if (failures.length) console.log(`\nfailures:\n${failures.join("\n")}`);
    for (const c of candidates) {
      console.log(`\n${c.profile} vs baseline ${baseline?.profile}: pass rate ${(c.passRate * 100).toFixed(1)}% vs ${((baseline?.passRate ?? 0) * 100).toFixed(1)}%: ${worse.includes(c) ? "WORSE" : "not worse"}`);
    }
  }
  return worse.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? `eval: ${err.problems.join("\n  ")}` : `eval: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
