// `npm run report -- [--day YYYY-MM-DD] [--html FILE] [--cls | --store | --jsonl FILE]
//   [--cls-topic ID] [--cls-region REGION]`: requests, error rate, p50/p95 latency, tokens and cost
// of one Beijing day, by intent, profile, rollout arm and model. Where the audit trail lives
// decides the source: CLS in staging and prod (three SQL analyses a day, aggregated in CLS), the
// shared store (MINIASK_STORE, MINIASK_STORE_PREFIX) in dev, or a JSONL file of records or logs.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../lib/config/configError";
import type { PriceBook } from "../../lib/cost/priceBook";
import { beijingDay } from "../../lib/time/beijingTime";
import { readSettings } from "../../lib/runtime/settings";
import { clsSettingsOf, sdkSearchLog } from "../support/clsApi";
import { configRoot } from "../support/scriptModels";
import { clsReportRows } from "./clsReportRows";
import { buildDayReport, dayBounds, readPriceBook } from "./dayReport";
import { formatReport, type ReportContext, terminalSafe } from "./formatReport";
import { renderHtmlReport } from "./htmlReport";
import { jsonlAuditReader } from "./jsonlAuditReader";
import { openAuditReader } from "./readAuditRecords";
import { type DayReport, summarizeRows } from "./summarizeRecords";

const USAGE = "usage: npm run report -- [--day YYYY-MM-DD] [--html FILE] [--cls | --store | --jsonl FILE] [--cls-topic ID] [--cls-region REGION]   (default day: today in Beijing; default source: CLS in staging and prod, the store in dev)";

export type ReportSource = { kind: "cls"; topic?: string; region?: string } | { kind: "store" } | { kind: "jsonl"; file: string };
export interface ReportArgs {
  day: string;
  html?: string;
  source?: ReportSource;
}

const VALUED = new Set(["--day", "--html", "--jsonl", "--cls-topic", "--cls-region"]);

export function parseReportArgs(args: readonly string[], nowMs: number): ReportArgs | { error: string } {
  const out: ReportArgs = { day: beijingDay(nowMs) };
  const cls: { topic?: string; region?: string } = {};
  const kinds = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? "";
    const value = args[i + 1];
    if (VALUED.has(flag)) {
      if (value === undefined || value.startsWith("--")) return { error: `${flag} needs a value` };
      i++;
    }
    if (flag === "--day") out.day = value!;
    else if (flag === "--html") out.html = value!;
    else if (flag === "--jsonl") (kinds.add("jsonl"), (out.source = { kind: "jsonl", file: value! }));
    else if (flag === "--cls-topic") (kinds.add("cls"), (cls.topic = value!));
    else if (flag === "--cls-region") (kinds.add("cls"), (cls.region = value!));
    else if (flag === "--cls") kinds.add("cls");
    else if (flag === "--store") (kinds.add("store"), (out.source = { kind: "store" }));
    else return { error: `unknown argument "${flag}"` };
  }
  if (kinds.size > 1) return { error: `one source at a time: ${[...kinds].map((k) => `--${k}`).join(", ")}` };
  if (kinds.has("cls")) out.source = { kind: "cls", ...cls };
  return out;
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
    const { rows, scanned, unreadable } = await clsReportRows(await sdkSearchLog(cls), cls.topicId, day);
    return { report: summarizeRows(day, rows), context: { prefix, scanned, unreadable, source: `CLS topic ${cls.topicId} (${cls.region})` } };
  }
  const reader = source.kind === "jsonl" ? jsonlAuditReader(source.file) : await openAuditReader(settings.MINIASK_STORE, processEnv);
  try {
    return await buildDayReport(reader, prefix, day, book, source.kind === "jsonl" ? `file ${source.file}` : undefined);
  } finally {
    await reader.close();
  }
}

async function main(): Promise<number> {
  const args = parseReportArgs(process.argv.slice(2), Date.now());
  if ("error" in args) {
    console.error(`report: ${args.error}\n${USAGE}`);
    return 2;
  }
  const book = readPriceBook(configRoot(join(dirname(fileURLToPath(import.meta.url)), "..", "..")));
  const source = args.source ?? defaultSource(readSettings(process.env).MINIASK_ENV);
  const { report, context } = await reportFrom(source, args.day, book, process.env);
  console.log(formatReport(report, context));
  if (args.html) {
    writeFileSync(args.html, renderHtmlReport(report, context));
    console.log(`\nwrote ${args.html}`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const code = err !== null && typeof err === "object" && typeof (err as { code?: unknown }).code === "string" ? ` (${(err as { code: string }).code})` : "";
      console.error(err instanceof ConfigError ? `report: ${err.problems.join("\n  ")}` : `report: ${terminalSafe(err instanceof Error ? err.message.split("\n")[0] ?? "" : String(err))}${code}`);
      process.exit(1);
    },
  );
}
