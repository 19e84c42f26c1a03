// Reading SearchLog's answers whole: SQL rows page by OFFSET/LIMIT (at most 10,000 rows a
// statement, doc 614/58977), raw logs page by Context until ListOver (Limit at most 1,000).
import type { SearchLog } from "./clsApi";

/** CLS's cap on one SQL statement's rows, and so our page size. */
export const SQL_PAGE_ROWS = 10_000;

export interface ClsQuery {
  topicId: string;
  fromMs: number;
  toMs: number;
}

/** Every row of `<search> | <sql>`; the SQL must ORDER BY something stable (paging re-runs it). */
export async function sqlRows(searchLog: SearchLog, q: ClsQuery, search: string, sql: string, pageRows = SQL_PAGE_ROWS): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (let offset = 0; ; offset += pageRows) {
    const answer = await searchLog({ TopicId: q.topicId, From: q.fromMs, To: q.toMs, QueryString: `${search} | ${sql} offset ${offset} limit ${pageRows}`, UseNewAnalysis: true });
    const page = (answer.AnalysisRecords ?? []).map((r) => JSON.parse(r) as Record<string, unknown>);
    rows.push(...page);
    if (page.length < pageRows) return rows;
  }
}

/** Raw logs (their JSON) matching `search`, oldest first, up to `max`. */
export async function rawLogs(searchLog: SearchLog, q: ClsQuery, search: string, options: { pageSize?: number; max?: number } = {}): Promise<Record<string, unknown>[]> {
  const logs: Record<string, unknown>[] = [];
  const max = options.max ?? 1000;
  let context: string | undefined;
  for (;;) {
    const answer = await searchLog({ TopicId: q.topicId, From: q.fromMs, To: q.toMs, QueryString: search, Sort: "asc", Limit: options.pageSize ?? 100, ...(context ? { Context: context } : {}) });
    for (const r of answer.Results ?? []) {
      try {
        if (r.LogJson) logs.push(JSON.parse(r.LogJson) as Record<string, unknown>);
      } catch {
        // a line CLS could not index as JSON is not an audit line
      }
    }
    if (answer.ListOver || !answer.Context || logs.length >= max) return logs.slice(0, max);
    context = answer.Context;
  }
}

/** A CLS search term's value, quoted: a traceId is the client's text. */
export function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
