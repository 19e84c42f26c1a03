// The report as one self-contained page: inline CSS and SVG, no script, no external asset (the
// Content-Security-Policy forbids any), every value from the records escaped.
import { formatCny, microYuanToCny } from "../../lib/cost/money";
import { costText, percent, type ReportContext } from "./formatReport";
import { DIMENSIONS, type DayReport, type GroupStats } from "./summarizeRecords";

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

const e = (v: string | number) => escapeHtml(String(v));

/** CNY for a chart label: six decimals under a cent, where one request's cost lives. */
const chartCny = (microYuan: number) => microYuanToCny(microYuan).toFixed(microYuan < 10_000 ? 6 : 4);

const CHART = { width: 760, height: 260, top: 28, bottom: 36, left: 56, right: 12 };

function costPerHourChart(report: DayReport): string {
  const { width, height, top, bottom, left, right } = CHART;
  const plotH = height - top - bottom;
  const slot = (width - left - right) / 24;
  const max = Math.max(...report.costPerHour);
  const bars = report.costPerHour.map((micro, hour) => {
    const h = max === 0 ? 0 : (micro / max) * plotH;
    const x = left + hour * slot + slot * 0.15;
    const y = top + plotH - h;
    const label = micro > 0 ? `<text class="value" x="${(x + slot * 0.35).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${e(chartCny(micro))}</text>` : "";
    return `<g class="hour" data-hour="${hour}" data-micro-yuan="${micro}" data-requests="${report.requestsPerHour[hour] ?? 0}"><rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}"><title>${e(`${String(hour).padStart(2, "0")}:00 ${formatCny(micro)}, ${report.requestsPerHour[hour] ?? 0} requests`)}</title></rect>${label}<text class="axis" x="${(x + slot * 0.35).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle">${hour}</text></g>`;
  });
  return `<svg id="cost-per-hour" role="img" aria-label="cost per hour" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<line class="base" x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}"/>
<text class="axis" x="${left - 6}" y="${top + 4}" text-anchor="end">${e(chartCny(max))}</text>
<text class="axis" x="${(width + left) / 2}" y="${height - 4}" text-anchor="middle">hour of the day, Beijing time (CNY per hour)</text>
${bars.join("\n")}
</svg>`;
}

function latencyPerArmChart(arms: readonly GroupStats[]): string {
  const { height, top, bottom, left } = CHART;
  const plotH = height - top - bottom;
  const group = 150;
  const width = Math.max(320, left + arms.length * group + 20);
  const max = Math.max(0, ...arms.map((a) => a.p95Ms ?? 0));
  const bar = (arm: string, which: "p50" | "p95", ms: number | undefined, x: number) => {
    const h = ms === undefined || max === 0 ? 0 : (ms / max) * plotH;
    const y = top + plotH - h;
    const text = ms === undefined ? "-" : `${Math.round(ms)} ms`;
    return `<g class="latency" data-arm="${e(arm)}" data-which="${which}" data-ms="${ms === undefined ? "" : Math.round(ms)}"><rect class="bar ${which}" x="${x}" y="${y.toFixed(1)}" width="50" height="${h.toFixed(1)}"><title>${e(`${arm} ${which} ${text}`)}</title></rect><text class="value" x="${x + 25}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${e(text)}</text></g>`;
  };
  const groups = arms.map((a, i) => {
    const x = left + i * group;
    return `${bar(a.key, "p50", a.p50Ms, x)}${bar(a.key, "p95", a.p95Ms, x + 56)}<text class="axis" x="${x + 53}" y="${height - bottom + 14}" text-anchor="middle">${e(a.key)}</text>`;
  });
  return `<svg id="latency-per-arm" role="img" aria-label="latency per rollout arm" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<line class="base" x1="${left}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}"/>
<text class="axis" x="${left}" y="${height - 4}">rollout arm: p50 (light) and p95 (dark), ms</text>
${groups.join("\n")}
</svg>`;
}

function tableHtml(title: string, rows: readonly GroupStats[]): string {
  const head = ["", "requests", "errors", "error %", "refused", "cached", "p50 ms", "p95 ms", "tokens", "cost (CNY)"].map((h) => `<th>${e(h)}</th>`).join("");
  const body = rows
    .map((r) => {
      const cells = [r.requests, r.errors, percent(r.errorRate), r.refused, r.cached, r.p50Ms === undefined ? "-" : Math.round(r.p50Ms), r.p95Ms === undefined ? "-" : Math.round(r.p95Ms), r.tokens, costText(r)];
      return `<tr><th scope="row">${e(r.key)}</th>${cells.map((c) => `<td>${e(c)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  return `<section class="dimension"><h2>${e(title)}</h2><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></section>`;
}

export function renderHtmlReport(report: DayReport, context: ReportContext): string {
  const t = report.totals;
  const cards = [
    ["requests", String(t.requests)],
    ["error rate", percent(t.errorRate)],
    ["p50 / p95", t.p50Ms === undefined ? "-" : `${Math.round(t.p50Ms)} / ${Math.round(t.p95Ms ?? t.p50Ms)} ms`],
    ["tokens", String(t.tokens)],
    ["cost", costText(t)],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`miniask report ${report.day}`)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2433}
h1{font-size:20px;margin:0 0 4px}.sub{color:#5b6475;margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:20px}.card{border:1px solid #d8dde6;border-radius:6px;padding:8px 14px}
.card b{display:block;font-size:18px}
table{border-collapse:collapse;margin-bottom:18px}th,td{padding:3px 10px;border-bottom:1px solid #e6e9ef;text-align:right}th[scope=row],thead th:first-child{text-align:left}
svg{display:block;margin-bottom:20px}.bar{fill:#3b6fd8}.bar.p50{fill:#9db7ee}.bar.p95{fill:#2448a0}.value,.axis{font-size:10px;fill:#3a4252}.base{stroke:#8a93a3}
</style></head>
<body>
<h1>${e(`miniask report for ${report.day}`)}</h1>
<p class="sub">${e(`Beijing time (UTC+8), ${context.source ?? `key prefix "${context.prefix}"`}; ${t.requests} requests that day of ${context.scanned} audit records${context.unreadable > 0 ? `, ${context.unreadable} unreadable` : ""}. Errors are 5xx; refused (4xx) are left out of latency.`)}</p>
<div class="cards">${cards.map(([k, v]) => `<div class="card" data-card="${e(k ?? "")}">${e(k ?? "")}<b>${e(v ?? "")}</b></div>`).join("")}</div>
<h2>Cost per hour</h2>
${costPerHourChart(report)}
<h2>Latency per rollout arm</h2>
${latencyPerArmChart(report.byDimension.arm)}
${tableHtml("total", [{ ...t, key: "all" }])}
${DIMENSIONS.map((d) => tableHtml(`by ${d}`, report.byDimension[d])).join("\n")}
</body></html>
`;
}
