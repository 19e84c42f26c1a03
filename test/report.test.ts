// npm run report against the real Redis: records this test writes under its own prefix, the
// numbers worked out by hand, the CLI's tables, and the HTML page opened in headless Chromium.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDayReport, readPriceBook } from "../scripts/report/dayReport";
import { escapeHtml } from "../scripts/report/htmlReport";
import { auditPattern, openAuditReader } from "../scripts/report/readAuditRecords";
import { parseReportArgs } from "../scripts/report/report";
import { launchBrowser } from "./support/browser";
import { startUpstashBridge } from "./support/upstashBridge";

const REPO_ROOT = new URL("..", import.meta.url).pathname;
const REDIS_URL = "redis://127.0.0.1:6379";
const DAY = "2026-11-24";
/** Beijing wall-clock time of DAY (or another day) as an ISO instant. */
const bj = (hhmmss: string, day = DAY) => new Date(Date.parse(`${day}T${hhmmss}+08:00`)).toISOString();
const UNPRICED = "mystery-<b>model</b>";

// hunyuan-turbos-latest 0.8/2.0, deepseek-chat 2/8, qwen-turbo 0.3/0.6 CNY per million (profiles/models.yaml).
const RECORDS: Record<string, unknown>[] = [
  // 1000 x 0.8 + 500 x 2.0 = 1800 micro-yuan, from usage (no cost field yet).
  { traceId: "t1", time: bj("09:10:00"), env: "dev", intent: "summarize", profile: "summarize_v1", arm: "control", model: "hunyuan-turbos-latest", outcome: "ok", status: 200, usage: { promptTokens: 1000, completionTokens: 500, totalTokens: 1500 }, ms: 400, cached: false },
  // Its own cost (refine included): 0.0123 CNY = 12300 micro-yuan, whatever its usage says.
  { traceId: "t2", time: bj("09:40:00"), env: "dev", intent: "summarize", profile: "summarize_v2", arm: "rollout", model: "hunyuan-turbos-latest", outcome: "ok", status: 200, usage: { promptTokens: 2000, completionTokens: 1000, totalTokens: 3000 }, ms: 900, cost: 0.0123, attempts: [{ provider: "hunyuan", model: "hunyuan-turbos-latest", outcome: "ok", ms: 880 }] },
  // 1000 x 2 + 1000 x 8 = 10000.
  { traceId: "t3", time: bj("14:00:00"), env: "dev", intent: "support", profile: "support_v1", arm: "control", model: "deepseek-chat", outcome: "ok", status: 200, usage: { promptTokens: 1000, completionTokens: 1000, totalTokens: 2000 }, ms: 1200 },
  // A cache hit: no tokens spent, no cost.
  { traceId: "t4", time: bj("14:30:00"), env: "dev", intent: "support", profile: "support_v1", arm: "control", model: "deepseek-chat", outcome: "ok", status: 200, usage: { promptTokens: 1000, completionTokens: 1000, totalTokens: 2000 }, ms: 20, cached: true },
  // A 5xx: an error, in the latency.
  { traceId: "t5", time: bj("20:00:00"), env: "dev", intent: "extract", profile: "extract_v1", arm: "control", outcome: "model_unavailable", status: 503, ms: 8000 },
  // A 4xx: refused, left out of the latency.
  { traceId: "t6", time: bj("20:05:00"), env: "dev", intent: "summarize", outcome: "rate_limited", status: 429, ms: 5 },
  // A model without a price (and a name with markup: the page must show it as text).
  { traceId: "t7", time: bj("23:59:59.999"), env: "dev", intent: "recommend", profile: "recommend_v1", arm: "control", model: UNPRICED, outcome: "ok", status: 200, usage: { promptTokens: 100, completionTokens: 100, totalTokens: 200 }, ms: 300 },
  // Midnight exactly belongs to the day that starts; 5 x 0.3 = 1.5 -> 2 micro-yuan.
  { traceId: "t8", time: bj("00:00:00"), env: "dev", intent: "summarize", profile: "summarize_v1", arm: "control", model: "qwen-turbo", outcome: "ok", status: 200, usage: { promptTokens: 5, completionTokens: 0, totalTokens: 5 }, ms: 100 },
  // The provider's own model name has no price; the attempt that answered names the configured one:
  // qwen-turbo, 1000 x 0.3 + 1000 x 0.6 = 900 micro-yuan.
  { traceId: "t9", time: bj("14:45:00"), env: "dev", intent: "support", profile: "support_v1", arm: "control", model: "local-stand-in:qwen-turbo", outcome: "ok", status: 200, usage: { promptTokens: 1000, completionTokens: 1000, totalTokens: 2000 }, ms: 700, attempts: [{ provider: "hunyuan", model: "hunyuan-turbos-latest", outcome: "timeout", ms: 3000 }, { provider: "qwen", model: "qwen-turbo", outcome: "ok", ms: 650 }] },
];
const OTHER_DAYS = [
  { traceId: "p1", time: bj("23:59:59.999", "2026-11-23"), env: "dev", intent: "summarize", outcome: "ok", status: 200, ms: 1 },
  { traceId: "n1", time: bj("00:00:00", "2026-11-25"), env: "dev", intent: "summarize", outcome: "ok", status: 200, ms: 1 },
];

describe("npm run report", () => {
  const prefix = `test:${randomUUID()}:`;
  const otherPrefix = `test:${randomUUID()}:`;
  let redis: Redis;
  let browser: Browser | undefined;
  const dir = mkdtempSync(join(tmpdir(), "miniask-report-"));

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const tx = redis.multi();
    for (const r of [...RECORDS, ...OTHER_DAYS]) {
      // One record under a longer key (a user or server-made id after audit:v1:): the whole pattern is scanned.
      const key = r.traceId === "t8" ? `${prefix}audit:v1:user-ab12:${r.traceId}` : `${prefix}audit:v1:${String(r.traceId)}`;
      tx.set(key, JSON.stringify(r), "EX", 600);
    }
    tx.set(`${prefix}audit:v1:garbage`, "not json", "EX", 600);
    tx.set(`${prefix}audit:v1:partial`, JSON.stringify({ traceId: "x" }), "EX", 600);
    tx.set(`${prefix}cache:v1:summarize_v1:abc`, JSON.stringify(RECORDS[0]), "EX", 600);
    tx.set(`${otherPrefix}audit:v1:t1`, JSON.stringify(RECORDS[0]), "EX", 600);
    await tx.exec();
  });
  afterAll(async () => {
    await browser?.close();
    for (const p of [prefix, otherPrefix]) {
      const keys = await redis.keys(`${p}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it("sums the day's records by hand-checked numbers, by every dimension", async () => {
    const reader = await openAuditReader(REDIS_URL, {});
    const { report, context } = await buildDayReport(reader, prefix, DAY, readPriceBook(REPO_ROOT));
    await reader.close();
    expect(context).toEqual({ prefix, scanned: 13, unreadable: 2 });
    expect(report.totals).toEqual({ key: "all", requests: 9, errors: 1, errorRate: 1 / 9, refused: 1, cached: 1, p50Ms: 400, p95Ms: 8000, tokens: 8705, costMicroYuan: 1800 + 12300 + 10000 + 2 + 900, unpriced: 1 });
    const byKey = (d: keyof typeof report.byDimension) => Object.fromEntries(report.byDimension[d].map((g) => [g.key, g]));
    expect(byKey("arm").control).toMatchObject({ requests: 7, errors: 1, p50Ms: 400, p95Ms: 8000, costMicroYuan: 12_702, unpriced: 1 });
    expect(byKey("arm").rollout).toMatchObject({ requests: 1, p50Ms: 900, p95Ms: 900, costMicroYuan: 12_300 });
    expect(byKey("arm")["(none)"]).toMatchObject({ requests: 1, refused: 1, costMicroYuan: 0 });
    expect(byKey("arm")["(none)"]?.p50Ms).toBeUndefined();
    expect(report.byDimension.model.map((g) => [g.key, g.requests, g.costMicroYuan])).toEqual([
      ["hunyuan-turbos-latest", 2, 14_100],
      ["deepseek-chat", 2, 10_000],
      ["local-stand-in:qwen-turbo", 1, 900],
      ["qwen-turbo", 1, 2],
      ["(none)", 2, 0],
      [UNPRICED, 1, 0],
    ]);
    expect(byKey("intent").summarize).toMatchObject({ requests: 4, refused: 1, tokens: 4505, costMicroYuan: 14_102 });
    expect(byKey("profile").support_v1).toMatchObject({ requests: 3, cached: 1, tokens: 4000, costMicroYuan: 10_900 });
    expect(report.costPerHour[0]).toBe(2);
    expect(report.costPerHour[9]).toBe(14_100);
    expect(report.costPerHour[14]).toBe(10_900);
    expect(report.costPerHour.reduce((a, b) => a + b, 0)).toBe(report.totals.costMicroYuan);
    expect(report.requestsPerHour[20]).toBe(2);
    expect(report.requestsPerHour[23]).toBe(1);
  });

  it("reads the same records through Upstash REST", async () => {
    const bridge = await startUpstashBridge(REDIS_URL);
    try {
      const reader = await openAuditReader("upstash", { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridge.token });
      const { report, context } = await buildDayReport(reader, prefix, DAY, readPriceBook(REPO_ROOT));
      expect(context).toEqual({ prefix, scanned: 13, unreadable: 2 });
      expect(report.totals.costMicroYuan).toBe(25_002);
    } finally {
      await bridge.close();
    }
  });

  it("prints the tables and writes a page whose charts render in the headless browser", async () => {
    const html = join(dir, "report.html");
    const { stdout } = await promisify(execFile)(join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/report/report.ts", "--day", DAY, "--html", html], {
      cwd: REPO_ROOT,
      env: { ...process.env, MINIASK_STORE: REDIS_URL, MINIASK_STORE_PREFIX: prefix, MINIASK_ENV: "dev" },
    });
    expect(stdout).toContain(`miniask report for ${DAY} (Beijing time, UTC+8), key prefix "${prefix}"`);
    expect(stdout).toContain("9 requests that day of 13 audit records in the store; 2 unreadable records skipped");
    const row = (title: string, key: string) => {
      const lines = stdout.split("\n");
      const start = lines.findIndex((l) => l.startsWith(`${title} `));
      return lines.slice(start + 2).find((l) => l.startsWith(`${key} `))?.trim().split(/\s{2,}/);
    };
    expect(row("total", "all")).toEqual(["all", "9", "1", "11.1%", "1", "1", "400", "8000", "8705", "¥0.025002 (+1 unpriced)"]);
    expect(row("by arm", "rollout")).toEqual(["rollout", "1", "0", "0.0%", "0", "0", "900", "900", "3000", "¥0.012300"]);
    expect(row("by model", "deepseek-chat")).toEqual(["deepseek-chat", "2", "0", "0.0%", "0", "1", "20", "1200", "2000", "¥0.010000"]);
    expect(stdout).toContain(`wrote ${html}`);

    const page_ = readFileSync(html, "utf8");
    expect(page_).not.toMatch(/<(script|link|img)\b/i);
    expect(page_).toContain(escapeHtml(UNPRICED));

    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    await page.goto(`file://${html}`);
    expect(requested).toEqual([`file://${html}`]);

    const hours = page.locator("#cost-per-hour g.hour");
    expect(await hours.count()).toBe(24);
    expect(await page.locator("#cost-per-hour g.hour[data-hour='9']").getAttribute("data-micro-yuan")).toBe("14100");
    expect(await page.locator("#cost-per-hour g.hour[data-hour='9'] text.value").textContent()).toBe("0.0141");
    expect(await page.locator("#cost-per-hour g.hour[data-hour='0'] text.value").textContent()).toBe("0.000002");
    const box = async (hour: number) => (await page.locator(`#cost-per-hour g.hour[data-hour='${hour}'] rect`).boundingBox())?.height ?? -1;
    // Drawn to scale: the 09:00 bar is the tallest, 14:00's is 10900/14100 of it, an empty hour is flat.
    const [h9, h14, h3] = [await box(9), await box(14), await box(3)];
    expect(h9).toBeGreaterThan(100);
    expect(h14 / h9).toBeCloseTo(10_900 / 14_100, 2);
    expect(h3).toBe(0);

    const latency = (arm: string, which: string) => page.locator(`#latency-per-arm g.latency[data-arm='${arm}'][data-which='${which}'] text`).textContent();
    expect(await latency("control", "p50")).toBe("400 ms");
    expect(await latency("control", "p95")).toBe("8000 ms");
    expect(await latency("rollout", "p50")).toBe("900 ms");
    expect(await latency("(none)", "p50")).toBe("-");
    const barHeight = async (arm: string, which: string) => (await page.locator(`#latency-per-arm g.latency[data-arm='${arm}'][data-which='${which}'] rect`).boundingBox())?.height ?? -1;
    const controlP95 = await barHeight("control", "p95");
    expect(controlP95).toBeGreaterThan(100);
    expect((await barHeight("rollout", "p95")) / controlP95).toBeCloseTo(900 / 8000, 2);

    expect(await page.locator("[data-card='cost'] b").textContent()).toBe("¥0.025002 (+1 unpriced)");
    expect(await page.locator("[data-card='error rate'] b").textContent()).toBe("11.1%");
    // The model name with markup is text, not an element.
    expect(await page.locator("td b, th b").count()).toBe(0);
    expect(await page.locator("th", { hasText: UNPRICED }).count()).toBe(1);
    const artifacts = join(REPO_ROOT, "test-artifacts");
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "report.png"), fullPage: true });
  }, 60_000);

  it("says what is wrong with its arguments and its store", async () => {
    expect(parseReportArgs(["--day", "2026-11-24", "--html", "x.html"], 0)).toEqual({ day: "2026-11-24", html: "x.html" });
    expect(parseReportArgs([], Date.parse("2026-11-24T16:30:00Z"))).toEqual({ day: "2026-11-25" });
    expect(parseReportArgs(["--day"], 0)).toEqual({ error: "--day needs a value" });
    expect(parseReportArgs(["--html", "--day", "x"], 0)).toEqual({ error: '--html needs a value (for a value that starts with "-", write --html=VALUE)' });
    expect(parseReportArgs(["--days", "1"], 0)).toEqual({ error: 'unknown option "--days"' });
    expect(parseReportArgs(["--day", "2026-13-01"], 0)).toEqual({ error: '--day: expected a date as YYYY-MM-DD, got "2026-13-01"' });
    await expect(openAuditReader(undefined, {})).rejects.toThrow(/MINIASK_STORE/);
    await expect(openAuditReader("memory", {})).rejects.toThrow(/in-memory store keeps nothing/);
    await expect(openAuditReader("upstash", {})).rejects.toThrow(/UPSTASH_REDIS_REST_URL/);
    const reader = await openAuditReader(REDIS_URL, {});
    await expect(buildDayReport(reader, prefix, "2026-02-30", readPriceBook(REPO_ROOT))).rejects.toThrow(/YYYY-MM-DD/);
    await reader.close();
    expect(auditPattern("a*b?[c]:")).toBe("a\\*b\\?\\[c\\]:audit:v1:*");
  });
});
