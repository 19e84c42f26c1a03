// Issue 25, items 9 and 13: what a provider or a damaged record can put into the report. Model
// names are the provider's text (escape codes included); absurd numbers must not become
// Infinity or NaN in the tables or the page.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDayReport, readPriceBook } from "../scripts/report/dayReport";
import { formatReport, terminalSafe } from "../scripts/report/formatReport";
import { renderHtmlReport } from "../scripts/report/htmlReport";
import { jsonlAuditReader } from "../scripts/report/jsonlAuditReader";
import { REPO_ROOT } from "./support/harness";

const DAY = "2026-11-24";
const at = (hhmm: string) => new Date(Date.parse(`${DAY}T${hhmm}:00+08:00`)).toISOString();
const book = readPriceBook(REPO_ROOT);
// Clear screen, retitle the window, move the cursor up and overwrite, in C0 and C1 forms.
const HOSTILE = "evil\u001b[2J\u001b]0;owned\u0007\u001b[1A\r\u009b31mred\u202eright";
const ok = { env: "prod", intent: "summarize", profile: "summarize_v1", arm: "control", outcome: "ok", status: 200 };

async function reportOf(records: object[]) {
  const dir = mkdtempSync(join(tmpdir(), "report-hostile-"));
  const file = join(dir, "audit.jsonl");
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return buildDayReport(jsonlAuditReader(file), "", DAY, book, file);
}

describe("report: hostile values", () => {
  it("prints a provider's model name without a single control character", async () => {
    const { report, context } = await reportOf([{ ...ok, traceId: "h1", time: at("10:00"), model: HOSTILE, usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 }, ms: 100, cost: 0.00001 }]);
    const text = formatReport(report, context);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain("evil\ufffd[2J\ufffd]0;owned\ufffd\ufffd[1A\ufffd\ufffd31mred\ufffdright");
    expect(terminalSafe("plain 模型 name")).toBe("plain 模型 name");
  });

  it("refuses absurd values (1e308, negative, non-numbers) as unreadable: no NaN sizes, no Infinity anywhere", async () => {
    const { report, context } = await reportOf([
      { ...ok, traceId: "a1", time: at("09:00"), model: "qwen-turbo", usage: { promptTokens: 1e308, completionTokens: 1e308, totalTokens: 1e308 }, ms: 300, cost: 1e308 },
      { ...ok, traceId: "a2", time: at("09:10"), model: "qwen-turbo", ms: 1e308, cost: 0.001 },
      { ...ok, traceId: "a3", time: at("09:20"), model: "qwen-turbo", ms: 200, cost: -5 },
      { ...ok, traceId: "a4", time: at("09:30"), model: "qwen-turbo", ms: "NaN", cost: 0.001 },
      { ...ok, traceId: "a5", time: at("09:40"), model: "qwen-turbo", ms: 250, cost: 0.002, usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } },
    ]);
    expect(context.unreadable).toBe(4);
    expect(report.totals).toMatchObject({ requests: 1, tokens: 15, costMicroYuan: 2000, p50Ms: 250 });
    const html = renderHtmlReport(report, context);
    const text = formatReport(report, context);
    for (const out of [html, text]) {
      expect(out).not.toMatch(/NaN|Infinity/);
    }
    expect(text).toContain("4 unreadable records skipped");
  });
});
