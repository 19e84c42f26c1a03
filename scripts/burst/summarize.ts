// What a replay did, per minute and in all: the figures the burst table and the plan print.
import { percentile } from "../bench/stats";
import type { SimulationResult } from "./simulate";

/** Latency percentiles of the answered requests, and the refusals and failures beside them. */
interface Outcomes {
  p50: number;
  p95: number;
  p99: number;
  throttled429: number;
  overQuota432: number;
  errors5xx: number;
}

export interface MinuteRow extends Outcomes {
  minuteStart: number;
  requests: number;
  instances: number;
  started: number;
  provisioned: number;
  coldHits: number;
}

export function minuteRows(result: SimulationResult): MinuteRow[] {
  const rows: MinuteRow[] = result.minutes.map((m, i) => ({ minuteStart: result.startMs + i * 60_000, requests: 0, instances: m.instances, started: m.started, provisioned: m.provisioned, coldHits: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, throttled429: 0, overQuota432: 0, errors5xx: 0 }));
  const latencies: number[][] = rows.map(() => []);
  for (const o of result.outcomes) {
    const i = Math.min(rows.length - 1, Math.floor((o.at - result.startMs) / 60_000));
    const row = rows[i]!;
    row.requests += 1;
    if (o.cold) row.coldHits += 1;
    if (o.status === 429) row.throttled429 += 1;
    else if (o.status === 432) row.overQuota432 += 1;
    else {
      if (o.status >= 500) row.errors5xx += 1;
      latencies[i]!.push(o.latencyMs);
    }
  }
  rows.forEach((row, i) => {
    row.p50 = percentile(latencies[i]!, 50);
    row.p95 = percentile(latencies[i]!, 95);
    row.p99 = percentile(latencies[i]!, 99);
  });
  return rows;
}

/** Which window the cold-start target applies to: each minute, each 5-minute slot, or all. */
export type TargetScope = "minute" | "slot" | "all";

export interface Summary extends Outcomes {
  requests: number;
  coldHits: number;
  coldPct: number;
  /** Highest share of cold starts in any window of the scope with enough requests to judge. */
  worstWindowColdPct: number;
  /** Start of that window (epoch ms), when one was judged. */
  worstWindowStart?: number;
  idleProvisionedGbSeconds: number;
  /** Instances x memory x time while they served requests (simulate.ts). */
  activeInstanceGbSeconds: number;
  /** The same per 1,000 answered requests: what a setting costs per unit of work. */
  instanceGbSecondsPer1000: number;
}

export function summarize(result: SimulationResult, scope: TargetScope = "minute", minWindowRequests = 100): Summary {
  const answered = result.outcomes.filter((o) => o.status !== 429 && o.status !== 432);
  const coldHits = result.outcomes.filter((o) => o.cold).length;
  const windowMs = scope === "minute" ? 60_000 : scope === "slot" ? 300_000 : Number.POSITIVE_INFINITY;
  const windows = new Map<number, { start: number; n: number; cold: number }>();
  for (const o of result.outcomes) {
    const key = Number.isFinite(windowMs) ? Math.floor(o.at / windowMs) : 0;
    const w = windows.get(key) ?? { start: Number.isFinite(windowMs) ? key * windowMs : result.startMs, n: 0, cold: 0 };
    w.n += 1;
    if (o.cold) w.cold += 1;
    windows.set(key, w);
  }
  // A window of three requests with one cold start is not "33% of users": judge full windows.
  const judged = [...windows.values()].filter((w) => scope === "all" || w.n >= minWindowRequests);
  const worst = judged.reduce<{ start: number; pct: number } | undefined>((acc, w) => ((100 * w.cold) / w.n > (acc?.pct ?? -1) ? { start: w.start, pct: (100 * w.cold) / w.n } : acc), undefined);
  const latencies = answered.map((o) => o.latencyMs);
  return {
    requests: result.outcomes.length,
    coldHits,
    coldPct: result.outcomes.length ? (100 * coldHits) / result.outcomes.length : 0,
    worstWindowColdPct: worst?.pct ?? 0,
    ...(worst ? { worstWindowStart: worst.start } : {}),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    throttled429: result.outcomes.filter((o) => o.status === 429).length,
    overQuota432: result.outcomes.filter((o) => o.status === 432).length,
    errors5xx: answered.filter((o) => o.status >= 500).length,
    idleProvisionedGbSeconds: result.idleProvisionedGbSeconds,
    activeInstanceGbSeconds: result.activeInstanceGbSeconds,
    instanceGbSecondsPer1000: answered.length ? (1000 * result.activeInstanceGbSeconds) / answered.length : 0,
  };
}
