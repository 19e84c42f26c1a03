// Seeded randomness: every simulated run, generated trace and test replays the same numbers.

/** mulberry32: a small, fast 32-bit generator; good enough for traffic and latency draws. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box-Muller). */
export function normal(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Model latency: log-normal around a median, the usual shape of LLM answer times (most near
 * the median, a long right tail). sigma 0.5 puts p95 at ~2.3x the median.
 */
export interface LatencyModel {
  medianMs: number;
  sigma: number;
}

export function drawLatency(random: () => number, model: LatencyModel): number {
  return model.medianMs * Math.exp(model.sigma * normal(random));
}

/** Exponential gap between Poisson arrivals at `perSecond`. */
export function exponentialGapMs(random: () => number, perSecond: number): number {
  return (-Math.log(Math.max(1 - random(), Number.EPSILON)) / perSecond) * 1000;
}

/** One sample of an empirical distribution (measured figures), uniformly. */
export function pick<T>(random: () => number, samples: readonly T[]): T {
  if (samples.length === 0) throw new Error("pick: no samples");
  return samples[Math.floor(random() * samples.length)]!;
}
