// One day's report from a reader: read every audit record, parse each, keep the day's, group
// them as CLS's SQL analysis would (reportRows.ts), sum up.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import * as z from "zod/mini";
import { CONFIG_FILES } from "../../lib/config/config";
import { ConfigError } from "../../lib/config/configError";
import { modelsFileSchema } from "../../lib/config/schema";
import { beijingDayBounds } from "../../lib/time/beijingTime";
import { compilePrices, type PriceBook } from "../../lib/cost/priceBook";
import type { ReportContext } from "./formatReport";
import type { AuditReader } from "./readAuditRecords";
import { parseReportRecord, type ReportRecord } from "./reportRecord";
import { type ReportRows, rowsOfRecords } from "./reportRows";
import { type DayReport, summarizeRows } from "./summarizeRecords";

/** The price list of profiles/models.yaml under `root` (only the models file is read). */
export function readPriceBook(root: string): PriceBook {
  const file = CONFIG_FILES.models;
  let data: unknown;
  try {
    data = parseYaml(readFileSync(join(root, file), "utf8"));
  } catch (err) {
    throw new ConfigError([`${file}: cannot be read as YAML (${err instanceof Error ? err.message.split("\n")[0] : "error"})`]);
  }
  const parsed = z.safeParse(modelsFileSchema, data);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${file}: ${i.path.join(".")}: ${i.message}`));
  return compilePrices(parsed.data.prices);
}

/** The day's Beijing bounds, or the error the CLI prints for a bad --day. */
export function dayBounds(day: string): { startMs: number; endMs: number } {
  const bounds = beijingDayBounds(day);
  if (!bounds) throw new ConfigError([`--day: expected a date as YYYY-MM-DD, got "${day}"`]);
  return bounds;
}

/** Stored values (any day) as the day's rows: each parsed, absurd ones refused and counted. */
export function rowsOfStoredValues(values: readonly string[], day: string, book: PriceBook): { rows: ReportRows; scanned: number; unreadable: number } {
  const bounds = dayBounds(day);
  const records: ReportRecord[] = [];
  let unreadable = 0;
  for (const raw of values) {
    const record = parseReportRecord(raw);
    if (!record) {
      unreadable++;
      continue;
    }
    const t = Date.parse(record.time);
    if (t >= bounds.startMs && t < bounds.endMs) records.push(record);
  }
  return { rows: rowsOfRecords(records, book), scanned: values.length, unreadable };
}

export async function buildDayReport(reader: AuditReader, prefix: string, day: string, book: PriceBook, source?: string): Promise<{ report: DayReport; context: ReportContext }> {
  dayBounds(day);
  const { rows, scanned, unreadable } = rowsOfStoredValues(await reader.readAll(prefix), day, book);
  return { report: summarizeRows(day, rows), context: { prefix, scanned, unreadable, ...(source ? { source } : {}) } };
}
