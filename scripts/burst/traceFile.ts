// Traffic from outside, parsed with zod: audit records (the store's JSON), a CLS export (one JSON
// log line per request, `timings.total` for the latency, possibly wrapped in SCF_Message), or a
// CSV whose first column is a timestamp. Every line that does not parse is reported by number.
import * as z from "zod/mini";
import { AUDIT_LINE_MSG } from "../../lib/observability/auditLogLine";

export interface TraceRequest {
  at: number;
  fn?: string;
  /** Total latency as observed, when the source has it. */
  ms?: number;
  status?: number;
}

const timestamp = z.union([z.string(), z.number()]);
const logLine = z.object({
  msg: z.optional(z.string()),
  time: z.optional(timestamp),
  timestamp: z.optional(timestamp),
  intent: z.optional(z.string()),
  ms: z.optional(z.number()),
  timings: z.optional(z.object({ total: z.optional(z.number()) })),
  status: z.optional(z.number()),
});
const clsWrapper = z.object({ SCF_Message: z.string() });

/** ISO strings, epoch milliseconds, or epoch seconds (numbers under 1e11). */
export function parseTimestamp(value: string | number): number | undefined {
  if (typeof value === "number") return value < 1e11 ? value * 1000 : value;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return parseTimestamp(Number(trimmed));
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The `msg` of a log line, bare or inside SCF_Message. */
function msgOf(value: unknown): unknown {
  if (value === null || typeof value !== "object") return undefined;
  const { msg, SCF_Message: wrapped } = value as { msg?: unknown; SCF_Message?: unknown };
  if (typeof wrapped !== "string") return msg;
  try {
    return msgOf(JSON.parse(wrapped));
  } catch {
    return undefined;
  }
}

/** One audit record or CLS line; undefined when it is not a request line. */
export function parseLogRecord(value: unknown): TraceRequest | undefined {
  const wrapped = z.safeParse(clsWrapper, value);
  if (wrapped.success) {
    try {
      return parseLogRecord(JSON.parse(wrapped.data.SCF_Message));
    } catch {
      return undefined;
    }
  }
  const line = z.safeParse(logLine, value);
  if (!line.success) return undefined;
  // The function's other lines (warnings, start-up) are not requests.
  if (line.data.msg !== undefined && line.data.msg !== "request" && line.data.msg !== AUDIT_LINE_MSG) return undefined;
  const raw = line.data.time ?? line.data.timestamp;
  const at = raw === undefined ? undefined : parseTimestamp(raw);
  if (at === undefined) return undefined;
  const ms = line.data.ms ?? line.data.timings?.total;
  return { at, ...(line.data.intent ? { fn: line.data.intent } : {}), ...(ms === undefined ? {} : { ms }), ...(line.data.status === undefined ? {} : { status: line.data.status }) };
}

export interface ParsedTrace {
  requests: TraceRequest[];
  /** "line 7: ..." for every line skipped. */
  skipped: string[];
}

function parseCsv(lines: string[]): ParsedTrace {
  const requests: TraceRequest[] = [];
  const skipped: string[] = [];
  const first = lines[0]?.split(",").map((c) => c.trim().toLowerCase()) ?? [];
  const hasHeader = first[0] !== undefined && parseTimestamp(first[0]) === undefined;
  const column = (names: string[]) => (hasHeader ? first.findIndex((c) => names.includes(c)) : -1);
  const fnColumn = column(["intent", "function", "fn"]);
  const msColumn = column(["ms", "latency_ms", "total_ms", "duration_ms"]);
  lines.forEach((line, i) => {
    if ((hasHeader && i === 0) || line.trim() === "") return;
    const cells = line.split(",").map((c) => c.trim());
    const at = parseTimestamp(cells[0] ?? "");
    if (at === undefined) {
      skipped.push(`line ${i + 1}: "${cells[0] ?? ""}" is not a timestamp (ISO, epoch ms or epoch s)`);
      return;
    }
    const msCell = msColumn >= 0 ? (cells[msColumn] ?? "") : "";
    const ms = msCell === "" ? Number.NaN : Number(msCell);
    const fn = fnColumn >= 0 ? cells[fnColumn] : undefined;
    requests.push({ at, ...(fn ? { fn } : {}), ...(Number.isFinite(ms) ? { ms } : {}) });
  });
  return { requests, skipped };
}

export function parseTraceText(text: string): ParsedTrace {
  const lines = text.split(/\r?\n/);
  const firstLine = lines.find((l) => l.trim() !== "")?.trim() ?? "";
  if (!firstLine.startsWith("{")) return parseCsv(lines);
  const requests: TraceRequest[] = [];
  const skipped: string[] = [];
  const values = lines.map((line) => {
    try {
      return line.trim() === "" ? undefined : { value: JSON.parse(line) as unknown };
    } catch {
      return { bad: true as const };
    }
  });
  // A log with audit lines carries each request twice (its request line and its audit line): the audit line counts.
  const hasAuditLines = values.some((v) => v && "value" in v && msgOf(v.value) === AUDIT_LINE_MSG);
  values.forEach((v, i) => {
    if (v === undefined) return;
    if (!("value" in v)) {
      skipped.push(`line ${i + 1}: not JSON`);
      return;
    }
    const value = v.value;
    const msg = msgOf(value);
    if ((hasAuditLines && msg === "request") || (msg !== undefined && msg !== "request" && msg !== AUDIT_LINE_MSG)) return;
    const request = parseLogRecord(value);
    if (request) requests.push(request);
    else skipped.push(`line ${i + 1}: no time (ISO or epoch) in the record`);
  });
  return { requests, skipped };
}
