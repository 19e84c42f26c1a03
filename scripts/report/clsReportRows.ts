// The report's rows for one Beijing day from CLS: two SQL analyses over the day's audit lines
// (lib/observability/auditLogLine.ts), aggregated in CLS, so the report reads a few thousand rows
// at most instead of every line. Rows whose numbers are absurd are refused like unreadable records.
import * as z from "zod/mini";
import { AUDIT_LINE_MSG } from "../../lib/observability/auditLogLine";
import type { SearchLog } from "../support/clsApi";
import { sqlRows } from "../support/clsSearch";
import { dayBounds } from "./dayReport";
import { RECORD_BOUNDS } from "./reportRecord";
import type { CountRow, LatencyRow, ReportRows } from "./reportRows";

/** Every audit line; lines of another version would need their own reading. */
export const AUDIT_SEARCH = `msg:"${AUDIT_LINE_MSG}" AND auditVersion:1`;

// A request's line is printed when it ends: a request started before midnight can be logged
// after it, so CLS's time range runs past the day by the longest a request may last (a
// stream's cap, model_stream_max_ms, is at most 900 s) and the day is cut on the record's time.
const LOGGED_AFTER_START_MS = 3_600_000;

const iso = (ms: number) => new Date(ms).toISOString();

export function reportQueries(day: string): { fromMs: number; toMs: number; counts: string; latencies: string } {
  const { startMs, endMs } = dayBounds(day);
  const inDay = `time >= '${iso(startMs)}' and time < '${iso(endMs)}'`;
  const dims = "intent, profile, arm, model";
  return {
    fromMs: startMs,
    toMs: endMs + LOGGED_AFTER_START_MS,
    // ISO times compare as text; their first 13 characters are the UTC hour.
    counts: `select ${dims}, substr(time, 1, 13) as hour_utc, status, cached, costComplete, count(*) as n, sum("usage.totalTokens") as tokens, sum(round(cost * 1000000)) as micro_yuan where ${inDay} group by ${dims}, substr(time, 1, 13), status, cached, costComplete order by hour_utc, intent, profile, arm, model, status, cached, costComplete`,
    latencies: `select ${dims}, round(ms) as ms_whole, count(*) as n where ${inDay} and ms is not null and (status < 400 or status >= 500) group by ${dims}, round(ms) order by intent, profile, arm, model, ms_whole`,
  };
}

const dim = z.optional(z.nullable(z.string()));
const n = z.int().check(z.gte(1));
const countRow = z.object({ intent: dim, profile: dim, arm: dim, model: dim, hour_utc: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/)), status: z.int().check(z.gte(100), z.lte(599)), cached: z.optional(z.nullable(z.enum(["true", "false"]))), costComplete: z.optional(z.nullable(z.enum(["true", "false"]))), n, tokens: z.nullable(z.number().check(z.gte(0))), micro_yuan: z.nullable(z.number().check(z.gte(0))) });
const latencyRow = z.object({ intent: dim, profile: dim, arm: dim, model: dim, ms_whole: z.number().check(z.gte(0), z.lte(RECORD_BOUNDS.ms)), n });

const dimsOf = (r: { intent?: string | null | undefined; profile?: string | null | undefined; arm?: string | null | undefined; model?: string | null | undefined }) =>
  Object.fromEntries((["intent", "profile", "arm", "model"] as const).flatMap((d) => (typeof r[d] === "string" ? [[d, r[d]]] : [])));

/** A group's sums stay within what its requests could each have reached (RECORD_BOUNDS). */
const sane = (r: z.infer<typeof countRow>) => (r.tokens ?? 0) <= r.n * RECORD_BOUNDS.tokens * 2 && (r.micro_yuan ?? 0) <= r.n * RECORD_BOUNDS.cny * 1_000_000;

export async function clsReportRows(searchLog: SearchLog, topicId: string, day: string, pageRows?: number): Promise<{ rows: ReportRows; scanned: number; unreadable: number }> {
  const q = reportQueries(day);
  const range = { topicId, fromMs: q.fromMs, toMs: q.toMs };
  const counts: CountRow[] = [];
  const latencies: LatencyRow[] = [];
  let scanned = 0;
  let unreadable = 0;
  for (const raw of await sqlRows(searchLog, range, AUDIT_SEARCH, q.counts, pageRows)) {
    const parsed = z.safeParse(countRow, raw);
    const size = typeof raw.n === "number" && raw.n > 0 ? raw.n : 1;
    scanned += size;
    if (!parsed.success || !sane(parsed.data)) {
      unreadable += size;
      continue;
    }
    const r = parsed.data;
    counts.push({ ...dimsOf(r), hourUtc: r.hour_utc, status: r.status, cached: r.cached === "true", priced: r.costComplete !== "false", n: r.n, tokens: r.tokens ?? 0, costMicroYuan: r.micro_yuan ?? 0 });
  }
  for (const raw of await sqlRows(searchLog, range, AUDIT_SEARCH, q.latencies, pageRows)) {
    const parsed = z.safeParse(latencyRow, raw);
    if (parsed.success) latencies.push({ ...dimsOf(parsed.data), ms: parsed.data.ms_whole, n: parsed.data.n });
  }
  return { rows: { counts, latencies }, scanned, unreadable };
}
