// Days as Mini Program users live them: Beijing time, UTC+8 all year (China has had no daylight
// saving time since 1991), so plain offset arithmetic is exact and needs no time-zone database.

const OFFSET_MS = 8 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** A positive remainder, also for instants before 1970. */
function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** The Beijing calendar day of an instant, as YYYY-MM-DD. */
export function beijingDay(nowMs: number): string {
  return new Date(nowMs + OFFSET_MS).toISOString().slice(0, 10);
}

/** The same day without dashes, as store keys spell it (quota:v1:<user>:YYYYMMDD). */
export function beijingDayKey(nowMs: number): string {
  return beijingDay(nowMs).replaceAll("-", "");
}

/** Hour of the day in Beijing, 0..23. */
export function beijingHour(nowMs: number): number {
  return Math.floor(mod(nowMs + OFFSET_MS, DAY_MS) / HOUR_MS);
}

/** Milliseconds until the next Beijing midnight; a full day when it is midnight exactly. */
export function msUntilBeijingMidnight(nowMs: number): number {
  return DAY_MS - mod(nowMs + OFFSET_MS, DAY_MS);
}

/** Retry-After (whole seconds, at least 1) for a 429 that lasts until the day turns. */
export function retryAfterUntilBeijingMidnight(nowMs: number): number {
  return Math.max(1, Math.ceil(msUntilBeijingMidnight(nowMs) / 1000));
}

/** [startMs, endMs) of a Beijing day given as YYYY-MM-DD; undefined for anything else (2026-02-30 included). */
export function beijingDayBounds(day: string): { startMs: number; endMs: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utcMidnight = Date.UTC(year, month - 1, date);
  if (new Date(utcMidnight).toISOString().slice(0, 10) !== day) return undefined;
  const startMs = utcMidnight - OFFSET_MS;
  return { startMs, endMs: startMs + DAY_MS };
}
