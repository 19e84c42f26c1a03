// A local stand-in for cls.tencentcloudapi.com's SearchLog, written from CLS's documentation and
// the SDK's cls_models.d.ts, never from what our readers send. The official SDK client, pointed
// at it through httpProfile.endpoint, makes real signed HTTP calls; this double
// - verifies each TC3-HMAC-SHA256 signature (AuthFailure.* otherwise),
// - refuses parameters SearchLogRequest lacks (UnknownParameter) and requires the ones it marks
//   required (MissingParameter), reading the model from cls_models.d.ts itself,
// - answers from the log lines a test gave it (each with its CLS time), within [From, To),
// - raw search (no SQL): the search part's subset below, Sort, Limit (1..1000, default 100),
//   paging by Context until ListOver (Context is bound to the query: changing anything else
//   with it is FailedOperation.InvalidContext, doc: SearchLogRequest.Context),
// - SQL analysis: the subset of clsSql.ts, rows as AnalysisRecords + Columns (UseNewAnalysis)
//   or AnalysisResults + ColNames, paged only by the statement's OFFSET/LIMIT (doc 614/58977),
// - documented errors: ResourceNotFound.TopicNotExist, InvalidParameter, FailedOperation.SyntaxError
//   for a statement outside the subset, FailedOperation.QueryError for a type error, and on demand
//   (failNext) FailedOperation.SearchTimeout, LimitExceeded.SearchResultTooLarge, LimitExceeded.LogSearch.
// Search part subset: `*` or empty (everything), or `key:"value"` / `key:value` terms joined by
// AND: a term matches a line whose field (dotted path for nested keys) equals the value as text.
import { createHash } from "node:crypto";
import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buffer as readBody } from "node:stream/consumers";
import type { LogInfo, SearchLogRequest, SearchLogResponse } from "tencentcloud-sdk-nodejs/tencentcloud/services/cls/v20201016/cls_models";
import { ClsSqlError, evaluateSql, fieldOf, parseSql } from "./clsSql";
import { sdkRequestModel } from "./sdkRequestModel";
import { TencentApiError, verifyTc3Signature } from "./tc3Signature";

export interface ClsLine {
  /** CLS's time of the log (ms): when SCF shipped it; default the line's own `time`. */
  timeMs: number;
  log: Record<string, unknown>;
}

export interface FakeCls {
  endpoint: string;
  secretId: string;
  secretKey: string;
  region: string;
  calls: { action: string; params: Record<string, unknown>; error?: string }[];
  /** Creates the topic if new; lines are what the function printed, one JSON object each. */
  addLines(topicId: string, logs: readonly (Record<string, unknown> | ClsLine)[]): void;
  /** The next SearchLog fails with this documented error (a timeout, a result too large). */
  failNext(code: "FailedOperation.SearchTimeout" | "LimitExceeded.SearchResultTooLarge" | "LimitExceeded.LogSearch"): void;
  close(): Promise<void>;
}

const invalid = (message: string) => new TencentApiError("InvalidParameter", message);

/** The search part: a predicate over a line, or FailedOperation.SyntaxError outside the subset. */
function searchPredicate(search: string): (log: Record<string, unknown>) => boolean {
  const text = search.trim();
  if (text === "" || text === "*") return () => true;
  const terms = text.split(/\s+AND\s+/i).map((term) => {
    const m = /^([A-Za-z_][\w.]*):(?:"((?:[^"\\]|\\.)*)"|([^\s"():*]+))$/.exec(term.trim());
    if (!m) throw new TencentApiError("FailedOperation.SyntaxError", `search term "${term}" is outside the subset this double evaluates (key:"value" joined by AND)`);
    return { key: m[1]!, value: m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]! };
  });
  return (log) => terms.every((t) => {
    const v = fieldOf(log, t.key);
    return v !== null && String(v) === t.value;
  });
}

/** `<search> | <SQL>`: the first pipe outside quotes splits them. */
function splitQuery(query: string): { search: string; sql?: string } {
  let quote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "|") return { search: query.slice(0, i), sql: query.slice(i + 1) };
  }
  return { search: query };
}

const columnType = (values: unknown[]) => {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return "unknown";
  if (present.every((v) => typeof v === "number")) return present.every((v) => Number.isInteger(v)) ? "bigint" : "double";
  return "varchar";
};

function analysis(req: SearchLogRequest, lines: ClsLine[], sql: string): SearchLogResponse {
  const { columns, rows } = evaluateSql(parseSql(sql), lines.map((l) => l.log));
  if (req.UseNewAnalysis) {
    return { Analysis: true, AnalysisRecords: rows.map((r) => JSON.stringify(r)), Columns: columns.map((c) => ({ Name: c, Type: columnType(rows.map((r) => r[c])) })), SamplingRate: 1 };
  }
  return { Analysis: true, ColNames: columns, AnalysisResults: rows.map((r) => ({ Data: columns.map((c) => ({ Key: c, Value: r[c] === null ? "null" : String(r[c]) })) })), SamplingRate: 1 };
}

function rawSearch(req: SearchLogRequest, topicId: string, lines: ClsLine[]): SearchLogResponse {
  const limit = req.Limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid("Limit: 1 to 1000");
  const sort = req.Sort ?? "desc";
  if (sort !== "asc" && sort !== "desc") throw invalid(`Sort: asc or desc, got ${sort}`);
  const bound = createHash("sha256").update(JSON.stringify([topicId, req.From, req.To, req.QueryString ?? req.Query ?? "", sort, limit])).digest("hex").slice(0, 16);
  let offset = req.Offset ?? 0;
  if (req.Context) {
    if (req.Offset !== undefined) throw invalid("Context and Offset cannot be used together");
    const m = /^([0-9a-f]{16}):(\d+)$/.exec(Buffer.from(req.Context, "base64").toString("utf8"));
    if (!m || m[1] !== bound) throw new TencentApiError("FailedOperation.InvalidContext", "the Context does not belong to this query");
    offset = Number(m[2]);
  }
  const sorted = [...lines].sort((a, b) => (sort === "asc" ? a.timeMs - b.timeMs : b.timeMs - a.timeMs));
  const page = sorted.slice(offset, offset + limit);
  const next = offset + page.length;
  const results: LogInfo[] = page.map((l, i) => ({ Time: l.timeMs, TopicId: topicId, TopicName: topicId, Source: "127.0.0.1", FileName: "", PkgId: `pkg-${offset + i}`, PkgLogId: String(offset + i), HighLights: [], LogJson: JSON.stringify(l.log), HostName: "scf" }));
  return { Analysis: false, Results: results, ListOver: next >= sorted.length, Context: next >= sorted.length ? "" : Buffer.from(`${bound}:${next}`).toString("base64") };
}

export async function startFakeCls(opts: { secretId?: string; secretKey?: string; region?: string } = {}): Promise<FakeCls> {
  const secretId = opts.secretId ?? "AKIDclstest";
  const secretKey = opts.secretKey ?? "cls-test-secret-key";
  const region = opts.region ?? "ap-guangzhou";
  const topics = new Map<string, ClsLine[]>();
  const calls: FakeCls["calls"] = [];
  const model = sdkRequestModel("tencentcloud-sdk-nodejs/tencentcloud/services/cls/v20201016/cls_models.d.ts", "SearchLogRequest");
  let failure: string | undefined;

  const searchLog = (params: Record<string, unknown>): SearchLogResponse => {
    for (const field of Object.keys(params)) if (!model.fields.has(field)) throw new TencentApiError("UnknownParameter", `The parameter \`${field}\` is not recognized`);
    for (const field of model.required) if (params[field] === undefined) throw new TencentApiError("MissingParameter", `The request is missing a required parameter \`${field}\``);
    const req = params as unknown as SearchLogRequest;
    if (req.Topics) throw invalid("this double serves one TopicId, not Topics");
    if (!req.TopicId) throw invalid("TopicId or Topics is required");
    const lines = topics.get(req.TopicId);
    if (!lines) throw new TencentApiError("ResourceNotFound.TopicNotExist", `topic ${req.TopicId} does not exist`);
    if (!Number.isInteger(req.From) || !Number.isInteger(req.To) || req.From >= req.To) throw invalid("From and To: Unix milliseconds, From < To");
    const query = req.QueryString ?? req.Query ?? "";
    if (Buffer.byteLength(query) > 12 * 1024) throw invalid("QueryString: at most 12KB");
    if (failure) {
      const code = failure;
      failure = undefined;
      throw new TencentApiError(code, code === "FailedOperation.SearchTimeout" ? "search timed out" : "limit exceeded");
    }
    const { search, sql } = splitQuery(query);
    const matches = searchPredicate(search);
    const inRange = lines.filter((l) => l.timeMs >= req.From && l.timeMs < req.To && matches(l.log));
    return sql === undefined ? rawSearch(req, req.TopicId, inRange) : analysis(req, inRange, sql);
  };

  const server = createServer((req: IncomingMessage, res) => {
    void readBody(req).then((body) => {
      const action = String(req.headers["x-tc-action"] ?? "");
      const requestId = `cls-req-${calls.length + 1}`;
      let params: Record<string, unknown> = {};
      let response: object;
      try {
        verifyTc3Signature(req, body, secretId, secretKey);
        params = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
        if (action !== "SearchLog") throw new TencentApiError("InvalidAction", `action ${action} is not supported here`);
        response = { ...searchLog(params), RequestId: requestId };
        calls.push({ action, params });
      } catch (err) {
        const error = err instanceof TencentApiError || err instanceof ClsSqlError ? { Code: err.code, Message: err.message } : { Code: "InternalError", Message: String(err) };
        response = { Error: error, RequestId: requestId };
        calls.push({ action, params, error: error.Code });
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ Response: response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secretId,
    secretKey,
    region,
    calls,
    addLines(topicId, logs) {
      const lines = topics.get(topicId) ?? [];
      topics.set(topicId, lines);
      for (const l of logs) {
        if ("timeMs" in l && "log" in l) lines.push(l as ClsLine);
        else {
          const log = l as Record<string, unknown>;
          lines.push({ timeMs: typeof log.time === "string" ? Date.parse(log.time) : Date.now(), log });
        }
      }
    },
    failNext(code) {
      failure = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
