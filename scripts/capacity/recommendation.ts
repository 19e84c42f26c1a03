// Which MaxConcurrency to set per function, from the capacity run's rows (issue 23): the largest
// N at which the function, held to its memory size's CPU share, adds at most 100 ms to the first
// event (p99), at most 50 ms to the gap between streamed events (p99), stays under 70% of its
// memory, and fails no request. Walked upwards and stopped at the first N that fails: a larger N
// that passes by luck after a failing one is noise on a shared machine, not capacity. One guard
// against the machine: where the floor (a minimal relay under the same quota, in the same run) is
// over a latency limit at the same N, that N cannot be judged (the machine, not the function,
// added the time): it neither passes nor stops the walk, and is reported as unjudged. Memory and
// errors are the function's own and are always judged.

export interface CapacityLimits {
  firstEventP99Ms: number;
  gapP99Ms: number;
  /** Share of memorySize the process may hold (RSS). */
  rssShare: number;
}

export const ISSUE_LIMITS: CapacityLimits = { firstEventP99Ms: 100, gapP99Ms: 50, rssShare: 0.7 };

/** What the rule reads of one step (one N): the worse of whole and streamed answers. */
export interface StepVerdictInput {
  n: number;
  /** Added time to the first event (a streamed delta, or the whole answer), p99, ms. */
  addedFirstP99Ms: number;
  addedGapP99Ms: number;
  rssMb: number;
  errors: number;
}

/** Why a step fails the limits; empty when it passes. */
export function failures(step: StepVerdictInput, memoryMb: number, limits: CapacityLimits = ISSUE_LIMITS): string[] {
  const why: string[] = [];
  if (!(step.addedFirstP99Ms <= limits.firstEventP99Ms)) why.push(`first event p99 +${Math.round(step.addedFirstP99Ms)} ms > ${limits.firstEventP99Ms}`);
  if (!(step.addedGapP99Ms <= limits.gapP99Ms)) why.push(`gap p99 +${Math.round(step.addedGapP99Ms)} ms > ${limits.gapP99Ms}`);
  if (!(step.rssMb <= memoryMb * limits.rssShare)) why.push(`RSS ${Math.round(step.rssMb)} MB > ${Math.round(memoryMb * limits.rssShare)}`);
  if (step.errors > 0) why.push(`${step.errors} error(s)`);
  return why;
}

export interface Recommendation {
  /** SCF's MaxConcurrency (1..100): 1 when even one request at a time failed. */
  maxConcurrency: number;
  /** The largest N measured that passed, if any. */
  passedUpTo?: number;
  /** The first N that failed and why, if one did. */
  stoppedAt?: { n: number; why: string[] };
  /** N the floor was over a latency limit at too, so not judged. */
  unjudged?: number[];
}

/** Whether the floor's step at N is over a latency limit (its memory and errors do not excuse the function's). */
function floorOverLatency(floor: StepVerdictInput | undefined, memoryMb: number, limits: CapacityLimits): boolean {
  return floor !== undefined && failures({ ...floor, rssMb: 0, errors: 0 }, memoryMb, limits).length > 0;
}

export function recommendConcurrency(steps: readonly StepVerdictInput[], memoryMb: number, limits: CapacityLimits = ISSUE_LIMITS, floor: readonly StepVerdictInput[] = []): Recommendation {
  let passedUpTo: number | undefined;
  const unjudged: number[] = [];
  const result = (stoppedAt?: { n: number; why: string[] }): Recommendation => ({ maxConcurrency: Math.min(100, passedUpTo ?? 1), ...(passedUpTo === undefined ? {} : { passedUpTo }), ...(stoppedAt ? { stoppedAt } : {}), ...(unjudged.length ? { unjudged } : {}) });
  for (const step of [...steps].sort((a, b) => a.n - b.n)) {
    const why = failures(step, memoryMb, limits);
    if (why.length === 0) {
      passedUpTo = step.n;
      continue;
    }
    const ownOnly = failures({ ...step, addedFirstP99Ms: 0, addedGapP99Ms: 0 }, memoryMb, limits);
    if (ownOnly.length === 0 && floorOverLatency(floor.find((f) => f.n === step.n), memoryMb, limits)) {
      unjudged.push(step.n);
      continue;
    }
    return result({ n: step.n, why });
  }
  return result();
}
