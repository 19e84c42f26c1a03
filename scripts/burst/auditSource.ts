// `plan --from audit`: the audit records in the store (dev, or a replay window's worth), and
// `plan --from cls`: the audit trail in CLS, aggregated per second there (below).
// The store's records, read with SCAN (never KEYS: a production
// Redis keeps serving while we read). The key scheme may gain a user or server segment after
// `audit:v1:`, so the match is `<prefix>audit:v1:*` and the key's tail is not interpreted.
import { Redis } from "ioredis";
import * as z from "zod/mini";
import { ConfigError } from "../../lib/config/configError";
import { beijingDay, beijingDayBounds } from "../../lib/time/beijingTime";
import { AUDIT_SEARCH } from "../report/clsReportRows";
import { clsSettingsOf, sdkSearchLog } from "../support/clsApi";
import { sqlRows } from "../support/clsSearch";
import { parseLogRecord, type TraceRequest } from "./traceFile";

export interface AuditRead {
  requests: TraceRequest[];
  keys: number;
  skipped: number;
}

export async function readAuditRecords(url: string, prefix: string, options: { count?: number } = {}): Promise<AuditRead> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  await redis.connect();
  const requests: TraceRequest[] = [];
  let keys = 0;
  let skipped = 0;
  try {
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}audit:v1:*`, "COUNT", options.count ?? 1000);
      cursor = next;
      if (batch.length === 0) continue;
      keys += batch.length;
      // Records expire while we read: a key gone by MGET is simply not counted.
      for (const value of await redis.mget(...batch)) {
        if (value === null) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          skipped += 1;
          continue;
        }
        const request = parseLogRecord(parsed);
        if (request) requests.push(request);
        else skipped += 1;
      }
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return { requests, keys, skipped };
}

// ---- `plan --from cls`: the audit trail in CLS (staging, prod) ----

/** One SQL analysis per Beijing day: arrivals per (UTC second, intent), their latency summed. */
export function planQuery(day: string): { fromMs: number; toMs: number; sql: string } {
  const bounds = beijingDayBounds(day);
  if (!bounds) throw new ConfigError([`plan: expected a day as YYYY-MM-DD, got "${day}"`]);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    fromMs: bounds.startMs,
    // A request is logged when it ends: up to a stream's cap (900 s) after it started.
    toMs: bounds.endMs + 3_600_000,
    sql: `select substr(time, 1, 19) as second_utc, intent, count(*) as n, sum(ms) as ms_sum, count(ms) as ms_n where time >= '${iso(bounds.startMs)}' and time < '${iso(bounds.endMs)}' group by substr(time, 1, 19), intent order by second_utc, intent`,
  };
}

const planRow = z.object({ second_utc: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/)), intent: z.nullable(z.optional(z.string())), n: z.int().check(z.gte(1), z.lte(1_000_000)), ms_sum: z.nullable(z.number().check(z.gte(0))), ms_n: z.int().check(z.gte(0)) });

/**
 * A row's requests: spread evenly over its second (CLS gave the count, not each arrival), each
 * with the group's mean latency. The plan's 5-minute slots and multi-second latencies make the
 * sub-second placement immaterial; the rows stay at most one per second and function.
 */
export function requestsOfRow(raw: unknown): TraceRequest[] | undefined {
  const row = z.safeParse(planRow, raw);
  if (!row.success) return undefined;
  const { second_utc, intent, n, ms_sum, ms_n } = row.data;
  const at = Date.parse(`${second_utc}.000Z`);
  const mean = ms_n > 0 && ms_sum !== null ? ms_sum / ms_n : undefined;
  if (mean !== undefined && mean > 86_400_000) return undefined;
  return Array.from({ length: n }, (_, i) => ({ at: at + Math.floor(((i + 0.5) * 1000) / n), ...(intent ? { fn: intent } : {}), ...(mean === undefined ? {} : { ms: mean }) }));
}

/** The last `days` Beijing days before `nowMs`'s day (today is partial and left out). */
export async function readClsTraffic(options: { topic?: string; region?: string; days: number }, processEnv: Readonly<Record<string, string | undefined>>, nowMs = Date.now()): Promise<{ requests: TraceRequest[]; source: string; skipped: number }> {
  const settings = clsSettingsOf(processEnv, options);
  const searchLog = await sdkSearchLog(settings);
  const requests: TraceRequest[] = [];
  let skipped = 0;
  const today = beijingDayBounds(beijingDay(nowMs))!.startMs;
  for (let d = options.days; d >= 1; d--) {
    const q = planQuery(beijingDay(today - d * 86_400_000));
    for (const row of await sqlRows(searchLog, { topicId: settings.topicId, fromMs: q.fromMs, toMs: q.toMs }, AUDIT_SEARCH, q.sql)) {
      const expanded = requestsOfRow(row);
      if (expanded) requests.push(...expanded);
      else skipped++;
    }
  }
  return { requests, skipped, source: `CLS topic ${settings.topicId} (${settings.region}), audit lines of the last ${options.days} days${skipped ? ` (${skipped} unreadable rows)` : ""}` };
}
