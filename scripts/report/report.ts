// `npm run report -- [--day YYYY-MM-DD] [--html FILE]`: requests, error rate, p50/p95 latency,
// tokens and cost of one Beijing day, by intent, profile, rollout arm and model, from the audit
// records in the shared store (MINIASK_STORE, MINIASK_STORE_PREFIX as the server used them).
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../lib/config/configError";
import { beijingDay } from "../../lib/time/beijingTime";
import { readSettings } from "../../lib/runtime/settings";
import { configRoot } from "../support/scriptModels";
import { buildDayReport, readPriceBook } from "./dayReport";
import { formatReport } from "./formatReport";
import { renderHtmlReport } from "./htmlReport";
import { openAuditReader } from "./readAuditRecords";

const USAGE = "usage: npm run report -- [--day YYYY-MM-DD] [--html FILE]   (default day: today in Beijing)";

export function parseReportArgs(args: readonly string[], nowMs: number): { day: string; html?: string } | { error: string } {
  let day = beijingDay(nowMs);
  let html: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if ((flag === "--day" || flag === "--html") && (value === undefined || value.startsWith("--"))) return { error: `${flag} needs a value` };
    if (flag === "--day" && value !== undefined) day = value;
    else if (flag === "--html" && value !== undefined) html = value;
    else return { error: `unknown argument "${flag}"` };
    i++;
  }
  return html === undefined ? { day } : { day, html };
}

async function main(): Promise<number> {
  const args = parseReportArgs(process.argv.slice(2), Date.now());
  if ("error" in args) {
    console.error(`report: ${args.error}\n${USAGE}`);
    return 2;
  }
  const settings = readSettings(process.env);
  const prefix = settings.MINIASK_STORE_PREFIX ?? `miniask:${settings.MINIASK_ENV}:`;
  const book = readPriceBook(configRoot(join(dirname(fileURLToPath(import.meta.url)), "..", "..")));
  const reader = await openAuditReader(settings.MINIASK_STORE, process.env);
  try {
    const { report, context } = await buildDayReport(reader, prefix, args.day, book);
    console.log(formatReport(report, context));
    if (args.html) {
      writeFileSync(args.html, renderHtmlReport(report, context));
      console.log(`\nwrote ${args.html}`);
    }
    return 0;
  } finally {
    await reader.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof ConfigError ? `report: ${err.problems.join("\n  ")}` : `report: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      process.exit(1);
    },
  );
}
