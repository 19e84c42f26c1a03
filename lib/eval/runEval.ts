// Runs a golden set against several profiles and sums each up: pass rate, latency, tokens, cost.
import type { Config } from "../config/loadConfig";
import type { RunOutcome } from "../replay/runProfile";
import { failedChecks } from "./checks";
import type { EvalSet } from "./evalSet";

export interface CaseResult {
  name: string;
  outcome: RunOutcome;
  failed: string[];
}

export interface ProfileSummary {
  profile: string;
  cases: CaseResult[];
  passed: number;
  passRate: number;
  p50Ms: number;
  p95Ms: number;
  tokens: number;
  /** CNY, from the models file's prices; undefined when a model has no price. */
  cost?: number;
}

function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function costOf(config: Config, outcome: RunOutcome): number | undefined {
  const price = outcome.configuredModel ? config.prices[outcome.configuredModel] : undefined;
  if (!outcome.usage) return 0;
  if (!price) return undefined;
  return (outcome.usage.promptTokens * price.input_per_million + outcome.usage.completionTokens * price.output_per_million) / 1_000_000;
}

export async function runEval(
  config: Config,
  set: EvalSet,
  intent: string,
  profiles: readonly string[],
  run: (request: { intent: string; input: unknown; context?: Record<string, string | number | boolean> }, profile: string) => Promise<RunOutcome>,
): Promise<ProfileSummary[]> {
  const summaries: ProfileSummary[] = [];
  for (const profile of profiles) {
    const cases: CaseResult[] = [];
    for (const c of set.cases) {
      const outcome = await run({ intent, input: c.input, ...(c.context ? { context: c.context } : {}) }, profile);
      cases.push({ name: c.name, outcome, failed: failedChecks(c.checks, outcome, c.input) });
    }
    const passed = cases.filter((c) => c.failed.length === 0).length;
    const costs = cases.map((c) => costOf(config, c.outcome));
    summaries.push({
      profile,
      cases,
      passed,
      passRate: passed / cases.length,
      p50Ms: nearestRank(cases.map((c) => c.outcome.ms), 50),
      p95Ms: nearestRank(cases.map((c) => c.outcome.ms), 95),
      tokens: cases.reduce((sum, c) => sum + (c.outcome.usage?.totalTokens ?? 0), 0),
      ...(costs.every((c) => c !== undefined) ? { cost: costs.reduce((a: number, b) => a + (b ?? 0), 0) } : {}),
    });
  }
  return summaries;
}
