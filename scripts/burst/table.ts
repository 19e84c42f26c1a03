// The burst table: one row per minute, two settings side by side.
import type { MinuteRow, Summary } from "./summarize";

const ms = (n: number) => (Number.isNaN(n) ? "-" : n >= 10_000 ? `${(n / 1000).toFixed(1)}s` : String(Math.round(n)));

export function beijingClock(t: number): string {
  return new Date(t + 8 * 3_600_000).toISOString().slice(11, 16);
}

export function renderTable(rows: (string | number)[][], head: string[]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r, n) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ") + (n === 0 ? `\n${widths.map((w) => "-".repeat(w)).join("  ")}` : "")).join("\n");
}

const SIDE = ["inst", "new", "prov", "cold", "p50", "p95", "p99", "429", "432", "5xx"];
const side = (r: MinuteRow) => [r.instances, r.started, r.provisioned, r.coldHits, ms(r.p50), ms(r.p95), ms(r.p99), r.throttled429, r.overQuota432, r.errors5xx];

/** Rows of both replays share minutes (same trace, same start). */
export function sideBySide(a: { name: string; rows: MinuteRow[] }, b: { name: string; rows: MinuteRow[] }): string {
  const rows = a.rows.map((r, i) => [beijingClock(r.minuteStart), r.requests, "|", ...side(r), "|", ...side(b.rows[i]!)]);
  const legend = `A = ${a.name}; B = ${b.name}\ninst = most instances alive, new = on-demand starts, prov = provisioned ready, cold = requests that met a cold start; latency in ms`;
  return `${legend}\n\n${renderTable(rows, ["time", "req", "|", ...SIDE.map((h) => `A ${h}`), "|", ...SIDE.map((h) => `B ${h}`)])}`;
}

const gbs = (n: number) => (Number.isNaN(n) ? "-" : n.toFixed(0));

export function summaryTable(entries: { name: string; summary: Summary; idle?: string }[]): string {
  return renderTable(
    entries.map(({ name, summary: s, idle }) => [name, s.requests, s.coldHits, `${s.coldPct.toFixed(2)}%`, `${s.worstWindowColdPct.toFixed(1)}%`, ms(s.p50), ms(s.p95), ms(s.p99), s.throttled429, s.overQuota432, s.errors5xx, gbs(s.activeInstanceGbSeconds), gbs(s.instanceGbSecondsPer1000), idle ?? "-"]),
    ["setting", "requests", "cold starts hit", "cold %", "worst minute", "p50", "p95", "p99", "429", "432", "5xx", "instance GB-s", "per 1,000 answers", "idle provisioned"],
  );
}
