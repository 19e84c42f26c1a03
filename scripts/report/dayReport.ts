// One day's report from a reader: read every audit record, parse each, keep the day's, sum up.
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
import { type DayReport, summarizeRecords } from "./summarizeRecords";

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

export async function buildDayReport(reader: AuditReader, prefix: string, day: string, book: PriceBook): Promise<{ report: DayReport; context: ReportContext }> {
  const bounds = beijingDayBounds(day);
  if (!bounds) throw new ConfigError([`--day: expected a date as YYYY-MM-DD, got "${day}"`]);
  const values = await reader.readAll(prefix);
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
  return { report: summarizeRecords(day, records, book), context: { prefix, scanned: values.length, unreadable } };
}
