// npm run report against the CLS double: a day of generated traffic (request and audit lines as
// the functions print them) read from CLS through the SDK (two SQL analyses, aggregated in the
// double) gives the same table as the same lines read from a JSONL file.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clsSettingsOf, sdkSearchLog } from "../scripts/support/clsApi";
import { sqlRows } from "../scripts/support/clsSearch";
import { AUDIT_SEARCH, clsReportRows } from "../scripts/report/clsReportRows";
import { readPriceBook } from "../scripts/report/dayReport";
import { jsonlAuditReader } from "../scripts/report/jsonlAuditReader";
import { parseReportArgs, reportFrom } from "../scripts/report/report";
import { summarizeRows } from "../scripts/report/summarizeRecords";
import { dayOfTraffic } from "./support/clsAuditTraffic";
import { type FakeCls, startFakeCls } from "./support/fakeCls";
import { REPO_ROOT } from "./support/harness";

const DAY = "2026-11-24";
const TOPIC = "topic-prod-logs";
const run = promisify(execFile);

describe("npm run report from CLS", () => {
  let cls: FakeCls;
  let clsEnv: Record<string, string>;
  const traffic = dayOfTraffic(DAY, 1500, { outside: 40 });
  const file = join(mkdtempSync(join(tmpdir(), "cls-report-")), "day.jsonl");

  beforeAll(async () => {
    cls = await startFakeCls();
    cls.addLines(TOPIC, traffic.cls);
    cls.addLines("topic-empty", []);
    writeFileSync(file, traffic.text);
    clsEnv = { MINIASK_CLS_ENDPOINT: cls.endpoint, MINIASK_CLS_TOPIC_ID: TOPIC, MINIASK_CLS_REGION: cls.region, TENCENTCLOUD_SECRET_ID: cls.secretId, TENCENTCLOUD_SECRET_KEY: cls.secretKey, MINIASK_ENV: "prod" };
  });
  afterAll(async () => {
    await cls.close();
  });

  // Below the two header lines (the source, and how many records it held of any day).
  const tables = (stdout: string) => stdout.split("\n").slice(2).join("\n");

  it("prints the same tables from CLS as from the same lines in a JSONL file", async () => {
    const env = { ...process.env, ...clsEnv };
    const fromCls = await run(join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/report/report.ts", "--day", DAY], { cwd: REPO_ROOT, env });
    const fromFile = await run(join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/report/report.ts", "--day", DAY, "--jsonl", file], { cwd: REPO_ROOT, env });
    expect(fromCls.stdout.split("\n")[0]).toContain(`CLS topic ${TOPIC} (${cls.region})`);
    expect(fromFile.stdout.split("\n")[0]).toContain(`file ${file}`);
    expect(fromCls.stdout).toContain(`1500 requests that day of 1500 audit records read`);
    expect(fromFile.stdout).toContain(`1500 requests that day of 1540 audit records read`);
    expect(tables(fromCls.stdout)).toBe(tables(fromFile.stdout));
    // The table is the day's traffic: every route, refusals, errors, unpriced requests.
    expect(fromCls.stdout).toMatch(/^by model[\s\S]*mystery-model[\s\S]*\(\+\d+ unpriced\)/m);
    // Only SQL analyses reached CLS: no raw line was downloaded.
    const searches = cls.calls.filter((c) => c.params.TopicId === TOPIC && !c.error);
    expect(searches.length).toBe(3);
    expect(searches.every((c) => String(c.params.QueryString).startsWith(`${AUDIT_SEARCH} | select `))).toBe(true);
  });

  it("pages SQL rows by OFFSET/LIMIT and ends on a short page, giving the same report", async () => {
    const searchLog = await sdkSearchLog(clsSettingsOf(clsEnv));
    const whole = await clsReportRows(searchLog, TOPIC, DAY);
    const before = cls.calls.length;
    const paged = await clsReportRows(searchLog, TOPIC, DAY, 25);
    const offsets = cls.calls.slice(before).map((c) => /offset (\d+) limit 25$/.exec(String(c.params.QueryString))?.[1]);
    expect(offsets.length).toBeGreaterThan(4);
    expect(offsets.slice(0, 3)).toEqual(["0", "25", "50"]);
    expect(summarizeRows(DAY, paged.rows)).toEqual(summarizeRows(DAY, whole.rows));
    expect(whole.rows.counts.length).toBeLessThan(1500);
  });

  it("a day with no traffic, and an empty topic, give an empty report, not an error", async () => {
    const book = readPriceBook(REPO_ROOT);
    const empty = await reportFrom({ kind: "cls" }, "2026-10-01", book, clsEnv);
    expect(empty.report.totals).toMatchObject({ requests: 0, errors: 0, tokens: 0, costMicroYuan: 0 });
    expect(empty.report.totals.p50Ms).toBeUndefined();
    const emptyTopic = await reportFrom({ kind: "cls", topic: "topic-empty" }, DAY, book, clsEnv);
    expect(emptyTopic.context.scanned).toBe(0);
    const fromFile = await reportFrom({ kind: "jsonl", file }, "2026-10-01", book, {});
    expect(fromFile.report).toEqual(empty.report);
  });

  it("fails loudly with CLS's error: an unknown topic, a timeout, a wrong key, a statement outside the evaluated subset", async () => {
    const book = readPriceBook(REPO_ROOT);
    await expect(reportFrom({ kind: "cls", topic: "no-such-topic" }, DAY, book, clsEnv)).rejects.toMatchObject({ code: "ResourceNotFound.TopicNotExist" });
    cls.failNext("FailedOperation.SearchTimeout");
    await expect(reportFrom({ kind: "cls" }, DAY, book, clsEnv)).rejects.toMatchObject({ code: "FailedOperation.SearchTimeout" });
    await expect(reportFrom({ kind: "cls" }, DAY, book, { ...clsEnv, TENCENTCLOUD_SECRET_KEY: "wrong" })).rejects.toMatchObject({ code: "AuthFailure.SignatureFailure" });
    const searchLog = await sdkSearchLog(clsSettingsOf(clsEnv));
    const range = { topicId: TOPIC, fromMs: Date.parse(`${DAY}T00:00:00+08:00`), toMs: Date.parse(`${DAY}T23:00:00+08:00`) };
    await expect(sqlRows(searchLog, range, AUDIT_SEARCH, "select approx_percentile(ms, 0.5) as p50")).rejects.toMatchObject({ code: "FailedOperation.SyntaxError" });
    await expect(sqlRows(searchLog, range, AUDIT_SEARCH, "select intent, count(*) as n")).rejects.toMatchObject({ code: "FailedOperation.SyntaxError" });
    await expect(reportFrom({ kind: "cls" }, DAY, book, { MINIASK_ENV: "prod" })).rejects.toThrow(/MINIASK_CLS_TOPIC_ID[\s\S]*MINIASK_CLS_REGION[\s\S]*TENCENTCLOUD_SECRET_ID/);
  });

  it("a line with absurd numbers is counted unreadable, as the file reader refuses its record: no Infinity, no NaN", async () => {
    const day = "2026-11-27";
    const at = Date.parse(`${day}T10:00:00+08:00`);
    const ok = { msg: "audit", auditVersion: 1, traceId: "h1", time: new Date(at).toISOString(), env: "prod", intent: "support", profile: "support_v1", arm: "control", model: "qwen-turbo", outcome: "ok", status: 200, cached: false, ms: 300, cost: 0.002, usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } };
    const lines = [ok, { ...ok, traceId: "h2", cost: 1e308 }, { ...ok, traceId: "h3", ms: -4 }, { ...ok, traceId: "h4", usage: { promptTokens: 1e308, completionTokens: 1, totalTokens: 1e308 } }];
    cls.addLines(TOPIC, lines);
    const hostileFile = join(mkdtempSync(join(tmpdir(), "cls-hostile-")), "day.jsonl");
    writeFileSync(hostileFile, lines.map((l) => JSON.stringify(l)).join("\n"));
    const book = readPriceBook(REPO_ROOT);
    const fromCls = await reportFrom({ kind: "cls" }, day, book, clsEnv);
    const fromFile = await reportFrom({ kind: "jsonl", file: hostileFile }, day, book, {});
    expect(fromCls.context).toMatchObject({ scanned: 4, unreadable: 3 });
    expect(fromFile.context).toMatchObject({ scanned: 4, unreadable: 3 });
    expect(fromCls.report).toEqual(fromFile.report);
    expect(fromCls.report.totals).toMatchObject({ requests: 1, tokens: 15, costMicroYuan: 2000 });
  });

  it("reads the source from the flags, CLS by default in staging and prod", () => {
    expect(parseReportArgs(["--cls-topic", "t1", "--cls-region", "ap-shanghai"], 0)).toMatchObject({ source: { kind: "cls", topic: "t1", region: "ap-shanghai" } });
    expect(parseReportArgs(["--jsonl", "x.jsonl"], 0)).toMatchObject({ source: { kind: "jsonl", file: "x.jsonl" } });
    expect(parseReportArgs(["--store", "--cls"], 0)).toEqual({ error: "one source at a time: --store, --cls" });
    expect(parseReportArgs(["--jsonl"], 0)).toEqual({ error: "--jsonl needs a value" });
  });

  it("the JSONL reader keeps audit lines and stored records, and skips request lines", async () => {
    const values = await jsonlAuditReader(file).readAll("");
    expect(values).toHaveLength(1540);
    expect(values.every((v) => JSON.parse(v).msg === "audit")).toBe(true);
  });
});
