// SCF's 7-field crons (second minute hour day month week year), as the Timer Trigger page
// (product 583/9708) defines them: , - * / in every field; months JAN..DEC; weeks 0..6 or
// SUN..SAT with 0 = Sunday. Times are read in a fixed offset from UTC: SCF does not state a zone
// on that page; our crons are written for Beijing time (UTC+8), the default here.

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  min: number;
  max: number;
  names?: string[];
  /** Offset of the first name's value (months start at 1). */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 6, names: WEEKDAYS, nameBase: 0 },
  { min: 1970, max: 2099 },
];

export interface Cron {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  years: Set<number>;
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

function value(text: string, spec: FieldSpec, cron: string): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + (spec.nameBase ?? 0) : Number(text);
  if (!Number.isInteger(n) || n < spec.min || n > spec.max) throw new Error(`cron "${cron}": "${text}" is outside ${spec.min}..${spec.max}`);
  return n;
}

function field(text: string, spec: FieldSpec, cron: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron "${cron}": bad step in "${part}"`);
    let from = spec.min;
    let to = spec.max;
    // "?" (SCF's "no specific value" for the day field not used) restricts nothing, as "*".
    if (range !== "*" && range !== "?") {
      const [a = "", b] = range.split("-");
      from = value(a, spec, cron);
      to = b === undefined ? (stepText === undefined ? from : spec.max) : value(b, spec, cron);
    }
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

export function parseCron(text: string): Cron {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 7) throw new Error(`cron "${text}": expected 7 fields (second minute hour day month week year), got ${parts.length}`);
  const [s, m, h, d, mo, w, y] = parts.map((p, i) => field(p, FIELDS[i]!, text)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return { seconds: s, minutes: m, hours: h, days: d, months: mo, weekdays: w, years: y, dayRestricted: parts[3] !== "*" && parts[3] !== "?", weekdayRestricted: parts[5] !== "*" && parts[5] !== "?" };
}

function dayMatches(cron: Cron, date: Date): boolean {
  const day = cron.days.has(date.getUTCDate());
  const weekday = cron.weekdays.has(date.getUTCDay());
  // Classic cron: when both day fields are restricted, either may match.
  if (cron.dayRestricted && cron.weekdayRestricted) return day || weekday;
  return day && weekday;
}

/** Every firing in [fromMs, toMs), in order. */
export function cronFirings(text: string, fromMs: number, toMs: number, utcOffsetMinutes: number): number[] {
  const cron = parseCron(text);
  const offset = utcOffsetMinutes * 60_000;
  const out: number[] = [];
  const firstMinute = Math.floor((fromMs + offset) / 60_000) * 60_000;
  for (let local = firstMinute; local < toMs + offset; local += 60_000) {
    const date = new Date(local);
    if (!cron.minutes.has(date.getUTCMinutes()) || !cron.hours.has(date.getUTCHours())) continue;
    if (!cron.months.has(date.getUTCMonth() + 1) || !cron.years.has(date.getUTCFullYear()) || !dayMatches(cron, date)) continue;
    for (const second of [...cron.seconds].sort((a, b) => a - b)) {
      const at = local + second * 1000 - offset;
      if (at >= fromMs && at < toMs) out.push(at);
    }
  }
  return out;
}

/** A 7-field cron that fires once at hh:mm:00 on the given weekdays ("*" for every day; SCF wants "?" as the day of month beside a day of week). */
export function dailyCron(hour: number, minute: number, weekdays: string): string {
  return `0 ${minute} ${hour} ${weekdays === "*" ? "*" : "?"} * ${weekdays} *`;
}
