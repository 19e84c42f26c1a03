// The report's numbers, from aggregate rows (CLS's SQL analysis, or records grouped the same
// way): pure, so the tables and the page show the same whichever reader fed them.
import { beijingHour } from "../../lib/time/beijingTime";
import type { PriceBook } from "../../lib/cost/priceBook";
import type { ReportRecord } from "./reportRecord";
import { type CountRow, DIMENSIONS, type Dimension, type LatencyRow, type ReportRows, isRefused, rowsOfRecords } from "./reportRows";

export { DIMENSIONS, type Dimension, recordCost } from "./reportRows";

export interface GroupStats {
  key: string;
  requests: number;
  /** 5xx: the service failed the user (no model could answer, unusable output, ...). */
  errors: number;
  errorRate: number;
  /** 4xx: refused before any model work (bad input, limits, quota, budget). */
  refused: number;
  cached: number;
  /** Latency of the requests that were not refused (nearest rank, whole ms); undefined without any. */
  p50Ms?: number;
  p95Ms?: number;
  /** Tokens spent (cache hits spend none). */
  tokens: number;
  costMicroYuan: number;
  /** Requests whose cost is unknown or a lower bound (a model without a price). */
  unpriced: number;
}

export interface DayReport {
  day: string;
  totals: GroupStats;
  byDimension: Record<Dimension, GroupStats[]>;
  /** Micro-yuan per Beijing hour, 0..23. */
  costPerHour: number[];
  /** Requests per Beijing hour, 0..23. */
  requestsPerHour: number[];
}

export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Nearest rank over (value, count) pairs: the same value nearestRank gives the expanded list. */
export function weightedNearestRank(rows: readonly { ms: number; n: number }[], p: number): number | undefined {
  const sorted = [...rows].filter((r) => r.n > 0).sort((a, b) => a.ms - b.ms);
  const total = sorted.reduce((sum, r) => sum + r.n, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const row of sorted) {
    seen += row.n;
    if (seen >= rank) return row.ms;
  }
  return sorted[sorted.length - 1]?.ms;
}

function statsOf(key: string, counts: readonly CountRow[], latencies: readonly LatencyRow[]): GroupStats {
  let requests = 0;
  let errors = 0;
  let refused = 0;
  let cached = 0;
  let tokens = 0;
  let costMicroYuan = 0;
  let unpriced = 0;
  for (const r of counts) {
    requests += r.n;
    if (r.status >= 500) errors += r.n;
    else if (isRefused(r.status)) refused += r.n;
    if (r.cached) cached += r.n;
    // A cache hit repeats the usage of the answer it serves; it spent no tokens itself.
    else tokens += r.tokens;
    costMicroYuan += r.costMicroYuan;
    if (!r.priced) unpriced += r.n;
  }
  const p50Ms = weightedNearestRank(latencies, 50);
  const p95Ms = weightedNearestRank(latencies, 95);
  return { key, requests, errors, errorRate: requests === 0 ? 0 : errors / requests, refused, cached, ...(p50Ms === undefined ? {} : { p50Ms }), ...(p95Ms === undefined ? {} : { p95Ms }), tokens, costMicroYuan, unpriced };
}

function groupBy<T extends Partial<Record<Dimension, string>>>(rows: readonly T[], dimension: Dimension): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const key = r[dimension] ?? "(none)";
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return groups;
}

/** One day's rows (the reader kept only that Beijing day's requests), summed up. */
export function summarizeRows(day: string, rows: ReportRows): DayReport {
  const byDimension = {} as Record<Dimension, GroupStats[]>;
  for (const dimension of DIMENSIONS) {
    const latencyGroups = groupBy(rows.latencies, dimension);
    byDimension[dimension] = [...groupBy(rows.counts, dimension).entries()]
      .map(([key, group]) => statsOf(key, group, latencyGroups.get(key) ?? []))
      .sort((a, b) => b.costMicroYuan - a.costMicroYuan || b.requests - a.requests || a.key.localeCompare(b.key));
  }
  const costPerHour = Array.from({ length: 24 }, () => 0);
  const requestsPerHour = Array.from({ length: 24 }, () => 0);
  for (const r of rows.counts) {
    const hour = beijingHour(Date.parse(`${r.hourUtc}:00:00.000Z`));
    costPerHour[hour] = (costPerHour[hour] ?? 0) + r.costMicroYuan;
    requestsPerHour[hour] = (requestsPerHour[hour] ?? 0) + r.n;
  }
  return { day, totals: statsOf("all", rows.counts, rows.latencies), byDimension, costPerHour, requestsPerHour };
}

/** Records of one Beijing day (the caller filtered them by time), summed up. */
export function summarizeRecords(day: string, records: readonly ReportRecord[], book: PriceBook): DayReport {
  return summarizeRows(day, rowsOfRecords(records, book));
}
