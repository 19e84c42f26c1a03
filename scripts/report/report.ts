// `npm run report -- [--day YYYY-MM-DD] [--html FILE] [--cls | --store | --jsonl FILE]
//   [--cls-topic ID] [--cls-region REGION]`: requests, error rate, p50/p95 latency, tokens and cost
// of one Beijing day, by intent, profile, rollout arm and model. Where the audit trail lives
// decides the source: CLS in staging and prod (three SQL analyses a day, aggregated in CLS), the
// shared store (MINIASK_STORE, MINIASK_STORE_PREFIX) in dev, or a JSONL file of records or logs.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PriceBook } from "../../lib/cost/priceBook";
import { beijingDay, beijingDayBounds } from "../../lib/time/beijingTime";
import { readSettings } from "../../lib/runtime/settings";
import { clsSettingsOf, sdkSearchLog } from "../support/clsApi";
import { type Parsed, UnreachableError, UsageError, defineCommand, parseCommandLine, runCli } from "../support/cli";
import { createProgress } from "../support/progress";
import { requireReachableSpec } from "../support/reachStore";
import { connectionFailure } from "../support/reachUpstream";
import { configRoot } from "../support/scriptModels";
import { clsReportRows } from "./clsReportRows";
import { buildDayReport, dayBounds, readPriceBook } from "./dayReport";
import { formatReport, type ReportContext } from "./formatReport";
import { renderHtmlReport } from "./htmlReport";
import { jsonlAuditReader } from "./jsonlAuditReader";
import { openAuditReader } from "./readAuditRecords";
import { type DayReport, summarizeRows } from "./summarizeRecords";

export const REPORT_COMMAND = defineCommand({
  command: "npm run report --",
  summary: "Requests, error rate, p50/p95 latency, tokens and cost of one Beijing day, by intent, profile, rollout arm and model, from the audit trail: CLS in staging and prod, the shared store (MINIASK_STORE, MINIASK_STORE_PREFIX) in dev, or a JSONL file of records or logs.",
  options: {
    day: { type: "string", value: "YYYY-MM-DD", description: "the Beijing day to report (default: today in Beijing)" },
    html: { type: "string", value: "FILE", description: "also write the report as an HTML page" },
    cls: { type: "boolean", description: "read CLS (TENCENTCLOUD_SECRET_ID/KEY, MINIASK_CLS_TOPIC_ID, MINIASK_CLS_REGION); the default in staging and prod" },
    store: { type: "boolean", description: "read the shared store (MINIASK_STORE); the default in dev" },
    jsonl: { type: "string", value: "FILE", description: "read audit records or log lines from a JSONL file" },
    "cls-topic": { type: "string", value: "ID", description: "the CLS topic (implies --cls)" },
    "cls-region": { type: "string", value: "REGION", description: "the CLS region (implies --cls)" },
  },
  notes: ["one source at a time: --cls, --store or --jsonl"],
});

export type ReportSource = { kind: "cls"; topic?: string; region?: string } | { kind: "store" } | { kind: "jsonl"; file: string };
export interface ReportArgs {
  day: string;
  html?: string;
  source?: ReportSource;
}

function reportArgsOf({ values }: Parsed<typeof REPORT_COMMAND.options>, nowMs: number): ReportArgs {
  if (values.day !== undefined && !beijingDayBounds(values.day)) throw new UsageError(`--day: expected a date as YYYY-MM-DD, got "${values.day}"`);
  const out: ReportArgs = { day: values.day ?? beijingDay(nowMs), ...(values.html === undefined ? {} : { html: values.html }) };
  const cls = { ...(values["cls-topic"] === undefined ? {} : { topic: values["cls-topic"] }), ...(values["cls-region"] === undefined ? {} : { region: values["cls-region"] }) };
  const kinds = [values.store ? "store" : "", values.cls || Object.keys(cls).length > 0 ? "cls" : "", values.jsonl === undefined ? "" : "jsonl"].filter(Boolean);
  if (kinds.length > 1) throw new UsageError(`one source at a time: ${kinds.map((k) => `--${k}`).join(", ")}`);
  if (values.jsonl !== undefined) out.source = { kind: "jsonl", file: values.jsonl };
  else if (values.store) out.source = { kind: "store" };
  else if (kinds[0] === "cls") out.source = { kind: "cls", ...cls };
  return out;
}

/** The command line as report reads it, or the mistake in it. */
export function parseReportArgs(args: readonly string[], nowMs: number): ReportArgs | { error: string } {
  try {
    return reportArgsOf(parseCommandLine(REPORT_COMMAND, args), nowMs);
  } catch (err) {
    if (err instanceof UsageError) return { error: err.message };
    throw err;
  }
}

/** CLS where the trail is CLS's (staging, prod), else the store. */
export function defaultSource(env: string): ReportSource {
  return env === "staging" || env === "prod" ? { kind: "cls" } : { kind: "store" };
}

export async function reportFrom(source: ReportSource, day: string, book: PriceBook, processEnv: Readonly<Record<string, string | undefined>>): Promise<{ report: DayReport; context: ReportContext }> {
  const settings = readSettings(processEnv);
  const prefix = settings.MINIASK_STORE_PREFIX ?? `miniask:${settings.MINIASK_ENV}:`;
  if (source.kind === "cls") {
    dayBounds(day);
    const cls = clsSettingsOf(processEnv, source);
    const { rows, scanned, unreadable } = await clsReportRows(await sdkSearchLog(cls), cls.topicId, day).catch((err: unknown) => {
      const failure = connectionFailure(err);
      if (!failure) throw err;
      throw new UnreachableError("CLS", `${cls.endpoint ?? `cls.tencentcloudapi.com, region ${cls.region}`} (${failure})`, "check this machine's network and MINIASK_CLS_REGION (and MINIASK_CLS_ENDPOINT when it is set)");
    });
    return { report: summarizeRows(day, rows), context: { prefix, scanned, unreadable, source: `CLS topic ${cls.topicId} (${cls.region})` } };
  }
  if (source.kind === "store") await requireReachableSpec(settings.MINIASK_STORE, processEnv);
  const reader = source.kind === "jsonl" ? jsonlAuditReader(source.file) : await openAuditReader(settings.MINIASK_STORE, processEnv);
  try {
    return await buildDayReport(reader, prefix, day, book, source.kind === "jsonl" ? `file ${source.file}` : undefined);
  } finally {
    await reader.close();
  }
}

async function main(parsed: Parsed<typeof REPORT_COMMAND.options>): Promise<number> {
  const args = reportArgsOf(parsed, Date.now());
  const book = readPriceBook(configRoot(join(dirname(fileURLToPath(import.meta.url)), "..", "..")));
  const source = args.source ?? defaultSource(readSettings(process.env).MINIASK_ENV);
  // CLS's three analyses, or a scan of the whole store, can take a while.
  const progress = createProgress("report", 0, "");
  progress.status(`reading ${args.day} from ${source.kind === "jsonl" ? source.file : source.kind === "cls" ? "CLS" : "the store"}`);
  const { report, context } = await reportFrom(source, args.day, book, process.env).finally(progress.done);
  console.log(formatReport(report, context));
  if (args.html) {
    writeFileSync(args.html, renderHtmlReport(report, context));
    console.log(`\nwrote ${args.html}`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runCli(REPORT_COMMAND, main);
