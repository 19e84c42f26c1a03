// The report's numbers, from parsed records: pure, so the tables and the page show the same.
import { beijingHour } from "../../lib/time/beijingTime";
import { cnyToMicroYuan } from "../../lib/cost/money";
import { costOfAttempt, type PriceBook } from "../../lib/cost/priceBook";
import type { ReportRecord } from "./reportRecord";

export const DIMENSIONS = ["intent", "profile", "arm", "model"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface GroupStats {
  key: string;
  requests: number;
  /** 5xx: the service failed the user (no model could answer, unusable output, ...). */
  errors: number;
  errorRate: number;
  /** 4xx: refused before any model work (bad input, limits, quota, budget). */
  refused: number;
  cached: number;
  /** Latency of the requests that were not refused (nearest rank); undefined without any. */
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

/**
 * What one record costs: its own `cost` when written; else its usage at the price of its model,
 * or of the configured model of the attempt that answered (providers may name themselves
 * differently, as `npm run eval` prices by the configured model too).
 */
export function recordCost(record: ReportRecord, book: PriceBook): { microYuan: number; priced: boolean } {
  const unpriced = (record.unpricedModels?.length ?? 0) > 0;
  if (record.cost !== undefined) return { microYuan: cnyToMicroYuan(record.cost), priced: !unpriced };
  if (record.cached || !record.usage) return { microYuan: 0, priced: true };
  const answered = [...(record.attempts ?? [])].reverse().find((a) => a.outcome === "ok")?.model;
  for (const model of [record.model, answered]) {
    if (model === undefined) continue;
    const cost = costOfAttempt(book, model, record.usage);
    if (cost.priced) return { microYuan: cost.microYuan, priced: true };
  }
  return { microYuan: 0, priced: false };
}

export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

function statsOf(key: string, records: readonly ReportRecord[], book: PriceBook): GroupStats {
  let errors = 0;
  let refused = 0;
  let cached = 0;
  let tokens = 0;
  let costMicroYuan = 0;
  let unpriced = 0;
  const latencies: number[] = [];
  for (const r of records) {
    if (r.status >= 500) errors++;
    else if (r.status >= 400) refused++;
    if (r.cached) cached++;
    // A cache hit repeats the usage of the answer it serves; it spent no tokens itself.
    if (r.usage && !r.cached) tokens += r.usage.totalTokens ?? r.usage.promptTokens + r.usage.completionTokens;
    const cost = recordCost(r, book);
    costMicroYuan += cost.microYuan;
    if (!cost.priced) unpriced++;
    if (r.ms !== undefined && (r.status < 400 || r.status >= 500)) latencies.push(r.ms);
  }
  latencies.sort((a, b) => a - b);
  const p50Ms = nearestRank(latencies, 50);
  const p95Ms = nearestRank(latencies, 95);
  return {
    key,
    requests: records.length,
    errors,
    errorRate: records.length === 0 ? 0 : errors / records.length,
    refused,
    cached,
    ...(p50Ms === undefined ? {} : { p50Ms }),
    ...(p95Ms === undefined ? {} : { p95Ms }),
    tokens,
    costMicroYuan,
    unpriced,
  };
}

/** Records of one Beijing day (the caller filtered them by time), summed up. */
export function summarizeRecords(day: string, records: readonly ReportRecord[], book: PriceBook): DayReport {
  const byDimension = {} as Record<Dimension, GroupStats[]>;
  for (const dimension of DIMENSIONS) {
    const groups = new Map<string, ReportRecord[]>();
    for (const r of records) {
      const key = r[dimension] ?? "(none)";
      const group = groups.get(key);
      if (group) group.push(r);
      else groups.set(key, [r]);
    }
    byDimension[dimension] = [...groups.entries()]
      .map(([key, group]) => statsOf(key, group, book))
      .sort((a, b) => b.costMicroYuan - a.costMicroYuan || b.requests - a.requests || a.key.localeCompare(b.key));
  }
  const costPerHour = Array.from({ length: 24 }, () => 0);
  const requestsPerHour = Array.from({ length: 24 }, () => 0);
  for (const r of records) {
    const hour = beijingHour(Date.parse(r.time));
    costPerHour[hour] = (costPerHour[hour] ?? 0) + recordCost(r, book).microYuan;
    requestsPerHour[hour] = (requestsPerHour[hour] ?? 0) + 1;
  }
  return { day, totals: statsOf("all", records, book), byDimension, costPerHour, requestsPerHour };
}
