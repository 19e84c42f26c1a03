// `npm run mutate [-- <part of a module path> ...]`: StrykerJS over the security-critical
// modules of MUTATED_MODULES, one module at a time (2 shared cores), each against its own
// tests. Prints one table; writes scripts/mutate/last-run.md (and .json, which keeps the rows
// of modules not run this time); exits 1 when a module run scores under MIN_SCORE or could not run.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { MIN_SCORE, MUTATED_MODULES, type MutatedModule } from "./modules";
import { type ModuleScore, consoleTable, markdownReport, notScored, passes, scoreModule } from "./scores";
import { strykerOptions } from "./strykerOptions";
import { preflight, writeVitestConfig } from "./vitestConfig";
import { type Parsed, UsageError, defineCommand, runCli } from "../support/cli";

const MUTATE_COMMAND = defineCommand({
  command: "npm run mutate --",
  summary: `StrykerJS over the security-critical modules (scripts/mutate/modules.ts), one module at a time, each against its own tests. Prints one table; writes scripts/mutate/last-run.md (and .json); exits 1 when a module scores under ${MIN_SCORE}% or could not run. Takes minutes a module.`,
  positionals: [{ name: "module", description: "run only the modules whose path contains one of these (default: all)", multiple: true }],
  options: {},
});

const ROOT = new URL("../..", import.meta.url).pathname;
const HERE = join(ROOT, "scripts/mutate");
const LAST_RUN_JSON = join(HERE, "last-run.json");
const LAST_RUN_MD = join(HERE, "last-run.md");

function chosenModules(filters: readonly string[]): MutatedModule[] {
  if (filters.length === 0) return [...MUTATED_MODULES];
  const chosen = MUTATED_MODULES.filter((m) => filters.some((f) => m.module.includes(f)));
  if (chosen.length === 0) throw new UsageError(`no module matches ${filters.join(", ")}; known: ${MUTATED_MODULES.map((m) => m.module).join(", ")}`);
  return chosen;
}

/** `count` (`2/9`): where the run is, on the line Stryker's own progress follows. */
async function mutateOne(entry: MutatedModule, workDir: string, count: string): Promise<ModuleScore> {
  const ranAt = new Date().toISOString().slice(0, 16).replace("T", " ");
  const missing = [entry.module, ...entry.tests].filter((f) => !existsSync(join(ROOT, f)));
  if (missing.length > 0) return notScored(entry.module, `missing ${missing.join(", ")}`, ranAt);
  const slug = entry.module.replace(/[^\w]+/g, "_");
  const config = writeVitestConfig(workDir, slug, entry.tests);
  const problem = await preflight(ROOT, config, entry.tests, join(workDir, `${slug}.preflight.json`));
  if (problem) return notScored(entry.module, problem, ranAt);
  process.stderr.write(`\nmutating ${entry.module} (${count} modules) against ${entry.tests.join(", ")}\n`);
  // Loaded here, not at the top: Stryker takes seconds to import, and --help should not wait for it.
  const { Stryker } = await import("@stryker-mutator/core");
  const results = await new Stryker(strykerOptions(entry.module, config, join(workDir, `stryker-${slug}`))).runMutationTest();
  return scoreModule(entry.module, results.map((r) => ({ ...r, fileName: relative(ROOT, r.fileName) })), ranAt);
}

function previousRows(): ModuleScore[] {
  try {
    return JSON.parse(readFileSync(LAST_RUN_JSON, "utf8")) as ModuleScore[];
  } catch {
    return [];
  }
}

/** last-run.json and .md: this run's rows, and the rows of modules not run this time as they were, in the table's order. */
function writeReport(rows: readonly ModuleScore[]): void {
  const previous = previousRows();
  const merged = MUTATED_MODULES.map((m) => rows.find((r) => r.module === m.module) ?? previous.find((r) => r.module === m.module)).filter((r): r is ModuleScore => r !== undefined);
  writeFileSync(LAST_RUN_JSON, `${JSON.stringify(merged, null, 2)}\n`);
  writeFileSync(LAST_RUN_MD, markdownReport(merged, MIN_SCORE));
}

async function main({ positionals }: Parsed<typeof MUTATE_COMMAND.options>): Promise<number> {
  process.chdir(ROOT);
  const modules = chosenModules(positionals);
  const workDir = join("/tmp", `miniask-mutate-${process.pid}`);
  mkdirSync(workDir, { recursive: true });
  const rows: ModuleScore[] = [];
  try {
    // The report is written after each module: a full run takes long on 2 shared cores,
    // and one stopped part-way keeps the rows it finished.
    for (const [i, entry] of modules.entries()) {
      rows.push(await mutateOne(entry, workDir, `${i + 1}/${modules.length}`));
      writeReport(rows);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${consoleTable(rows)}\n\nminimum ${MIN_SCORE}%; survivors listed in ${relative(ROOT, LAST_RUN_MD)}\n`);
  const failing = rows.filter((r) => !passes(r, MIN_SCORE));
  if (failing.length > 0) {
    process.stdout.write(`under ${MIN_SCORE}% or not run: ${failing.map((r) => r.module).join(", ")}\n`);
    return 1;
  }
  return 0;
}

runCli(MUTATE_COMMAND, main);
