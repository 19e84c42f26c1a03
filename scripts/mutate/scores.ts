// Mutation results as data (one row per module, the survivors listed), formatted late: a
// console table and the markdown of last-run.md. Pure functions; the runner does the I/O.
import type { MutantResult } from "@stryker-mutator/api/core";

export interface SurvivingMutant {
  /** "file:line:column". */
  at: string;
  mutator: string;
  replacement: string;
  status: "Survived" | "NoCoverage";
}

export interface ModuleScore {
  module: string;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  /** Mutants that did not compile or crashed the runner: not in the score, as Stryker counts. */
  invalid: number;
  /** (killed + timeout) / (killed + timeout + survived + no coverage), in percent; null when nothing was scored. */
  score: number | null;
  survivors: SurvivingMutant[];
  /** Why the module was not scored (missing file, failing tests), when it was not. */
  problem?: string;
  ranAt: string;
}

export function scoreModule(module: string, results: readonly MutantResult[], ranAt: string): ModuleScore {
  const count = (status: MutantResult["status"]) => results.filter((r) => r.status === status).length;
  const killed = count("Killed");
  const timeout = count("Timeout");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const scored = killed + timeout + survived + noCoverage;
  const survivors = results
    .filter((r): r is MutantResult & { status: "Survived" | "NoCoverage" } => r.status === "Survived" || r.status === "NoCoverage")
    .map((r) => ({ at: `${r.fileName}:${r.location.start.line}:${r.location.start.column}`, mutator: r.mutatorName, replacement: oneLine(r.replacement ?? ""), status: r.status }))
    .sort((a, b) => compareLocations(a.at, b.at));
  return {
    module,
    killed,
    survived,
    timeout,
    noCoverage,
    invalid: count("CompileError") + count("RuntimeError"),
    score: scored === 0 ? null : Math.floor((1000 * (killed + timeout)) / scored) / 10,
    survivors,
    ranAt,
  };
}

export function notScored(module: string, problem: string, ranAt: string): ModuleScore {
  return { module, killed: 0, survived: 0, timeout: 0, noCoverage: 0, invalid: 0, score: null, survivors: [], problem, ranAt };
}

export function passes(row: ModuleScore, minScore: number): boolean {
  return row.problem === undefined && row.score !== null && row.score >= minScore;
}

const HEADER = ["module", "killed", "survived", "timeout", "no-coverage", "score"];

function cells(row: ModuleScore): string[] {
  const score = row.problem ? `not run: ${row.problem}` : row.score === null ? "n/a" : `${row.score.toFixed(1)}%`;
  return [row.module, String(row.killed), String(row.survived), String(row.timeout), String(row.noCoverage), score];
}

export function consoleTable(rows: readonly ModuleScore[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(HEADER), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}

export function markdownReport(rows: readonly ModuleScore[], minScore: number): string {
  const table = [
    `| ${HEADER.join(" | ")} | ran at |`,
    `|${HEADER.map(() => "---").join("|")}|---|`,
    ...rows.map((r) => `| ${cells(r).map((c, i) => (i === 0 ? `\`${c}\`` : c)).join(" | ")} | ${r.ranAt} |`),
  ];
  const survivors = rows.flatMap((r) => [
    "",
    `### \`${r.module}\`${r.score === null ? "" : ` (${r.score.toFixed(1)}%)`}`,
    "",
    ...(r.problem ? [`Not run: ${r.problem}.`] : r.survivors.length === 0 ? ["No surviving mutants."] : r.survivors.map((s) => `- \`${s.at}\` ${s.mutator}${s.status === "NoCoverage" ? " (no coverage)" : ""}: \`${s.replacement.replaceAll("`", "'")}\``)),
  ]);
  return [
    "# Last mutation run",
    "",
    `Written by \`npm run mutate\` (scripts/mutate/mutate.ts): StrykerJS with its vitest runner, each module mutated against its own test files only. A module under ${minScore}% fails the run.`,
    "",
    ...table,
    "",
    "## Surviving mutants",
    ...survivors,
    "",
  ].join("\n");
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 140 ? `${flat.slice(0, 137)}...` : flat;
}

function compareLocations(a: string, b: string): number {
  const [fa = "", la = "0", ca = "0"] = a.split(":");
  const [fb = "", lb = "0", cb = "0"] = b.split(":");
  return fa.localeCompare(fb) || Number(la) - Number(lb) || Number(ca) - Number(cb);
}
