// The report as text tables, one per dimension, for a terminal or a CI log.
import { formatCny } from "../../lib/cost/money";
import { DIMENSIONS, type DayReport, type GroupStats } from "./summarizeRecords";

export interface ReportContext {
  prefix: string;
  /** Where the records came from, when not the store under `prefix` (a CLS topic, a file). */
  source?: string;
  /** Records in the store, parsed or not, of any day. */
  scanned: number;
  /** Values under the audit pattern that are not readable records. */
  unreadable: number;
}

const HEAD = ["requests", "errors", "error %", "refused", "cached", "p50 ms", "p95 ms", "tokens", "cost (CNY)"];

// C0 and C1 controls, DEL, and the bidirectional overrides: a provider names its model, and a
// name carrying ESC [2J or OSC 0 would clear an operator's terminal, retitle it or overwrite rows.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from records as a terminal may print it: every control character shown as U+FFFD. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROLS, "\ufffd");
}

export function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

export function costText(stats: GroupStats): string {
  return `${formatCny(stats.costMicroYuan)}${stats.unpriced > 0 ? ` (+${stats.unpriced} unpriced)` : ""}`;
}

function cells(stats: GroupStats): string[] {
  return [String(stats.requests), String(stats.errors), percent(stats.errorRate), String(stats.refused), String(stats.cached), stats.p50Ms === undefined ? "-" : String(Math.round(stats.p50Ms)), stats.p95Ms === undefined ? "-" : String(Math.round(stats.p95Ms)), String(stats.tokens), costText(stats)];
}

export function table(title: string, rows: readonly GroupStats[]): string {
  const lines = [[title, ...HEAD], ...rows.map((r) => [r.key, ...cells(r)])].map((l) => l.map(terminalSafe));
  const widths = lines[0]?.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length))) ?? [];
  return lines
    .map((l, row) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd() + (row === 0 ? `\n${widths.map((w) => "-".repeat(w)).join("  ")}` : ""))
    .join("\n");
}

export function formatReport(report: DayReport, context: ReportContext): string {
  const header = [
    `miniask report for ${report.day} (Beijing time, UTC+8), ${terminalSafe(context.source ?? `key prefix "${context.prefix}"`)}`,
    `${report.totals.requests} requests that day of ${context.scanned} audit records ${context.source ? "read" : "in the store"}${context.unreadable > 0 ? `; ${context.unreadable} unreadable records skipped` : ""}`,
    "errors are 5xx answers; refused are 4xx (never reached a model) and left out of the latency columns",
  ].join("\n");
  const tables = [table("total", [{ ...report.totals, key: "all" }]), ...DIMENSIONS.map((d) => table(`by ${d}`, report.byDimension[d]))];
  const unpricedNote = report.totals.unpriced > 0 ? `\n(+N unpriced): requests on a model without a price in profiles/models.yaml; their cost is not in the figure` : "";
  return `${header}\n\n${tables.join("\n\n")}\n${unpricedNote}`;
}
