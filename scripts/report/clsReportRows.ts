// The report's rows for one Beijing day from CLS: three SQL analyses over the day's audit lines
// (sums by group, the latency histogram, and a count of lines with absurd numbers)
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

// A line whose numbers are damage (1e308 tokens, a negative cost) is left out of the sums and
// counted as unreadable, as the record readers refuse such a record (reportRecord.ts).
const B = RECORD_BOUNDS;
const SANE = `(cost is null or (cost >= 0 and cost <= ${B.cny})) and (ms is null or (ms >= 0 and ms <= ${B.ms})) and ("usage.totalTokens" is null or ("usage.totalTokens" >= 0 and "usage.totalTokens" <= ${B.tokens}))`;
const ABSURD = `(cost < 0 or cost > ${B.cny} or ms < 0 or ms > ${B.ms} or "usage.totalTokens" < 0 or "usage.totalTokens" > ${B.tokens})`;

export function reportQueries(day: string): { fromMs: number; toMs: number; counts: string; latencies: string; absurd: string } {
  const { startMs, endMs } = dayBounds(day);
  const inDay = `time >= '${iso(startMs)}' and time < '${iso(endMs)}' and ${SANE}`;
  const dims = "intent, profile, arm, model";
  return {
    fromMs: startMs,
    toMs: endMs + LOGGED_AFTER_START_MS,
    // ISO times compare as text; their first 13 characters are the UTC hour.
    counts: `select ${dims}, substr(time, 1, 13) as hour_utc, status, cached, costComplete, count(*) as n, sum("usage.totalTokens") as tokens, sum(round(cost * 1000000)) as micro_yuan where ${inDay} group by ${dims}, substr(time, 1, 13), status, cached, costComplete order by hour_utc, intent, profile, arm, model, status, cached, costComplete`,
    absurd: `select count(*) as n where time >= '${iso(startMs)}' and time < '${iso(endMs)}' and ${ABSURD}`,
    latencies: `select ${dims}, round(ms) as ms_whole, count(*) as n where ${inDay} and ms is not null and (status < 400 or status >= 500) group by ${dims}, round(ms) order by intent, profile, arm, model, ms_whole`,
  };
}

const dim = z.optional(z.nullable(z.string()));
const n = z.int().check(z.gte(1));
const countRow = z.object({ intent: dim, profile: dim, arm: dim, model: dim, hour_utc: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/)), status: z.int().check(z.gte(100), z.lte(599)), cached: z.optional(z.nullable(z.enum(["true", "false"]))), costComplete: z.optional(z.nullable(z.enum(["true", "false"]))), n, tokens: z.nullable(z.number().check(z.gte(0))), micro_yuan: z.nullable(z.number().check(z.gte(0))) });
const latencyRow = z.object({ intent: dim, profile: dim, arm: dim, model: dim, ms_whole: z.number().check(z.gte(0), z.lte(RECORD_BOUNDS.ms)), n });

const dimsOf = (r: { intent?: string | null | undefined; profile?: string | null | undefined; arm?: string | null | undefined; model?: string | null | undefined }) =>
  Object.fromEntries((["intent", "profile", "arm", "model"] as const).flatMap((d) => (typeof r[d] === "string" ? [[d, r[d]]] : [])));

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
    if (!parsed.success) {
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
  const [absurd] = await sqlRows(searchLog, range, AUDIT_SEARCH, q.absurd, pageRows);
  const refused = typeof absurd?.n === "number" ? absurd.n : 0;
  return { rows: { counts, latencies }, scanned: scanned + refused, unreadable: unreadable + refused };
}
