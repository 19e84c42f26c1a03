// SCF timer crons (timer triggers and provisioned-concurrency TriggerCronConfig): seven fields,
// second minute hour day-of-month month day-of-week year, in the Quartz style SCF's timer doc
// (product 583, "Timer Trigger", Cron expression) describes. Quartz has no meaning for a day
// given twice: when one day field is restricted the other is `?` ("no specific value"), so
// weekdays at 08:40 are `0 40 8 ? * MON-FRI *`, never `0 40 8 * * MON-FRI *` (which a
// Quartz parser refuses, or reads as every day). Both day fields `*` means every day.
import * as z from "zod/mini";

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
// Names avoid the numbering question: SCF's timer page numbers weekdays 0..6 from Sunday, Quartz
// 1..7 from Sunday; numbers 0..7 are accepted, names are what this project writes.
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

const FIELDS: readonly Field[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 0, max: 7, names: WEEKDAYS },
  { name: "year", min: 1970, max: 2099 },
];

function value(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}

/** One comma-separated part: `*`, `N`, `A-B`, each optionally `/step`. */
function partProblem(part: string, field: Field): string | undefined {
  const [range = "", step, extra] = part.split("/");
  if (extra !== undefined || (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1))) return `bad step in "${part}"`;
  if (range === "*") return undefined;
  const [from = "", to, more] = range.split("-");
  const a = value(from, field);
  const b = to === undefined ? a : value(to, field);
  if (more !== undefined || a === undefined || b === undefined) return `"${part}" is not ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ""}`;
  if (b < a) return `range "${range}" runs backwards`;
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  if (text === "?") return field.name === "day-of-month" || field.name === "day-of-week" ? undefined : "? is for day-of-month or day-of-week only";
  for (const part of text.split(",")) {
    const problem = partProblem(part, field);
    if (problem) return problem;
  }
  return undefined;
}

/** Why `cron` is not an SCF cron, or undefined when it is one. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 7) return `expected 7 fields (second minute hour day-of-month month day-of-week year), got ${fields.length}`;
  for (const [i, field] of FIELDS.entries()) {
    const problem = fieldProblem(fields[i]!, field);
    if (problem) return `${field.name}: ${problem}`;
  }
  const [dom, dow] = [fields[3]!, fields[5]!];
  if (dom === "?" && dow === "?") return "day-of-month and day-of-week cannot both be ?";
  if (dow !== "*" && dow !== "?" && dom !== "?") return `a day-of-week (${dow}) needs ? as day-of-month, as in "${fields.slice(0, 3).join(" ")} ? ${fields[4]} ${dow} ${fields[6]}"`;
  if (dom !== "*" && dom !== "?" && dow !== "?") return `a day-of-month (${dom}) needs ? as day-of-week`;
  return undefined;
}

/** A zod check naming the problem; the path of the failing key comes from the schema. */
export const cronSchema = z.string().check(z.refine((c) => cronProblem(c) === undefined, { error: (issue) => `expected an SCF cron: ${cronProblem(String(issue.input)) ?? "invalid"}` }));
