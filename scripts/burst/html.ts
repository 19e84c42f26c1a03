// A self-contained page: instances and latency over the burst, as inline SVG (no script, no
// fetch), one line per setting.
import type { MinuteRow } from "./summarize";
import { beijingClock } from "./table";

export interface Series {
  name: string;
  rows: MinuteRow[];
}

const COLORS = ["#d1495b", "#00798c", "#edae49", "#30638e"];
const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function chart(title: string, series: Series[], value: (r: MinuteRow) => number, unit: string): string {
  const width = 720;
  const height = 240;
  const pad = { left: 56, right: 16, top: 28, bottom: 32 };
  const n = Math.max(1, ...series.map((s) => s.rows.length));
  const max = Math.max(1, ...series.flatMap((s) => s.rows.map(value).filter(Number.isFinite)));
  const x = (i: number) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(1, n - 1);
  const y = (v: number) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const lines = series.map((s, k) => {
    const points = s.rows.flatMap((r, i) => (Number.isFinite(value(r)) ? [`${x(i).toFixed(1)},${y(value(r)).toFixed(1)}`] : [])).join(" ");
    return `<polyline class="series" data-series="${escape(s.name)}" fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="2" points="${points}"/>`;
  });
  const first = series[0]?.rows ?? [];
  const ticks = first.map((r, i) => (i % Math.max(1, Math.ceil(n / 8)) === 0 ? `<text x="${x(i).toFixed(1)}" y="${height - 10}" font-size="11" text-anchor="middle">${beijingClock(r.minuteStart)}</text>` : "")).join("");
  const legend = series.map((s, k) => `<text x="${pad.left + 8 + k * 260}" y="16" font-size="12" fill="${COLORS[k % COLORS.length]}">${escape(s.name)}</text>`).join("");
  return `<figure><figcaption>${escape(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escape(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#999"/><line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#999"/>
<text x="4" y="${pad.top + 4}" font-size="11">${Math.round(max)} ${unit}</text><text x="4" y="${height - pad.bottom}" font-size="11">0</text>${ticks}${legend}${lines.join("")}</svg></figure>`;
}

export function burstPage(title: string, notes: string, series: Series[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}pre{background:#f6f6f6;padding:8px}</style></head>
<body><h1>${escape(title)}</h1><pre>${escape(notes)}</pre>
${chart("Instances alive per minute", series, (r) => r.instances, "instances")}
${chart("Requests that met a cold start per minute", series, (r) => r.coldHits, "requests")}
${chart("p99 latency per minute", series, (r) => r.p99, "ms")}
${chart("p50 latency per minute", series, (r) => r.p50, "ms")}
</body></html>`;
}
