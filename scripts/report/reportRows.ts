// The report's numbers as aggregate rows: what CLS's SQL analysis returns for a day (see
// clsReportQueries.ts), and what the same grouping makes of records read one by one (Redis, a
// JSONL file). Both readers end in summarizeRows, so the tables cannot differ by reader.
import { cnyToMicroYuan } from "../../lib/cost/money";
import { costOfAttempt, type PriceBook } from "../../lib/cost/priceBook";
import type { ReportRecord } from "./reportRecord";

export const DIMENSIONS = ["intent", "profile", "arm", "model"] as const;
export type Dimension = (typeof DIMENSIONS)[number];
type DimensionValues = Partial<Record<Dimension, string>>;

/** Requests of one (dimensions, UTC hour, status, cached, priced) group. */
export interface CountRow extends DimensionValues {
  /** "YYYY-MM-DDTHH", UTC: the first 13 characters of the record's ISO time. */
  hourUtc: string;
  status: number;
  cached: boolean;
  /** False: the cost is unknown or a lower bound (a model without a price). */
  priced: boolean;
  n: number;
  /** Tokens of the group's records (the summary leaves cache hits out: they spent none). */
  tokens: number;
  costMicroYuan: number;
}

/** Requests of one (dimensions, latency in whole ms) group, refused (4xx) ones left out. */
export interface LatencyRow extends DimensionValues {
  ms: number;
  n: number;
}

export interface ReportRows {
  counts: CountRow[];
  latencies: LatencyRow[];
}

/**
 * What one record costs: its own `cost` when written; else its usage at the price of its model,
 * or of the configured model of the attempt that answered (providers may name themselves
 * differently, as `npm run eval` prices by the configured model too).
 */
export function recordCost(record: ReportRecord, book: PriceBook): { microYuan: number; priced: boolean } {
  const unpriced = (record.unpricedModels?.length ?? 0) > 0 || record.costComplete === false;
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

export const isRefused = (status: number) => status >= 400 && status < 500;
const dims = (r: ReportRecord): DimensionValues => Object.fromEntries(DIMENSIONS.flatMap((d) => (r[d] === undefined ? [] : [[d, r[d]]])));

function bump<T extends { n: number }>(groups: Map<string, T>, key: string, fresh: () => T, add: (row: T) => void): void {
  let row = groups.get(key);
  if (!row) groups.set(key, (row = fresh()));
  row.n += 1;
  add(row);
}

/** The grouping clsReportQueries asks CLS for, done here over records read one by one. */
export function rowsOfRecords(records: readonly ReportRecord[], book: PriceBook): ReportRows {
  const counts = new Map<string, CountRow>();
  const latencies = new Map<string, LatencyRow>();
  for (const r of records) {
    const d = dims(r);
    const hourUtc = new Date(Date.parse(r.time)).toISOString().slice(0, 13);
    const cost = recordCost(r, book);
    const cached = r.cached === true;
    const tokens = r.usage ? (r.usage.totalTokens ?? r.usage.promptTokens + r.usage.completionTokens) : 0;
    const key = JSON.stringify([d.intent, d.profile, d.arm, d.model, hourUtc, r.status, cached, cost.priced]);
    bump(counts, key, () => ({ ...d, hourUtc, status: r.status, cached, priced: cost.priced, n: 0, tokens: 0, costMicroYuan: 0 }), (row) => {
      row.tokens += tokens;
      row.costMicroYuan += cost.microYuan;
    });
    if (r.ms === undefined || isRefused(r.status)) continue;
    const ms = Math.round(r.ms);
    bump(latencies, JSON.stringify([d.intent, d.profile, d.arm, d.model, ms]), () => ({ ...d, ms, n: 0 }), () => undefined);
  }
  return { counts: [...counts.values()], latencies: [...latencies.values()] };
}
