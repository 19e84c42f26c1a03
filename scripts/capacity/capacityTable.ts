// The capacity run's printout: every subject's rows at each N with its CPU per streamed event
// next to the floor's at the same N, and the MaxConcurrency the rule recommends per function.
import { round } from "../bench/stats";
import { table } from "../bench/table";
import type { StepRow } from "./measureSubject";
import { type CapacityLimits, failures, ISSUE_LIMITS, type Recommendation, recommendConcurrency, type StepVerdictInput } from "./recommendation";

export const FLOOR = "floor (SSE relay)";

/** What the rule reads of a row: the worse of whole and streamed answers. */
export function verdictInput(row: StepRow): StepVerdictInput {
  return { n: row.n, addedFirstP99Ms: Math.max(row.whole.addedFirstP99Ms, row.stream.addedFirstP99Ms), addedGapP99Ms: row.stream.addedGapP99Ms, rssMb: row.rssMb, errors: row.errors };
}

/**
 * CPU per streamed event as a multiple of the floor's at the same N (undefined without a floor
 * row): all of the streamed answer's CPU per event, or (`overWhole`) only what it cost above a
 * whole answer.
 */
export function eventCpuVsFloor(row: StepRow, rows: readonly StepRow[], overWhole = false): number | undefined {
  if (row.streamsWhole) return undefined;
  const floor = rows.find((r) => r.subject === FLOOR && r.n === row.n);
  const of = (r: StepRow) => (overWhole ? r.stream.cpuUsPerEventOverWhole : r.stream.cpuUsPerEvent);
  const mine = of(row);
  const base = floor ? of(floor) : undefined;
  return mine !== undefined && base !== undefined && base > 0 ? round(mine / base, 2) : undefined;
}

export interface FunctionRecommendation extends Recommendation {
  fn: string;
  memoryMb: number;
  /** CPU per streamed event vs the floor, at every N measured: the worst of them. */
  worstEventCpuVsFloor?: number;
  /** The same for the CPU per event above a whole answer. */
  worstEventCpuOverWholeVsFloor?: number;
}

export function recommendations(rows: readonly StepRow[], limits: CapacityLimits = ISSUE_LIMITS): FunctionRecommendation[] {
  const subjects = [...new Set(rows.map((r) => r.subject))].filter((s) => s !== FLOOR);
  return subjects.map((fn) => {
    const mine = rows.filter((r) => r.subject === fn);
    const worst = (overWhole: boolean) => {
      const ratios = mine.map((r) => eventCpuVsFloor(r, rows, overWhole)).filter((x): x is number => x !== undefined);
      return ratios.length ? Math.max(...ratios) : undefined;
    };
    const memoryMb = mine[0]!.memoryMb;
    const [all, over] = [worst(false), worst(true)];
    const floor = rows.filter((r) => r.subject === FLOOR).map(verdictInput);
    return { fn, memoryMb, ...recommendConcurrency(mine.map(verdictInput), memoryMb, limits, floor), ...(all === undefined ? {} : { worstEventCpuVsFloor: all }), ...(over === undefined ? {} : { worstEventCpuOverWholeVsFloor: over }) };
  });
}

const pair = (a: number, b: number) => `+${a} / +${b}`;

export function rowsTable(rows: readonly StepRow[], limits: CapacityLimits = ISSUE_LIMITS): string {
  return table(
    rows.map((r) => {
      const why = failures(verdictInput(r), r.memoryMb, limits);
      return [r.subject, r.n, pair(r.whole.addedFirstP50Ms, r.whole.addedFirstP99Ms), pair(r.stream.addedFirstP50Ms, r.stream.addedFirstP99Ms), `+${r.stream.addedGapP99Ms}`, r.whole.cpuMsPerRequest, r.stream.cpuMsPerRequest, r.stream.cpuUsPerEvent, eventCpuVsFloor(r, rows) ?? "-", r.stream.cpuUsPerEventOverWhole ?? "-", eventCpuVsFloor(r, rows, true) ?? "-", r.rssMb, r.errors, why.length ? `no: ${why.join("; ")}` : "yes"];
    }),
    ["subject", "N", "whole +p50/+p99 ms", "1st event +p50/+p99 ms", "gap +p99 ms", "CPU ms/whole", "CPU ms/stream", "CPU µs/event", "x floor", "µs/event over whole", "x floor", "RSS MB", "errors", "within limits"],
  );
}

export function recommendationTable(recs: readonly FunctionRecommendation[]): string {
  return table(
    recs.map((r) => [r.fn, `${r.memoryMb} MB`, r.maxConcurrency, r.stoppedAt ? `N=${r.stoppedAt.n}: ${r.stoppedAt.why.join("; ")}` : r.unjudged ? "none judged over" : "none (largest N measured passed)", r.unjudged?.join(", ") ?? "-", r.worstEventCpuVsFloor ?? "-", r.worstEventCpuOverWholeVsFloor ?? "-"]),
    ["function", "memory", "MaxConcurrency", "first N over a limit", "unjudged N (floor over too)", "CPU/event x floor (worst N)", "over whole x floor (worst N)"],
  );
}
