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
import { INTENT_NAMES } from "../lib/intents/names";
import { INTENTS } from "../lib/intents/registry";
import { createAnswerer } from "../lib/models/answerer";
import { createProfileRunner } from "../lib/replay/runProfile";
import { readSettings } from "../lib/runtime/settings";
import { type Parsed, UsageError, defineCommand, runCli } from "./support/cli";
import { createProgress } from "./support/progress";
import { requireReachableUpstream } from "./support/reachUpstream";
import { configRoot, scriptModels } from "./support/scriptModels";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const EVAL_COMMAND = defineCommand({
  command: "npm run eval --",
  summary: "Runs the golden set profiles/evals/<intent>.yaml against each profile (the first is the baseline), prints them side by side, and exits 1 when a candidate passes fewer cases than the baseline. Models: provider keys, MINIASK_UPSTREAM_URL, or in dev with no key the local stand-in upstream.",
  options: {
    intent: { type: "string", required: true, choices: INTENT_NAMES, description: "the intent whose golden cases run" },
    profiles: { type: "string", required: true, value: "BASELINE,CANDIDATE[,...]", description: "profiles of that intent, comma-separated; the first is the baseline" },
    json: { type: "boolean", description: "one JSON object on stdout instead of the table (no progress on stderr)" },
  },
  notes: ["example: npm run eval -- --intent support --profiles support_v1,support_v2"],
});

async function main({ values }: Parsed<typeof EVAL_COMMAND.options>): Promise<number> {
  const { intent, json } = values;
  const profiles = values.profiles.split(",").filter(Boolean);
  if (profiles.length === 0) throw new UsageError("--profiles: name at least one profile");
  const root = configRoot(ROOT);
  const settings = readSettings(process.env);
  const config = loadConfig(readConfigFiles(root));
  const env = environmentOf(config, settings.MINIASK_ENV);
  for (const p of profiles) if (config.profiles[p]?.intent !== intent) throw new ConfigError([`--profiles: "${p}" is not a profile of intent ${intent}`]);
  const set = readEvalSet(root, intent);

  await requireReachableUpstream(settings.MINIASK_UPSTREAM_URL);
  const { models, close } = await scriptModels(config, settings.MINIASK_ENV, settings, process.env);
  const run = createProfileRunner({ config, answerer: createAnswerer({ config, env, models }), intents: INTENTS });
  const progress = createProgress("eval", set.cases.length * profiles.length, "cases", { quiet: json });
  const summaries = await runEval(config, set, intent, profiles, async (request, profile) => {
    progress.status(profile);
    const outcome = await run(request, profile);
    progress.tick(profile);
    return outcome;
  }).finally(() => {
    progress.done();
    return close();
  });

  const [baseline, ...candidates] = summaries;
  const worse = candidates.filter((c) => baseline && c.passRate < baseline.passRate);
  if (json) {
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

// A failure exits 2, as eval always has (1 says "the candidate is worse").
runCli(EVAL_COMMAND, main, { failureExit: 2 });
